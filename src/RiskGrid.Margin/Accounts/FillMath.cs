using RiskGrid.Margin.Instruments;

namespace RiskGrid.Margin.Accounts;

/// <summary>
/// What a fill does to a position and to the USD balance (§4, §10), exactly. Linear: adding to a position moves
/// the average entry; reducing realises (closed units × (price − entry) × sign), rounded down; a fill through zero
/// closes then opens the remainder at the fill price. Options: the premium (−filled units × price) is settled into
/// USD, rounded down (a payment rounds up in size, a receipt down).
/// </summary>
public readonly record struct FillEffect(long NewSizeLots, double NewEntryPrice, long RealisedPnlMicros,
    long PremiumMicros)
{
    /// <summary>The change of the USD balance before fees: realised PnL plus premium.</summary>
    public long UsdChangeMicros => RealisedPnlMicros + PremiumMicros;
}

/// <summary>Fill arithmetic shared by the account entity, the order check and the planner.</summary>
public static class FillMath
{
    /// <summary>Applies a fill of <paramref name="fillLots"/> (signed: + buy, − sell) at <paramref name="price"/>.</summary>
    public static FillEffect Apply(Instrument instrument, long sizeLots, double entryPrice, long fillLots, double price)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        var newSize = checked(sizeLots + fillLots);
        if (!instrument.IsLinear)
        {
            var premium = Micros.RoundValueDown(-(fillLots * instrument.LotSize) * price);
            return new FillEffect(newSize, AverageEntry(sizeLots, entryPrice, fillLots, price), 0, premium);
        }
        if (sizeLots == 0 || Math.Sign(sizeLots) == Math.Sign(fillLots))
        {
            return new FillEffect(newSize, AverageEntry(sizeLots, entryPrice, fillLots, price), 0, 0);
        }
        var closedLots = Math.Min(Math.Abs(sizeLots), Math.Abs(fillLots));
        var realised = Micros.RoundValueDown(closedLots * instrument.LotSize * (price - entryPrice) * Math.Sign(sizeLots));
        var entry = newSize == 0 ? 0 : Math.Sign(newSize) == Math.Sign(sizeLots) ? entryPrice : price;
        return new FillEffect(newSize, entry, realised, 0);
    }

    private static double AverageEntry(long sizeLots, double entryPrice, long fillLots, double price)
    {
        var newSize = sizeLots + fillLots;
        if (newSize == 0)
        {
            return 0;
        }
        if (sizeLots == 0 || Math.Sign(sizeLots) != Math.Sign(newSize))
        {
            return price;
        }
        if (Math.Sign(fillLots) != Math.Sign(sizeLots))
        {
            return entryPrice;
        }
        return (Math.Abs(sizeLots) * entryPrice + Math.Abs(fillLots) * price) / Math.Abs(newSize);
    }
}

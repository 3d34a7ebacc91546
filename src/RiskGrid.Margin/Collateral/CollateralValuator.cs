using RiskGrid.Margin.Accounts;
using RiskGrid.Margin.Market;
using RiskGrid.Margin.Parameters;

namespace RiskGrid.Margin.Collateral;

/// <summary>
/// Collateral value of a pool (§3). For each asset balance b &gt; 0 at index price S, value = b × S; the weight
/// starts at the base weight w0 (initial or maintenance), is scaled by volatility, w1 = 1 − min(1, (1 − w0) × v),
/// and, where imf &gt; 0, capped by the size factor 1.1 / (1 + imf × sqrt(b)). A negative USD balance counts at
/// full value. Each asset's weighted value is rounded down to the micro-dollar.
/// </summary>
public static class CollateralValuator
{
    /// <summary>Computes CV_IM, CV_MM and the unweighted value, each in micro-dollars rounded down.</summary>
    public static void Value(SubAccountPortfolio account, MarketState market, out long initialMicros,
        out long maintenanceMicros, out long rawMicros)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(market);
        var p = market.Params;
        var balances = account.Balances;
        var priceIndex = p.AssetPriceIndex;
        var wInitial = p.AssetInitialWeight;
        var wMaintenance = p.AssetMaintenanceWeight;
        var imfs = p.AssetImf;
        var toAmount = p.AssetUnitsToAmount;
        long im = 0, mm = 0, raw = 0;
        for (var a = 0; a < balances.Length; a++)
        {
            var units = balances[a];
            if (units == 0)
            {
                continue;
            }
            if (a == 0)
            {
                // USD: weight 1 whatever the sign (a negative USD balance counts at full value).
                im += units;
                mm += units;
                raw += units;
                continue;
            }
            var amount = units * toAmount[a];
            var u = priceIndex[a];
            var value = amount * market.Index(u);
            var imf = imfs[a];
            // §3 size factor, shared by both weights (sqrt once).
            var sizeCap = imf > 0 ? 1.1 / (1 + imf * Math.Sqrt(amount)) : double.PositiveInfinity;
            var wIm = Math.Min(1 - Math.Min(1, (1 - wInitial[a]) * market.InitialMultiplier(u)), sizeCap);
            var wMm = Math.Min(1 - Math.Min(1, (1 - wMaintenance[a]) * market.MaintenanceMultiplier(u)), sizeCap);
            im += Micros.RoundValueDown(value * wIm);
            mm += Micros.RoundValueDown(value * wMm);
            raw += Micros.RoundValueDown(value);
        }
        initialMicros = im;
        maintenanceMicros = mm;
        rawMicros = raw;
    }

    /// <summary>
    /// The weight of §3 for base weight <paramref name="baseWeight"/>, volatility multiplier
    /// <paramref name="multiplier"/>, size factor <paramref name="imf"/> and a positive balance of
    /// <paramref name="amount"/> asset units.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static double Weight(double baseWeight, double multiplier, double imf, double amount)
    {
        var w1 = 1 - Math.Min(1, (1 - baseWeight) * multiplier);
        return imf > 0 ? Math.Min(w1, 1.1 / (1 + imf * Math.Sqrt(amount))) : w1;
    }
}

using RiskGrid.Margin.Parameters;

namespace RiskGrid.Margin.Instruments;

/// <summary>What an instrument is (§2).</summary>
public enum InstrumentKind : byte
{
    /// <summary>Perpetual swap, linear, marked at its underlying's index.</summary>
    Perpetual,

    /// <summary>Dated future, linear, marked at its underlying's index.</summary>
    Future,

    /// <summary>European option, call or put, expiring at 08:00 UTC, valued with Black-76.</summary>
    Option,
}

/// <summary>A small integer handle to an instrument in an <see cref="InstrumentCatalog"/>.</summary>
public readonly record struct InstrumentId(int Value);

/// <summary>
/// A resolved instrument: ids, contract parameters and tier table looked up once so that evaluation indexes arrays
/// instead of dictionaries. Sizes are held in lots of <see cref="Lot"/> underlying units.
/// </summary>
public sealed class Instrument
{
    internal Instrument(InstrumentId id, string name, InstrumentKind kind, int underlyingId, long expiryMs,
        double strike, bool isCall, decimal lot, TierTable? tiers, UnderlyingParams underlying)
    {
        Id = id;
        Name = name;
        Kind = kind;
        UnderlyingId = underlyingId;
        ExpiryMs = expiryMs;
        Strike = strike;
        IsCall = isCall;
        Lot = lot;
        LotSize = (double)lot;
        Tiers = tiers;
        Underlying = underlying;
    }

    /// <summary>Catalog handle.</summary>
    public InstrumentId Id { get; }

    /// <summary>Venue name: <c>BTC-PERP</c>, <c>BTC-20261225</c>, <c>BTC-20261225-60000-C</c>.</summary>
    public string Name { get; }

    /// <summary>Perpetual, future or option.</summary>
    public InstrumentKind Kind { get; }

    /// <summary>Underlying id in <see cref="RiskParams.Underlyings"/>.</summary>
    public int UnderlyingId { get; }

    /// <summary>Expiry (08:00 UTC of the expiry date) in Unix milliseconds; <see cref="long.MaxValue"/> for a perpetual.</summary>
    public long ExpiryMs { get; }

    /// <summary>Option strike in USD; 0 for linear instruments.</summary>
    public double Strike { get; }

    /// <summary>True for a call option.</summary>
    public bool IsCall { get; }

    /// <summary>Lot size in underlying units, exact.</summary>
    public decimal Lot { get; }

    /// <summary>Lot size as a double for risk arithmetic.</summary>
    public double LotSize { get; }

    /// <summary>Tier table of a linear instrument; null for options.</summary>
    public TierTable? Tiers { get; }

    /// <summary>The underlying's parameters.</summary>
    public UnderlyingParams Underlying { get; }

    /// <summary>True for perpetuals and futures.</summary>
    public bool IsLinear => Kind != InstrumentKind.Option;

    /// <summary>Number of decimals of the lot size (0.001 → 3), for formatting sizes.</summary>
    public int LotDecimals => (decimal.GetBits(Lot)[3] >> 16) & 0xFF;

    /// <summary>Signed size in underlying units for a signed number of lots.</summary>
    public double Units(long sizeLots) => sizeLots * LotSize;

    /// <inheritdoc/>
    public override string ToString() => Name;
}

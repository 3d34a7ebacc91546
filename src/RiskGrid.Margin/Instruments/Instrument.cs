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
/// The risk terms of an instrument that a run-time parameter change may replace (§5, §6, §12): its tier table and
/// its underlying's parameters. Immutable, and swapped whole, so a reader that takes <see cref="Instrument.Terms"/> once
/// never sees the tiers of one parameter set with the underlying of another.
/// </summary>
/// <param name="Tiers">The tier table of a linear instrument (its own override or its underlying's); null for
/// options.</param>
/// <param name="Underlying">The underlying's parameters.</param>
public sealed record InstrumentTerms(TierTable? Tiers, UnderlyingParams Underlying);

/// <summary>
/// A resolved instrument: ids, contract parameters and tier table looked up once so that evaluation indexes arrays
/// instead of dictionaries. Sizes are held in lots of <see cref="Lot"/> underlying units. Identity (id, name, kind,
/// underlying, expiry, strike, lot) never changes; the risk terms (<see cref="Terms"/>) follow run-time parameter
/// changes (<see cref="InstrumentCatalog.TryApply"/>).
/// </summary>
public sealed class Instrument
{
    private InstrumentTerms _terms;

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
        _terms = new InstrumentTerms(tiers, underlying);
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

    /// <summary>The current risk terms (tiers and underlying parameters), read as one.</summary>
    public InstrumentTerms Terms => Volatile.Read(ref _terms);

    /// <summary>Tier table of a linear instrument; null for options.</summary>
    public TierTable? Tiers => Volatile.Read(ref _terms).Tiers;

    /// <summary>The underlying's parameters.</summary>
    public UnderlyingParams Underlying => Volatile.Read(ref _terms).Underlying;

    /// <summary>True for perpetuals and futures.</summary>
    public bool IsLinear => Kind != InstrumentKind.Option;

    /// <summary>Number of decimals of the lot size (0.001 → 3), for formatting sizes.</summary>
    public int LotDecimals => (decimal.GetBits(Lot)[3] >> 16) & 0xFF;

    /// <summary>Signed size in underlying units for a signed number of lots.</summary>
    public double Units(long sizeLots) => sizeLots * LotSize;

    /// <inheritdoc/>
    public override string ToString() => Name;

    /// <summary>Publishes new risk terms (the catalog's lock is held).</summary>
    internal void Rebind(InstrumentTerms terms) => Volatile.Write(ref _terms, terms);
}

namespace RiskGrid.Feed.Codec;

/// <summary>
/// One 72-byte entry of a tick frame. The frame's <see cref="TickMessageType"/> gives <see cref="Value"/> and
/// <see cref="TimeMs"/> their meaning; the factory methods name them per type.
/// </summary>
/// <param name="Source">Venue and price kind (<c>gemini</c>, <c>binancecm_mark</c>, <c>manual</c>).</param>
/// <param name="Symbol">Underlying (<c>BTC</c>) or instrument (<c>BTC-PERP</c>, <c>BTC-20261225-60000-C</c>).</param>
/// <param name="Value">Price (quote currency), implied vol (fraction) or funding rate (fraction per interval).</param>
/// <param name="TimeMs">Exchange timestamp, or for funding rates the funding time; epoch milliseconds.</param>
/// <param name="Sequence">The source's own sequence number, increasing per (source, symbol, type).</param>
public readonly record struct TickEntry(
    FixedAscii24 Source,
    FixedAscii24 Symbol,
    double Value,
    long TimeMs,
    ulong Sequence)
{
    /// <summary>A price tick for a <see cref="TickMessageType.Price"/> frame.</summary>
    public static TickEntry PriceTick(
        FixedAscii24 source, FixedAscii24 symbol, double price, long exchangeTimeMs, ulong sourceSequence) =>
        new(source, symbol, price, exchangeTimeMs, sourceSequence);

    /// <summary>An implied-volatility tick for a <see cref="TickMessageType.ImpliedVol"/> frame; <paramref
    /// name="impliedVol"/> is a fraction (0.55 = 55 %).</summary>
    public static TickEntry ImpliedVolTick(
        FixedAscii24 source, FixedAscii24 instrument, double impliedVol, long exchangeTimeMs, ulong sourceSequence) =>
        new(source, instrument, impliedVol, exchangeTimeMs, sourceSequence);

    /// <summary>A funding rate for a <see cref="TickMessageType.FundingRate"/> frame; <paramref name="rate"/> is a
    /// fraction per funding interval, applying at <paramref name="fundingTimeMs"/>.</summary>
    public static TickEntry Funding(
        FixedAscii24 source, FixedAscii24 perpetual, double rate, long fundingTimeMs, ulong sourceSequence) =>
        new(source, perpetual, rate, fundingTimeMs, sourceSequence);
}

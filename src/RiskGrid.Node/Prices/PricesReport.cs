using RiskGrid.Margin.Oracle;

namespace RiskGrid.Node.Prices;

/// <summary>
/// Everything a node knows about its prices at one moment, for <c>GET /v1/prices</c>, <c>riskgrid feed-stats</c>
/// and metrics. Immutable; built by <see cref="PriceView.Report"/> (allocates: not for a hot path).
/// </summary>
/// <param name="AsOfMs">The grid clock when the report was taken, Unix ms.</param>
/// <param name="Version">The price view's version.</param>
/// <param name="Underlyings">Per configured underlying, in id order.</param>
/// <param name="Sources">Per source name seen, in order of first appearance.</param>
/// <param name="Publishers">Frame-sequence counters per publisher seen.</param>
/// <param name="Feeds">Per subscribed endpoint, the transport's counters (garbled frames are counted here).</param>
/// <param name="FundingRates">Latest funding rate per perpetual.</param>
/// <param name="UntrackedTicks">Ticks dropped because a preallocated table (sources, keys) was full.</param>
/// <param name="FramesGarbled">Frames handed to <see cref="PriceView.ApplyFrame"/> directly that did not
/// validate (transport subscribers count their own, in <paramref name="Feeds"/>).</param>
public sealed record PricesReport(
    long AsOfMs,
    long Version,
    IReadOnlyList<UnderlyingPriceReport> Underlyings,
    IReadOnlyList<SourceReport> Sources,
    IReadOnlyList<PublisherReport> Publishers,
    IReadOnlyList<FeedEndpointReport> Feeds,
    IReadOnlyList<FundingRateReport> FundingRates,
    long UntrackedTicks,
    long FramesGarbled);

/// <summary>One underlying's index (§8) and volatility multiplier (§7).</summary>
/// <param name="Underlying">Name (<c>BTC</c>).</param>
/// <param name="Index">Median of the valid sources' latest prices, USD; the last good index while stale; NaN when
/// never priced.</param>
/// <param name="Status">Fresh, wick-guarded, stale or unpriced.</param>
/// <param name="ValidSources">Sources younger than staleMs at the last evaluation.</param>
/// <param name="MinSources">Valid sources needed for a fresh index.</param>
/// <param name="StalenessMs">Time since the index was last formed from enough valid sources (0 while fresh or
/// wick-guarded, null when never priced).</param>
/// <param name="GuardSinceMs">While wick-guarded, when the pending jump began (Unix ms); else null.</param>
/// <param name="Volatility">σ: the EWMA of squared 1-second log returns, annualised (fraction).</param>
/// <param name="InitialMultiplier">v^IM.</param>
/// <param name="MaintenanceMultiplier">v^MM.</param>
/// <param name="Sources">Each source routed to this underlying.</param>
public sealed record UnderlyingPriceReport(
    string Underlying,
    double Index,
    OracleStatus Status,
    int ValidSources,
    int MinSources,
    long? StalenessMs,
    long? GuardSinceMs,
    double Volatility,
    double InitialMultiplier,
    double MaintenanceMultiplier,
    IReadOnlyList<SourcePriceReport> Sources);

/// <summary>One source's latest price for one underlying.</summary>
/// <param name="Source">Source name.</param>
/// <param name="LastPrice">Latest accepted price, USD.</param>
/// <param name="LastTickMs">Its exchange timestamp, Unix ms.</param>
/// <param name="AgeMs">Grid clock minus <paramref name="LastTickMs"/>.</param>
/// <param name="Valid">Whether it counts towards the median now (younger than staleMs).</param>
public sealed record SourcePriceReport(string Source, double LastPrice, long LastTickMs, long AgeMs, bool Valid);

/// <summary>One source's counters, all message types together. Drops by cause are counts of ticks.</summary>
/// <param name="Source">Source name.</param>
/// <param name="Accepted">Ticks applied to the price view.</param>
/// <param name="NonFinite">Dropped: NaN or ±∞.</param>
/// <param name="Zero">Dropped: zero price or implied vol.</param>
/// <param name="Negative">Dropped: negative price or implied vol.</param>
/// <param name="Duplicates">Dropped: same source sequence as the last accepted one (incremental frame).</param>
/// <param name="OutOfOrder">Dropped: lower source sequence than the last accepted one, or a timestamp older than
/// the source's latest price.</param>
/// <param name="SnapshotRepeats">Snapshot entries already applied (expected, not a drop).</param>
/// <param name="Gaps">Jumps in the source's sequence (values numbered by the source and never applied here:
/// conflated at a publisher or lost).</param>
/// <param name="Unrouted">Dropped: the symbol is no configured underlying or instrument of the right kind, or the
/// underlying already has maxSourcesPerUnderlying sources.</param>
/// <param name="LastTickMs">Exchange timestamp of the latest applied price or implied vol (null when none).</param>
/// <param name="LastAgeMs">Grid clock minus <paramref name="LastTickMs"/> (null when none).</param>
/// <param name="FutureDated">Dropped: a price dated further ahead of the grid's clock than
/// <see cref="PriceViewOptions.MaxFutureSkewMs"/>.</param>
public sealed record SourceReport(
    string Source,
    long Accepted,
    long NonFinite,
    long Zero,
    long Negative,
    long Duplicates,
    long OutOfOrder,
    long SnapshotRepeats,
    long Gaps,
    long Unrouted,
    long? LastTickMs,
    long? LastAgeMs,
    long FutureDated = 0)
{
    /// <summary>Ticks dropped for any cause.</summary>
    public long Dropped => NonFinite + Zero + Negative + Duplicates + OutOfOrder + Unrouted + FutureDated;
}

/// <summary>Frame-sequence counters of one publisher (docs/feed-protocol.md §6).</summary>
/// <param name="PublisherId">From the frame header.</param>
/// <param name="Frames">Frames seen.</param>
/// <param name="Gaps">Jumps in the frame sequence (frames lost: PUB drops past its high-water mark).</param>
/// <param name="MissedFrames">Frames never seen.</param>
/// <param name="Resets">Publisher restarts.</param>
/// <param name="LastFrameSequence">Latest frame sequence.</param>
public sealed record PublisherReport(
    uint PublisherId, long Frames, long Gaps, long MissedFrames, long Resets, ulong LastFrameSequence);

/// <summary>One subscribed endpoint's transport counters.</summary>
/// <param name="Endpoint">The endpoint.</param>
/// <param name="Connected">Whether the connect has succeeded.</param>
/// <param name="FramesReceived">Messages received, garbled or not.</param>
/// <param name="FramesDelivered">Valid frames applied.</param>
/// <param name="FramesGarbled">Messages counted and skipped as garbled.</param>
/// <param name="LastGarbledStatus">Why the latest garbled frame failed.</param>
/// <param name="HandlerFaults">Frames whose application threw (counted; the thread goes on).</param>
public sealed record FeedEndpointReport(
    string Endpoint,
    bool Connected,
    long FramesReceived,
    long FramesDelivered,
    long FramesGarbled,
    string LastGarbledStatus,
    long HandlerFaults);

/// <summary>The latest funding rate of a perpetual (the funding payment flow reads it).</summary>
/// <param name="Instrument">The perpetual (<c>BTC-PERP</c>).</param>
/// <param name="Source">The source that sent it.</param>
/// <param name="Rate">Rate per funding interval, fraction (may be zero or negative).</param>
/// <param name="FundingTimeMs">The funding time it applies to, Unix ms.</param>
public sealed record FundingRateReport(string Instrument, string Source, double Rate, long FundingTimeMs);

/// <summary>Outcome of <see cref="PriceView.Submit"/>.</summary>
/// <param name="IsAccepted">True when the price was applied.</param>
/// <param name="Field">The request field at fault (<c>source</c>, <c>underlying</c>, <c>price</c>, <c>ts</c>);
/// null when accepted.</param>
/// <param name="Reason">Why, naming the field and value; null when accepted.</param>
public sealed record PriceSubmitResult(bool IsAccepted, string? Field, string? Reason)
{
    /// <summary>The price was applied.</summary>
    public static PriceSubmitResult Accepted { get; } = new(true, null, null);

    /// <summary>A rejection naming <paramref name="field"/>.</summary>
    public static PriceSubmitResult Rejected(string field, string reason) => new(false, field, reason);
}

namespace RiskGrid.Node.Prices;

/// <summary>
/// Sizes of a <see cref="PriceView"/>'s preallocated tables (<c>riskgrid.feed.oracle</c>). Nothing grows per tick:
/// a source, key or publisher that does not fit is counted and its ticks are dropped.
/// </summary>
public sealed record PriceViewOptions
{
    /// <summary>Distinct sources per underlying that count towards its median (§8); a further source of that
    /// underlying is counted as <see cref="SourceReport.Unrouted"/>.</summary>
    public int MaxSourcesPerUnderlying { get; init; } = 8;

    /// <summary>Distinct source names tracked by the tick filter.</summary>
    public int MaxSources { get; init; } = 64;

    /// <summary>Distinct (message type, source, symbol) keys tracked by the tick filter.</summary>
    public int MaxKeys { get; init; } = 16_384;

    /// <summary>Distinct publishers whose frame sequences are tracked.</summary>
    public int MaxPublishers { get; init; } = 64;

    /// <summary>Sources expected for an underlying not named in <see cref="ExpectedSources"/>; with
    /// <c>prices.minSources = auto</c> the index needs 2 valid sources when 2 or more are expected, else 1.</summary>
    public int DefaultExpectedSources { get; init; } = 2;

    /// <summary>Sources expected per underlying name.</summary>
    public IReadOnlyDictionary<string, int> ExpectedSources { get; init; } = new Dictionary<string, int>();

    /// <summary>How far ahead of the grid's clock a price's timestamp may be (exchange clock skew) when the grid runs
    /// on the system clock. A later-dated price would count as fresh until the grid's clock passed it, keeping a
    /// silent source valid (§8): it is dropped and counted as <see cref="SourceReport.FutureDated"/>. Replays run on
    /// the data's clock, which the ticks themselves move, and are not checked.</summary>
    public long MaxFutureSkewMs { get; init; } = 2_000;

    /// <summary>Sources expected for <paramref name="underlying"/>.</summary>
    public int ExpectedSourcesFor(string underlying) =>
        ExpectedSources.TryGetValue(underlying, out var n) ? n : DefaultExpectedSources;
}

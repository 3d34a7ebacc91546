namespace RiskGrid.Margin.Oracle;

/// <summary>What <see cref="OracleIndex.OnTick"/> did with a source tick (§8). Every outcome but
/// <see cref="Accepted"/> leaves the source's latest price and time unchanged and is counted.</summary>
public enum TickOutcome
{
    /// <summary>The tick became the source's latest price.</summary>
    Accepted = 0,

    /// <summary>The price was NaN.</summary>
    NotANumber,

    /// <summary>The price was ±∞.</summary>
    Infinite,

    /// <summary>The price was ≤ 0.</summary>
    NonPositive,

    /// <summary>The tick was older than the source's latest (a tick at the same millisecond is accepted).</summary>
    OutOfOrder,
}

/// <summary>The state of one underlying's index (§8), as an operator and the liquidation engine see it.</summary>
public enum OracleStatus
{
    /// <summary>No index was ever formed: fewer than the minimum number of sources has been valid so far.</summary>
    Unpriced = 0,

    /// <summary>Enough valid sources and no wick-guard wait: every action on the underlying may proceed.</summary>
    Fresh,

    /// <summary>Fresh, but the index jumped by more than <c>jumpFraction</c> and the new level has not yet held
    /// for <c>confirmMs</c>: liquidations on the underlying wait; checks use the new index.</summary>
    WickGuarded,

    /// <summary>Fewer than <c>minSources</c> valid sources: the last good index stands, no liquidation, no
    /// withdrawal or risk-increasing check passes against it.</summary>
    Stale,
}

/// <summary>
/// One underlying's index as of an <see cref="OracleIndex.Evaluate"/> call (§8). A value type: the caller keeps
/// the previous one and journals or logs a change of <see cref="Status"/>.
/// </summary>
/// <param name="Index">The index in USD: the median of the valid sources' latest prices, or the last good
/// index while stale (NaN when <see cref="OracleStatus.Unpriced"/>).</param>
/// <param name="Status">Fresh, wick-guarded, stale or unpriced.</param>
/// <param name="ValidSources">Number of sources that were valid at <paramref name="AsOfMs"/>.</param>
/// <param name="AsOfMs">The evaluation time in Unix milliseconds (never earlier than a previous evaluation).</param>
/// <param name="LastGoodMs">When <paramref name="Index"/> was last formed from enough valid sources (Unix ms;
/// <see cref="long.MinValue"/> when never).</param>
/// <param name="GuardSinceMs">While <see cref="OracleStatus.WickGuarded"/>: when the pending jump began
/// (Unix ms); otherwise <see cref="long.MinValue"/>.</param>
/// <param name="GuardFrom">While <see cref="OracleStatus.WickGuarded"/>: the confirmed level (USD) the index
/// jumped away from (the window minimum for a rise, its maximum for a fall); otherwise NaN.</param>
public readonly record struct OracleSnapshot(
    double Index,
    OracleStatus Status,
    int ValidSources,
    long AsOfMs,
    long LastGoodMs,
    long GuardSinceMs,
    double GuardFrom)
{
    /// <summary>True when no index could be formed at <see cref="AsOfMs"/> (stale or never priced).</summary>
    public bool IsStale => Status is OracleStatus.Stale or OracleStatus.Unpriced;

    /// <summary>True while a jump waits for confirmation.</summary>
    public bool IsWickGuarded => Status == OracleStatus.WickGuarded;

    /// <summary>True when accounts holding the underlying may be liquidated: fresh and not wick-guarded.</summary>
    public bool CanLiquidate => Status == OracleStatus.Fresh;
}

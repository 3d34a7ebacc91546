using HdrHistogram;

namespace RiskGrid.Cli.Stress.Report;

// What a risk officer reads after a replayed crash: the stress lab fills these records, StressReportWriter writes
// them as JSON (StressReportJsonContext) and as one self-contained HTML page. Units: money in USD micros (long),
// market times in Unix epoch milliseconds (UTC), durations in milliseconds, prices in USD per unit (display only).

/// <summary>
/// One stress run: what was replayed, against what, and what it did to the book. <c>Scenarios</c> optionally
/// compares named runs (a parameter sweep); null or empty when there is none.
/// </summary>
internal sealed record StressReportData(
    StressRunInfo Run,
    IReadOnlyList<UnderlyingPrices> Underlyings,
    LiquidationTimeline Liquidations,
    LiquidationTotals Totals,
    InsuranceFundReport InsuranceFund,
    HealthComparison Health,
    ContagionComparison Contagion,
    RecoveryTimes Recovery,
    GridLatency Latency,
    IReadOnlyList<ScenarioComparisonRow>? Scenarios = null);

/// <summary>
/// Run metadata: the tick files replayed (as given to the lab), the book, a summary of the risk and lab parameters
/// that matter for this run (in display order), the wall-clock start and end of the replay, the market window
/// replayed, the replay speed (market seconds per wall second) and the tick rate (ticks per wall second).
/// </summary>
internal sealed record StressRunInfo(
    string ScenarioName,
    long Seed,
    IReadOnlyList<string> DataFiles,
    long BookAccounts,
    long BookPositions,
    IReadOnlyList<ReportParameter> Parameters,
    DateTimeOffset StartedAt,
    DateTimeOffset FinishedAt,
    double WallSeconds,
    DateTimeOffset MarketFrom,
    DateTimeOffset MarketTo,
    double MarketSeconds,
    double ReplaySpeed,
    long TicksReplayed,
    double TicksPerSecond);

/// <summary>One line of the parameters summary (<c>backstopHealth</c> = <c>0.6667</c>).</summary>
internal sealed record ReportParameter(string Name, string Value);

/// <summary>
/// The index of one underlying and the price of each of its sources, each downsampled by the lab to at most
/// 2,000 points.
/// </summary>
internal sealed record UnderlyingPrices(
    string Underlying,
    IReadOnlyList<PricePoint> Index,
    IReadOnlyList<SourcePrices> Sources);

/// <summary>The prices one source (exchange) published for an underlying.</summary>
internal sealed record SourcePrices(string Source, IReadOnlyList<PricePoint> Points);

/// <summary>A price at a market instant (Unix epoch ms, UTC).</summary>
internal readonly record struct PricePoint(long TimeMs, double Price);

/// <summary>Liquidation steps counted per time bucket of <paramref name="BucketMs"/> milliseconds.</summary>
internal sealed record LiquidationTimeline(long BucketMs, IReadOnlyList<LiquidationBucket> Buckets);

/// <summary>
/// Liquidation steps that started in <c>[StartMs, StartMs + BucketMs)</c>: partial reductions, backstops (whole
/// cross pool closed, health below the backstop), backstops of a bankrupt account, and auto-deleveraging
/// reductions of counterparties.
/// </summary>
internal sealed record LiquidationBucket(
    long StartMs,
    long PartialCount,
    long BackstopCount,
    long BankruptCount,
    long AdlCount);

/// <summary>Totals over the run; money in USD micros.</summary>
internal sealed record LiquidationTotals(
    long Accounts,
    long LiquidatedAccounts,
    long LiquidationSteps,
    long FeesToFundMicros,
    long NotionalClosedMicros);

/// <summary>
/// The insurance fund and what it could not cover: payouts to bankrupt accounts, bad debt left after
/// auto-deleveraging, and the auto-deleveraging itself (§9). Money in USD micros.
/// </summary>
internal sealed record InsuranceFundReport(
    long OpeningBalanceMicros,
    long ClosingBalanceMicros,
    IReadOnlyList<FundBalancePoint> Balance,
    long PayoutCount,
    long PayoutsMicros,
    long BadDebtMicros,
    long AdlCount,
    long AdlNotionalMicros);

/// <summary>The fund's balance at a market instant (Unix epoch ms, UTC).</summary>
internal readonly record struct FundBalancePoint(long TimeMs, long BalanceMicros);

/// <summary>
/// Health (E_MM / MM, §9) of every account at the start and at the end of the replay, bucketed the same way
/// (<see cref="HealthHistogram"/> builds the standard buckets).
/// </summary>
internal sealed record HealthComparison(IReadOnlyList<HealthBucket> Buckets);

/// <summary>
/// Accounts whose health lies in <c>[FromHealth, ToHealth)</c>; a null bound is open. The bucket of accounts
/// without a requirement (MM = 0, infinite health) has <paramref name="NoRequirement"/> set and both bounds null.
/// </summary>
internal sealed record HealthBucket(
    string Label,
    double? FromHealth,
    double? ToHealth,
    bool NoRequirement,
    long AccountsBefore,
    long AccountsAfter);

/// <summary>
/// Contagion through cross margin: accounts liquidated through a leg that was itself in profit, in this run and for
/// the same book with every position isolated.
/// </summary>
internal sealed record ContagionComparison(
    long CrossAccountsLiquidatedViaProfitableLeg,
    long IsolatedAccountsLiquidatedViaProfitableLeg,
    string? Explanation = null);

/// <summary>How long accounts stayed below maintenance: from the breach to the first reduction and to health
/// restored.</summary>
internal sealed record RecoveryTimes(PercentileSet BreachToFirstReduction, PercentileSet BreachToRestoredHealth);

/// <summary>Latency of the grid during the replay.</summary>
internal sealed record GridLatency(
    PercentileSet TickToDecision,
    PercentileSet EvaluationBatch,
    PercentileSet JournalWrite);

/// <summary>Percentiles of one measure, in milliseconds, read from an HdrHistogram.</summary>
internal sealed record PercentileSet(
    string Name,
    long Count,
    double P50Ms,
    double P90Ms,
    double P99Ms,
    double P999Ms,
    double MaxMs)
{
    /// <summary>
    /// Reads the percentiles of <paramref name="histogram"/>, whose values are in units of which
    /// <paramref name="valuesPerMillisecond"/> make a millisecond (1,000 for µs, 1,000,000 for ns).
    /// </summary>
    public static PercentileSet FromHistogram(string name, HistogramBase histogram, double valuesPerMillisecond)
    {
        ArgumentNullException.ThrowIfNull(histogram);
        if (!(valuesPerMillisecond > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(valuesPerMillisecond), valuesPerMillisecond,
                "must be positive");
        }

        // Percentile rows of HdrHistogram are binary fractions: ask for each percentile directly.
        return new PercentileSet(
            name,
            histogram.TotalCount,
            histogram.GetValueAtPercentile(50) / valuesPerMillisecond,
            histogram.GetValueAtPercentile(90) / valuesPerMillisecond,
            histogram.GetValueAtPercentile(99) / valuesPerMillisecond,
            histogram.GetValueAtPercentile(99.9) / valuesPerMillisecond,
            histogram.GetMaxValue() / valuesPerMillisecond);
    }
}

/// <summary>
/// Key figures of one named run, for a table comparing the runs of a parameter sweep; <c>ParameterSummary</c> says
/// what differs in this run (<c>liquidationFee=0.01</c>). Money in USD micros.
/// </summary>
internal sealed record ScenarioComparisonRow(
    string Scenario,
    string ParameterSummary,
    long LiquidatedAccounts,
    long LiquidationSteps,
    long NotionalClosedMicros,
    long FeesToFundMicros,
    long FundPayoutsMicros,
    long BadDebtMicros,
    long AdlCount,
    long AdlNotionalMicros,
    double BreachToRestoredP99Ms);

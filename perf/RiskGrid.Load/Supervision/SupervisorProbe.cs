using System.Globalization;
using Akka.Actor;
using HdrHistogram;
using RiskGrid.Node.Hosting;
using RiskGrid.Node.Supervision;

namespace RiskGrid.Load.Supervision;

/// <summary>The risk tier's counters at one moment (<see cref="RiskMetrics"/>), so a phase reports its deltas.</summary>
internal sealed record RiskCounters(long Incremental, long Sweep, long MarginCalls, long[] Liquidations,
    long[] Deferred, long FeesMicros, long CoveredMicros, long BadDebtMicros, long SweepBatches)
{
    public static RiskCounters Of(RiskMetrics m) => new(m.IncrementalEvaluations, m.SweepEvaluations, m.MarginCalls,
        [.. Enumerable.Range(0, RiskMetrics.LiquidationKinds.Length).Select(m.Liquidations)],
        [.. Enumerable.Range(0, RiskMetrics.DeferralReasons.Length).Select(m.Deferred)], m.FeesMicros,
        m.CoveredMicros, m.BadDebtMicros, m.SweepBatch.Count);

    public RiskCounters Since(RiskCounters before) => new(Incremental - before.Incremental, Sweep - before.Sweep,
        MarginCalls - before.MarginCalls, [.. Liquidations.Zip(before.Liquidations, (a, b) => a - b)],
        [.. Deferred.Zip(before.Deferred, (a, b) => a - b)], FeesMicros - before.FeesMicros,
        CoveredMicros - before.CoveredMicros, BadDebtMicros - before.BadDebtMicros, SweepBatches - before.SweepBatches);

    public string LiquidationsText() => string.Join(", ",
        RiskMetrics.LiquidationKinds.Select((k, i) => $"{k} {Liquidations[i].ToString("N0", CultureInfo.InvariantCulture)}"));

    public string DeferredText() => string.Join(", ",
        RiskMetrics.DeferralReasons.Select((k, i) => $"{k} {Deferred[i].ToString("N0", CultureInfo.InvariantCulture)}"));
}

/// <summary>Asks the supervisor of the node under test; formats its latency distributions.</summary>
internal static class SupervisorProbe
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The report after every message sent to the supervisor before it (its mailbox is ordered): once it
    /// answers, the cycles of every price change submitted before the ask have run.</summary>
    public static Task<RiskReport> ReportAsync(GridNode node) =>
        node.Supervisor.Ask<RiskReport>(GetRiskReport.Instance, AskTimeout);

    public static Task<UnattendedReport> UnattendedAsync(GridNode node) =>
        node.Supervisor.Ask<UnattendedReport>(GetUnattended.Instance, AskTimeout);

    /// <summary>Waits until the supervisor tracks <paramref name="subAccounts"/> sub-accounts and has drained every
    /// account change (two reports in a row with the same count and no new cycle in between but ours).</summary>
    public static async Task<RiskReport> WaitTrackedAsync(GridNode node, int subAccounts, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var report = await ReportAsync(node).ConfigureAwait(false);
        while (report.Tracked < subAccounts && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100).ConfigureAwait(false);
            report = await ReportAsync(node).ConfigureAwait(false);
        }
        return report;
    }

    /// <summary>Nothing queued, executing or held by its prices, and every liquidatable sub-account left waits for
    /// nothing the next few hundred milliseconds will bring (no cooldown running, no retry scheduled, no room awaited in
    /// the queue).</summary>
    public static bool IsQuiet(UnattendedReport u, long queueDepth, long marketMs) =>
        queueDepth == 0 && u.InFlight == 0 && u.Blocked == 0 && u.Cooling == 0 && u.RetryPending == 0 && u.WaitingForQueue == 0;

    /// <summary>Holds the indices (still ticking, so they stay fresh, the grid clock following the wall clock) until
    /// the supervisor is quiet three polls in a row or <paramref name="timeout"/> passes.</summary>
    public static async Task<(UnattendedReport Report, bool Quiet, TimeSpan Took)> SettleAsync(GridNode node,
        IndexDriver driver, TimeSpan timeout)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var lastMs = 0L;
        var quiet = 0;
        while (true)
        {
            var u = await UnattendedAsync(node).ConfigureAwait(false);
            quiet = IsQuiet(u, node.RiskMetrics.QueueDepth, driver.Clock.NowMs) ? quiet + 1 : 0;
            if (quiet >= 3 || watch.Elapsed > timeout)
            {
                return (u, quiet >= 3, watch.Elapsed);
            }
            await Task.Delay(50).ConfigureAwait(false);
            var nowMs = watch.ElapsedMilliseconds;
            driver.SubmitAll(driver.Price, driver.Clock.NowMs + (nowMs - lastMs));
            lastMs = nowMs;
        }
    }

    /// <summary>
    /// The supervisor records one tick-to-decision value per evaluation cycle, from the oldest price change the cycle
    /// had not seen; ticks that arrived while a long cycle (a sweep) ran are folded into one value. Re-recording each
    /// value with the ticks' expected interval (HdrHistogram's coordinated-omission correction) charges every tick
    /// that waited.
    /// </summary>
    public static LongHistogram PerTick(HistogramBase perCycle, long expectedIntervalMicros)
    {
        var corrected = new LongHistogram(3_600_000_000, 3);
        foreach (var v in perCycle.RecordedValues())
        {
            for (var i = 0L; i < v.CountAtValueIteratedTo; i++)
            {
                corrected.RecordValueWithExpectedInterval(v.ValueIteratedTo, expectedIntervalMicros);
            }
        }
        return corrected;
    }

    public static string Percentiles(HistogramBase h, string unit = "µs")
    {
        if (h.TotalCount == 0)
        {
            return "(no values)";
        }
        string V(double p) => Us(h.GetValueAtPercentile(p));
        return $"p50 {V(50)}  p90 {V(90)}  p99 {V(99)}  p99.9 {V(99.9)}  max {Us(h.GetMaxValue())} {unit} " +
               $"(n = {h.TotalCount.ToString("N0", CultureInfo.InvariantCulture)})";
    }

    public static string Us(long micros) => micros.ToString("N0", CultureInfo.InvariantCulture);

    public static string Ms(double micros) => (micros / 1000.0).ToString("0.###", CultureInfo.InvariantCulture);
}

using HdrHistogram;
using static RiskGrid.Load.Supervision.RiskLoadHarness;
using static RiskGrid.Load.Supervision.SupervisorProbe;

namespace RiskGrid.Load.Supervision;

/// <summary>The figures of a <c>risk-load</c> run against issue 11's targets, as a markdown table.</summary>
internal static class RiskLoadTable
{
    /// <summary>The supervisor re-evaluates deferred sub-accounts (throttled, cooling, queue full) on a 200 ms timer.</summary>
    private const long RetryIntervalUs = 200_000;

    public static void Print(RiskLoadResults r, RiskLoadOptions o, int tracked)
    {
        var rows = new List<(string Measure, string Target, string Measured, string Verdict)>();
        var load = r.Load!;
        rows.Add(($"(a) accounts opened ({(o.Open == "import" ? "AccountImport" : "through the entities")}, {o.Journal})", $"{o.Accounts:N0}",
            Inv($"{load.Accounts:N0} accounts, {load.SubAccounts:N0} sub-accounts, {load.Commands:N0} commands in {load.Elapsed.TotalSeconds:F0} s: {load.AccountsPerSecond:N0} accounts/s, {load.CommandsPerSecond:N0} commands/s; tracked {tracked:N0}; heap with the book {r.HeapWithBook / 1048576.0:N0} MB"),
            r.TrackedAll && load.Rejected == 0 ? "all tracked" : "**not all**"));
        if (r.SteadyPerTick is not null)
        {
            Steady(rows, r, o, tracked);
        }
        if (r.MoveDecisionMaxUs > 0)
        {
            Moves(rows, r, o);
        }
        if (r.Crash is not null)
        {
            Crash(rows, r.Crash, o);
        }

        Console.WriteLine();
        Console.WriteLine("| measure | target | measured | verdict |");
        Console.WriteLine("|---|---|---|---|");
        foreach (var (measure, target, measured, v) in rows)
        {
            Console.WriteLine($"| {measure} | {target} | {measured} | {v} |");
        }
    }

    private static void Steady(List<(string, string, string, string)> rows, RiskLoadResults r, RiskLoadOptions o,
        int tracked)
    {
        var perTick = r.SteadyPerTick!;
        var p99 = perTick.TotalCount == 0 ? 0 : perTick.GetValueAtPercentile(99);
        rows.Add(($"(b) tick → decision at {o.Rate:N0} ticks/s", "p99 ≤ 2 ms",
            Inv($"per tick (CO-corrected): p50 {Ms(perTick.GetValueAtPercentile(50))}, p99 **{Ms(p99)}**, p99.9 {Ms(perTick.GetValueAtPercentile(99.9))}, max {Ms(perTick.GetMaxValue())} ms; per cycle: p99 {Ms(r.SteadyPerCycle!.GetValueAtPercentile(99))} ms"),
            p99 <= 2_000 ? "**met**" : "**missed**"));
        rows.Add(("(b) incremental evaluations per tick", "—", Inv($"{r.SteadyEvaluationsPerTick:0.###}"), ""));
        rows.Add(($"(b) full sweep of the book ({tracked:N0} sub-accounts)", "—", Sweep(r.SteadySweeps!) +
            Inv($"; the margin core alone: {r.EvaluatorOnly.BandUs:0.0} µs per sub-account with the band probes ({r.EvaluatorOnly.BandUs * tracked / 1000:N0} ms per sweep), {r.EvaluatorOnly.BaseUs:0.0} µs without"), ""));
    }

    private static void Moves(List<(string, string, string, string)> rows, RiskLoadResults r, RiskLoadOptions o)
    {
        rows.Add(($"(c) a {o.Move:P0} move of every index: submit → every affected account re-evaluated, every liquidation enqueued",
            "≤ 20 ms",
            Inv($"tick → decision (supervisor) max **{Ms(r.MoveDecisionMaxUs)}** ms over {o.Moves} move(s); submit → supervisor's next answer max {Ms(r.MoveWallMaxUs)} ms; up to {r.MoveEvaluated:N0} re-evaluated, {r.MoveCandidates:N0} liquidations queued"),
            r.MoveDecisionMaxUs <= 20_000 ? "**met**" : "**missed**"));
        rows.Add(("(c) after it: every liquidatable, unblocked account queued or executing (or cooling)", "all",
            Inv($"{r.MoveViolations} with nothing scheduled; {r.MoveWaitingForQueue:N0} outside a full queue (capacity {r.QueueCapacity:N0}), retry scheduled"),
            r.MoveViolations > 0 ? "**FAILED**" : r.MoveWaitingForQueue > 0 ? "**not all queued** (bounded queue)" : "**ok**"));
    }

    private static void Crash(List<(string, string, string, string)> rows, CrashResult c, RiskLoadOptions o)
    {
        rows.Add(($"(d) crash −{c.Plan.Fall:P0} over {c.Plan.MarketMs / 1000} s grid time ({c.Plan.Speed:0.#}× wall): max GC heap", "—",
            Inv($"{c.MaxHeapBytes / 1048576.0:N0} MB (before {c.HeapBeforeBytes / 1048576.0:N0} MB); gen2 {c.Gen2Collections}, pauses {c.GcPause.TotalMilliseconds:N0} ms"), ""));
        rows.Add(("(d) max liquidation queue depth (queued + executing)", "—",
            Inv($"{c.MaxInFlight:N0} sub-accounts (sampled from the supervisor; the QueueDepth gauge read {c.MaxQueueDepth:N0}, double-counting queued ones); liquidatable at most {c.MaxLiquidatable:N0}, blocked at most {c.MaxBlocked:N0}"), ""));
        rows.Add(("(d) deferrals", "—", c.Counters.DeferredText(), ""));
        rows.Add(("(d) liquidations by kind", "—", c.Counters.LiquidationsText() +
            Inv($"; bad debt {c.Counters.BadDebtMicros / 1e6:N0} USD; {(c.Settled ? "settled" : "NOT settled")} {c.DrainWallSeconds:F0} s after"), ""));
        var orphan = c.Unattended.Categories[0];
        var bound = RetryIntervalUs + (2 * o.Crash.SampleMs * 1000L);
        var verdict = orphan.LongestSeenUs > RetryIntervalUs ? "**missed**"
            : c.UnansweredSamples > 0 || c.MaxSampleGapUs > 1_000_000 ? "inconclusive (the supervisor did not answer its samples)"
            : orphan.LongestBoundUs <= bound ? "**met**" : "inconclusive (sampling)";
        rows.Add(("(d) longest unattended (liquidatable, unblocked, not queued) beyond its cooldown with nothing scheduled",
            "≤ one evaluation interval (200 ms retry)",
            Inv($"{orphan.Distinct:N0} sub-accounts; longest seen {Ms(orphan.LongestSeenUs)} ms (≤ {Ms(orphan.LongestBoundUs)} ms between the samples around it; {orphan.LongestSeenMarketMs:N0} grid ms)"),
            verdict));
        var waitedUs = Math.Max(c.Unattended.LongestWaitingUs, c.OutsideQueue.TotalCount == 0 ? 0 : c.OutsideQueue.GetMaxValue());
        var waitedMarketMs = Math.Max(c.Unattended.LongestWaitingMarketMs,
            c.OutsideQueueMarket.TotalCount == 0 ? 0 : c.OutsideQueueMarket.GetMaxValue() / 1000);
        rows.Add(("(d) longest wait outside the full queue (back-pressure: offered again as the queue drains below half)",
            "within one evaluation interval beyond its throttle",
            Inv($"{Ms(waitedUs)} ms wall ({waitedMarketMs:N0} grid ms); at most {c.Unattended.MaxWaitingForQueue:N0} waiting at once; finished waits p50 {Ms(Pct(c.OutsideQueue, 50))}, p99 {Ms(Pct(c.OutsideQueue, 99))} ms (n = {c.OutsideQueue.TotalCount:N0})"),
            waitedUs <= RetryIntervalUs ? "**met**" : "**missed** (the engine's throughput, not the throttle)"));
    }

    private static long Pct(HistogramBase h, double p) => h.TotalCount == 0 ? 0 : h.GetValueAtPercentile(p);

    private static string Sweep(HistogramBase h) => h.TotalCount == 0
        ? "no sweep in the window (sweep-interval 10 s: measure for longer)"
        : Inv($"p50 {Ms(h.GetValueAtPercentile(50))}, max {Ms(h.GetMaxValue())} ms (n = {h.TotalCount})");
}

using System.Diagnostics;
using Akka.Actor;
using HdrHistogram;
using RiskGrid.Node.Hosting;
using RiskGrid.Node.Supervision;

namespace RiskGrid.Load.Supervision;

/// <summary>The crash's settings: fall, grid-clock length, pace and sampling.</summary>
internal sealed record CrashPlan(double Fall, long MarketMs, double Speed, long TickMs, int SampleMs,
    double DrainSeconds);

/// <summary>What the crash did and how the supervisor and the engine kept up.</summary>
internal sealed record CrashResult(
    CrashPlan Plan,
    double CrashWallSeconds,
    double DrainWallSeconds,
    bool Settled,
    long Ticks,
    long MaxQueueDepth,
    long HeapBeforeBytes,
    long MaxHeapBytes,
    long MaxTotalMemoryBytes,
    int UnansweredSamples,
    int Gen2Collections,
    TimeSpan GcPause,
    int MaxLiquidatable,
    int MaxInFlight,
    int MaxBlocked,
    int Samples,
    long MaxSampleGapUs,
    RiskCounters Counters,
    UnattendedTracker Unattended,
    UnattendedReport Final,
    RiskReport FinalReport,
    HistogramBase TickToDecision,
    HistogramBase QueueWait,
    HistogramBase BreachToFirstReduction,
    HistogramBase SweepBatch,
    long[] GuardedMarketMs,
    int[] GuardEpisodes,
    IReadOnlyList<(EngineStage Stage, HistogramBase Times)> Stages,
    HistogramBase AdlRanking,
    long AdlQueries,
    long AdlPasses,
    HistogramBase OutsideQueue,
    HistogramBase OutsideQueueMarket);

/// <summary>
/// The crash: every index falls by <see cref="CrashPlan.Fall"/> along a smooth exponential path over
/// <see cref="CrashPlan.MarketMs"/> of grid time, one tick per underlying every <see cref="CrashPlan.TickMs"/> of
/// grid time, the grid clock running <see cref="CrashPlan.Speed"/> times the wall clock. Then the indices hold (still
/// ticking, so they stay fresh) while the engine drains, until the supervisor is quiet
/// (<see cref="SupervisorProbe.IsQuiet"/>) or <see cref="CrashPlan.DrainSeconds"/> of wall time pass. Meanwhile a sampler asks the supervisor for its
/// unattended sub-accounts every <see cref="CrashPlan.SampleMs"/> and reads the heap; the sender thread reads the
/// queue depth after every wake-up (about every millisecond).
/// </summary>
internal static class CrashRun
{
    private static readonly TimeSpan SampleTimeout = TimeSpan.FromSeconds(60);

    public static async Task<CrashResult> RunAsync(GridNode node, IndexDriver driver, CrashPlan plan)
    {
        var metrics = node.RiskMetrics;
        metrics.TickToDecision.Reset();
        metrics.QueueWait.Reset();
        metrics.BreachToFirstReduction.Reset();
        metrics.SweepBatch.Reset();
        metrics.AdlRanking.Reset();
        foreach (var stage in Enum.GetValues<EngineStage>())
        {
            metrics.Stage(stage).Reset();
        }
        var adlQueriesBefore = metrics.AdlQueries;
        var adlPassesBefore = metrics.AdlPasses;
        var before = RiskCounters.Of(metrics);
        var heapBefore = GC.GetGCMemoryInfo().HeapSizeBytes;
        var gen2Before = GC.CollectionCount(2);
        var pauseBefore = GC.GetTotalPauseDuration();
        var state = new SharedState();
        var tracker = new UnattendedTracker();
        var ids = driver.UnderlyingIds(node.Prices.Parameters);

        var sender = new Thread(() => Send(node, driver, plan, ids, state)) { Name = "crash-sender", IsBackground = true };
        var started = Stopwatch.GetTimestamp();
        sender.Start();
        var samples = 0;
        var unanswered = 0;
        long maxGap = 0, lastSampleUs = 0, maxHeap = heapBefore, maxTotal = 0;
        int maxLiquidatable = 0, maxInFlight = 0, maxBlocked = 0, quiet = 0;
        UnattendedReport? last = null;
        RiskReport report;
        try
        {
            while (true)
            {
                try
                {
                    last = await node.Supervisor.Ask<UnattendedReport>(GetUnattended.Instance, SampleTimeout)
                        .ConfigureAwait(false);
                }
                catch (AskTimeoutException)
                {
                    // A supervisor that does not answer in time is a finding, not a reason to stop: the gap shows.
                    unanswered++;
                    if (DrainOver(state, plan))
                    {
                        break;
                    }
                    continue;
                }
                finally
                {
                    var nowUs = (Stopwatch.GetTimestamp() - started) * 1_000_000 / Stopwatch.Frequency;
                    maxGap = samples + unanswered <= 1 ? 0 : Math.Max(maxGap, nowUs - lastSampleUs);
                    lastSampleUs = nowUs;
                }
                var wallUs = lastSampleUs;
                tracker.Sample(wallUs, driver.Clock.NowMs, last);
                samples++;
                maxHeap = Math.Max(maxHeap, GC.GetGCMemoryInfo().HeapSizeBytes);
                maxTotal = Math.Max(maxTotal, GC.GetTotalMemory(forceFullCollection: false));
                maxLiquidatable = Math.Max(maxLiquidatable, last.Liquidatable);
                maxInFlight = Math.Max(maxInFlight, last.InFlight);
                maxBlocked = Math.Max(maxBlocked, last.Blocked);
                if (state.CrashEndedTicks != 0)
                {
                    var settled = SupervisorProbe.IsQuiet(last, metrics.QueueDepth, driver.Clock.NowMs);
                    quiet = settled ? quiet + 1 : 0;
                    if (quiet >= 3 || DrainOver(state, plan))
                    {
                        state.Settled = quiet >= 3;
                        break;
                    }
                }
                await Task.Delay(plan.SampleMs).ConfigureAwait(false);
            }
        }
        finally
        {
            state.Stop = true;
            sender.Join();
        }
        tracker.Finish();
        var end = Stopwatch.GetTimestamp();
        report = await node.Supervisor.Ask<RiskReport>(GetRiskReport.Instance, SampleTimeout).ConfigureAwait(false);
        var freq = (double)Stopwatch.Frequency;
        return new CrashResult(plan, (state.CrashEndedTicks - state.StartTicks) / freq,
            (end - state.CrashEndedTicks) / freq, state.Settled, driver.Submitted - state.SubmittedBefore,
            state.MaxQueueDepth, heapBefore, maxHeap, maxTotal, unanswered, GC.CollectionCount(2) - gen2Before,
            GC.GetTotalPauseDuration() - pauseBefore, maxLiquidatable, maxInFlight, maxBlocked, samples, maxGap,
            RiskCounters.Of(metrics).Since(before), tracker, last ?? new UnattendedReport(0, 0, 0, [], 0, 0), report, metrics.TickToDecision.Copy(),
            metrics.QueueWait.Copy(), metrics.BreachToFirstReduction.Copy(), metrics.SweepBatch.Copy(),
            state.GuardedMs, state.GuardEpisodes,
            [.. Enum.GetValues<EngineStage>().Select(s => (s, metrics.Stage(s).Copy()))], metrics.AdlRanking.Copy(),
            metrics.AdlQueries - adlQueriesBefore, metrics.AdlPasses - adlPassesBefore, metrics.OutsideQueue.Copy(),
            metrics.OutsideQueueMarket.Copy());
    }

    private static bool DrainOver(SharedState state, CrashPlan plan) => state.CrashEndedTicks != 0 &&
        Stopwatch.GetTimestamp() - state.CrashEndedTicks > (long)(plan.DrainSeconds * Stopwatch.Frequency);

    private static void Send(GridNode node, IndexDriver driver, CrashPlan plan, int[] ids, SharedState state)
    {
        var p0 = new double[driver.Count];
        for (var u = 0; u < p0.Length; u++)
        {
            p0[u] = driver.Price(u);
        }
        var logFall = Math.Log(1 - plan.Fall);
        var perStep = Stopwatch.Frequency * (double)plan.TickMs / plan.Speed / 1000.0;
        state.SubmittedBefore = driver.Submitted;
        state.StartTicks = Stopwatch.GetTimestamp();
        var wallStart = state.StartTicks;
        var marketStart = driver.Clock.NowMs + 1;
        var guarded = new bool[driver.Count];
        var guardSince = new long[driver.Count];
        long j = 0;
        while (!state.Stop)
        {
            var now = Stopwatch.GetTimestamp();
            for (; !state.Stop; j++)
            {
                var due = wallStart + (long)(j * perStep);
                if (due > now)
                {
                    break;
                }
                var t = j * plan.TickMs;
                var factor = Math.Exp(logFall * Math.Min(1.0, t / (double)plan.MarketMs));
                driver.SubmitAll(u => p0[u] * factor, marketStart + t);
                if (t >= plan.MarketMs && state.CrashEndedTicks == 0)
                {
                    state.CrashEndedTicks = Stopwatch.GetTimestamp();
                }
                TrackGuard(node, driver, ids, guarded, guardSince, state);
            }
            state.MaxQueueDepth = Math.Max(state.MaxQueueDepth, node.RiskMetrics.QueueDepth);
            Thread.Sleep(1);
        }
        for (var u = 0; u < guarded.Length; u++)
        {
            if (guarded[u])
            {
                state.GuardedMs[u] += driver.Clock.NowMs - guardSince[u];
            }
        }
    }

    // How long (grid time) each index sat inside the wick guard, and how often it entered it.
    private static void TrackGuard(GridNode node, IndexDriver driver, int[] ids, bool[] guarded, long[] since,
        SharedState state)
    {
        var snapshot = node.Prices.Current;
        var nowMs = driver.Clock.NowMs;
        for (var u = 0; u < ids.Length; u++)
        {
            var g = snapshot.Oracle(ids[u]).IsWickGuarded;
            if (g && !guarded[u])
            {
                since[u] = nowMs;
                state.GuardEpisodes[u]++;
            }
            else if (!g && guarded[u])
            {
                state.GuardedMs[u] += nowMs - since[u];
            }
            guarded[u] = g;
        }
    }

    private sealed class SharedState
    {
        private long _crashEndedTicks;
        private long _maxQueueDepth;
        private volatile bool _stop;

        public bool Stop
        {
            get => _stop;
            set => _stop = value;
        }

        public long CrashEndedTicks
        {
            get => Interlocked.Read(ref _crashEndedTicks);
            set => Interlocked.Exchange(ref _crashEndedTicks, value);
        }

        public long MaxQueueDepth
        {
            get => Interlocked.Read(ref _maxQueueDepth);
            set => Interlocked.Exchange(ref _maxQueueDepth, value);
        }

        public long StartTicks { get; set; }

        public long SubmittedBefore { get; set; }

        public bool Settled { get; set; }

        public long[] GuardedMs { get; } = new long[3];

        public int[] GuardEpisodes { get; } = new int[3];
    }
}

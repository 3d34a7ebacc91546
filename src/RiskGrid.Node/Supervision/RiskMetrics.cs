using System.Diagnostics;
using HdrHistogram;

namespace RiskGrid.Node.Supervision;

/// <summary>A named latency distribution (HdrHistogram, microseconds, 3 significant digits), thread-safe.</summary>
public sealed class LatencyRecorder
{
    private const long Highest = 3_600_000_000;
    private readonly Lock _gate = new();
    private readonly LongHistogram _histogram = new(Highest, 3);

    /// <summary>Records the time since <paramref name="startTicks"/> (a Stopwatch timestamp).</summary>
    public void RecordSince(long startTicks) => RecordMicros((Stopwatch.GetTimestamp() - startTicks) * 1_000_000 / Stopwatch.Frequency);

    /// <summary>Records <paramref name="micros"/>.</summary>
    public void RecordMicros(long micros)
    {
        var v = Math.Clamp(micros, 0, Highest);
        lock (_gate)
        {
            _histogram.RecordValue(v);
        }
    }

    /// <summary>Values recorded.</summary>
    public long Count
    {
        get
        {
            lock (_gate)
            {
                return _histogram.TotalCount;
            }
        }
    }

    /// <summary>The value at <paramref name="percentile"/> (0–100) in microseconds; 0 when empty.</summary>
    public long AtPercentile(double percentile)
    {
        lock (_gate)
        {
            return _histogram.TotalCount == 0 ? 0 : _histogram.GetValueAtPercentile(percentile);
        }
    }

    /// <summary>The largest value recorded, microseconds.</summary>
    public long Max
    {
        get
        {
            lock (_gate)
            {
                return _histogram.TotalCount == 0 ? 0 : _histogram.GetMaxValue();
            }
        }
    }

    /// <summary>A copy of the distribution.</summary>
    public HistogramBase Copy()
    {
        lock (_gate)
        {
            return _histogram.Copy();
        }
    }

    /// <summary>Forgets everything recorded.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _histogram.Reset();
        }
    }
}

/// <summary>
/// The risk tier's counters and latency distributions on one node, read by <c>/metrics</c> and the stress lab.
/// Counters are updated with interlocked operations; distributions are HdrHistograms in microseconds.
/// </summary>
public sealed class RiskMetrics
{
    private long _incremental;
    private long _sweep;
    private long _marginCalls;
    private long _tracked;
    private long _queueDepth;
    private readonly long[] _liquidations = new long[4];
    private readonly long[] _deferred = new long[5];
    private long _feesMicros;
    private long _coveredMicros;
    private long _badDebtMicros;
    private long _adlSteps;
    private long _adlQueries;
    private long _adlPasses;

    /// <summary>Deferral reasons, in the order of <see cref="Deferred"/>.</summary>
    public static readonly string[] DeferralReasons = ["stale", "wick", "cooldown", "queue_full", "throttle"];

    /// <summary>Liquidation kinds, in the order of <see cref="Liquidations"/>.</summary>
    public static readonly string[] LiquidationKinds = ["partial", "backstop", "bankrupt", "adl"];

    /// <summary>Time from a price change (the writer's signal) to the end of the supervisor's decisions on it.</summary>
    public LatencyRecorder TickToDecision { get; } = new();

    /// <summary>Duration of one incremental evaluation batch.</summary>
    public LatencyRecorder IncrementalBatch { get; } = new();

    /// <summary>Duration of one full sweep.</summary>
    public LatencyRecorder SweepBatch { get; } = new();

    /// <summary>Time a candidate waited in the liquidation queue.</summary>
    public LatencyRecorder QueueWait { get; } = new();

    /// <summary>Time a liquidatable sub-account waited outside the full queue (back-pressure) before it got in, or
    /// until it was no longer liquidatable.</summary>
    public LatencyRecorder OutsideQueue { get; } = new();

    /// <summary><see cref="OutsideQueue"/> on the grid's clock (market time in a replay), recorded in µs.</summary>
    public LatencyRecorder OutsideQueueMarket { get; } = new();

    private readonly LatencyRecorder[] _stages = [.. Enum.GetValues<EngineStage>().Select(_ => new LatencyRecorder())];

    /// <summary>How long the liquidation engine's <paramref name="stage"/> took, each time (where a liquidation's
    /// time goes).</summary>
    public LatencyRecorder Stage(EngineStage stage) => _stages[(int)stage];

    /// <summary>One pass answering the ADL queries that were waiting (scoring every holder of each instrument and side
    /// asked about, then the ranked prefix).</summary>
    public LatencyRecorder AdlRanking { get; } = new();

    /// <summary>Time from the first sight of a breach to the first reduction applied.</summary>
    public LatencyRecorder BreachToFirstReduction { get; } = new();

    /// <summary>Time from the first sight of a breach to health restored (or the pool closed out).</summary>
    public LatencyRecorder BreachToRestored { get; } = new();

    /// <summary>Breach to first reduction on the grid's clock (market time in a replay), recorded in µs.</summary>
    public LatencyRecorder BreachToFirstReductionMarket { get; } = new();

    /// <summary>Breach to restored health on the grid's clock (market time in a replay), recorded in µs.</summary>
    public LatencyRecorder BreachToRestoredMarket { get; } = new();

    /// <summary>Sub-accounts evaluated incrementally (price triggers, account changes, retries).</summary>
    public long IncrementalEvaluations => Interlocked.Read(ref _incremental);

    /// <summary>Sub-accounts evaluated by sweeps.</summary>
    public long SweepEvaluations => Interlocked.Read(ref _sweep);

    /// <summary>Margin calls issued.</summary>
    public long MarginCalls => Interlocked.Read(ref _marginCalls);

    /// <summary>Sub-accounts tracked on this node.</summary>
    public long Tracked => Interlocked.Read(ref _tracked);

    /// <summary>Candidates in the liquidation queue plus executing.</summary>
    public long QueueDepth => Interlocked.Read(ref _queueDepth);

    /// <summary>Liquidation plans that applied at least one close, by kind (<see cref="LiquidationKinds"/>; ADL
    /// counts counterparty reductions).</summary>
    public long Liquidations(int kind) => Interlocked.Read(ref _liquidations[kind]);

    /// <summary>Deferrals by reason (<see cref="DeferralReasons"/>).</summary>
    public long Deferred(int reason) => Interlocked.Read(ref _deferred[reason]);

    /// <summary>Liquidation fees charged by this node's engine, micro-dollars.</summary>
    public long FeesMicros => Interlocked.Read(ref _feesMicros);

    /// <summary>Deficits covered by the fund for this node's liquidations, micro-dollars.</summary>
    public long CoveredMicros => Interlocked.Read(ref _coveredMicros);

    /// <summary>Bad debt booked for this node's liquidations, micro-dollars.</summary>
    public long BadDebtMicros => Interlocked.Read(ref _badDebtMicros);

    /// <summary>ADL counterparty reductions applied.</summary>
    public long AdlSteps => Interlocked.Read(ref _adlSteps);

    /// <summary>ADL ranking queries answered by this node's supervisor.</summary>
    public long AdlQueries => Interlocked.Read(ref _adlQueries);

    /// <summary>Passes that answered them (a mass bankruptcy's queries share a pass).</summary>
    public long AdlPasses => Interlocked.Read(ref _adlPasses);

    internal void AddAdlPass(int queries)
    {
        Interlocked.Add(ref _adlQueries, queries);
        Interlocked.Increment(ref _adlPasses);
    }

    internal void AddIncremental(long n) => Interlocked.Add(ref _incremental, n);

    internal void AddSweep(long n) => Interlocked.Add(ref _sweep, n);

    internal void AddMarginCall() => Interlocked.Increment(ref _marginCalls);

    internal void SetTracked(long n) => Interlocked.Exchange(ref _tracked, n);

    internal void SetQueueDepth(long n) => Interlocked.Exchange(ref _queueDepth, n);

    internal void AddDeferred(int reason) => Interlocked.Increment(ref _deferred[reason]);

    internal void AddLiquidation(int kind) => Interlocked.Increment(ref _liquidations[kind]);

    internal void AddOutcome(LiquidationOutcome o)
    {
        Interlocked.Add(ref _feesMicros, o.FeesMicros);
        Interlocked.Add(ref _coveredMicros, o.CoveredMicros);
        Interlocked.Add(ref _badDebtMicros, o.BadDebtMicros);
        Interlocked.Add(ref _adlSteps, o.AdlSteps);
        Interlocked.Add(ref _liquidations[3], o.AdlSteps);
    }
}

/// <summary>The liquidation engine's stages, timed in <see cref="RiskMetrics.Stage"/>.</summary>
public enum EngineStage
{
    /// <summary>Planning a candidate on its latest copy (sequential, in queue order).</summary>
    Prepare,

    /// <summary>Executing a plan without a deficit: its closes.</summary>
    Execute,

    /// <summary>Executing a bankruptcy: the fund's balance, ADL, closes, cover and payout.</summary>
    ExecuteBankruptcy,

    /// <summary>Asking the insurance fund for its balance (a bankruptcy).</summary>
    FundBalance,

    /// <summary>One ADL ranking query across the cluster.</summary>
    AdlCandidates,

    /// <summary>Recording an ADL decision with the fund.</summary>
    AdlReservation,

    /// <summary>One counterparty's ADL reduction (an account command).</summary>
    CounterpartyReduction,

    /// <summary>One close of the liquidated account (an account command).</summary>
    Close,

    /// <summary>The fund's cover of a deficit left after the closes.</summary>
    Cover,

    /// <summary>The payout of that cover into the account (an account command).</summary>
    Payout,
}

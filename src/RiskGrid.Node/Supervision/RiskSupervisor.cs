using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Akka.Event;
using Akka.Persistence.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Util;
using RiskGrid.Margin;
using RiskGrid.Margin.Accounts;
using RiskGrid.Margin.Instruments;
using RiskGrid.Margin.Liquidation;
using RiskGrid.Node.Accounts;
using RiskGrid.Node.Prices;
using RiskGrid.Node.Time;

namespace RiskGrid.Node.Supervision;

/// <summary>Asks the supervisor for a consistent report of its state (tests, the stress lab, the API).</summary>
public sealed record GetRiskReport
{
    /// <summary>The one instance.</summary>
    public static readonly GetRiskReport Instance = new();
}

/// <summary>The supervisor's state: tracked sub-accounts, those liquidatable now (by whether they wait for prices,
/// the queue or a cooldown), liquidations queued or executing (<paramref name="InFlight"/>), and whether account
/// changes wait to be drained (<paramref name="PendingChanges"/>).</summary>
public sealed record RiskReport(int Tracked, int Liquidatable, int Blocked, int Queued, int Cooling,
    int MarginCallsActive, long Cycles, long MarketVersion, int InFlight = 0, bool PendingChanges = false,
    int Unpriced = 0);

/// <summary>Asks the supervisor for its <see cref="RiskProgress"/>: constant time, for a driver that polls.</summary>
public sealed record GetRiskProgress
{
    /// <summary>The one instance.</summary>
    public static readonly GetRiskProgress Instance = new();
}

/// <summary>What a stepped driver polls for: cycles run, liquidations queued or executing
/// (<paramref name="InFlight"/>), and whether account changes wait to be drained (<paramref name="PendingChanges"/>).
/// Unlike <see cref="RiskReport"/> it counts nothing over the tracked sub-accounts.</summary>
public sealed record RiskProgress(long Cycles, int InFlight, bool PendingChanges);

/// <summary>Asks the supervisor to answer (a <see cref="RiskProgress"/>) once no liquidation or margin call is queued
/// or executing; at once when none is.</summary>
public sealed record AwaitIdle
{
    /// <summary>The one instance.</summary>
    public static readonly AwaitIdle Instance = new();
}

/// <summary>Asks for every tracked sub-account's worst health (null: no requirement), for a distribution.</summary>
public sealed record GetHealths
{
    /// <summary>The one instance.</summary>
    public static readonly GetHealths Instance = new();
}

/// <summary>The answer to <see cref="GetHealths"/>: one value per tracked sub-account, as of its last evaluation.</summary>
public sealed record HealthList(IReadOnlyList<double?> Healths);

/// <summary>Runs one evaluation cycle now (a full sweep when <paramref name="Sweep"/>, restarting one under way) and
/// answers with the <see cref="RiskReport"/> after it, or with the <see cref="RiskProgress"/> when
/// <paramref name="ProgressOnly"/>: how the stress lab and tests drive a supervisor in stepped mode, and how a run-time
/// parameter change has every sub-account re-evaluated.</summary>
public sealed record RunRiskCycle(bool Sweep = false, bool ProgressOnly = false)
{
    /// <summary>An incremental cycle.</summary>
    public static readonly RunRiskCycle Instance = new();
}

/// <summary>
/// The risk supervisor of one node: keeps a compact risk view of the accounts whose shards live here (fed by the
/// entities after each persisted event through <see cref="RiskBookFeed"/>; the entity stays the only writer), and
/// decides on each conflated price change which sub-accounts can have changed: those whose safe band the move crossed
/// (<see cref="TriggerIndex"/>), those whose account changed, and those waiting to be retried. A full sweep runs every
/// <see cref="SupervisorSettings.SweepInterval"/> and whenever a maintenance multiplier moved more than
/// <see cref="SupervisorSettings.MultiplierResweep"/>. Evaluated sub-accounts below warnHealth get a margin call
/// (journaled by their entity); liquidatable ones with fresh indices go to the liquidation engine's bounded queue,
/// worst health first. The engine is an Akka.Streams pipeline: the queue, then <see cref="SupervisorSettings.Parallelism"/>
/// liquidations at once, each reported back here.
/// </summary>
public sealed class RiskSupervisor : ReceiveActor, IWithTimers
{
    /// <summary>The supervisor's name under /user on every node (the ADL ranking is queried there).</summary>
    public const string Name = "risk-supervisor";

    private readonly InstrumentCatalog _catalog;
    private readonly PriceView _prices;
    private readonly RiskBookFeed _feed;
    private readonly IActorRef _accounts;
    private readonly IActorRef _fund;
    private readonly SupervisorSettings _settings;
    private readonly RiskMetrics _metrics;
    private readonly IGridClock _clock;
    private readonly int _shards;
    private readonly RiskEvaluator _eval;
    private readonly RiskEvaluator[] _workerEvals;
    private EntryRisk[] _batchRisks = new EntryRisk[256];
    private readonly List<RiskEntry> _sliceBatch = [];
    private readonly List<RiskEntry> _bandBacklog = [];
    private readonly List<RiskEntry> _bandBatch = [];
    private bool _bandScheduled;
    private readonly TriggerIndex _index;
    private readonly Dictionary<(int Instrument, bool Long), AdlHolders<RiskEntry>> _holders = [];
    private readonly List<(FindAdlCandidates Query, IActorRef ReplyTo)> _adlPending = [];
    private readonly List<AdlCandidate> _adlScored = [];
    private readonly List<int> _adlHolderIndex = [];
    private readonly List<(AdlHolders<RiskEntry> Side, HolderRecord Record)> _heldBefore = [];
    private readonly AdlRanker _adlRanker = new();
    private bool _adlScheduled;
    private readonly LiquidationQueue _queue;
    private readonly Dictionary<string, RiskEntry[]> _entries = new(StringComparer.Ordinal);
    private readonly List<RiskEntry?> _slots = [];
    private readonly Stack<int> _free = new();
    private readonly List<RiskEntry> _due = [];
    private readonly HashSet<RiskEntry> _retry = [];
    private readonly HashSet<RiskEntry> _waitingForQueue = [];
    private readonly Dictionary<string, long> _feesAcked = new(StringComparer.Ordinal);
    private readonly List<AccountCopy> _drained = [];
    private readonly double[] _lastIndex;
    private readonly bool[] _lastCanLiquidate;
    private readonly double[] _sweptMultiplier;
    private readonly List<int> _crossedSlots = [];
    private int[] _slotGeneration = new int[1024];
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private PriceSubscription? _subscription;
    private IMaterializer? _materializer;
    private IActorRef _wakeReplies = ActorRefs.Nobody;
    private LiquidationEngine? _engine;
    private IAdlSource? _adlSource;
    private HashSet<string> _localShards = new(StringComparer.Ordinal);
    private long _cycles;
    private long _currentPairs;
    private long _marketVersion = -1;
    private bool _sweepDue = true;
    private bool _cycleScheduled;

    public RiskSupervisor(InstrumentCatalog catalog, PriceView prices, RiskBookFeed feed, IActorRef accounts,
        IActorRef fund, SupervisorSettings settings, RiskMetrics metrics, int shards, IAdlSource? adl = null)
    {
        _catalog = catalog;
        _prices = prices;
        _feed = feed;
        _accounts = accounts;
        _fund = fund;
        _settings = settings;
        _metrics = metrics;
        _clock = prices.Clock;
        _shards = shards;
        _adlSource = adl;
        _eval = new RiskEvaluator(catalog, settings);
        _workerEvals = new RiskEvaluator[settings.EvaluationThreadCount];
        _workerEvals[0] = _eval;
        for (var w = 1; w < _workerEvals.Length; w++)
        {
            _workerEvals[w] = new RiskEvaluator(catalog, settings);
        }
        var u = catalog.Params.Underlyings.Count;
        _index = new TriggerIndex(u);
        _queue = new LiquidationQueue(settings.QueueCapacity);
        _lastIndex = new double[u];
        _lastCanLiquidate = new bool[u];
        _sweptMultiplier = new double[u];
        Array.Fill(_lastIndex, double.NaN);

        // Stepped mode (a reproducible replay): only RunRiskCycle runs a cycle; changes wait for it.
        Receive<RiskBookFeed.BookChanged>(_ =>
        {
            if (!_settings.Stepped)
            {
                Cycle(sweep: false, priceSignalTicks: 0, includeRetry: false);
            }
        });
        Receive<PricesChanged>(p =>
        {
            if (!_settings.Stepped)
            {
                Cycle(sweep: false, priceSignalTicks: p.Subscription.SignalTicks, includeRetry: false);
            }
        });
        Receive<RunRiskCycle>(r =>
        {
            if (r.Sweep)
            {
                // An asked-for sweep (a parameter change moved every figure) starts over: sub-accounts a sweep under
                // way has already evaluated are evaluated again.
                _sweepBacklog.Clear();
            }
            Cycle(sweep: r.Sweep, priceSignalTicks: 0, includeRetry: true);
            Sender.Tell(r.ProgressOnly ? Progress() : Report());
        });
        Receive<BandPass>(_ => RunBandPass());
        Receive<SweepSlice>(_ =>
        {
            _sliceScheduled = false;
            if (_sweepBacklog.Count > 0)
            {
                Cycle(sweep: false, priceSignalTicks: 0, includeRetry: false);
            }
        });
        Receive<Sweep>(_ => Cycle(sweep: true, priceSignalTicks: 0, includeRetry: false));
        Receive<Retry>(_ =>
        {
            _cycleScheduled = false;
            if (_retry.Count > 0)
            {
                Cycle(sweep: false, priceSignalTicks: 0, includeRetry: true);
            }
        });
        Receive<LiquidationOutcome>(OnOutcome);
        // ADL queries are answered in batches: the queries that reached the mailbox before the batch's turn share one
        // scoring pass per instrument and side (a mass bankruptcy asks dozens at a time, and one pass over every
        // holder costs milliseconds at 100,000 accounts), answered in arrival order over what earlier ones left free
        // (RankAdl).
        Receive<FindAdlCandidates>(q =>
        {
            _adlPending.Add((q, Sender));
            if (!_adlScheduled)
            {
                _adlScheduled = true;
                Self.Tell(AnswerAdl.Instance);
            }
        });
        Receive<AnswerAdl>(_ =>
        {
            _adlScheduled = false;
            AnswerPendingAdl();
        });
        Receive<FeesAcknowledged>(a =>
        {
            if (!_feesAcked.TryGetValue(a.AccountId, out var mark) || a.WatermarkMicros > mark)
            {
                _feesAcked[a.AccountId] = a.WatermarkMicros;
            }
        });
        // Answers to this supervisor's margin calls.
        Receive<IAccountReply>(_ => _marginCallsInFlight = Math.Max(0, _marginCallsInFlight - 1));
        Receive<Status.Failure>(_ => _marginCallsInFlight = Math.Max(0, _marginCallsInFlight - 1));
        Receive<Census>(_ => RunCensus());
        Receive<ClusterShardingStats>(OnShardState);
        Receive<WakeAccounts>(w => Wake(w.AccountIds));
        // A member gone: its accounts' entities are not running anywhere until a message reaches them. The oldest
        // member wakes every account that no supervisor watches, so the dead node's accounts (and any liquidation
        // they were in) are picked up by the survivors.
        Receive<ClusterEvent.MemberRemoved>(_ =>
        {
            if (IsOldest())
            {
                WakeAll();
                // A second pass catches accounts whose recovery failed in the first (a journal briefly overloaded
                // by every account recovering at once).
                Timers.StartSingleTimer("wake-again", WakeAgain.Instance, TimeSpan.FromSeconds(15));
            }
        });
        Receive<WakeAgain>(_ =>
        {
            if (IsOldest())
            {
                WakeAll();
            }
        });
        Receive<GetRiskReport>(_ => Sender.Tell(Report()));
        Receive<GetRiskProgress>(_ => Sender.Tell(Progress()));
        // Answered once no liquidation or margin call is queued or executing (at once when none is): a stepped
        // driver waits for that instead of polling.
        Receive<AwaitIdle>(_ => _idleWaiters.Add(Sender));
        Receive<GetUnattended>(_ => Sender.Tell(Unattended()));
        Receive<GetHealths>(_ =>
        {
            var list = new List<double?>(_slots.Count);
            foreach (var entries in _entries.Values)
            {
                foreach (var e in entries)
                {
                    var h = e.Risk.WorstHealth;
                    list.Add(double.IsFinite(h) ? h : null);
                }
            }
            Sender.Tell(new HealthList(list));
        });
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props of the supervisor.</summary>
    public static Props Props(InstrumentCatalog catalog, PriceView prices, RiskBookFeed feed, IActorRef accounts,
        IActorRef fund, SupervisorSettings settings, RiskMetrics metrics, int shards, IAdlSource? adl = null) =>
        Akka.Actor.Props.Create(() =>
            new RiskSupervisor(catalog, prices, feed, accounts, fund, settings, metrics, shards, adl));

    /// <summary>The engine's queue (metrics read its depth).</summary>
    public LiquidationQueue Queue => _queue;

    /// <inheritdoc />
    protected override void PreStart()
    {
        _feed.Attach(Self);
        _subscription = _prices.Subscribe(Self);
        _adlSource ??= new ClusterAdlSource(Context.System, TimeSpan.FromSeconds(2));
        _engine = new LiquidationEngine(_catalog, () => _prices.Current, _feed, _accounts, _fund, _adlSource, _settings,
            _clock, _log, _metrics);
        _materializer = Context.Materializer();
        _wakeReplies = Context.ActorOf(Akka.Actor.Props.Create(() => new Ignore()), "wake-replies");
        var engine = _engine;
        var queue = _queue;
        var self = Self;
        var metrics = _metrics;
        Source.UnfoldAsync(0, async _ =>
            {
                var c = await queue.TakeAsync().ConfigureAwait(false);
                return c is null ? Option<(int, LiquidationCandidate)>.None : Option<(int, LiquidationCandidate)>.Create((0, c));
            })
            .Select(c =>
            {
                metrics.QueueWait.RecordSince(c.EnqueuedTicks);
                return c;
            })
            // Plans (and the liquidity budget) are made one at a time in queue order; closes execute in parallel.
            .SelectAsync(1, engine.PrepareAsync)
            .SelectAsyncUnordered(_settings.Parallelism, engine.ExecuteAsync)
            .RunForeach(o => self.Tell(o), _materializer);
        if (!_settings.Stepped)
        {
            Timers.StartPeriodicTimer("sweep", Sweep.Instance, _settings.SweepInterval);
            Self.Tell(RunRiskCycle.Instance);
        }
        Timers.StartPeriodicTimer("census", Census.Instance, _settings.CensusInterval);
        Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.MemberRemoved));
    }

    /// <inheritdoc />
    protected override bool AroundReceive(Receive receive, object message)
    {
        var handled = base.AroundReceive(receive, message);
        if (_idleWaiters.Count > 0 && _inFlight + _marginCallsInFlight == 0)
        {
            var progress = Progress();
            foreach (var waiter in _idleWaiters)
            {
                waiter.Tell(progress);
            }
            _idleWaiters.Clear();
        }
        return handled;
    }

    /// <inheritdoc />
    protected override void PostStop()
    {
        Cluster.Get(Context.System).Unsubscribe(Self);
        _queue.Complete();
        _subscription?.Dispose();
        base.PostStop();
    }

    private void Cycle(bool sweep, long priceSignalTicks, bool includeRetry)
    {
        // The engine takes this cycle's candidates once all are in, worst health first (not in the order they were
        // found, which follows hash order): a replay is then the same every run.
        _queue.Hold();
        try
        {
            CycleCore(sweep, priceSignalTicks, includeRetry);
        }
        finally
        {
            _queue.Release();
        }
    }

    private void CycleCore(bool sweep, long priceSignalTicks, bool includeRetry)
    {
        var started = Stopwatch.GetTimestamp();
        var snapshot = _subscription is not null ? _subscription.Take() : _prices.Current;
        _eval.SetMarket(snapshot);
        var market = _eval.Market;
        _cycles++;

        // 1. Accounts that changed.
        _drained.Clear();
        _feed.Drain(_drained);
        foreach (var copy in _drained)
        {
            Upsert(copy);
        }

        // 2. Index moves: the entries whose safe band the move crossed; freshness that returned; multipliers.
        var resweep = sweep || _sweepDue;
        var freshnessReturned = false;
        var firstPrice = false;
        var multiplierMoved = 0.0;
        for (var u = 0; u < _lastIndex.Length; u++)
        {
            var s = market.Index(u);
            var from = _lastIndex[u];
            firstPrice |= double.IsFinite(s) && !double.IsFinite(from);
            if (double.IsFinite(s) && double.IsFinite(from) && s != from)
            {
                _index.Crossed(u, from, s, _slotGeneration, _crossedSlots);
                foreach (var slot in _crossedSlots)
                {
                    if (_slots[slot] is { } crossed)
                    {
                        MarkDue(crossed);
                    }
                }
                _crossedSlots.Clear();
            }
            _lastIndex[u] = s;
            var can = snapshot.Oracle(u).CanLiquidate;
            freshnessReturned |= can && !_lastCanLiquidate[u];
            _lastCanLiquidate[u] = can;
            var v = market.MaintenanceMultiplier(u);
            if (_sweptMultiplier[u] > 0 && Math.Abs(v / _sweptMultiplier[u] - 1) > _settings.MultiplierResweep)
            {
                multiplierMoved = Math.Max(multiplierMoved, v / _sweptMultiplier[u] - 1);
                _sweptMultiplier[u] = v;
            }
            else if (_sweptMultiplier[u] <= 0)
            {
                _sweptMultiplier[u] = v;
            }
        }
        // A higher maintenance multiplier scales MM up by about the same fraction everywhere: only sub-accounts
        // whose health that could take below maintenance (with a margin) need a look; a scan of the last healths,
        // not a sweep.
        if (multiplierMoved > 0)
        {
            var edge = (1 + multiplierMoved) * 1.02;
            foreach (var entries in _entries.Values)
            {
                foreach (var e in entries)
                {
                    // Already liquidatable and waiting (in the queue, executing, or outside a full queue): nothing
                    // a re-evaluation could add.
                    if (e.Risk.WorstHealth < edge && !e.InFlight && !_waitingForQueue.Contains(e))
                    {
                        MarkDue(e);
                    }
                }
            }
        }
        // An underlying priced for the first time: the sub-accounts that waited for it (a collateral asset's first
        // price is seen by the next sweep or account change).
        if (firstPrice)
        {
            foreach (var e in _unpriced)
            {
                MarkDue(e);
            }
            _unpriced.Clear();
        }
        if (freshnessReturned)
        {
            foreach (var entries in _entries.Values)
            {
                foreach (var e in entries)
                {
                    if (e.Risk.Blocked)
                    {
                        MarkDue(e);
                    }
                }
            }
        }
        // Deferred sub-accounts (cooldown, a full queue, the budget, a failed or finished liquidation) come back on the
        // retry timer (and every stepped cycle), not on every price change.
        if (includeRetry || _settings.Stepped)
        {
            foreach (var e in _retry)
            {
                MarkDue(e);
            }
            _retry.Clear();
        }

        // 3. Evaluate: what is due, then a slice of the sweep backlog (all of it in stepped mode). A sweep is sliced
        // so price changes are served between slices.
        if (resweep)
        {
            _sweepDue = false;
            if (_sweepBacklog.Count == 0)
            {
                foreach (var entries in _entries.Values)
                {
                    foreach (var e in entries)
                    {
                        _sweepBacklog.Enqueue(e);
                    }
                }
                _sweepStartedTicks = started;
            }
        }
        var evaluated = _due.Count;
        _sliceBatch.Clear();
        foreach (var e in _due)
        {
            e.Due = false;
            if (e.Slot >= 0)
            {
                _sliceBatch.Add(e);
            }
        }
        _due.Clear();
        EvaluateBatch(_sliceBatch, decisionFirst: !_settings.Stepped);
        _metrics.AddIncremental(evaluated);
        if (evaluated > 0)
        {
            _metrics.IncrementalBatch.RecordSince(started);
        }
        if (_sweepBacklog.Count > 0)
        {
            var slice = _settings.Stepped ? int.MaxValue : SweepSliceSize;
            var swept = 0;
            _sliceBatch.Clear();
            while (swept < slice && _sweepBacklog.TryDequeue(out var e))
            {
                if (e.Slot >= 0)
                {
                    _sliceBatch.Add(e);
                    swept++;
                }
            }
            EvaluateBatch(_sliceBatch);
            _metrics.AddSweep(swept);
            if (_sweepBacklog.Count == 0)
            {
                _metrics.SweepBatch.RecordSince(_sweepStartedTicks);
            }
            else if (!_sliceScheduled)
            {
                _sliceScheduled = true;
                Self.Tell(SweepSlice.Instance);
            }
        }
        if (priceSignalTicks != 0)
        {
            _metrics.TickToDecision.RecordSince(priceSignalTicks);
        }
        // Superseded pairs (every re-evaluation leaves its old pair behind) are dropped a slice per cycle once they
        // outnumber the current ones, so no cycle stalls on a whole-index pass (a rebuild at 100,000 accounts took
        // ~30 ms, a tick→decision outlier of its own).
        if (_index.Pairs > 2 * _currentPairs + 65_536)
        {
            _index.Compact(_slotGeneration, _settings.Stepped ? int.MaxValue : IndexCompactionSlice);
        }
        _marketVersion = snapshot.Version;
        _metrics.SetQueueDepth(_inFlight);
        // Room in the queue and sub-accounts waiting for it: the next ones are re-checked (also when the ones let in
        // before turned out healthy and so brought no outcome that would let the next in).
        ReadmitWaiting();
        if (_retry.Count > 0 && !_cycleScheduled && !_settings.Stepped)
        {
            _cycleScheduled = true;
            Timers.StartSingleTimer("retry", Retry.Instance, TimeSpan.FromMilliseconds(200));
        }
    }

    // Pairs visited per cycle when dropping superseded triggers: a few hundred microseconds.
    private const int IndexCompactionSlice = 32_768;

    // About a millisecond of evaluation per slice: a price change waits at most that long behind a sweep.
    private const int SweepSliceSize = 500;
    private readonly Queue<RiskEntry> _sweepBacklog = new();
    private long _sweepStartedTicks;
    private bool _sliceScheduled;
    private int _inFlight;
    private int _marginCallsInFlight;
    private readonly List<IActorRef> _idleWaiters = [];
    // Sub-accounts last seen without a price for something they hold (RiskEntry.Risk.Unpriced).
    private readonly HashSet<RiskEntry> _unpriced = [];

    private void Upsert(AccountCopy copy)
    {
        if (_feesAcked.TryGetValue(copy.AccountId, out var acked) ? copy.LiquidationFeesMicros > acked
                : copy.LiquidationFeesMicros > 0)
        {
            _fund.Tell(new SettleFees(copy.AccountId, copy.LiquidationFeesMicros, _clock.NowMs), Self);
        }
        _entries.TryGetValue(copy.AccountId, out var old);
        var subs = new RiskEntry[copy.Subs.Count];
        for (var i = 0; i < subs.Length; i++)
        {
            var name = copy.SubNames[i];
            RiskEntry? e = null;
            if (old is not null)
            {
                foreach (var o in old)
                {
                    if (o.Sub == name)
                    {
                        e = o;
                        break;
                    }
                }
            }
            e ??= NewEntry(copy.AccountId, name);
            e.Portfolio = copy.Subs[i];
            e.SequenceNr = copy.SequenceNr;
            subs[i] = e;
            UpdateHolders(e);
            MarkDue(e);
        }
        if (old is not null)
        {
            foreach (var o in old)
            {
                if (Array.IndexOf(subs, o) < 0)
                {
                    Drop(o);
                }
            }
        }
        _entries[copy.AccountId] = subs;
        _metrics.SetTracked(_slots.Count - _free.Count);
    }

    private RiskEntry NewEntry(string accountId, string sub)
    {
        var slot = _free.Count > 0 ? _free.Pop() : _slots.Count;
        if (slot >= _slotGeneration.Length)
        {
            Array.Resize(ref _slotGeneration, Math.Max(1024, _slotGeneration.Length * 2));
        }
        // Generations of a slot only grow, across owners: no pair a former owner left behind matches the new one.
        var e = new RiskEntry(accountId, sub, _lastIndex.Length) { Slot = slot, Generation = _slotGeneration[slot] };
        if (slot == _slots.Count)
        {
            _slots.Add(e);
        }
        else
        {
            _slots[slot] = e;
        }
        return e;
    }

    private void Drop(RiskEntry e)
    {
        var slot = e.Slot;
        e.Slot = -1;
        UpdateHolders(e);
        e.Slot = slot;
        _currentPairs -= e.Pairs;
        e.Generation++;
        _slotGeneration[e.Slot] = e.Generation;
        _slots[e.Slot] = null;
        _free.Push(e.Slot);
        e.Slot = -1;
        _retry.Remove(e);
        _waitingForQueue.Remove(e);
        _unpriced.Remove(e);
        e.OutsideSinceTicks = 0;
    }

    private void MarkDue(RiskEntry e)
    {
        if (!e.Due && e.Slot >= 0)
        {
            e.Due = true;
            _due.Add(e);
        }
    }

    // Evaluates a batch: the margin arithmetic (pure, per sub-account) runs on every core when the batch is large
    // enough to pay for it, each worker with its own evaluator on the cycle's market; what follows from each result
    // (triggers, margin calls, the queue) is applied here, in batch order, so the outcome is the sequential one.
    // decisionFirst: a large batch on the live path is evaluated in two passes. The decision pass (health only,
    // about a third of the cost) applies every margin call and liquidation decision now; the band pass (the probes
    // that give each sub-account its safe band, and its new triggers) follows as the supervisor's next message, on
    // the market of the latest cycle. Until then the sub-accounts keep their previous pairs, and a cycle in between
    // that changed the market is what the band pass then evaluates (and decides) on.
    private void EvaluateBatch(List<RiskEntry> batch, bool decisionFirst = false)
    {
        decisionFirst &= batch.Count >= _settings.ParallelEvaluationMinimum;
        if (!decisionFirst && (batch.Count < _settings.ParallelEvaluationMinimum || _workerEvals.Length == 1))
        {
            foreach (var e in batch)
            {
                Evaluate(e);
            }
            return;
        }
        if (_batchRisks.Length < batch.Count)
        {
            _batchRisks = new EntryRisk[Math.Max(batch.Count, _batchRisks.Length * 2)];
        }
        var risks = _batchRisks;
        var snapshot = _eval.Snapshot!;
        var workers = _workerEvals.Length;
        var chunk = (batch.Count + workers - 1) / workers;
        Parallel.For(0, workers, w =>
        {
            var eval = _workerEvals[w];
            eval.SetMarket(snapshot);
            var end = Math.Min(batch.Count, (w + 1) * chunk);
            for (var i = w * chunk; i < end; i++)
            {
                eval.Evaluate(batch[i].Portfolio, ref risks[i], withBand: !decisionFirst);
            }
        });
        for (var i = 0; i < batch.Count; i++)
        {
            Apply(batch[i], risks[i], triggers: !decisionFirst);
        }
        if (!decisionFirst)
        {
            return;
        }
        foreach (var e in batch)
        {
            if (!e.BandPending)
            {
                e.BandPending = true;
                _bandBacklog.Add(e);
            }
        }
        if (!_bandScheduled)
        {
            _bandScheduled = true;
            Self.Tell(BandPass.Instance);
        }
    }

    private void RunBandPass()
    {
        _bandScheduled = false;
        _bandBatch.Clear();
        foreach (var e in _bandBacklog)
        {
            e.BandPending = false;
            if (e.Slot >= 0)
            {
                _bandBatch.Add(e);
            }
        }
        _bandBacklog.Clear();
        EvaluateBatch(_bandBatch);
        _bandBatch.Clear();
    }

    private void Evaluate(RiskEntry e)
    {
        var risk = e.Risk;
        _eval.Evaluate(e.Portfolio, ref risk, withBand: true);
        Apply(e, risk);
    }

    // What follows from a sub-account's fresh risk: its triggers, a margin call, the queue.
    // triggers false: the decision half of a two-pass evaluation (no band was computed); the sub-account keeps its
    // band and its pairs until its band pass.
    private void Apply(RiskEntry e, EntryRisk risk, bool triggers = true)
    {
        if (!triggers)
        {
            risk.Band = e.Risk.Band;
        }
        e.Risk = risk;
        if (risk.Unpriced)
        {
            _unpriced.Add(e);
        }
        else
        {
            _unpriced.Remove(e);
        }
        foreach (var (side, index) in e.Held)
        {
            side.SetEquity(index, risk.EquityRawMicros);
        }
        var nowMs = _clock.NowMs;
        var liq = _catalog.Params.Liquidation;

        // Triggers: a new generation supersedes the old pairs.
        var market = _eval.Market;
        if (triggers)
        {
            e.Generation++;
            _slotGeneration[e.Slot] = e.Generation;
            _currentPairs -= e.Pairs;
            e.Pairs = 0;
        }
        if (triggers && double.IsFinite(risk.Band) && risk.Band > 0)
        {
            for (var u = 0; u < _lastIndex.Length; u++)
            {
                if ((risk.Depends & (1UL << u)) == 0)
                {
                    continue;
                }
                var s = market.Index(u);
                e.Down[u] = s * (1 - risk.Band);
                e.Up[u] = s * (1 + risk.Band);
                e.Pairs += _index.Add(u, e.Slot, e.Generation, e.Down[u], e.Up[u]);
            }
        }
        if (triggers)
        {
            _currentPairs += e.Pairs;
        }

        // Margin call: once per crossing below warnHealth (the id names the journal position, so a restart does
        // not issue it twice for the same state).
        // A liquidatable account gets its liquidation instead (a margin call persisted meanwhile would only move its
        // journal under the engine's plan).
        if (risk.MaintenanceMicros > 0 && risk.WorstHealth < liq.WarnHealth && !risk.Liquidatable)
        {
            if (!e.Warned)
            {
                e.Warned = true;
                _metrics.AddMarginCall();
                _marginCallsInFlight++;
                _accounts.Tell(new IssueMarginCall(e.AccountId,
                    "mc:" + LiquidationEngine.Hash(e.AccountId, e.Sub, "", e.SequenceNr), e.Sub,
                    double.IsFinite(risk.WorstHealth) ? Math.Max(0, risk.WorstHealth) : 0, risk.EquityMmMicros,
                    risk.MaintenanceMicros, nowMs), Self);
            }
        }
        else if (risk.WorstHealth >= liq.WarnHealth)
        {
            e.Warned = false;
        }

        if (!risk.Liquidatable)
        {
            EndOutside(e);
            if (e.BreachTicks != 0)
            {
                _metrics.BreachToRestored.RecordSince(e.BreachTicks);
                _metrics.BreachToRestoredMarket.RecordMicros((nowMs - e.BreachAtMs) * 1_000);
                e.BreachTicks = 0;
            }
            return;
        }
        if (e.BreachTicks == 0)
        {
            e.BreachTicks = Stopwatch.GetTimestamp();
            e.BreachAtMs = nowMs;
        }
        if (e.InFlight)
        {
            return;
        }
        if (risk.Blocked)
        {
            _metrics.AddDeferred(risk.BlockedByStale ? 0 : 1);
            return;
        }
        if (nowMs < e.CooldownUntilMs && risk.WorstHealth >= liq.BackstopHealth)
        {
            _metrics.AddDeferred(2);
            _retry.Add(e);
            return;
        }
        var candidate = new LiquidationCandidate(e.AccountId, e.Sub, risk.WorstHealth, e.BreachTicks,
            Stopwatch.GetTimestamp(), e.BreachAtMs);
        switch (_queue.Offer(candidate, out var evicted))
        {
            case OfferOutcome.Full:
                _metrics.AddDeferred(3);
                _waitingForQueue.Add(e);
                StartOutside(e);
                break;
            case OfferOutcome.QueuedEvictingHealthiest:
                _metrics.AddDeferred(3);
                e.InFlight = true;
                _inFlight++;
                _waitingForQueue.Remove(e);
                EndOutside(e);
                if (evicted is not null && Find(evicted.AccountId, evicted.SubAccount) is { } out1)
                {
                    out1.InFlight = false;
                    _inFlight--;
                    _waitingForQueue.Add(out1);
                    StartOutside(out1);
                }
                break;
            case OfferOutcome.Queued:
                e.InFlight = true;
                _inFlight++;
                _waitingForQueue.Remove(e);
                EndOutside(e);
                break;
            case OfferOutcome.Updated:
                break;
        }
    }

    private void OnOutcome(LiquidationOutcome o)
    {
        var e = Find(o.Candidate.AccountId, o.Candidate.SubAccount);
        _metrics.AddOutcome(o);
        if (o.Steps > 0)
        {
            var kind = o.Kind switch
            {
                LiquidationKind.Partial => 0,
                LiquidationKind.Backstop => 1,
                _ => 2,
            };
            _metrics.AddLiquidation(kind);
        }
        if (e is null)
        {
            _metrics.SetQueueDepth(_inFlight);
            return;
        }
        if (e.InFlight)
        {
            e.InFlight = false;
            _inFlight--;
        }
        // The first reduction of a breach (the account's restored state may have reached this supervisor before
        // the engine's report, so the breach is identified by the candidate's own timestamps).
        if (o.Steps > 0 && o.Candidate.BreachTicks != 0 && o.Candidate.BreachTicks != e.ReducedBreachTicks)
        {
            _metrics.BreachToFirstReduction.RecordSince(o.Candidate.BreachTicks);
            _metrics.BreachToFirstReductionMarket.RecordMicros((_clock.NowMs - o.Candidate.BreachAtMs) * 1_000);
            e.ReducedBreachTicks = o.Candidate.BreachTicks;
        }
        if (o.Steps > 0 && o.Kind == LiquidationKind.Partial && o.Status == LiquidationStatus.Completed)
        {
            e.CooldownUntilMs = _clock.NowMs + _catalog.Params.Liquidation.CooldownMs;
        }
        if (o.Status == LiquidationStatus.Throttled)
        {
            _metrics.AddDeferred(4);
        }
        // Every outcome is checked again: the account may still be liquidatable (a plan cut short, a price moved
        // while it ran, its new state evaluated while the liquidation was in flight).
        _retry.Add(e);
        ReadmitWaiting();
        _metrics.SetQueueDepth(_inFlight);
        if (_retry.Count > 0 && !_cycleScheduled && !_settings.Stepped)
        {
            _cycleScheduled = true;
            Timers.StartSingleTimer("retry", Retry.Instance, TimeSpan.FromMilliseconds(o.Status == LiquidationStatus.Throttled ? 200 : 50));
        }
    }

    // The ADL ranking's membership: which sub-accounts hold each (instrument, side). Maintained as accounts change;
    // scores (PnL% × effective leverage, §9) are computed when a bankruptcy asks, at that moment's prices, over the
    // holders of that one instrument and side only.
    // Sub-accounts that found the queue full wait here (not re-evaluated on every retry, which at tens of thousands
    // would only burn the supervisor); as the queue drains below half, the next ones are re-checked and offered.
    private void ReadmitWaiting()
    {
        // At least one: a queue of capacity 1 (half of it rounds to nothing) must still take the next one in.
        var room = Math.Max(1, _queue.Capacity / 2) - _inFlight;
        if (room <= 0 || _waitingForQueue.Count == 0)
        {
            return;
        }
        var readmit = new List<RiskEntry>(Math.Min(room, _waitingForQueue.Count));
        foreach (var w in _waitingForQueue)
        {
            if (readmit.Count == room)
            {
                break;
            }
            readmit.Add(w);
        }
        foreach (var w in readmit)
        {
            _waitingForQueue.Remove(w);
            if (w.Slot >= 0)
            {
                _retry.Add(w);
            }
        }
    }

    private void UpdateHolders(RiskEntry e)
    {
        // Each side's old record, for the reservation it carries over to the new one.
        _heldBefore.Clear();
        foreach (var (side, index) in e.Held)
        {
            _heldBefore.Add((side, side.Record(index)));
        }
        foreach (var (side, index) in e.Held)
        {
            // The last holder of the side moves into the freed index.
            if (side.Remove(index) is { } moved)
            {
                var held = moved.Held;
                var last = side.Count;
                for (var k = 0; k < held.Count; k++)
                {
                    if (held[k].Side == side && held[k].Index == last)
                    {
                        held[k] = (side, index);
                        break;
                    }
                }
            }
        }
        e.Held.Clear();
        if (e.Slot < 0)
        {
            return;
        }
        foreach (ref readonly var pos in e.Portfolio.Positions)
        {
            var ins = _catalog[pos.Instrument];
            if (!ins.IsLinear || pos.SizeLots == 0)
            {
                continue;
            }
            var key = (ins.Id.Value, pos.SizeLots > 0);
            if (!_holders.TryGetValue(key, out var side))
            {
                side = new AdlHolders<RiskEntry>();
                _holders[key] = side;
            }
            HolderRecord? previous = null;
            foreach (var (before, record) in _heldBefore)
            {
                if (before == side)
                {
                    previous = record;
                }
            }
            e.Held.Add((side, side.Add(e, e.AccountId, e.Sub, pos, e.Risk.EquityRawMicros, previous)));
        }
    }

    private void AnswerPendingAdl()
    {
        var pending = _adlPending.ToArray();
        _adlPending.Clear();
        var started = Stopwatch.GetTimestamp();
        foreach (var group in pending.GroupBy(p => (p.Query.Instrument, p.Query.Longs)))
        {
            var queries = group.Select(p => p.Query).ToArray();
            var answers = RankAdl(group.Key.Instrument, group.Key.Longs, queries);
            var i = 0;
            foreach (var (_, replyTo) in group)
            {
                replyTo.Tell(new AdlCandidateList(answers[i++]));
            }
        }
        _metrics.AdlRanking.RecordSince(started);
        _metrics.AddAdlPass(pending.Length);
    }

    /// <summary>
    /// Answers <paramref name="queries"/> for one instrument and side with one pass over its holders, one after
    /// another as they came (<see cref="AdlRanker.Reserve"/>): each gets the best-ranked holders (§9 order) other than
    /// its own account with what is free of each, up to twice its lots (stand-ins), and reserves its lots of the
    /// first of them, so the queries of concurrent bankruptcies do not count on the same lots.
    /// </summary>
    private List<AdlCandidate>[] RankAdl(string instrument, bool longs, FindAdlCandidates[] queries)
    {
        var asks = queries.Select(q => new AdlAsk(q.ExcludeAccountId, q.Lots)).ToArray();
        if (!_catalog.TryResolve(instrument, out var ins, out _) ||
            !_holders.TryGetValue((ins.Id.Value, longs), out var holders) ||
            !double.IsFinite(_eval.Market.Index(ins.UnderlyingId)))
        {
            return [.. asks.Select(_ => new List<AdlCandidate>())];
        }
        var now = _clock.NowMs;
        holders.Score(ins, _eval.Market.Index(ins.UnderlyingId), now, _adlScored, _adlHolderIndex);
        var answers = _adlRanker.Reserve(_adlScored, asks);
        foreach (var answer in answers)
        {
            foreach (var (candidate, lots) in answer.Reserved)
            {
                holders.Reserve(_adlHolderIndex[candidate], lots, now);
            }
        }
        _adlScored.Clear();
        _adlHolderIndex.Clear();
        return [.. answers.Select(a => a.Listed)];
    }

    private RiskEntry? Find(string accountId, string sub)
    {
        if (_entries.TryGetValue(accountId, out var subs))
        {
            foreach (var e in subs)
            {
                if (e.Sub == sub)
                {
                    return e;
                }
            }
        }
        return null;
    }

    private RiskProgress Progress() => new(_cycles, _inFlight + _marginCallsInFlight, _feed.HasPending);

    private RiskReport Report()
    {
        int tracked = 0, liquidatable = 0, blocked = 0, queued = 0, cooling = 0, warned = 0;
        var now = _clock.NowMs;
        foreach (var entries in _entries.Values)
        {
            foreach (var e in entries)
            {
                tracked++;
                warned += e.Warned ? 1 : 0;
                if (!e.Risk.Liquidatable)
                {
                    continue;
                }
                liquidatable++;
                blocked += e.Risk.Blocked ? 1 : 0;
                queued += e.InFlight ? 1 : 0;
                cooling += now < e.CooldownUntilMs ? 1 : 0;
            }
        }
        return new RiskReport(tracked, liquidatable, blocked, queued, cooling, warned, _cycles, _marketVersion,
            _inFlight + _marginCallsInFlight, _feed.HasPending, _unpriced.Count);
    }

    // Liquidatable sub-accounts by what holds them: queued or executing, blocked by prices, cooling down, waiting for
    // room in the queue, waiting for the retry timer; the rest (nothing scheduled) are listed.
    private UnattendedReport Unattended()
    {
        int liquidatable = 0, inFlight = 0, blocked = 0, cooling = 0, retry = 0, waiting = 0;
        var now = _clock.NowMs;
        var entries = new List<UnattendedEntry>();
        foreach (var subs in _entries.Values)
        {
            foreach (var e in subs)
            {
                if (!e.Risk.Liquidatable)
                {
                    continue;
                }
                liquidatable++;
                if (e.InFlight)
                {
                    inFlight++;
                }
                else if (e.Risk.Blocked)
                {
                    blocked++;
                }
                else if (now < e.CooldownUntilMs)
                {
                    cooling++;
                }
                else if (_waitingForQueue.Contains(e))
                {
                    waiting++;
                }
                else if (_retry.Contains(e))
                {
                    retry++;
                }
                else
                {
                    entries.Add(new UnattendedEntry(e.AccountId, e.Sub, e.Risk.WorstHealth, e.CooldownUntilMs));
                }
            }
        }
        long longestTicks = 0, longestMs = 0;
        var nowTicks = Stopwatch.GetTimestamp();
        foreach (var w in _waitingForQueue.Concat(_retry))
        {
            if (w.OutsideSinceTicks != 0)
            {
                longestTicks = Math.Max(longestTicks, nowTicks - w.OutsideSinceTicks);
                longestMs = Math.Max(longestMs, now - w.OutsideSinceMs);
            }
        }
        return new UnattendedReport(liquidatable, inFlight, blocked, entries, _cycles, _marketVersion, cooling, retry,
            waiting, longestTicks * 1_000_000 / Stopwatch.Frequency, longestMs);
    }

    // A sub-account found liquidatable while the queue was full: from then until it gets into the queue (or is no
    // longer liquidatable) it waits outside, back-pressure a venue watches (RiskMetrics.OutsideQueue).
    private void StartOutside(RiskEntry e)
    {
        if (e.OutsideSinceTicks == 0)
        {
            e.OutsideSinceTicks = Stopwatch.GetTimestamp();
            e.OutsideSinceMs = _clock.NowMs;
        }
    }

    private void EndOutside(RiskEntry e)
    {
        if (e.OutsideSinceTicks != 0)
        {
            _metrics.OutsideQueue.RecordSince(e.OutsideSinceTicks);
            _metrics.OutsideQueueMarket.RecordMicros((_clock.NowMs - e.OutsideSinceMs) * 1_000);
            e.OutsideSinceTicks = 0;
        }
    }

    // Census: which shards does this node host? Accounts of shards that left are dropped; the oldest member wakes
    // every account whose entity is not running anywhere yet, so no account with positions goes unwatched after a
    // restart or the loss of a node.
    // An account whose shard is not allocated anywhere yet (imported, or never messaged since a restart) stays.
    private void RunCensus()
    {
        if (CoordinatedShutdown.Get(Context.System).ShutdownReason is not null)
        {
            return;
        }
        try
        {
            ClusterSharding.Get(Context.System).ShardRegion(AccountSharding.TypeName)
                .Tell(new GetClusterShardingStats(_settings.AskTimeout), Self);
        }
        catch (ArgumentException)
        {
            // The region is gone (the node is leaving): nothing to compare.
        }
    }

    private void OnShardState(ClusterShardingStats stats)
    {
        var self = Cluster.Get(Context.System).SelfAddress;
        var local = new HashSet<string>(StringComparer.Ordinal);
        var elsewhere = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (address, region) in stats.Regions)
        {
            foreach (var shard in region.Stats.Keys)
            {
                (address == self ? local : elsewhere).Add(shard);
            }
        }
        var extractor = new AccountMessageExtractor(_shards);
        List<string>? gone = null;
        foreach (var account in _entries.Keys)
        {
            if (elsewhere.Contains(extractor.ShardOf(account)))
            {
                (gone ??= []).Add(account);
            }
        }
        if (gone is not null)
        {
            foreach (var account in gone)
            {
                foreach (var e in _entries[account])
                {
                    Drop(e);
                }
                _entries.Remove(account);
                _feed.Forget(account);
                _log.Info("Risk view: account {0} left with its shard", account);
            }
            _metrics.SetTracked(_slots.Count - _free.Count);
        }
        var arrived = !local.SetEquals(_localShards);
        _localShards = local;
        if (arrived && IsOldest())
        {
            WakeAll();
        }
    }

    private static bool IsOldest()
    {
        var cluster = Cluster.Get(Context.System);
        var self = cluster.SelfMember;
        foreach (var m in cluster.State.Members)
        {
            if (m.Status == MemberStatus.Up && m.IsOlderThan(self))
            {
                return false;
            }
        }
        return true;
    }

    private void WakeAll()
    {
        var journal = PersistenceQuery.Get(Context.System)
            .ReadJournalFor<Akka.Persistence.Sql.Query.SqlReadJournal>(Akka.Persistence.Sql.Query.SqlReadJournal.Identifier);
        var self = Self;
        var materializer = _materializer!;
        journal.CurrentPersistenceIds()
            .Where(id => id.StartsWith(AccountEntity.PersistencePrefix, StringComparison.Ordinal))
            .Select(id => id[AccountEntity.PersistencePrefix.Length..])
            .Grouped(1000)
            .RunForeach(batch => self.Tell(new WakeAccounts([.. batch])), materializer);
    }

    private void Wake(IReadOnlyList<string> accounts)
    {
        foreach (var id in accounts)
        {
            if (!_feed.TryGetLatest(id, out _))
            {
                _accounts.Tell(new GetAccount(id), _wakeReplies);
            }
        }
    }

    // Answers to wake-ups carry nothing the supervisor needs (the entity's recovery reports to the feed).
    private sealed class Ignore : ReceiveActor
    {
        public Ignore() => ReceiveAny(_ => { });
    }

    private sealed class Sweep
    {
        public static readonly Sweep Instance = new();
    }

    private sealed class Retry
    {
        public static readonly Retry Instance = new();
    }

    private sealed class AnswerAdl
    {
        public static readonly AnswerAdl Instance = new();
    }

    private sealed class WakeAgain
    {
        public static readonly WakeAgain Instance = new();
    }

    private sealed class SweepSlice
    {
        public static readonly SweepSlice Instance = new();
    }

    private sealed class BandPass
    {
        public static readonly BandPass Instance = new();
    }

    private sealed class Census
    {
        public static readonly Census Instance = new();
    }

    private sealed record WakeAccounts(IReadOnlyList<string> AccountIds);

    private sealed class RiskEntry(string accountId, string sub, int underlyings)
    {
        public string AccountId { get; } = accountId;
        public string Sub { get; } = sub;
        public int Slot { get; set; } = -1;
        public int Generation { get; set; }
        public int Pairs { get; set; }
        public SubAccountPortfolio Portfolio { get; set; } = null!;
        public long SequenceNr { get; set; }
        public EntryRisk Risk { get; set; }
        public double[] Down { get; } = new double[underlyings];
        public double[] Up { get; } = new double[underlyings];
        public bool Due { get; set; }
        public bool Warned { get; set; }
        public bool InFlight { get; set; }
        public bool BandPending { get; set; }
        public long ReducedBreachTicks { get; set; }
        public long CooldownUntilMs { get; set; }
        public long BreachTicks { get; set; }
        public long BreachAtMs { get; set; }
        public long OutsideSinceTicks { get; set; }
        public long OutsideSinceMs { get; set; }
        public List<(AdlHolders<RiskEntry> Side, int Index)> Held { get; } = [];
    }
}

/// <summary>Finds ADL counterparties across the cluster: asks every Up member's supervisor for its ranking and merges
/// the answers in §9's order.</summary>
public sealed class ClusterAdlSource(ActorSystem system, TimeSpan timeout) : IAdlSource
{
    /// <inheritdoc />
    public async Task<IReadOnlyList<AdlCandidate>> FindAsync(FindAdlCandidates query)
    {
        var cluster = Cluster.Get(system);
        var asks = new List<Task<AdlCandidateList>>();
        var unreachable = cluster.State.Unreachable;
        foreach (var m in cluster.State.Members)
        {
            // A member that cannot be reached cannot answer: asking it would only hold the bankruptcy up.
            if (m.Status != MemberStatus.Up || unreachable.Contains(m))
            {
                continue;
            }
            var path = new RootActorPath(m.Address) / "user" / RiskSupervisor.Name;
            asks.Add(system.ActorSelection(path).Ask<AdlCandidateList>(query, timeout));
        }
        var merged = new List<AdlCandidate>();
        foreach (var ask in asks)
        {
            try
            {
                merged.AddRange((await ask.ConfigureAwait(false)).Candidates);
            }
            catch (AskTimeoutException)
            {
                // A node that does not answer in time contributes nothing this round.
            }
        }
        var ranked = merged.ToArray();
        AutoDeleveraging.Rank(ranked);
        return ranked;
    }
}

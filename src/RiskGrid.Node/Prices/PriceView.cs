using Akka.Actor;
using RiskGrid.Feed.Codec;
using RiskGrid.Feed.Transport;
using RiskGrid.Margin.Instruments;
using RiskGrid.Margin.Market;
using RiskGrid.Margin.Oracle;
using RiskGrid.Margin.Parameters;
using RiskGrid.Margin.Volatility;
using RiskGrid.Node.Time;

namespace RiskGrid.Node.Prices;

/// <summary>
/// The node-local price view (MARGIN.md §7, §8): per source the latest price, per underlying the oracle index
/// (median of the valid sources, staleness on the grid's clock, minimum sources, wick guard) and the volatility
/// multipliers, per option its implied volatility, per perpetual its latest funding rate.
/// <para><b>Writers.</b> Feed frames (<see cref="ApplyFrame"/>, on the subscribers' receive threads), the manual
/// source (<see cref="Submit"/>) and evaluations on the clock (<see cref="Evaluate"/>) are serialised by one lock
/// and write into preallocated tables: no allocation per tick in steady state. Every tick passes the same
/// <see cref="SourceTickFilter"/> (NaN/∞, zero, negative, duplicate, out-of-order by source sequence; counted per
/// source) and the same oracle path.</para>
/// <para><b>Readers.</b> <see cref="Current"/> returns the last published <see cref="MarketSnapshot"/>; after a
/// change, the first reader copies the writer's market under the lock (one copy, then readers share it). So
/// allocation happens per read-after-change, never per tick, and a reader holds the writer up for one copy at most.
/// Consumers that want to be told of changes <see cref="Subscribe(Action{long})"/>: conflated, at most one pending
/// notification each.</para>
/// </summary>
public sealed partial class PriceView
{
    /// <summary>Publisher id of the manual source's frames (never sent on the wire).</summary>
    private const uint ManualPublisherId = uint.MaxValue;

    private const int NoRoute = -1;
    private const int RouteFull = -2;
    private const double MultiplierResolution = 1e-4;

    private readonly Lock _writeGate = new();
    private RiskParams _params;
    private readonly InstrumentCatalog _catalog;
    private readonly IGridClock _clock;
    private readonly DataGridClock? _dataClock;
    private readonly PriceViewOptions _options;
    private readonly SourceTickFilter _filter;
    private readonly MarketState _market;
    private readonly UnderlyingState[] _underlyings;
    private readonly Dictionary<FixedAscii24, int> _underlyingBySymbol;

    private readonly Dictionary<FixedAscii24, int> _sourceByName;
    private readonly FixedAscii24[] _sourceNames;
    private readonly SourceCounters[] _sources;
    private int _sourceCount;
    private readonly int[] _routes;
    private readonly ulong[] _lastSequence;

    private readonly Dictionary<FixedAscii24, Instrument?> _instruments;
    private FundingState[] _funding = new FundingState[16];

    private long _untracked;
    private long _framesGarbled;
    private ulong _manualFrames;
    private long _evaluatedMs;
    private long _writerVersion = -1;
    private MarketSnapshot _published;
    private PriceSubscription[] _subscriptions = [];
    private ITickSubscriber[] _feeds = [];

    /// <summary>Creates the view for <paramref name="parameters"/>' underlyings.</summary>
    /// <param name="parameters">Oracle (§8) and volatility (§7) parameters, underlyings.</param>
    /// <param name="catalog">Resolves option and perpetual names of implied-vol and funding ticks.</param>
    /// <param name="clock">The grid's clock, on which staleness is judged; a <see cref="DataGridClock"/> is moved
    /// by the accepted ticks' timestamps.</param>
    /// <param name="options">Table sizes; defaults when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">prices.minSources exceeds maxSourcesPerUnderlying.</exception>
    public PriceView(RiskParams parameters, InstrumentCatalog catalog, IGridClock clock,
        PriceViewOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(clock);
        _params = parameters;
        _catalog = catalog;
        _clock = clock;
        _dataClock = clock as DataGridClock;
        _options = options ?? new PriceViewOptions();
        _filter = new SourceTickFilter(_options.MaxSources, _options.MaxKeys, _options.MaxPublishers);
        _market = new MarketState(parameters);

        var count = parameters.Underlyings.Count;
        _underlyings = new UnderlyingState[count];
        _underlyingBySymbol = new Dictionary<FixedAscii24, int>(count);
        for (var u = 0; u < count; u++)
        {
            var underlying = parameters.Underlyings[u];
            _underlyings[u] = new UnderlyingState(underlying.Name, _options.MaxSourcesPerUnderlying,
                new OracleIndex(_options.MaxSourcesPerUnderlying, OracleParams(parameters, underlying.Name)),
                new VolatilityEstimator(underlying, parameters.Volatility));
            _underlyingBySymbol.Add(FixedAscii24.Create(underlying.Name), u);
        }

        _sourceByName = new Dictionary<FixedAscii24, int>(_options.MaxSources);
        _sourceNames = new FixedAscii24[_options.MaxSources];
        _sources = new SourceCounters[_options.MaxSources];
        _routes = new int[_options.MaxSources * count];
        Array.Fill(_routes, NoRoute);
        _lastSequence = new ulong[_options.MaxSources * count];
        _instruments = new Dictionary<FixedAscii24, Instrument?>(64);
        _published = BuildSnapshot();
    }

    /// <summary>The parameters in effect: those the view was built for, or the last applied.</summary>
    public RiskParams Parameters => Volatile.Read(ref _params);

    /// <summary>The catalog implied-vol and funding symbols are resolved in.</summary>
    public InstrumentCatalog Catalog => _catalog;

    /// <summary>The grid clock staleness is judged on.</summary>
    public IGridClock Clock => _clock;

    /// <summary>The latest published view; never null (an unpriced underlying has a NaN index and is not fresh).
    /// Cheap when nothing changed since the last read; otherwise the first reader copies the market once.</summary>
    public MarketSnapshot Current
    {
        get
        {
            var published = Volatile.Read(ref _published);
            if (published.Version == Volatile.Read(ref _writerVersion))
            {
                return published;
            }

            lock (_writeGate)
            {
                if (_published.Version != _market.Version)
                {
                    Volatile.Write(ref _published, BuildSnapshot());
                }

                return _published;
            }
        }
    }

    /// <summary>The writer's version: increases on every change of an index, freshness, volatility, multiplier or
    /// implied vol.</summary>
    public long Version => Volatile.Read(ref _writerVersion);

    /// <summary>Validates and applies one tick frame (the feed subscriber's handler, on its receive thread).
    /// A frame that does not validate is counted and skipped. Allocates nothing in steady state.</summary>
    public TickFrameStatus ApplyFrame(ReadOnlySpan<byte> frame)
    {
        var status = TickFrameReader.Open(frame, out var reader);
        if (status != TickFrameStatus.Ok)
        {
            Interlocked.Increment(ref _framesGarbled);
            return status;
        }

        var header = reader.Header;
        lock (_writeGate)
        {
            _filter.ObserveFrame(header);
            foreach (var entry in reader)
            {
                ApplyEntry(header, entry);
            }

            EvaluateAll(_clock.NowMs);
            PublishVersion();
        }

        return TickFrameStatus.Ok;
    }

    /// <summary>
    /// The manual oracle source (admin <c>POST /v1/admin/prices</c>) and any in-process feed: the same validation,
    /// counters and index path as a feed tick. The source's sequence is its timestamp, so a repeated
    /// <paramref name="tsMs"/> is a duplicate and an earlier one is out of order. Thread-safe.
    /// </summary>
    /// <param name="source">Source name: 1 to 24 printable ASCII characters (<c>manual</c>).</param>
    /// <param name="underlying">A configured underlying (<c>BTC</c>).</param>
    /// <param name="price">USD, finite and &gt; 0.</param>
    /// <param name="tsMs">The price's time, Unix ms, &gt; 0.</param>
    public PriceSubmitResult Submit(string source, string underlying, double price, long tsMs)
    {
        if (string.IsNullOrEmpty(source) || !FixedAscii24.TryCreate(source.AsSpan(), out var sourceName))
        {
            return PriceSubmitResult.Rejected("source",
                $"source '{source}': must be 1 to 24 printable ASCII characters without spaces");
        }

        if (string.IsNullOrEmpty(underlying) || !FixedAscii24.TryCreate(underlying.AsSpan(), out var symbol)
            || !_underlyingBySymbol.ContainsKey(symbol))
        {
            return PriceSubmitResult.Rejected("underlying",
                $"underlying '{underlying}': not a configured underlying ({UnderlyingNames()})");
        }

        if (tsMs <= 0)
        {
            return PriceSubmitResult.Rejected("ts", $"ts = {tsMs}: must be a Unix time in ms > 0");
        }

        EntryOutcome outcome;
        lock (_writeGate)
        {
            var header = new TickFrameHeader(TickMessageType.Price, TickFrameFlags.None, ManualPublisherId,
                ++_manualFrames, 0, 1);
            outcome = ApplyEntry(header, new TickEntry(sourceName, symbol, price, tsMs, (ulong)tsMs));
            EvaluateAll(_clock.NowMs);
            PublishVersion();
        }

        return outcome switch
        {
            EntryOutcome.Applied => PriceSubmitResult.Accepted,
            EntryOutcome.NonFinite => PriceSubmitResult.Rejected("price", $"price = {price}: must be finite"),
            EntryOutcome.Zero or EntryOutcome.Negative =>
                PriceSubmitResult.Rejected("price", $"price = {price}: must be > 0"),
            EntryOutcome.Duplicate => PriceSubmitResult.Rejected("ts",
                $"ts = {tsMs}: a price of {source} for {underlying} at this time was already applied"),
            EntryOutcome.FutureDated => PriceSubmitResult.Rejected("ts",
                $"ts = {tsMs}: more than {_options.MaxFutureSkewMs} ms ahead of the grid's clock ({_clock.NowMs})"),
            EntryOutcome.OutOfOrder => PriceSubmitResult.Rejected("ts",
                $"ts = {tsMs}: older than the latest price of {source} for {underlying}"),
            EntryOutcome.Unrouted => PriceSubmitResult.Rejected("source",
                $"source '{source}': {underlying} already has {_options.MaxSourcesPerUnderlying} sources"),
            _ => PriceSubmitResult.Rejected("source", $"source '{source}': the source table is full"),
        };
    }

    /// <summary>Re-evaluates every index at the grid clock's now (a silent source ages into staleness without a
    /// tick) and publishes a change. The price-feed actor calls it on a timer.</summary>
    public void Evaluate()
    {
        lock (_writeGate)
        {
            EvaluateAll(_clock.NowMs);
            PublishVersion();
        }
    }

    /// <summary>True when <paramref name="next"/> fits this view (same underlyings; minSources no more than
    /// <see cref="PriceViewOptions.MaxSourcesPerUnderlying"/>); otherwise false with the key and why.</summary>
    public bool CanApply(RiskParams next, out string? field, out string? error)
    {
        ArgumentNullException.ThrowIfNull(next);
        for (var u = 0; u < Math.Max(_underlyings.Length, next.Underlyings.Count); u++)
        {
            if (u >= next.Underlyings.Count || u >= _underlyings.Length
                || next.Underlyings[u].Name != _underlyings[u].Name)
            {
                field = "underlyings";
                error = "underlyings: the price view has other underlyings";
                return false;
            }
            var min = OracleParams(next, next.Underlyings[u].Name).MinSourcesFor(_options.MaxSourcesPerUnderlying);
            if (min > _options.MaxSourcesPerUnderlying)
            {
                field = "prices.minSources";
                error = $"prices.minSources = {min}: exceeds the {_options.MaxSourcesPerUnderlying} sources an " +
                        "underlying may have here (riskgrid.feed.oracle)";
                return false;
            }
        }
        field = error = null;
        return true;
    }

    /// <summary>
    /// Puts <paramref name="next"/> in effect (a run-time parameter change) keeping every source's prices, each index,
    /// the wick guards and the volatility estimates: each oracle and estimator takes the new parameters, the market is
    /// rebound, every index is re-evaluated at the grid clock's now and the change is published (a new version, so
    /// every snapshot and risk array taken from now on uses the new parameters). Refused, changing nothing, when it
    /// does not fit (<see cref="CanApply"/>).
    /// </summary>
    public bool TryApply(RiskParams next, out string? field, out string? error)
    {
        ArgumentNullException.ThrowIfNull(next);
        lock (_writeGate)
        {
            if (!CanApply(next, out field, out error))
            {
                return false;
            }
            for (var u = 0; u < _underlyings.Length; u++)
            {
                var underlying = next.Underlyings[u];
                _underlyings[u].Oracle.Reconfigure(OracleParams(next, underlying.Name));
                _underlyings[u].Vol.Reconfigure(underlying, next.Volatility);
            }
            Volatile.Write(ref _params, next);
            _market.Rebind(next);
            EvaluateAll(_clock.NowMs);
            PublishVersion();
            return true;
        }
    }

    /// <summary>Copies the oracle state of every underlying (id order) as of the last evaluation.</summary>
    public void CopyOracleStates(Span<OracleSnapshot> destination)
    {
        lock (_writeGate)
        {
            for (var u = 0; u < _underlyings.Length && u < destination.Length; u++)
            {
                destination[u] = _underlyings[u].Oracle.Snapshot;
            }
        }
    }

    /// <summary>Copies the frame-sequence counters of each feed publisher seen (at most
    /// <paramref name="destination"/>'s length) and returns how many were copied.</summary>
    public int CopyPublisherStats(Span<PublisherFrameStats> destination)
    {
        lock (_writeGate)
        {
            var copied = 0;
            for (var p = 0; p < _filter.PublisherCount && copied < destination.Length; p++)
            {
                var stats = _filter.GetPublisherStats(p);
                if (stats.PublisherId != ManualPublisherId)
                {
                    destination[copied++] = stats;
                }
            }

            return copied;
        }
    }

    /// <summary>When v^IM or v^MM of <paramref name="underlyingId"/> moved beyond journalThreshold since last
    /// reported (§7), marks them reported and returns true with the new values.</summary>
    public bool TryTakeMultiplierChange(int underlyingId, out double initial, out double maintenance)
    {
        lock (_writeGate)
        {
            var vol = _underlyings[underlyingId].Vol;
            initial = vol.InitialMultiplier;
            maintenance = vol.MaintenanceMultiplier;
            if (!vol.ShouldReport)
            {
                return false;
            }

            vol.MarkReported();
            return true;
        }
    }

    /// <summary>The latest funding rate of <paramref name="perpetual"/>; false when none arrived.</summary>
    public bool TryGetFundingRate(InstrumentId perpetual, out double rate, out long fundingTimeMs)
    {
        lock (_writeGate)
        {
            var id = perpetual.Value;
            if ((uint)id < (uint)_funding.Length && _funding[id].Has)
            {
                rate = _funding[id].Rate;
                fundingTimeMs = _funding[id].TimeMs;
                return true;
            }
        }

        rate = double.NaN;
        fundingTimeMs = 0;
        return false;
    }

    /// <summary>Notifies <paramref name="onChanged"/> (with the new version) when prices change, at most once
    /// until the consumer calls <see cref="PriceSubscription.Take"/>. The callback runs on the writer's thread and
    /// must return at once (signal, <c>Tell</c>): never block or compute in it.</summary>
    public PriceSubscription Subscribe(Action<long> onChanged)
    {
        ArgumentNullException.ThrowIfNull(onChanged);
        var subscription = new PriceSubscription(this, onChanged);
        lock (_writeGate)
        {
            _subscriptions = [.. _subscriptions, subscription];
        }

        return subscription;
    }

    /// <summary>Tells <paramref name="consumer"/> a <see cref="PricesChanged"/> when prices change, at most one
    /// pending: the actor re-arms it with <see cref="PriceSubscription.Take"/>.</summary>
    public PriceSubscription Subscribe(IActorRef consumer)
    {
        ArgumentNullException.ThrowIfNull(consumer);
        PriceSubscription? subscription = null;
        subscription = Subscribe(version => consumer.Tell(new PricesChanged(version, subscription!)));
        return subscription;
    }

    internal void Unsubscribe(PriceSubscription subscription)
    {
        lock (_writeGate)
        {
            _subscriptions = [.. _subscriptions.Where(s => !ReferenceEquals(s, subscription))];
        }
    }

    /// <summary>Lists a transport subscriber whose counters <see cref="Report"/> shows under Feeds.</summary>
    internal void AttachFeed(ITickSubscriber subscriber)
    {
        lock (_writeGate)
        {
            _feeds = [.. _feeds, subscriber];
        }
    }

    private void EvaluateAll(long nowMs)
    {
        for (var u = 0; u < _underlyings.Length; u++)
        {
            EvaluateUnderlying(u, nowMs);
        }

        _evaluatedMs = Math.Max(_evaluatedMs, nowMs);
    }

    private void EvaluateUnderlying(int u, long nowMs)
    {
        var state = _underlyings[u];
        var snapshot = state.Oracle.Evaluate(nowMs);
        var canLiquidate = snapshot.CanLiquidate;
        if (!double.IsNaN(snapshot.Index))
        {
            if (snapshot.Index != _market.Index(u) || canLiquidate != _market.IsFresh(u))
            {
                _market.SetIndex(u, snapshot.Index, canLiquidate);
            }
        }
        else if (_market.IsFresh(u))
        {
            _market.SetFresh(u, false);
        }

        var vol = state.Vol;
        if (snapshot.Status is OracleStatus.Fresh or OracleStatus.WickGuarded)
        {
            vol.Update(snapshot.Index, snapshot.AsOfMs);
        }
        else
        {
            vol.AdvanceTo(snapshot.AsOfMs);
        }

        var sigma = vol.AnnualisedVolatility;
        if (sigma != _market.Volatility(u))
        {
            _market.SetVolatility(u, sigma);
        }

        var initial = vol.InitialMultiplier;
        var maintenance = vol.MaintenanceMultiplier;
        if (MultiplierMoved(initial, _market.InitialMultiplier(u), initial)
            || MultiplierMoved(maintenance, _market.MaintenanceMultiplier(u), initial))
        {
            _market.SetMultipliers(u, initial, maintenance);
        }
    }

    // v^MM ramps continuously: follow it in steps of 0.01 %, and exactly when it reaches v^IM or 1.
    private static bool MultiplierMoved(double value, double current, double target) =>
        value != current
        && (Math.Abs(value - current) > MultiplierResolution * current || value == target || value == 1);

    private void PublishVersion()
    {
        var version = _market.Version;
        if (version == _writerVersion)
        {
            return;
        }

        Volatile.Write(ref _writerVersion, version);
        foreach (var subscription in _subscriptions)
        {
            subscription.Signal(version);
        }
    }

    // §8: minSources "auto" is 2 where two or more sources are expected for the underlying, else 1.
    private PriceParams OracleParams(RiskParams parameters, string underlying)
    {
        var expected = _options.ExpectedSourcesFor(underlying);
        return parameters.Prices.MinSources is null
            ? parameters.Prices with { MinSources = expected >= 2 ? 2 : 1 }
            : parameters.Prices;
    }

    private MarketSnapshot BuildSnapshot()
    {
        var copy = new MarketState(_market.Params);
        copy.CopyFrom(_market);
        copy.SetAsOf(_evaluatedMs);
        var oracles = new OracleSnapshot[_underlyings.Length];
        for (var u = 0; u < oracles.Length; u++)
        {
            oracles[u] = _underlyings[u].Oracle.Snapshot;
        }

        var version = _market.Version;
        Volatile.Write(ref _writerVersion, version);
        return new MarketSnapshot(version, copy, _catalog, oracles);
    }

    private string UnderlyingNames() => string.Join(", ", _underlyings.Select(u => u.Name));

    private enum EntryOutcome
    {
        Applied,
        NonFinite,
        Zero,
        Negative,
        Duplicate,
        OutOfOrder,
        FutureDated,
        SnapshotRepeat,
        Unrouted,
        Untracked,
    }

    private struct SourceCounters
    {
        public long Accepted;
        public long Gaps;
        public long Unrouted;
        public long TimeRegressions;
        public long FutureDated;
        public long LastTickMs;
        public bool HasTick;
    }

    private readonly record struct FundingState(bool Has, int Source, double Rate, long TimeMs);

    private sealed class UnderlyingState(string name, int maxSources, OracleIndex oracle, VolatilityEstimator vol)
    {
        private readonly int[] _sourceOfSlot = new int[maxSources];

        public string Name { get; } = name;

        public OracleIndex Oracle { get; } = oracle;

        public VolatilityEstimator Vol { get; } = vol;

        public int SlotCount { get; private set; }

        public int SourceOfSlot(int slot) => _sourceOfSlot[slot];

        public int AddSource(int source)
        {
            if (SlotCount == _sourceOfSlot.Length)
            {
                return RouteFull;
            }

            _sourceOfSlot[SlotCount] = source;
            return SlotCount++;
        }
    }
}

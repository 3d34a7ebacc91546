using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using HdrHistogram;
using RiskGrid.Cli.Feed;
using RiskGrid.Cli.Stress.Report;
using RiskGrid.Feed.Replay;
using RiskGrid.Margin.Liquidation;
using RiskGrid.Node.Accounts;
using RiskGrid.Node.Books;
using RiskGrid.Node.Hosting;
using RiskGrid.Node.Prices;
using RiskGrid.Node.Supervision;

namespace RiskGrid.Cli.Stress;

/// <summary>Progress of a run, for the progress bar.</summary>
internal sealed record StressProgress(string Phase, double Fraction, long MarketMs, double TicksPerSecond,
    long Liquidations);

/// <summary>
/// One stress run: a one-node grid (SQLite journal under the output directory, stepped supervisor), a seeded book
/// opened through <see cref="AccountImport"/>, then the crash replayed at full speed in market steps: each step's
/// ticks go through the node's price view (the oracle path of every feed: filters, median, staleness, wick guard,
/// volatility), then the grid settles (<see cref="SteppedDriver"/>): every evaluation, liquidation, fee, payout and
/// ADL the step causes is done before the next step. The market waits for the grid, which is what makes a run
/// reproducible: the same seed, data and parameters give the same liquidations, fund and ADL.
/// </summary>
internal sealed class StressLab
{
    private const int MaxPointsPerSeries = 2_000;
    private readonly StressOptions _options;
    private readonly Action<StressProgress> _progress;

    public StressLab(StressOptions options, Action<StressProgress> progress)
    {
        _options = options;
        _progress = progress;
    }

    public async Task<StressReportData> RunAsync(CancellationToken cancellationToken)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var wall = Stopwatch.StartNew();
        if (!ReplayPlan.TryOpen(_options.DataFiles, _options.SyntheticSeed, ReplaySpeed.Max, long.MinValue,
                long.MaxValue, out var plan, out var problem))
        {
            throw new StressException(problem);
        }
        using var _ = plan;
        var journalDir = Path.Combine(_options.OutputDirectory, "journal");
        if (Directory.Exists(journalDir))
        {
            Directory.Delete(journalDir, recursive: true);
        }
        Directory.CreateDirectory(journalDir);
        // Data files alone give the plan no start time (0): the first tick's time is the start.
        var firstTick = (RecordedTick?)null;
        var startMs = plan.StartMs;
        if (_options.SyntheticSeed is null && plan.Ticks.TryRead(out var first))
        {
            firstTick = first;
            startMs = first.TsMs;
        }
        var clock = new DataGridClock(startMs);
        var settings = NodeSettings.From(NodeConfig.Load(null, ConfigurationFactory.ParseString(_options.ExtraHocon)
            .WithFallback(ConfigurationFactory.ParseString($$"""
                riskgrid.node {
                    data-dir = "{{journalDir.Replace("\\", "/", StringComparison.Ordinal)}}"
                    remote.port = 0
                    http.port = 0
                    journal.sqlite.synchronous = normal
                }
                riskgrid.supervisor { stepped = on, parallelism = 64, census-interval = 1h }
                akka.loglevel = WARNING
                """))));
        await using var node = await GridNode.StartAsync(settings, clock, cancellationToken).ConfigureAwait(false);
        await WaitReadyAsync(node, cancellationToken).ConfigureAwait(false);

        var streams = plan.Streams.Select(s => (Source: s.Source.ToString(), Underlying: s.Symbol.ToString())).ToArray();
        var series = new SeriesRecorder(node);
        var ticks = plan.Ticks;
        var pending = firstTick;
        long ticksApplied = 0, ticksRefused = 0;

        // Prime: the first minute of data sets the start market the book is opened at.
        var primeEnd = startMs + 60_000;
        (pending, ticksApplied, ticksRefused) = Apply(node, ticks, streams, pending, primeEnd, startMs, ticksApplied,
            ticksRefused);
        var indices = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var u in node.Catalog.Params.Underlyings)
        {
            var idx = node.Prices.Current.Market.Index(node.Catalog.Params.UnderlyingId(u.Name));
            if (double.IsFinite(idx))
            {
                indices[u.Name] = idx;
            }
        }
        if (indices.Count == 0)
        {
            throw new StressException("the first minute of data priced no underlying");
        }

        // The book.
        var spec = BookSpec.LoadFile(_options.BookFile) with { Accounts = _options.Accounts };
        var generator = new BookGenerator(spec, node.Catalog, new StartMarket(clock.NowMs, indices));
        var summary = new BookSummary();
        var isolated = new HashSet<(string, string)>();
        IEnumerable<(string, IReadOnlyList<IAccountCommand>)> Openings()
        {
            foreach (var opening in generator.Generate(_options.Seed, 1, _options.Accounts))
            {
                summary.Add(opening);
                var commands = _options.IsolateEverything ? StressBooks.Isolate(opening, node.Catalog) : opening.Commands;
                foreach (var c in commands)
                {
                    if (c is SetIsolatedMargin s)
                    {
                        isolated.Add((s.AccountId, s.Instrument));
                    }
                }
                yield return (opening.AccountId, commands);
            }
        }
        var import = await node.Import.ImportAsync(Openings(), 1_000,
            n => _progress(new StressProgress("opening the book", (double)n / _options.Accounts, clock.NowMs, 0, 0)),
            cancellationToken).ConfigureAwait(false);
        if (import.Refused.Count > 0 && !_options.IsolateEverything)
        {
            throw new StressException($"{import.Refused.Count} accounts refused, first: {import.Refused[0]}");
        }
        var fundOpening = (await Fund(node, cancellationToken).ConfigureAwait(false)).BalanceMicros;
        await SteppedDriver.SettleAsync(node.Supervisor, sweep: true, TimeSpan.FromMinutes(5), cancellationToken)
            .ConfigureAwait(false);
        var health = new HealthHistogram();
        foreach (var h in (await node.Supervisor.Ask<HealthList>(GetHealths.Instance, TimeSpan.FromMinutes(1), cancellationToken)
                     .ConfigureAwait(false)).Healths)
        {
            health.AddBefore(h);
        }
        series.Record(clock.NowMs, fundOpening);

        // The replay, step by step.
        var settle = new LongHistogram(3_600_000_000, 3);
        var endMs = plan.EndMs ?? long.MaxValue;
        var replayWall = Stopwatch.StartNew();
        var marketFrom = clock.NowMs;
        var stepEnd = primeEnd;
        var steps = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (pending is null)
            {
                if (!ticks.TryRead(out var next))
                {
                    break;
                }
                pending = next;
            }
            // A gap in the data is crossed in one step: the data clock stands still without ticks anyway.
            stepEnd = Math.Max(stepEnd + _options.StepMs,
                pending.Value.TsMs - (pending.Value.TsMs - stepEnd) % _options.StepMs + _options.StepMs);
            (pending, ticksApplied, ticksRefused) = Apply(node, ticks, streams, pending, stepEnd, startMs,
                ticksApplied, ticksRefused);
            node.Prices.Evaluate();
            var t0 = Stopwatch.GetTimestamp();
            await SteppedDriver.SettleAsync(node.Supervisor, sweep: ++steps % 30 == 0, TimeSpan.FromMinutes(5),
                cancellationToken).ConfigureAwait(false);
            settle.RecordValue(Math.Min(settle.HighestTrackableValue,
                (Stopwatch.GetTimestamp() - t0) * 1_000_000 / Stopwatch.Frequency));
            if (steps % 10 == 0 || pending is null)
            {
                series.Record(clock.NowMs, (await Fund(node, cancellationToken).ConfigureAwait(false)).BalanceMicros);
                var fraction = endMs == long.MaxValue ? 0 : Math.Clamp((double)(clock.NowMs - startMs) /
                    Math.Max(1, endMs - startMs), 0, 1);
                _progress(new StressProgress("replaying", fraction, clock.NowMs,
                    ticksApplied / Math.Max(1e-9, replayWall.Elapsed.TotalSeconds), node.RiskMetrics.Liquidations(0) +
                    node.RiskMetrics.Liquidations(1) + node.RiskMetrics.Liquidations(2)));
            }
        }
        var marketTo = clock.NowMs;
        var replaySeconds = replayWall.Elapsed.TotalSeconds;
        await SteppedDriver.SettleAsync(node.Supervisor, sweep: true, TimeSpan.FromMinutes(5), cancellationToken)
            .ConfigureAwait(false);
        foreach (var h in (await node.Supervisor.Ask<HealthList>(GetHealths.Instance, TimeSpan.FromMinutes(1), cancellationToken)
                     .ConfigureAwait(false)).Healths)
        {
            health.AddAfter(h);
        }
        var fund = await Fund(node, cancellationToken).ConfigureAwait(false);
        series.Record(clock.NowMs, fund.BalanceMicros);

        // What happened, from the journal.
        var reductions = await LiquidationsAsync(node, cancellationToken).ConfigureAwait(false);
        var payouts = await CountTaggedAsync(node, AccountEntity.InsuranceTag, cancellationToken).ConfigureAwait(false);
        var metrics = node.RiskMetrics;
        var marketSeconds = (marketTo - marketFrom) / 1000.0;
        var run = new StressRunInfo(_options.ScenarioName, _options.Seed,
            _options.DataFiles.Count > 0 ? _options.DataFiles : [$"synthetic crash, seed {_options.SyntheticSeed}"],
            _options.Accounts, summary.Positions, Parameters(node, summary), startedAt, DateTimeOffset.UtcNow,
            wall.Elapsed.TotalSeconds, DateTimeOffset.FromUnixTimeMilliseconds(marketFrom),
            DateTimeOffset.FromUnixTimeMilliseconds(marketTo), marketSeconds,
            marketSeconds / Math.Max(1e-9, replaySeconds), ticksApplied, ticksApplied / Math.Max(1e-9, replaySeconds));
        return new StressReportData(run, series.Prices(), Timeline(reductions, marketFrom, marketTo),
            Totals(reductions, node), FundReport(fundOpening, fund, series, payouts, reductions, node),
            health.ToComparison(), Contagion(reductions, isolated),
            new RecoveryTimes(
                PercentileSet.FromHistogram("breach → first reduction (market time)",
                    metrics.BreachToFirstReductionMarket.Copy(), 1_000),
                PercentileSet.FromHistogram("breach → health restored (market time)",
                    metrics.BreachToRestoredMarket.Copy(), 1_000)),
            new GridLatency(
                PercentileSet.FromHistogram("market step → grid settled (wall)", settle, 1_000),
                PercentileSet.FromHistogram("incremental evaluation batch (wall)", metrics.IncrementalBatch.Copy(), 1_000),
                PercentileSet.FromHistogram("journal write (wall)", node.Accounts.JournalWrites.Copy(), 1_000)));
    }

    // Applies ticks up to stepEndMs (exclusive) through the price view; returns the first tick of the next step.
    private (RecordedTick?, long, long) Apply(GridNode node, IRecordedTickSource ticks,
        (string Source, string Underlying)[] streams, RecordedTick? pending, long stepEndMs, long startMs, long applied,
        long refused)
    {
        var tick = pending;
        while (true)
        {
            if (tick is null)
            {
                if (!ticks.TryRead(out var t))
                {
                    return (null, applied, refused);
                }
                tick = t;
            }
            var value = tick.Value;
            if (value.TsMs >= stepEndMs)
            {
                return (value, applied, refused);
            }
            var (source, underlying) = streams[value.FileIndex];
            var price = _options.Shock is { } shock
                ? shock.Apply(startMs, value.TsMs, source, underlying, value.Price)
                : value.Price;
            if (price is { } p)
            {
                if (node.Prices.Submit(source, underlying, p, value.TsMs).IsAccepted)
                {
                    applied++;
                }
                else
                {
                    refused++;
                }
            }
            tick = null;
        }
    }

    private static async Task<FundView> Fund(GridNode node, CancellationToken cancellationToken) =>
        await node.InsuranceFund.Ask<FundView>(GetFund.Instance, TimeSpan.FromSeconds(30), cancellationToken)
            .ConfigureAwait(false);

    private static async Task<List<(string AccountId, ReductionApplied Event)>> LiquidationsAsync(GridNode node,
        CancellationToken cancellationToken)
    {
        var journal = PersistenceQuery.Get(node.System).ReadJournalFor<SqlReadJournal>(GridNode.ReadJournalPluginId);
        var envelopes = await journal.CurrentEventsByTag(AccountEntity.LiquidationTag, Offset.NoOffset())
            .RunWith(Sink.Seq<EventEnvelope>(), node.System.Materializer())
            .WaitAsync(TimeSpan.FromMinutes(2), cancellationToken).ConfigureAwait(false);
        return envelopes
            .Where(e => e.Event is ReductionApplied)
            .Select(e => (e.PersistenceId[AccountEntity.PersistencePrefix.Length..], (ReductionApplied)e.Event))
            .OrderBy(x => x.Item2.AtMs).ThenBy(x => x.Item1, StringComparer.Ordinal)
            .ThenBy(x => x.Item2.CommandId, StringComparer.Ordinal)
            .ToList();
    }

    private static async Task<long> CountTaggedAsync(GridNode node, string tag, CancellationToken cancellationToken)
    {
        var journal = PersistenceQuery.Get(node.System).ReadJournalFor<SqlReadJournal>(GridNode.ReadJournalPluginId);
        return await journal.CurrentEventsByTag(tag, Offset.NoOffset())
            .RunWith(Sink.Aggregate<EventEnvelope, long>(0, (n, _) => n + 1), node.System.Materializer())
            .WaitAsync(TimeSpan.FromMinutes(2), cancellationToken).ConfigureAwait(false);
    }

    private static LiquidationTimeline Timeline(List<(string AccountId, ReductionApplied Event)> reductions, long fromMs,
        long toMs)
    {
        var span = Math.Max(1, toMs - fromMs);
        var bucketMs = Math.Max(1_000, (span / 120 + 999) / 1_000 * 1_000);
        var buckets = new Dictionary<long, long[]>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (account, r) in reductions)
        {
            var key = r.Kind == ReductionKind.AutoDeleveraging ? r.CommandId : r.LiquidationId;
            if (!seen.Add(key))
            {
                continue;
            }
            var b = fromMs + (r.AtMs - fromMs) / bucketMs * bucketMs;
            if (!buckets.TryGetValue(b, out var counts))
            {
                counts = new long[4];
                buckets[b] = counts;
            }
            counts[r.Kind == ReductionKind.AutoDeleveraging ? 3 : r.Plan switch
            {
                LiquidationKind.Partial => 0,
                LiquidationKind.Backstop => 1,
                _ => 2,
            }]++;
        }
        var list = new List<LiquidationBucket>();
        for (var b = fromMs; b <= toMs; b += bucketMs)
        {
            var c = buckets.GetValueOrDefault(b) ?? new long[4];
            list.Add(new LiquidationBucket(b, c[0], c[1], c[2], c[3]));
        }
        return new LiquidationTimeline(bucketMs, list);
    }

    private LiquidationTotals Totals(List<(string AccountId, ReductionApplied Event)> reductions, GridNode node)
    {
        var liquidated = reductions.Where(x => x.Event.Kind == ReductionKind.Liquidation).ToList();
        return new LiquidationTotals(_options.Accounts, liquidated.Select(x => x.AccountId).Distinct().LongCount(),
            liquidated.Count, liquidated.Sum(x => x.Event.FeeMicros),
            liquidated.Sum(x => Notional(node, x.Event)));
    }

    private static long Notional(GridNode node, ReductionApplied r)
    {
        var ins = node.Catalog.Resolve(r.Instrument);
        return (long)Math.Round(Math.Abs(ins.Units(r.SizeLots)) * r.Price * 1_000_000);
    }

    private static InsuranceFundReport FundReport(long opening, FundView fund, SeriesRecorder series, long payouts,
        List<(string AccountId, ReductionApplied Event)> reductions, GridNode node)
    {
        var adl = reductions.Where(x => x.Event.Kind == ReductionKind.AutoDeleveraging).ToList();
        return new InsuranceFundReport(opening, fund.BalanceMicros, series.Fund, payouts,
            fund.PayoutsMicros, fund.BadDebtMicros, adl.Count, adl.Sum(x => Notional(node, x.Event)));
    }

    // Cross accounts that had a leg closed in profit by a liquidation (contagion through the shared pool), against
    // isolated positions closed in profit (which an isolated pool cannot do to itself).
    private static ContagionComparison Contagion(List<(string AccountId, ReductionApplied Event)> reductions,
        HashSet<(string, string)> isolated)
    {
        var cross = new HashSet<string>(StringComparer.Ordinal);
        var iso = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (account, r) in reductions)
        {
            if (r.Kind != ReductionKind.Liquidation || r.RealisedPnlMicros <= 0)
            {
                continue;
            }
            (isolated.Contains((account, r.Instrument)) ? iso : cross).Add(account);
        }
        return new ContagionComparison(cross.Count, iso.Count,
            "Accounts with at least one leg closed in profit by a liquidation. In the cross pool a losing leg " +
            "drags the profitable ones down with it; an isolated position is liquidated only for its own loss. " +
            "Run the cross-vs-isolated scenario for the same book opened all isolated.");
    }

    private IReadOnlyList<ReportParameter> Parameters(GridNode node, BookSummary summary)
    {
        var p = node.Catalog.Params;
        var s = node.SupervisorSettings;
        string F(double x) => x.ToString("0.####", CultureInfo.InvariantCulture);
        return
        [
            new("book", $"{Path.GetFileName(_options.BookFile)}, {_options.Accounts:N0} accounts, seed {_options.Seed}"),
            new("book mix", summary.ToString().Replace(Environment.NewLine, "; ", StringComparison.Ordinal)),
            new("targetHealth / backstopHealth", $"{F(p.Liquidation.TargetHealth)} / {F(p.Liquidation.BackstopHealth)}"),
            new("liquidation fee / slippage", $"{F(p.Liquidation.LiquidationFee)} / {F(p.Liquidation.LiquidationSlippage)}"),
            new("cooldown", $"{p.Liquidation.CooldownMs} ms"),
            new("staleMs / jumpFraction / confirmMs",
                $"{p.Prices.StaleMs} / {F(p.Prices.JumpFraction)} / {p.Prices.ConfirmMs}"),
            new("liquidity budget (default)", $"{s.DefaultLiquidityBudgetUsdPerSecond:N0} USD/s per instrument"),
            new("insurance fund opening", $"{s.FundInitialBalanceMicros / 1e6:N0} USD"),
            new("market step", $"{_options.StepMs} ms"),
            new("shock", _options.Shock is { } k ? $"{k.Kind} {F(k.Magnitude)} at +{k.AtOffsetMs / 1000} s" : "none"),
            new("positions", _options.IsolateEverything ? "every linear position isolated" : "as the book says"),
        ];
    }

    private static async Task WaitReadyAsync(GridNode node, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!(await node.CheckReadyAsync(cancellationToken).ConfigureAwait(false)).IsReady)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new StressException("the node did not become ready within 60 s");
            }
            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }

    // Index and per-source prices, and the fund's balance, sampled per recorded step and thinned to the cap.
    private sealed class SeriesRecorder(GridNode node)
    {
        private readonly GridNode _node = node;
        private readonly Dictionary<string, List<PricePoint>> _index = new(StringComparer.Ordinal);
        private readonly Dictionary<(string, string), List<PricePoint>> _sources = [];
        private readonly List<FundBalancePoint> _fund = [];

        public List<FundBalancePoint> Fund => Thin(_fund);

        public void Record(long nowMs, long fundMicros)
        {
            var report = _node.Prices.Report();
            foreach (var u in report.Underlyings)
            {
                if (double.IsFinite(u.Index))
                {
                    Add(_index, u.Underlying, new PricePoint(nowMs, u.Index));
                }
                foreach (var s in u.Sources)
                {
                    if (double.IsFinite(s.LastPrice))
                    {
                        Add(_sources, (u.Underlying, s.Source), new PricePoint(nowMs, s.LastPrice));
                    }
                }
            }
            _fund.Add(new FundBalancePoint(nowMs, fundMicros));
        }

        public List<UnderlyingPrices> Prices()
        {
            var list = new List<UnderlyingPrices>();
            foreach (var (name, points) in _index.OrderBy(x => x.Key, StringComparer.Ordinal))
            {
                var sources = _sources.Where(x => x.Key.Item1 == name).OrderBy(x => x.Key.Item2, StringComparer.Ordinal)
                    .Select(x => new SourcePrices(x.Key.Item2, Thin(x.Value))).ToList();
                list.Add(new UnderlyingPrices(name, Thin(points), sources));
            }
            return list;
        }

        private static void Add<TKey>(Dictionary<TKey, List<PricePoint>> d, TKey key, PricePoint p)
            where TKey : notnull
        {
            if (!d.TryGetValue(key, out var list))
            {
                list = [];
                d[key] = list;
            }
            list.Add(p);
        }

        private static List<T> Thin<T>(List<T> points)
        {
            if (points.Count <= MaxPointsPerSeries)
            {
                return points;
            }
            var step = (double)points.Count / MaxPointsPerSeries;
            var thin = new List<T>(MaxPointsPerSeries + 1);
            for (var i = 0.0; i < points.Count; i += step)
            {
                thin.Add(points[(int)i]);
            }
            thin.Add(points[^1]);
            return thin;
        }
    }
}

/// <summary>A stress run that cannot start or finish (bad data, a refused book): exit status 2.</summary>
internal sealed class StressException(string message) : Exception(message);

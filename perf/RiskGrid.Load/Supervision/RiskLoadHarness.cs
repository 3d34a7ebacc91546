using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using HdrHistogram;
using RiskGrid.Load.Accounts;
using RiskGrid.Node.Books;
using RiskGrid.Node.Hosting;
using RiskGrid.Node.Supervision;
using RiskGrid.Node.Time;
using static RiskGrid.Load.Supervision.SupervisorProbe;

namespace RiskGrid.Load.Supervision;

/// <summary>
/// <c>risk-load</c> — OneNodeRiskSupervisor (issue 11): one node in-process on a manual grid clock, a generated book
/// (<c>config/books/default.conf</c>, 100,000 accounts by default) opened through the entities on SQLite or
/// PostgreSQL; then (b) steady index ticks over BTC, ETH and SOL, open model on the wall clock: the supervisor's
/// tick-to-decision and evaluations per tick, and its full sweeps; (c) a single move of every index: submit → every
/// affected account re-evaluated and every liquidation enqueued, with the supervisor's state checked right after;
/// (d) a crash over a minute of grid time run faster than real time: heap, liquidation queue, deferrals,
/// liquidations by kind, and how long any liquidatable, unblocked account went unattended.
/// </summary>
internal static class RiskLoadHarness
{
    /// <summary>The grid clock at the start: 2026-11-18 (the book's futures and options are dated from it).</summary>
    private const long StartMs = 1_795_000_000_000;

    public static Command Command()
    {
        var journal = new Option<string>("--journal") { Description = "sqlite or postgres", DefaultValueFactory = _ => "postgres" };
        journal.AcceptOnlyFromAmong("sqlite", "postgres");
        var accounts = new Option<int>("--accounts") { DefaultValueFactory = _ => 100_000 };
        var book = new Option<string?>("--book") { Description = "Book spec (default: config/books/default.conf)" };
        var seed = new Option<long>("--seed") { DefaultValueFactory = _ => 20_261_121 };
        var open = new Option<string>("--open") { Description = "entities (every command through its entity) or import (AccountImport, straight into the journal)", DefaultValueFactory = _ => "entities" };
        open.AcceptOnlyFromAmong("entities", "import");
        var openParallelism = new Option<int>("--open-parallelism") { Description = "Accounts opened at once", DefaultValueFactory = _ => 1_000 };
        var rate = new Option<int>("--rate") { Description = "Steady index ticks per second (all underlyings)", DefaultValueFactory = _ => 1_000 };
        var seconds = new Option<double>("--seconds") { Description = "Measured steady time", DefaultValueFactory = _ => 25 };
        var warmup = new Option<double>("--warmup") { Description = "Unmeasured steady time first", DefaultValueFactory = _ => 5 };
        var volScale = new Option<double>("--vol-scale") { Description = "Random walk volatility as a multiple of refVol", DefaultValueFactory = _ => 1 };
        var move = new Option<double>("--move") { Description = "The single move of every index (fraction, down)", DefaultValueFactory = _ => 0.01 };
        var moves = new Option<int>("--moves") { Description = "Single moves measured one after another", DefaultValueFactory = _ => 3 };
        var crash = new Option<double>("--crash") { Description = "Crash depth (fraction)", DefaultValueFactory = _ => 0.30 };
        var crashSeconds = new Option<double>("--crash-seconds") { Description = "Crash length, grid-clock seconds", DefaultValueFactory = _ => 60 };
        var speed = new Option<double>("--crash-speed") { Description = "Grid clock ÷ wall clock during the crash", DefaultValueFactory = _ => 4 };
        var crashTick = new Option<long>("--crash-tick-ms") { Description = "Grid ms between index ticks in the crash", DefaultValueFactory = _ => 10 };
        var sampleMs = new Option<int>("--sample-ms") { Description = "Wall ms between samples of the supervisor in the crash", DefaultValueFactory = _ => 25 };
        var drain = new Option<double>("--drain-seconds") { Description = "Longest wait after the crash for the engine to settle (wall)", DefaultValueFactory = _ => 90 };
        var hocon = new Option<string?>("--hocon") { Description = "Extra HOCON for the node" };
        var phases = new Option<string>("--phases") { Description = "Phases after opening the book: any of b (steady ticks), c (single moves), d (crash)", DefaultValueFactory = _ => "bcd" };
        var command = new Command("risk-load", "Supervisor and liquidation engine on one node: ticks, a move, a crash (HdrHistogram)")
        {
            journal, accounts, book, seed, open, openParallelism, rate, seconds, warmup, volScale, move, moves, crash,
            crashSeconds, speed, crashTick, sampleMs, drain, hocon, phases,
        };
        command.SetAction(async (parse, _) =>
        {
            var options = new RiskLoadOptions(parse.GetValue(journal)!, parse.GetValue(accounts),
                parse.GetValue(book) ?? FindDefaultBook(), parse.GetValue(seed), parse.GetValue(open)!,
                parse.GetValue(openParallelism),
                parse.GetValue(rate), parse.GetValue(seconds), parse.GetValue(warmup), parse.GetValue(volScale),
                parse.GetValue(move), Math.Max(1, parse.GetValue(moves)),
                new CrashPlan(parse.GetValue(crash), (long)(parse.GetValue(crashSeconds) * 1000), parse.GetValue(speed),
                    Math.Max(1, parse.GetValue(crashTick)), Math.Max(1, parse.GetValue(sampleMs)), parse.GetValue(drain)),
                parse.GetValue(hocon) ?? "", parse.GetValue(phases)!);
            return await RunAsync(options).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> RunAsync(RiskLoadOptions o)
    {
        Console.WriteLine("command: dotnet run -c Release --project perf/RiskGrid.Load -- " +
                          string.Join(' ', Environment.GetCommandLineArgs().Skip(1)));
        if (Environment.ProcessorCount < 4)
        {
            Console.WriteLine($"warning: {Environment.ProcessorCount} cores, this harness wants 4 (the supervisor, the " +
                              "tick sender, the entities and the journal, plus PostgreSQL): they share cores and the figures include that");
        }
        var spec = BookSpec.LoadFile(o.Book) with { Accounts = o.Accounts };
        var clock = new ManualGridClock(StartMs);
        var nodeHocon = $$"""
            riskgrid.feed {
              subscribe = ["inproc://risk-load-no-feed"]
              oracle.expectedSources { BTC = 1, ETH = 1, SOL = 1 }
            }
            {{o.Hocon}}
            """;
        await using var grid = await GridUnderLoad.StartAsync(o.Journal, withApi: false, extraHocon: nodeHocon,
            clock: clock);
        var node = grid.Node;
        var start = StartMarket.Default(StartMs);
        var driver = new IndexDriver(node.Prices, clock, start.Indices, (int)o.Seed);
        driver.SubmitAll(driver.Price, StartMs);
        Console.WriteLine($"    load average at start: {LoadAverage()}");
        Console.WriteLine($"risk-load: journal={o.Journal} accounts={o.Accounts:N0} book={Path.GetFileName(o.Book)} " +
                          $"seed={o.Seed} cores={Environment.ProcessorCount} gc={(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")}");
        var results = new RiskLoadResults { QueueCapacity = node.SupervisorSettings.QueueCapacity };

        // (a) The book.
        var generator = new BookGenerator(spec, node.Catalog, start);
        var load = o.Open == "import"
            ? await BookLoader.ImportAsync(node, generator, o.Seed, o.Accounts, Console.Out).ConfigureAwait(false)
            : await BookLoader.OpenAsync(node, generator, o.Seed, o.Accounts, o.OpenParallelism, Console.Out)
                .ConfigureAwait(false);
        results.Load = load;
        Console.WriteLine(Inv($"(a) opened ({o.Open}) {load.Accounts:N0} accounts ({load.SubAccounts:N0} sub-accounts, {load.Commands:N0} commands) in {load.Elapsed.TotalSeconds:F1} s: {load.AccountsPerSecond:N0} accounts/s, {load.CommandsPerSecond:N0} commands/s acknowledged; rejected {load.Rejected:N0}, retried {load.Retries:N0}"));
        if (load.FirstRejection is not null)
        {
            Console.WriteLine($"    first rejection: {load.FirstRejection}");
        }
        var tracked = await WaitTrackedAsync(node, load.SubAccounts, TimeSpan.FromSeconds(120)).ConfigureAwait(false);
        var heapWithBook = GC.GetTotalMemory(forceFullCollection: true);
        results.HeapWithBook = heapWithBook;
        Console.WriteLine(Inv($"    supervisor tracks {tracked.Tracked:N0} sub-accounts ({(tracked.Tracked == load.SubAccounts ? "all" : "NOT ALL")}); liquidatable {tracked.Liquidatable}; managed heap with the book resident {heapWithBook / 1048576.0:N0} MB"));
        results.TrackedAll = tracked.Tracked == load.SubAccounts;
        results.EvaluatorOnly = EvaluatorOnly(node);
        Console.WriteLine(Inv($"    the margin core alone over the same copies (RiskEvaluator, this thread): {results.EvaluatorOnly.BaseUs:0.00} µs per sub-account, {results.EvaluatorOnly.BandUs:0.00} µs with the safe band's probes"));

        if (o.Phases.Contains('b', StringComparison.Ordinal))
        {
            await SteadyAsync(node, driver, o, results).ConfigureAwait(false);
        }
        if (o.Phases.Contains('c', StringComparison.Ordinal))
        {
            await MovesAsync(node, driver, o, results).ConfigureAwait(false);
        }
        if (o.Phases.Contains('d', StringComparison.Ordinal))
        {
            await CrashAsync(node, driver, o, results).ConfigureAwait(false);
        }
        Console.WriteLine($"    load average at the end: {LoadAverage()}");
        RiskLoadTable.Print(results, o, tracked.Tracked);
        var ok = results.TrackedAll && results.SteadyCaughtUp != false && results.MoveViolations == 0 &&
                 load.Rejected == 0 && driver.Rejected == 0;
        if (driver.Rejected > 0)
        {
            Console.WriteLine($"index ticks refused: {driver.Rejected:N0} (last: {driver.LastRejection})");
        }
        return ok ? 0 : 1;
    }

    // (d) The crash.
    private static async Task CrashAsync(GridNode node, IndexDriver driver, RiskLoadOptions o, RiskLoadResults results)
    {
        Console.WriteLine(Inv($"(d) crash: every index −{o.Crash.Fall:P0} over {o.Crash.MarketMs / 1000.0:0.#} s of grid time at {o.Crash.Speed:0.##}× (a tick per index every {o.Crash.TickMs} grid ms), then held until settled (≤ {o.Crash.DrainSeconds:0} s wall)"));
        var c = await CrashRun.RunAsync(node, driver, o.Crash).ConfigureAwait(false);
        results.Crash = c;
        PrintCrash(c, driver);
    }

    // (b) Steady ticks: warm-up, then the measured window.
    private static async Task SteadyAsync(GridNode node, IndexDriver driver, RiskLoadOptions o, RiskLoadResults r)
    {
        var metrics = node.RiskMetrics;
        var lateness = new LongHistogram(3_600_000_000, 3);
        driver.RunPaced(o.Rate, o.Warmup, o.VolScale, lateness);
        await ReportAsync(node).ConfigureAwait(false);
        lateness.Reset();
        metrics.TickToDecision.Reset();
        metrics.IncrementalBatch.Reset();
        metrics.SweepBatch.Reset();
        var before = RiskCounters.Of(metrics);
        var submitted = driver.Submitted;
        var gen2 = GC.CollectionCount(2);
        var pause = GC.GetTotalPauseDuration();
        var watch = Stopwatch.StartNew();
        driver.RunPaced(o.Rate, o.Seconds, o.VolScale, lateness);
        var lastVersion = node.Prices.Version;
        var report = await ReportAsync(node).ConfigureAwait(false);
        watch.Stop();
        var delta = RiskCounters.Of(metrics).Since(before);
        var ticks = driver.Submitted - submitted;
        var perCycle = metrics.TickToDecision.Copy();
        var perTick = PerTick(perCycle, 1_000_000 / o.Rate);
        var snapshot = node.Prices.Current;
        var ids = driver.UnderlyingIds(node.Prices.Parameters);
        var indicesOk = Enumerable.Range(0, driver.Count).All(u => snapshot.Market.Index(ids[u]) == driver.Price(u));
        r.SteadyCaughtUp = report.MarketVersion >= lastVersion && indicesOk;
        r.SteadyPerTick = perTick;
        r.SteadyPerCycle = perCycle;
        r.SteadySweeps = metrics.SweepBatch.Copy();
        r.SteadyEvaluationsPerTick = delta.Incremental / (double)Math.Max(1, ticks);
        Console.WriteLine(Inv($"(b) steady: {ticks:N0} index ticks in {watch.Elapsed.TotalSeconds:F1} s ({ticks / watch.Elapsed.TotalSeconds:N0}/s; target rate {o.Rate:N0}/s, walk at {o.VolScale:0.##}× refVol) after {o.Warmup:0.#} s warm-up"));
        Console.WriteLine($"    tick → decision, per evaluation cycle (RiskMetrics.TickToDecision): {Percentiles(perCycle)}");
        Console.WriteLine($"    tick → decision, per tick (each cycle re-recorded with the {1_000_000 / o.Rate} µs tick interval, coordinated omission corrected): {Percentiles(perTick)}");
        Console.WriteLine($"    sender lateness (submitted − intended): {Percentiles(lateness)}");
        Console.WriteLine(Inv($"    incremental evaluations {delta.Incremental:N0} = {r.SteadyEvaluationsPerTick:0.###} per tick ({delta.Incremental / (double)Math.Max(1, perCycle.TotalCount):0.###} per price cycle); incremental batch {Percentiles(metrics.IncrementalBatch.Copy())}"));
        Console.WriteLine(Inv($"    full sweeps {delta.SweepBatches:N0} ({delta.Sweep:N0} sub-account evaluations): {Percentiles(r.SteadySweeps)}; margin calls {delta.MarginCalls:N0}; liquidations {delta.LiquidationsText()}"));
        Console.WriteLine(Inv($"    GC in the window: gen2 {GC.CollectionCount(2) - gen2}, pauses {(GC.GetTotalPauseDuration() - pause).TotalMilliseconds:N0} ms"));
        Console.WriteLine(Inv($"    check: supervisor evaluated market version {report.MarketVersion} ≥ last tick's {lastVersion}, indices = last prices sent: {(r.SteadyCaughtUp == true ? "ok" : "FAILED")}"));
    }

    // (c) Single moves of every index, each measured, then settled.
    private static async Task MovesAsync(GridNode node, IndexDriver driver, RiskLoadOptions o, RiskLoadResults r)
    {
        var metrics = node.RiskMetrics;
        var (_, quiet, took) = await SettleAsync(node, driver, TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        Console.WriteLine(Inv($"(c) {o.Moves} single move(s) of every index by −{o.Move:P1} (supervisor {(quiet ? "quiet" : "NOT quiet")} after {took.TotalSeconds:F1} s first)"));
        for (var i = 0; i < o.Moves; i++)
        {
            metrics.TickToDecision.Reset();
            var before = RiskCounters.Of(metrics);
            var started = Stopwatch.GetTimestamp();
            driver.SubmitAll(u => driver.Price(u) * (1 - o.Move), driver.Clock.NowMs + 1);
            // Asked right after the submits: answered after the cycles of the move (the mailbox is ordered), before
            // any liquidation it started can report back.
            var after = await UnattendedAsync(node).ConfigureAwait(false);
            var wallUs = (Stopwatch.GetTimestamp() - started) * 1_000_000 / Stopwatch.Frequency;
            var queueDepth = metrics.QueueDepth;
            var cycles = metrics.TickToDecision.Copy();
            var delta = RiskCounters.Of(metrics).Since(before);
            var report = await ReportAsync(node).ConfigureAwait(false);
            var idleAsk = await IdleAskMicrosAsync(node).ConfigureAwait(false);
            var nowMs = driver.Clock.NowMs;
            // Outside its cooldown and with no retry scheduled, nothing will look at the account again but a price
            // trigger, an account change or the sweep; waiting outside a full queue has a retry scheduled.
            var outside = after.RetryPending + after.WaitingForQueue + after.Entries.Count;
            var violations = after.Entries.Count;
            r.MoveWaitingForQueue = Math.Max(r.MoveWaitingForQueue, outside - violations);
            r.MoveViolations += violations;
            r.MoveDecisionMaxUs = Math.Max(r.MoveDecisionMaxUs, cycles.TotalCount == 0 ? 0 : cycles.GetMaxValue());
            r.MoveWallMaxUs = Math.Max(r.MoveWallMaxUs, wallUs);
            r.MoveEvaluated = Math.Max(r.MoveEvaluated, delta.Incremental + delta.Sweep);
            r.MoveCandidates = Math.Max(r.MoveCandidates, after.InFlight);
            Console.WriteLine(Inv($"  move {i + 1}: tick → decision {string.Join(" + ", cycles.RecordedValues().Select(v => $"{v.ValueIteratedTo:N0} µs ×{v.CountAtValueIteratedTo}"))} ({cycles.TotalCount} cycle(s)); submit → supervisor's answer {wallUs:N0} µs (an idle ask costs {idleAsk:N0} µs)"));
            Console.WriteLine(Inv($"    re-evaluated {delta.Incremental:N0} incrementally + {delta.Sweep:N0} by sweep; right after: liquidatable {after.Liquidatable:N0}, queued or executing {after.InFlight:N0} (QueueDepth gauge {queueDepth:N0}), blocked {after.Blocked:N0}, unattended {after.Unattended:N0}: outside cooldown {outside:N0}, of which waiting outside the full queue {after.WaitingForQueue:N0}, with a retry scheduled {after.RetryPending:N0}, with nothing scheduled {violations:N0}"));
            Console.WriteLine(Inv($"    GetRiskReport: tracked {report.Tracked:N0}, liquidatable {report.Liquidatable:N0}, blocked {report.Blocked:N0}, queued {report.Queued:N0}, cooling {report.Cooling:N0} → check every liquidatable, unblocked account queued, cooling or retried: {(violations == 0 ? "ok" : "FAILED")}"));
            var settled = await SettleAsync(node, driver, TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            var done = RiskCounters.Of(metrics).Since(before);
            r.MoveLiquidations = r.MoveLiquidations.Zip(done.Liquidations, (a, b) => a + b).ToArray();
            Console.WriteLine(Inv($"    settled {(settled.Quiet ? "" : "NOT ")}in {settled.Took.TotalSeconds:F1} s: liquidations {done.LiquidationsText()}; deferred {done.DeferredText()}"));
        }
    }

    // What a sweep would cost in the margin core alone: every tracked copy evaluated on this thread with the
    // supervisor's own evaluator type (no trigger index, no ADL ranking, no actor), best of three passes.
    private static (double BaseUs, double BandUs) EvaluatorOnly(GridNode node)
    {
        var evaluator = new RiskEvaluator(node.Catalog, node.SupervisorSettings);
        evaluator.SetMarket(node.Prices.Current);
        var subs = new List<Margin.Accounts.SubAccountPortfolio>();
        foreach (var id in node.RiskFeed.Accounts)
        {
            if (node.RiskFeed.TryGetLatest(id, out var copy))
            {
                subs.AddRange(copy.Subs);
            }
        }
        double Pass(bool band)
        {
            var best = double.MaxValue;
            for (var pass = 0; pass < 3; pass++)
            {
                var risk = default(EntryRisk);
                var t = Stopwatch.GetTimestamp();
                foreach (var p in subs)
                {
                    evaluator.Evaluate(p, ref risk, band);
                }
                best = Math.Min(best, (Stopwatch.GetTimestamp() - t) * 1e6 / Stopwatch.Frequency / Math.Max(1, subs.Count));
            }
            return best;
        }
        return (Pass(false), Pass(true));
    }

    private static async Task<long> IdleAskMicrosAsync(GridNode node)
    {
        var best = long.MaxValue;
        for (var i = 0; i < 5; i++)
        {
            var t = Stopwatch.GetTimestamp();
            await UnattendedAsync(node).ConfigureAwait(false);
            best = Math.Min(best, (Stopwatch.GetTimestamp() - t) * 1_000_000 / Stopwatch.Frequency);
        }
        return best;
    }

    private static void PrintCrash(CrashResult c, IndexDriver driver)
    {
        Console.WriteLine(Inv($"    crash took {c.CrashWallSeconds:F1} s wall; {c.Ticks:N0} ticks; held {c.DrainWallSeconds:F1} s after: {(c.Settled ? "settled" : "NOT settled")}"));
        for (var u = 0; u < driver.Count; u++)
        {
            Console.WriteLine(Inv($"    {driver.Name(u)}: wick guard entered {c.GuardEpisodes[u]}×, {c.GuardedMarketMs[u]:N0} grid ms in total"));
        }
        Console.WriteLine(Inv($"    liquidatable at most {c.MaxLiquidatable:N0}, queued or executing at most {c.MaxInFlight:N0} (the RiskMetrics.QueueDepth gauge read at most {c.MaxQueueDepth:N0}: it counts a queued candidate twice, once in the queue and once in flight), blocked at most {c.MaxBlocked:N0}"));
        Console.WriteLine($"    liquidations: {c.Counters.LiquidationsText()}; deferred: {c.Counters.DeferredText()}");
        Console.WriteLine(Inv($"    fees {c.Counters.FeesMicros / 1e6:N0} USD, covered by the fund {c.Counters.CoveredMicros / 1e6:N0} USD, bad debt {c.Counters.BadDebtMicros / 1e6:N0} USD; margin calls {c.Counters.MarginCalls:N0}; evaluations {c.Counters.Incremental:N0} incremental + {c.Counters.Sweep:N0} in {c.Counters.SweepBatches} sweeps"));
        Console.WriteLine($"    tick → decision: {Percentiles(c.TickToDecision)}");
        Console.WriteLine($"    sweeps: {Percentiles(c.SweepBatch)}");
        Console.WriteLine($"    queue wait: {Percentiles(c.QueueWait)}");
        Console.WriteLine($"    breach → first reduction: {Percentiles(c.BreachToFirstReduction)}");
        Console.WriteLine("    where a liquidation's time goes (engine stages, wall):");
        foreach (var (stage, times) in c.Stages.Where(s => s.Times.TotalCount > 0))
        {
            Console.WriteLine(Inv($"      {stage,-22} n={times.TotalCount,9:N0}  {Percentiles(times)}"));
        }
        Console.WriteLine(Inv($"    ADL ranking: {c.AdlQueries:N0} queries in {c.AdlPasses:N0} passes; per pass {Percentiles(c.AdlRanking)}"));
        if (c.UnansweredSamples > 0)
        {
            Console.WriteLine(Inv($"    the supervisor left {c.UnansweredSamples} samples unanswered for 60 s each"));
        }
        Console.WriteLine(Inv($"    heap: {c.HeapBeforeBytes / 1048576.0:N0} MB before, at most {c.MaxHeapBytes / 1048576.0:N0} MB (GC heap size), {c.MaxTotalMemoryBytes / 1048576.0:N0} MB (GetTotalMemory); gen2 collections {c.Gen2Collections}, GC pauses {c.GcPause.TotalMilliseconds:N0} ms"));
        Console.WriteLine(Inv($"    unattended (liquidatable, unblocked, not queued), {c.Samples:N0} samples, largest gap between samples {c.MaxSampleGapUs / 1000.0:N0} ms:"));
        Console.WriteLine(Inv($"      at most {c.Unattended.MaxUnattended:N0} in a sample; waiting outside the full queue at most {c.Unattended.MaxWaitingForQueue:N0}, the longest wait seen {c.Unattended.LongestWaitingUs / 1000.0:N0} ms wall ({c.Unattended.LongestWaitingMarketMs:N0} grid ms) while waiting; finished waits {Percentiles(c.OutsideQueue)}"));
        foreach (var cat in c.Unattended.Categories)
        {
            Console.WriteLine(Inv($"      {cat.Name}: {cat.Distinct:N0} sub-accounts in {cat.Streaks:N0} streaks; longest seen {cat.LongestSeenUs / 1000.0:N0} ms wall ({cat.LongestSeenMarketMs:N0} grid ms), ≤ {cat.LongestBoundUs / 1000.0:N0} ms between the samples around it ({cat.LongestKey ?? "-"}); still open at the end {cat.OpenAtEnd:N0}"));
        }
        var f = c.FinalReport;
        Console.WriteLine(Inv($"    after: GetRiskReport tracked {f.Tracked:N0}, liquidatable {f.Liquidatable:N0}, blocked {f.Blocked:N0}, queued {f.Queued:N0}, cooling {f.Cooling:N0}; unattended {c.Final.Unattended:N0} (waiting for room {c.Final.WaitingForQueue:N0}, nothing scheduled {c.Final.Entries.Count:N0})"));
        foreach (var e in c.Final.Entries.Take(5))
        {
            Console.WriteLine(Inv($"      {e.AccountId}/{e.SubAccount}: health {e.WorstHealth:0.###}, cooldown {(e.CooldownUntilMs == 0 ? "never" : Inv($"until {e.CooldownUntilMs - driver.Clock.NowMs:N0} ms from now"))}"));
        }
    }

    // The machine is shared: the 1-, 5- and 15-minute load averages say how much else ran.
    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static string FindDefaultBook()
    {
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, "config", "books", "default.conf");
            if (File.Exists(path))
            {
                return path;
            }
        }
        throw new FileNotFoundException("config/books/default.conf not found above the current directory: pass --book");
    }

    internal static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

/// <summary>The command line, read once.</summary>
internal sealed record RiskLoadOptions(string Journal, int Accounts, string Book, long Seed, string Open,
    int OpenParallelism,
    int Rate, double Seconds, double Warmup, double VolScale, double Move, int Moves, CrashPlan Crash, string Hocon,
    string Phases);

/// <summary>The figures the table compares with the targets.</summary>
internal sealed class RiskLoadResults
{
    public BookLoad? Load { get; set; }
    public long HeapWithBook { get; set; }
    public bool TrackedAll { get; set; }
    public (double BaseUs, double BandUs) EvaluatorOnly { get; set; }
    public bool? SteadyCaughtUp { get; set; }
    public HistogramBase? SteadyPerTick { get; set; }
    public HistogramBase? SteadyPerCycle { get; set; }
    public HistogramBase? SteadySweeps { get; set; }
    public double SteadyEvaluationsPerTick { get; set; }
    public long MoveDecisionMaxUs { get; set; }
    public long MoveWallMaxUs { get; set; }
    public long MoveEvaluated { get; set; }
    public long MoveCandidates { get; set; }
    public int MoveViolations { get; set; }
    public int MoveWaitingForQueue { get; set; }
    public int QueueCapacity { get; set; }
    public long[] MoveLiquidations { get; set; } = new long[RiskMetrics.LiquidationKinds.Length];
    public CrashResult? Crash { get; set; }
}

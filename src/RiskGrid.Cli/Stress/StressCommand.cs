using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using RiskGrid.Cli.Feed;
using RiskGrid.Cli.Stress.Report;
using Spectre.Console;
using static System.FormattableString;

namespace RiskGrid.Cli.Stress;

/// <summary>
/// <c>riskgrid stress [--scenario NAME] [--accounts N] [--seed S] [--book FILE] [--data FILE...] [--out DIR]</c>:
/// the stress lab. Starts a one-node grid (SQLite journal under the output directory), opens a seeded book, replays a
/// crash at full speed (the built-in synthetic crash unless <c>--data</c> names recorded files) with the scenario's
/// shock and parameters, and writes <c>report.html</c> (self-contained) and <c>summary.json</c>. A scenario with
/// variants runs each on the same book and data and compares them in the report. Exit 0 when the report is written, 2
/// for bad arguments, data or scenario.
/// </summary>
internal static class StressCommand
{
    public static Command Create(CliStreams streams)
    {
        var scenario = new Option<string?>("--scenario")
        {
            Description = "A scenario of config/scenarios (name) or a scenario file; default: the synthetic crash",
            HelpName = "NAME",
        };
        var accounts = new Option<int>("--accounts") { Description = "Accounts in the book", DefaultValueFactory = _ => 100_000 };
        var seed = new Option<long>("--seed") { Description = "Seed of the book", DefaultValueFactory = _ => 1 };
        var book = new Option<string>("--book")
        {
            Description = "The book's distributions: a name of config/books or a file",
            DefaultValueFactory = _ => "default",
        };
        var data = new Option<string[]>("--data")
        {
            Description = "Recorded CSV files to replay instead of the synthetic crash (the replay tool's layouts)",
            HelpName = "FILE",
            AllowMultipleArgumentsPerToken = true,
        };
        var step = new Option<int>("--step-ms")
        {
            Description = "Market time per step: the grid settles after each step's ticks",
            DefaultValueFactory = _ => 1_000,
        };
        var output = new Option<string>("--out")
        {
            Description = "Output directory (journal, report.html, summary.json)",
            DefaultValueFactory = _ => Path.Combine("build", "stress"),
        };
        var command = new Command("stress", "Replay a crash against a seeded book on a one-node grid and write a report")
        {
            scenario, accounts, seed, book, data, step, output,
        };
        command.SetAction(parse => Run(streams, parse.GetValue(scenario), parse.GetValue(accounts), parse.GetValue(seed),
            parse.GetValue(book)!, parse.GetValue(data) ?? [], parse.GetValue(step), parse.GetValue(output)!));
        return command;
    }

    private static int Run(CliStreams streams, string? scenarioName, int accounts, long seed, string book,
        string[] data, int stepMs, string output)
    {
        using var console = new FeedConsole(streams.Output);
        try
        {
            if (accounts is < 1 or > 10_000_000)
            {
                throw new StressException($"--accounts {accounts}: must be in [1, 10000000]");
            }
            if (stepMs is < 10 or > 3_600_000)
            {
                throw new StressException($"--step-ms {stepMs}: must be in [10, 3600000]");
            }
            var scenario = scenarioName is null
                ? StressScenario.Default
                : StressScenario.Load(scenarioName, ConfigDirectory("scenarios"));
            var bookFile = File.Exists(book) ? book : Path.Combine(ConfigDirectory("books"), book + ".conf");
            if (!File.Exists(bookFile))
            {
                throw new StressException($"--book {book}: no such file or book");
            }
            if (data.Length == 0 && scenario.SyntheticSeed is null)
            {
                throw new StressException($"scenario {scenario.Name} has synthetic = off: give recorded data with --data");
            }
            var outDir = Path.Combine(output, scenario.Name);
            Directory.CreateDirectory(outDir);
            var wall = Stopwatch.StartNew();
            var reports = new List<StressReportData>();
            using var cancel = new CancellationTokenSource();
            ConsoleCancelEventHandler onCancel = (_, e) =>
            {
                e.Cancel = true;
                cancel.Cancel();
            };
            Console.CancelKeyPress += onCancel;
            try
            {
                for (var v = 0; v < scenario.Variants.Count; v++)
                {
                    var variant = scenario.Variants[v];
                    var name = scenario.Variants.Count == 1 ? scenario.Name : $"{scenario.Name}: {variant.Name}";
                    console.Line($"stress: {name}: {accounts:N0} accounts (seed {seed}), " +
                                 (data.Length > 0 ? $"{data.Length} data file(s)" : $"synthetic crash (seed {scenario.SyntheticSeed})"));
                    var options = new StressOptions(name, accounts, seed, bookFile, data,
                        data.Length > 0 ? null : scenario.SyntheticSeed, stepMs,
                        Path.Combine(outDir, $"run-{v + 1}"), variant.NodeHocon, scenario.Shock,
                        variant.IsolateEverything);
                    reports.Add(RunOne(console, options, cancel.Token));
                }
            }
            finally
            {
                Console.CancelKeyPress -= onCancel;
            }
            var report = reports[0];
            if (reports.Count > 1)
            {
                report = report with { Scenarios = [.. reports.Select(Row)] };
            }
            var html = Path.Combine(outDir, "report.html");
            using (var writer = new StreamWriter(html))
            {
                StressReportWriter.WriteHtml(report, writer);
            }
            using (var json = File.Create(Path.Combine(outDir, "summary.json")))
            {
                StressReportWriter.WriteJson(report, json);
            }
            Summarise(console, report, html, wall.Elapsed.TotalSeconds);
            return 0;
        }
        catch (StressException e)
        {
            streams.Error.WriteLine($"riskgrid stress: {e.Message}");
            streams.Error.Flush();
            return 2;
        }
        catch (OperationCanceledException)
        {
            streams.Error.WriteLine("riskgrid stress: cancelled");
            streams.Error.Flush();
            return 130;
        }
    }

    private static StressReportData RunOne(FeedConsole console, StressOptions options, CancellationToken cancel)
    {
        var latest = new StressProgress("starting the node", 0, 0, 0, 0);
        var lab = new StressLab(options, p => Volatile.Write(ref latest, p));
        var run = Task.Run(() => lab.RunAsync(cancel), cancel);
        if (console.IsLive)
        {
            console.Console.Progress()
                .AutoClear(true)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .Start(context =>
                {
                    var task = context.AddTask("starting", maxValue: 1);
                    while (!((IAsyncResult)run).AsyncWaitHandle.WaitOne(200))
                    {
                        var p = Volatile.Read(ref latest);
                        task.Description = Describe(p).EscapeMarkup();
                        task.Value = p.Fraction;
                    }
                    task.Value = 1;
                });
        }
        else
        {
            var last = "";
            while (!((IAsyncResult)run).AsyncWaitHandle.WaitOne(1_000))
            {
                var line = Describe(Volatile.Read(ref latest));
                if (line != last)
                {
                    console.Line(line);
                    last = line;
                }
            }
        }
        return run.GetAwaiter().GetResult();
    }

    private static string Describe(StressProgress p) => p.Phase == "replaying"
        ? Invariant($"market {FeedConsole.Time(p.MarketMs)} · {p.TicksPerSecond:N0} ticks/s · {p.Liquidations:N0} liquidations")
        : Invariant($"{p.Phase} {p.Fraction:P0}");

    private static ScenarioComparisonRow Row(StressReportData r) => new(r.Run.ScenarioName,
        string.Join(", ", r.Run.Parameters.Where(p => p.Name is "targetHealth / backstopHealth" or "positions")
            .Select(p => $"{p.Name} {p.Value}")),
        r.Totals.LiquidatedAccounts, r.Totals.LiquidationSteps, r.Totals.NotionalClosedMicros, r.Totals.FeesToFundMicros,
        r.InsuranceFund.PayoutsMicros, r.InsuranceFund.BadDebtMicros, r.InsuranceFund.AdlCount,
        r.InsuranceFund.AdlNotionalMicros, r.Recovery.BreachToRestoredHealth.P99Ms);

    private static void Summarise(FeedConsole console, StressReportData r, string html, double wallSeconds)
    {
        var table = new Table().AddColumn("figure").AddColumn(new TableColumn("value").RightAligned());
        void Add(string k, string v) => table.AddRow(k.EscapeMarkup(), v.EscapeMarkup());
        Add("accounts / liquidated", Invariant($"{r.Totals.Accounts:N0} / {r.Totals.LiquidatedAccounts:N0}"));
        Add("liquidation steps", Invariant($"{r.Totals.LiquidationSteps:N0}"));
        Add("fees to the fund", Invariant($"{r.Totals.FeesToFundMicros / 1e6:N2} USD"));
        Add("fund opening → closing", Invariant(
            $"{r.InsuranceFund.OpeningBalanceMicros / 1e6:N2} → {r.InsuranceFund.ClosingBalanceMicros / 1e6:N2} USD"));
        Add("ADL reductions / bad debt", Invariant(
            $"{r.InsuranceFund.AdlCount:N0} / {r.InsuranceFund.BadDebtMicros / 1e6:N2} USD"));
        Add("market time replayed", Invariant($"{r.Run.MarketSeconds:N0} s at {r.Run.ReplaySpeed:N1}x ({r.Run.TicksPerSecond:N0} ticks/s)"));
        Add("breach → first reduction p99 (market)", Invariant($"{r.Recovery.BreachToFirstReduction.P99Ms:N0} ms"));
        Add("step settled p99 (wall)", Invariant($"{r.Latency.TickToDecision.P99Ms:N2} ms"));
        Add("wall time", Invariant($"{wallSeconds:N1} s"));
        console.Console.Write(table);
        console.Line($"report: {html}");
    }

    // config/<kind> next to the application (the build copies it), else the repository's when run from source.
    private static string ConfigDirectory(string kind)
    {
        var shipped = Path.Combine(AppContext.BaseDirectory, kind);
        if (Directory.Exists(shipped))
        {
            return shipped;
        }
        var dir = new DirectoryInfo(Directory.GetCurrentDirectory());
        while (dir is not null)
        {
            var candidate = Path.Combine(dir.FullName, "config", kind);
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
            dir = dir.Parent;
        }
        return shipped;
    }
}

using System.Buffers;
using System.CommandLine;
using System.Globalization;
using System.Text;
using RiskGrid.Margin;
using RiskGrid.Margin.Accounts;
using RiskGrid.Margin.Interchange;
using RiskGrid.Margin.Liquidation;
using Spectre.Console;

namespace RiskGrid.Cli.Examples;

/// <summary>
/// <c>riskgrid examples [--dir DIR]</c>: runs the calculator (§11) over <c>config/examples/*.json</c> and prints a
/// table a person can read: equity, requirements, health, liquidation prices and what a liquidation would close.
/// </summary>
internal static class ExamplesCommand
{
    private const string ExamplesFolder = "config/examples";

    public static Command Create(CliStreams streams)
    {
        var dir = new Option<string?>("--dir")
        {
            Description = "Folder of calculator documents (default: config/examples, found from here or the install)",
            HelpName = "DIR",
        };
        var command = new Command("examples", "Run the calculator over the example portfolios and show a table")
        {
            dir,
        };
        command.SetAction(parse => Run(streams, parse.GetValue(dir)));
        return command;
    }

    /// <summary>The examples folder: <c>config/examples</c> here, else in a folder above the install.</summary>
    public static string? FindExamples()
    {
        var here = Path.Combine(Directory.GetCurrentDirectory(), ExamplesFolder);
        if (Directory.Exists(here))
        {
            return here;
        }
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            var candidate = Path.Combine(d.FullName, ExamplesFolder);
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    /// <summary>The example documents of <paramref name="folder"/> (not the expected outputs), by name.</summary>
    public static string[] ExampleFiles(string folder)
    {
        var files = Directory.GetFiles(folder, "*.json")
            .Where(f => !f.EndsWith(".expected.json", StringComparison.Ordinal))
            .ToArray();
        Array.Sort(files, StringComparer.Ordinal);
        return files;
    }

    private static int Run(CliStreams streams, string? folder)
    {
        folder ??= FindExamples();
        if (folder is null || !Directory.Exists(folder))
        {
            streams.Error.WriteLine($"riskgrid examples: no examples folder ({folder ?? ExamplesFolder}); use --dir");
            return 1;
        }
        if (!RiskParamsSource.TryLoad(null, out var parameters, out var problem))
        {
            streams.Error.WriteLine($"riskgrid examples: {problem}");
            return 1;
        }
        using var text = new StreamWriter(streams.Output, new UTF8Encoding(false), 4096, leaveOpen: true);
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(text) });
        if (!console.Profile.Out.IsTerminal)
        {
            console.Profile.Width = 220;
        }
        var table = new Table().Border(TableBorder.Rounded)
            .Title($"RiskGrid calculator (MARGIN.md §11) over {Markup.Escape(folder)}");
        foreach (var column in new[] { "example", "mode", "equity MM", "MM", "IM", "free collateral", "health",
                     "liquidatable", "liquidation price", "liquidation plan" })
        {
            table.AddColumn(new TableColumn(column));
        }
        var calculator = new MarginCalculator(parameters);
        var sink = new ArrayBufferWriter<byte>();
        var refused = 0;
        foreach (var file in ExampleFiles(folder))
        {
            var name = Path.GetFileNameWithoutExtension(file);
            sink.ResetWrittenCount();
            if (calculator.Process(File.ReadAllBytes(file), sink))
            {
                table.AddRow(Row(name, calculator));
            }
            else
            {
                refused++;
                var e = calculator.LastError!;
                table.AddRow(Markup.Escape(name), "", "", "", "", "", "", "", "",
                    $"[red]{Markup.Escape($"refused: {e.Message} ({e.Field})")}[/]");
            }
        }
        console.Write(table);
        text.Flush();
        return refused == 0 ? 0 : 2;
    }

    private static string[] Row(string name, MarginCalculator c)
    {
        var r = c.Result;
        var health = r.MaintenanceMarginMicros == 0 ? "∞" : r.Health.ToString("0.000", CultureInfo.InvariantCulture);
        var liquidatable = r.BelowMaintenance ? "[red]yes[/]" : "no";
        if (r.Bankrupt)
        {
            liquidatable += " [red bold](bankrupt)[/]";
        }
        return
        [
            Markup.Escape(name),
            c.Account.Mode == MarginMode.Portfolio ? "PORTFOLIO" : "STANDARD",
            Usd(r.EquityMmMicros),
            Usd(r.MaintenanceMarginMicros),
            Usd(r.InitialMarginMicros),
            Usd(r.FreeCollateralMicros),
            health,
            liquidatable,
            Markup.Escape(LiquidationPrices(c)),
            Markup.Escape(PlanSummary(c)),
        ];
    }

    private static string LiquidationPrices(MarginCalculator c)
    {
        Span<bool> cross = stackalloc bool[c.Catalog.Params.Underlyings.Count];
        cross.Clear();
        foreach (ref readonly var p in c.Account.Positions)
        {
            if (!p.IsIsolated)
            {
                cross[c.Catalog[p.Instrument].UnderlyingId] = true;
            }
        }
        var parts = new List<string>();
        for (var u = 0; u < cross.Length; u++)
        {
            if (cross[u])
            {
                var price = c.LiquidationPrices[u];
                parts.Add(c.Catalog.Params.Underlyings[u].Name + " " +
                          (double.IsFinite(price) ? price.ToString("N2", CultureInfo.InvariantCulture) : "none"));
            }
        }
        return parts.Count == 0 ? "—" : string.Join(", ", parts);
    }

    private static string PlanSummary(MarginCalculator c)
    {
        var plan = c.Plan;
        if (plan.Count == 0)
        {
            return "—";
        }
        var kind = plan.Kind switch
        {
            LiquidationKind.Partial => "partial",
            LiquidationKind.Backstop => "backstop",
            LiquidationKind.Bankrupt => "bankrupt",
            _ => "none",
        };
        var closes = new List<string>();
        foreach (ref readonly var step in plan.Steps)
        {
            var ins = c.Catalog[step.Instrument];
            var size = ins.Lot * step.ReduceLots;
            closes.Add(string.Create(CultureInfo.InvariantCulture,
                $"{ins.Name} {size / 1.000000000000000000000000000000000m} @ {step.Price:N2}"));
        }
        return string.Create(CultureInfo.InvariantCulture,
            $"{kind}: {string.Join("; ", closes)} (fees {Micros.ToUsd(plan.TotalFeeMicros):N2})");
    }

    private static string Usd(long micros) => Micros.ToUsd(micros).ToString("N2", CultureInfo.InvariantCulture);
}

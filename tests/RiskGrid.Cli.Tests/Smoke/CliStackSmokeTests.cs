using System.CommandLine;
using Spectre.Console;

namespace RiskGrid.Cli.Tests.Smoke;

/// <summary>
/// The command-line stack of <c>riskgrid</c>: System.CommandLine 3.0 (the 2.0 API: <c>SetAction</c>,
/// <c>ParseResult.GetValue</c>, <c>Parse(args).Invoke</c>) and Spectre.Console tables rendered to a plain writer,
/// as they are when output is redirected in CI.
/// </summary>
public sealed class CliStackSmokeTests
{
    [Fact]
    public void OptionIsParsedAndTheActionRunsWithItsValue()
    {
        var accounts = new Option<int>("--accounts") { Description = "Number of accounts", DefaultValueFactory = _ => 1 };
        var root = new RootCommand("riskgrid smoke") { accounts };
        int? seen = null;
        root.SetAction(parseResult =>
        {
            seen = parseResult.GetValue(accounts);
            return 0;
        });

        var exitCode = root.Parse(["--accounts", "250"]).Invoke();

        Assert.Equal(0, exitCode);
        Assert.Equal(250, seen);
    }

    [Fact]
    public async Task InvalidOptionValueIsReportedAndTheActionDoesNotRun()
    {
        var accounts = new Option<int>("--accounts");
        var root = new RootCommand("riskgrid smoke") { accounts };
        var ran = false;
        root.SetAction((_, _) =>
        {
            ran = true;
            return Task.FromResult(0);
        });
        using var output = new StringWriter();
        using var error = new StringWriter();

        var parseResult = root.Parse(["--accounts", "many"]);
        var exitCode = await parseResult.InvokeAsync(new InvocationConfiguration { Output = output, Error = error });

        Assert.NotEmpty(parseResult.Errors);
        Assert.NotEqual(0, exitCode);
        Assert.False(ran);
        Assert.Contains("many", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void TableRendersItsCellValuesToAPlainWriter()
    {
        using var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = 120;
        var table = new Table()
            .AddColumn("account")
            .AddColumn(new TableColumn("initial margin (USD)").RightAligned())
            .AddColumn(new TableColumn("maintenance (USD)").RightAligned());
        table.AddRow("acc-1", "1,234.50", "617.25");
        table.AddRow("acc-2", "98,765.00", "49,382.50");

        console.Write(table);
        var text = writer.ToString();

        Assert.Contains("initial margin (USD)", text, StringComparison.Ordinal);
        Assert.Contains("acc-1", text, StringComparison.Ordinal);
        Assert.Contains("1,234.50", text, StringComparison.Ordinal);
        Assert.Contains("49,382.50", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b[", text, StringComparison.Ordinal); // no ANSI escapes in redirected output
    }
}

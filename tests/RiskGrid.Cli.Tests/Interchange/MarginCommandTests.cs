using System.Text;
using System.Text.Json;

namespace RiskGrid.Cli.Tests.Interchange;

public sealed class MarginCommandTests
{
    private static string Doc(decimal usd, string position = "") =>
        $$$"""{"asOf": "2026-11-21T00:00:00Z", "prices": {"BTC": 60000}, """ +
        $$$""" "account": {"balances": {"USD": "{{{usd}}}"}, "positions": [{{{position}}}]}}""";

    private static decimal EquityMm(string line)
    {
        using var doc = JsonDocument.Parse(line);
        return doc.RootElement.GetProperty("equityMM").GetDecimal();
    }

    [Fact]
    public void ABadLineInTheMiddleGetsItsErrorInPlaceAndTheRunGoesOn()
    {
        var stdin = string.Join('\n', Doc(100), Doc(200),
            """{"asOf": "2026-11-21T00:00:00Z", "account": {"positions": """ +
            """[{"instrument": "BTC-PERP", "size": "0.0015", "entryPrice": 1}]}}""",
            "", Doc(300)) + "\n";
        var run = CliRun.Invoke(stdin, "margin", "-");
        Assert.Equal(2, run.ExitCode);
        var lines = run.Lines;
        Assert.Equal(4, lines.Length);
        Assert.Equal(100m, EquityMm(lines[0]));
        Assert.Equal(200m, EquityMm(lines[1]));
        Assert.Equal(
            """{"error":"size 0.0015 is not a multiple of the lot 0.001 of BTC-PERP",""" +
            "\"field\":\"account.positions[0].size\"}",
            lines[2]);
        Assert.Equal(300m, EquityMm(lines[3]));
        Assert.Contains("1 of 4 documents refused", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void MalformedJsonExitsTwo()
    {
        var run = CliRun.Invoke("{\"asOf\": \n", "margin", "-");
        Assert.Equal(2, run.ExitCode);
        using var doc = JsonDocument.Parse(Assert.Single(run.Lines));
        Assert.StartsWith("malformed JSON", doc.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void AllGoodExitsZeroAndToleratesCrLfAndNoFinalNewline()
    {
        var run = CliRun.Invoke("\uFEFF" + Doc(1) + "\r\n\r\n  " + Doc(2), "margin", "-");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal([1m, 2m], run.Lines.Select(EquityMm));
        Assert.Equal("", run.Error);
    }

    [Fact]
    public void FilesAreAnsweredInArgumentOrderWithStandardInputWhereDashStands()
    {
        var dir = Directory.CreateTempSubdirectory("riskgrid-cli-");
        try
        {
            var a = Path.Combine(dir.FullName, "a.json");
            var b = Path.Combine(dir.FullName, "b.json");
            // A file holds one document, pretty-printed over several lines.
            File.WriteAllText(a, Doc(10).Replace(", ", ",\n  ", StringComparison.Ordinal));
            File.WriteAllText(b, Doc(20));
            var run = CliRun.Invoke(Doc(30) + "\n" + Doc(40) + "\n", "margin", b, "-", a,
                Path.Combine(dir.FullName, "missing.json"));
            Assert.Equal(2, run.ExitCode);
            var lines = run.Lines;
            Assert.Equal(5, lines.Length);
            Assert.Equal([20m, 30m, 40m, 10m], lines[..4].Select(EquityMm));
            Assert.Contains("cannot read", lines[4], StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void ALargeBatchKeepsInputOrder()
    {
        // Enough lines to be split over every core; each answer must still match its own line.
        var sb = new StringBuilder();
        for (var i = 0; i < 5000; i++)
        {
            const string Position = """{"instrument": "BTC-PERP", "size": "0.001", "entryPrice": 60000}""";
            sb.Append(i % 997 == 0 ? "{not json" : Doc(i, Position)).Append('\n');
        }
        var run = CliRun.Invoke(sb.ToString(), "margin", "-");
        Assert.Equal(2, run.ExitCode);
        var lines = run.Lines;
        Assert.Equal(5000, lines.Length);
        for (var i = 0; i < lines.Length; i++)
        {
            if (i % 997 == 0)
            {
                Assert.StartsWith("{\"error\":\"malformed JSON", lines[i], StringComparison.Ordinal);
            }
            else
            {
                Assert.Equal(i, EquityMm(lines[i]));
            }
        }
    }

    [Fact]
    public void NoFileIsAUsageError()
    {
        var run = CliRun.Invoke("", "margin");
        Assert.NotEqual(0, run.ExitCode);
        Assert.DoesNotContain("equityIM", run.Output, StringComparison.Ordinal);
        Assert.Contains("FILE", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void AnInvalidParameterFileStopsBeforeAnyDocument()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "riskgrid.risk { }");
            var run = CliRun.Invoke(Doc(1) + "\n", "margin", "--params", path, "-");
            Assert.Equal(1, run.ExitCode);
            Assert.Equal("", run.Output);
            Assert.Contains("assets: missing", run.Error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void TheDefaultParameterFileGivesTheSameAnswersAsAnExplicitOne()
    {
        var conf = Path.Combine(CliRun.RepositoryRoot(), "config", "risk-params.conf");
        var spec = Path.Combine(CliRun.Examples, "spec-example.json");
        Assert.Equal(CliRun.Invoke("", "margin", spec).Output,
            CliRun.Invoke("", "margin", "--params", conf, spec).Output);
    }
}

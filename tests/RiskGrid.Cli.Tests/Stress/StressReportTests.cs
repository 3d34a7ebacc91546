using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using HdrHistogram;
using Microsoft.Playwright;
using RiskGrid.Cli.Stress.Report;

namespace RiskGrid.Cli.Tests.Stress;

/// <summary>
/// The stress report on a synthetic crash (BTC and ETH fall for an hour and rebound; of BTC's three sources one
/// wicks 35 % below the others for 20 s): JSON through the source-generated context, a self-contained and
/// deterministic HTML page, and Debian's Chromium rendering every chart of it.
/// </summary>
public sealed class StressReportTests : IDisposable
{
    private const string ScenarioName = "2021-05-19 crash, one venue wicking";

    private static readonly DateTimeOffset MarketFrom = new(2021, 5, 19, 12, 0, 0, TimeSpan.Zero);

    private readonly string _directory = Directory.CreateTempSubdirectory("riskgrid-stress-report-").FullName;

    [Fact]
    public void JsonRoundTripsThroughTheSourceGeneratedContext()
    {
        var report = FakeCrash();

        var written = Json(report);
        var read = StressReportWriter.ReadJson(new MemoryStream(written));

        Assert.Equal(written, Json(read));
        Assert.Equal(report.Run.ScenarioName, read.Run.ScenarioName);
        Assert.Equal(report.Run.MarketFrom, read.Run.MarketFrom);
        Assert.Equal(report.Totals, read.Totals);
        Assert.Equal(report.Contagion, read.Contagion);
        Assert.Equal(report.Recovery, read.Recovery);
        Assert.Equal(report.Latency, read.Latency);
        Assert.Equal(report.Underlyings[0].Sources[2].Points, read.Underlyings[0].Sources[2].Points);
        Assert.Equal(report.Health.Buckets, read.Health.Buckets);
        Assert.Equal(report.Scenarios!, read.Scenarios!);
        var text = Encoding.UTF8.GetString(written);
        Assert.Contains("\"scenarioName\":", text, StringComparison.Ordinal);
        Assert.Contains("\"p999Ms\":", text, StringComparison.Ordinal);
        Assert.Contains("\"badDebtMicros\":", text, StringComparison.Ordinal);
    }

    [Fact]
    public void JsonWithoutTheOptionalMembersReadsAndAnUnknownMemberIsRefused()
    {
        var report = FakeCrash() with { Scenarios = null, Contagion = new ContagionComparison(3, 0) };
        var text = Encoding.UTF8.GetString(Json(report));
        var trimmed = text.Replace(",\"scenarios\":null", "", StringComparison.Ordinal)
            .Replace(",\"explanation\":null", "", StringComparison.Ordinal);
        Assert.NotEqual(text, trimmed);

        var read = StressReportWriter.ReadJson(new MemoryStream(Encoding.UTF8.GetBytes(trimmed)));

        Assert.Null(read.Scenarios);
        Assert.Null(read.Contagion.Explanation);
        var unknown = trimmed.Replace("\"seed\":", "\"colour\":1,\"seed\":", StringComparison.Ordinal);
        Assert.Throws<JsonException>(() =>
            StressReportWriter.ReadJson(new MemoryStream(Encoding.UTF8.GetBytes(unknown))));
    }

    [Fact]
    public void HtmlIsSelfContainedWithAnSvgPerChart()
    {
        var report = FakeCrash();

        var html = Html(report);

        // The only addresses allowed are the SVG namespaces, which are names, not fetched.
        var withoutNamespaces = Regex.Replace(html, "xmlns(:[a-z]+)?=\"http://www\\.w3\\.org/[^\"]*\"", "");
        Assert.DoesNotContain("http://", withoutNamespaces, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("https://", withoutNamespaces, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("@import", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<?xml", html, StringComparison.Ordinal);
        Assert.Empty(Regex.Matches(html, @"url\((?!#)"));

        // Prices of two underlyings, liquidations, the fund, health.
        var figures = Regex.Matches(html, "<figure class=\"chart\">\n<svg id=\"(?<id>[^\"]+)\"");
        Assert.Equal(["chart-prices-1", "chart-prices-2", "chart-liquidations", "chart-fund", "chart-health"],
            figures.Select(m => m.Groups["id"].Value));
        Assert.Equal(figures.Count, Regex.Count(html, "<svg "));
        var ids = Regex.Matches(html, "\\bid=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.Contains("id=\"scenario-comparison\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public void SameDataGivesByteIdenticalHtmlAndJson()
    {
        var first = FakeCrash();
        var second = FakeCrash();

        var firstHtml = HtmlBytes(first);
        // Skia numbers clip paths process-wide: charts drawn in between must not change the page.
        _ = Html(first with { Scenarios = null });
        var secondHtml = HtmlBytes(second);

        Assert.Equal(firstHtml, secondHtml);
        Assert.Equal(Json(first), Json(second));
    }

    [Fact]
    public void TextFromTheDataIsEscapedEverywhere()
    {
        var crash = FakeCrash();
        var btc = crash.Underlyings[0];
        var hostileSource = btc.Sources[0] with { Source = "<b>venue</b> & co" };
        var report = crash with
        {
            Run = crash.Run with
            {
                ScenarioName = "<script>alert('x')</script> & \"crash\"",
                Parameters = [new ReportParameter("<i>fee</i>", "0.005 & up")],
            },
            Underlyings = [btc with { Sources = [hostileSource, .. btc.Sources.Skip(1)] }],
            Contagion = crash.Contagion with { Explanation = "</p><h1>not a heading</h1>" },
        };

        var html = Html(report);

        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<b>venue", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<i>fee", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<h1>not", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", html, StringComparison.Ordinal);
        Assert.Contains("&lt;b&gt;venue&lt;/b&gt; &amp; co", html, StringComparison.Ordinal);
    }

    [Fact]
    public void TheScenarioTableIsLeftOutWhenThereIsNoSweep()
    {
        var html = Html(FakeCrash() with { Scenarios = null });

        Assert.DoesNotContain("scenario-comparison", html, StringComparison.Ordinal);
        Assert.Contains("id=\"summary\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public void HealthHistogramCountsEachEdgeIntoTheBucketAboveIt()
    {
        var histogram = new HealthHistogram();
        double?[] before = [-0.4, 0.5, 2.0 / 3.0, 0.99, 1.0, 1.1, 1.49, 1.5, 2.0, 4.99, 5.0, 80.0, null];
        foreach (var health in before)
        {
            histogram.AddBefore(health);
        }

        histogram.AddAfter(null);

        var buckets = histogram.ToComparison().Buckets;

        Assert.Equal(["< 0.67", "0.67–1", "1–1.1", "1.1–1.5", "1.5–2", "2–5", "≥ 5", "no requirement"],
            buckets.Select(b => b.Label));
        // -0.4 (bankrupt) and 0.5 below the backstop; 2/3 and 0.99; 1.0; 1.1 and 1.49; 1.5; 2.0 and 4.99; 5 and 80.
        Assert.Equal([2L, 2, 1, 2, 1, 2, 2, 1], buckets.Select(b => b.AccountsBefore));
        Assert.Equal([0L, 0, 0, 0, 0, 0, 0, 1], buckets.Select(b => b.AccountsAfter));
        Assert.True(buckets[^1].NoRequirement);
        Assert.Equal((null, 2.0 / 3.0), (buckets[0].FromHealth, buckets[0].ToHealth));
        Assert.Equal((5.0, null), (buckets[6].FromHealth, buckets[6].ToHealth));
    }

    [Fact]
    public void PercentileSetReadsAnHdrHistogramInMilliseconds()
    {
        var histogram = new LongHistogram(3_600_000_000, 3);
        // 1,000 values in µs: 1..1000 ms → p50 ≈ 500 ms, p99 ≈ 990 ms, max 1,000 ms.
        for (var i = 1; i <= 1000; i++)
        {
            histogram.RecordValue(i * 1000L);
        }

        var set = PercentileSet.FromHistogram("breach to first reduction", histogram, valuesPerMillisecond: 1000);

        Assert.Equal(1000, set.Count);
        Assert.InRange(set.P50Ms, 499, 501);
        Assert.InRange(set.P90Ms, 899, 901);
        Assert.InRange(set.P99Ms, 989, 991);
        Assert.InRange(set.P999Ms, 998, 1001);
        Assert.InRange(set.MaxMs, 999, 1001);
    }

    [Fact]
    public async Task ChromiumRendersEveryChartOfTheWrittenFileWithoutErrors()
    {
        var path = Path.Combine(_directory, "report.html");
        await File.WriteAllBytesAsync(path, HtmlBytes(FakeCrash()));

        await using var report = await ReportBrowser.OpenAsync(path);
        var page = report.Page;
        var errors = report.Errors;
        var requests = report.Requests;

        var charts = page.Locator("figure.chart svg");
        Assert.Equal(5, await charts.CountAsync());
        for (var i = 0; i < 5; i++)
        {
            var chart = charts.Nth(i);
            var id = await chart.GetAttributeAsync("id");
            var box = await chart.BoundingBoxAsync();
            Assert.True(box is { Width: > 100, Height: > 50 }, $"{id}: {box?.Width} x {box?.Height}");
            // Drawn data: strokes or fills inside the clipped data area, each with a non-empty box.
            var drawn = await chart.EvaluateAsync<int>("""
                svg => [...svg.querySelectorAll('g[clip-path] :is(path, rect, line, polyline)')]
                    .filter(e => { const b = e.getBBox(); return b.width > 0 || b.height > 0; }).length
                """);
            Assert.True(drawn > 0, $"{id}: nothing drawn in the data area");
            var unresolved = await chart.EvaluateAsync<int>("""
                svg => [...svg.querySelectorAll('[clip-path]')]
                    .map(e => e.getAttribute('clip-path').match(/url\(#([^)]+)\)/)[1])
                    .filter(id => !svg.querySelector('[id="' + id + '"]')).length
                """);
            Assert.Equal(0, unresolved);
        }

        var summary = await page.Locator("#summary").InnerTextAsync();
        Assert.Contains(ScenarioName, summary, StringComparison.Ordinal);
        Assert.Contains(ScenarioName, await page.TitleAsync(), StringComparison.Ordinal);
        Assert.Empty(errors);
        Assert.Equal([new Uri(path).AbsoluteUri], requests);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static byte[] Json(StressReportData report)
    {
        using var stream = new MemoryStream();
        StressReportWriter.WriteJson(report, stream);
        return stream.ToArray();
    }

    private static string Html(StressReportData report)
    {
        using var writer = new StringWriter();
        StressReportWriter.WriteHtml(report, writer);
        return writer.ToString();
    }

    private static byte[] HtmlBytes(StressReportData report)
    {
        using var stream = new MemoryStream();
        using (var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
                   leaveOpen: true))
        {
            StressReportWriter.WriteHtml(report, writer);
        }

        return stream.ToArray();
    }

    /// <summary>
    /// Two hours from 12:00 UTC: BTC falls from 43,000 to 31,000 at 13:00 and rebounds to 37,000; ETH follows at
    /// a seventh of the price. Venue "kraken" wicks to 65 % of BTC for 20 s at 12:58; the index (median of three)
    /// does not follow it. Points every 5 s (1,440 per series).
    /// </summary>
    private static StressReportData FakeCrash()
    {
        var fromMs = MarketFrom.ToUnixTimeMilliseconds();
        const int points = 1440;
        const long stepMs = 5_000;
        var wickFrom = fromMs + (58 * 60_000);

        UnderlyingPrices Underlying(string name, double scale, bool wick)
        {
            string[] venues = ["binance", "coinbase", "kraken"];
            double[] offsets = [1.0, 1.0006, 0.9995];
            var series = venues.Select(_ => new PricePoint[points]).ToArray();
            var index = new PricePoint[points];
            for (var i = 0; i < points; i++)
            {
                var t = fromMs + (i * stepMs);
                var minutes = i * stepMs / 60_000.0;
                var level = minutes <= 60 ? 43_000 - (12_000 * minutes / 60) : 31_000 + (6_000 * (minutes - 60) / 60);
                var prices = new double[venues.Length];
                for (var v = 0; v < venues.Length; v++)
                {
                    var noise = 1 + (0.0008 * Math.Sin((i * 0.7) + (v * 2.1)));
                    prices[v] = level * offsets[v] * noise / scale;
                    if (wick && v == 2 && t >= wickFrom && t < wickFrom + 20_000)
                    {
                        prices[v] *= 0.65;
                    }

                    series[v][i] = new PricePoint(t, Math.Round(prices[v], 2));
                }

                Array.Sort(prices);
                index[i] = new PricePoint(t, Math.Round(prices[1], 2));
            }

            return new UnderlyingPrices(name, index,
                venues.Select((venue, v) => new SourcePrices(venue, series[v])).ToArray());
        }

        var buckets = new List<LiquidationBucket>();
        var balance = new List<FundBalancePoint>();
        var fund = 25_000_000_000_000L; // 25 M USD
        for (var minute = 0; minute < 120; minute++)
        {
            // Liquidations peak as the fall steepens towards 13:00 and fade on the rebound.
            var pressure = minute <= 60 ? minute * minute / 60 : Math.Max(0, 60 - ((minute - 60) * 3));
            var bankrupt = minute is >= 55 and <= 62 ? 3 + (minute % 3) : 0;
            var adl = minute is 59 or 60 ? 4 : 0;
            buckets.Add(new LiquidationBucket(fromMs + (minute * 60_000L), pressure, pressure / 4, bankrupt, adl));
            fund += (pressure * 1_500_000_000L) - (bankrupt * 400_000_000_000L);
            balance.Add(new FundBalancePoint(fromMs + (minute * 60_000L), fund));
        }

        var health = new HealthHistogram();
        for (var a = 0; a < 5_000; a++)
        {
            double? before = a % 10 == 0 ? null : 1.05 + (a % 97 * 0.08);
            double? after = a % 10 == 0 ? null : a % 7 == 0 ? 0.9 - (a % 5 * 0.1) : 1.1 + (a % 89 * 0.05);
            health.AddBefore(before);
            health.AddAfter(after);
        }

        var run = new StressRunInfo(
            ScenarioName, Seed: 20210519, ["data/2021-05-19/btc.ticks", "data/2021-05-19/eth.ticks"],
            BookAccounts: 5_000, BookPositions: 17_250,
            [new ReportParameter("backstopHealth", "0.6667"), new ReportParameter("liquidationFee", "0.005"),
             new ReportParameter("targetHealth", "1.10")],
            StartedAt: new DateTimeOffset(2025, 3, 2, 9, 15, 0, TimeSpan.Zero),
            FinishedAt: new DateTimeOffset(2025, 3, 2, 9, 18, 20, TimeSpan.Zero), WallSeconds: 200,
            MarketFrom, MarketFrom.AddHours(2), MarketSeconds: 7_200, ReplaySpeed: 36, TicksReplayed: 8_640_000,
            TicksPerSecond: 43_200);

        return new StressReportData(
            run,
            [Underlying("BTC", 1, wick: true), Underlying("ETH", 7, wick: false)],
            new LiquidationTimeline(60_000, buckets),
            new LiquidationTotals(5_000, 1_284, 2_310, 93_500_000_000, 18_700_000_000_000),
            new InsuranceFundReport(25_000_000_000_000, fund, balance, 28, 67_200_000_000_000, 1_250_000_000_000, 8,
                4_400_000_000_000),
            health.ToComparison(),
            new ContagionComparison(212, 0,
                "Cross accounts long ETH and short BTC lost on the ETH leg faster than the BTC leg gained."),
            new RecoveryTimes(
                new PercentileSet("breach to first reduction", 2_310, 12.5, 48, 210, 1_450, 5_020),
                new PercentileSet("breach to restored health", 1_284, 5_020, 5_400, 12_000, 30_100, 41_000)),
            new GridLatency(
                new PercentileSet("tick to decision", 8_640_000, 0.085, 0.21, 0.95, 4.2, 18),
                new PercentileSet("evaluation batch", 120_000, 0.6, 1.4, 3.8, 9.5, 22),
                new PercentileSet("journal write", 2_310, 1.1, 2.9, 7.5, 15, 31)),
            [
                new ScenarioComparisonRow(ScenarioName, "liquidationFee=0.005", 1_284, 2_310, 18_700_000_000_000,
                    93_500_000_000, 67_200_000_000_000, 1_250_000_000_000, 8, 4_400_000_000_000, 12_000),
                new ScenarioComparisonRow("same, fee 1 %", "liquidationFee=0.01", 1_301, 2_290, 18_900_000_000_000,
                    189_000_000_000, 66_100_000_000_000, 0, 0, 0, 11_800),
            ]);
    }
}

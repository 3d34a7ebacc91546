using Microsoft.Playwright;
using ScottPlot;

namespace RiskGrid.Cli.Tests.Smoke;

/// <summary>
/// The report stack: ScottPlot 5 (on SkiaSharp's Linux native library, restored by
/// SkiaSharp.NativeAssets.Linux.NoDependencies) writes SVG, and Debian's Chromium, driven by Playwright, renders
/// an HTML page with that SVG inline. Playwright never downloads a browser here: it is pointed at /usr/bin/chromium,
/// which <c>cluster/ensure-chromium.sh</c> installs.
/// </summary>
public sealed class ReportStackSmokeTests : IDisposable
{
    private const string ChromiumPath = "/usr/bin/chromium";

    private static readonly string[] ChromiumArgs =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    ];

    private readonly string _directory = Directory.CreateTempSubdirectory("riskgrid-report-smoke-").FullName;

    [Fact]
    public void LinePlotIsWrittenAsSvgToAStringAndToAFile()
    {
        using var plot = LatencyPlot();

        var inline = plot.GetSvgHtml(480, 320);
        var path = Path.Combine(_directory, "latency.svg");
        plot.SaveSvg(path, 480, 320);
        var saved = File.ReadAllText(path);

        Assert.Contains("<svg", inline, StringComparison.Ordinal);
        Assert.Contains("<svg", saved, StringComparison.Ordinal);
        Assert.Contains("p99 latency", saved, StringComparison.Ordinal);
    }

    [Fact]
    public void LinePlotRendersToPngThroughTheNativeSkiaLibrary()
    {
        using var plot = LatencyPlot();

        var png = plot.GetImageBytes(480, 320, ImageFormat.Png);

        Assert.True(png.Length > 1_000, $"PNG of {png.Length} bytes");
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, png[..4]);
    }

    [Fact]
    public async Task ChromiumRendersInlineSvgOfAReportWithoutConsoleErrors()
    {
        Assert.True(File.Exists(ChromiumPath), $"{ChromiumPath} is missing: run cluster/ensure-chromium.sh");
        using var plot = LatencyPlot();
        var report = Path.Combine(_directory, "report.html");
        await File.WriteAllTextAsync(report, $$"""
            <!DOCTYPE html>
            <html><head><meta charset="utf-8"><title>RiskGrid smoke report</title></head>
            <body>
              <h1>Latency</h1>
              {{plot.GetSvgHtml(480, 320)}}
              <svg id="legend" xmlns="http://www.w3.org/2000/svg" width="40" height="10"><rect width="40" height="10"/></svg>
            </body></html>
            """);
        var broken = Path.Combine(_directory, "broken.html");
        await File.WriteAllTextAsync(broken, "<!DOCTYPE html><html><body><script>console.error('boom')</script></body></html>");

        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ChromiumArgs,
            Timeout = 20_000,
        });

        var (svgCount, reportErrors) = await OpenAsync(browser, report);
        var (_, brokenErrors) = await OpenAsync(browser, broken);

        Assert.Equal(2, svgCount);
        Assert.Empty(reportErrors);
        Assert.Equal(["boom"], brokenErrors); // the listener does catch errors: an empty list above means something
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static Plot LatencyPlot()
    {
        var plot = new Plot();
        double[] seconds = [0, 1, 2, 3, 4, 5, 6, 7];
        double[] p99Micros = [120, 135, 128, 410, 150, 142, 138, 131];
        plot.Add.Scatter(seconds, p99Micros);
        plot.Title("p99 latency");
        plot.XLabel("time (s)");
        plot.YLabel("µs");
        return plot;
    }

    private static async Task<(int SvgCount, List<string> Errors)> OpenAsync(IBrowser browser, string path)
    {
        var page = await browser.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Add(message.Text);
            }
        };
        page.PageError += (_, error) => errors.Add(error);

        await page.GotoAsync(new Uri(path).AbsoluteUri, new PageGotoOptions { WaitUntil = WaitUntilState.Load });
        var svgCount = await page.Locator("svg").CountAsync();
        await page.CloseAsync();
        return (svgCount, errors);
    }
}

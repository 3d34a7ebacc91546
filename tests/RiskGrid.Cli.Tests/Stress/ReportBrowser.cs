using Microsoft.Playwright;

namespace RiskGrid.Cli.Tests.Stress;

/// <summary>
/// A stress report opened in Debian's headless Chromium through Playwright (never a downloaded browser), with every
/// console error, page error and request the page made recorded for the test to assert on.
/// </summary>
internal sealed class ReportBrowser : IAsyncDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private static readonly string[] ChromiumArgs =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    ];

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private ReportBrowser(IPlaywright playwright, IBrowser browser, IPage page)
    {
        _playwright = playwright;
        _browser = browser;
        Page = page;
    }

    public IPage Page { get; }

    public List<string> Errors { get; } = [];

    public List<string> Requests { get; } = [];

    /// <summary>Opens <paramref name="path"/> by its file:// address and waits for the load event.</summary>
    public static async Task<ReportBrowser> OpenAsync(string path)
    {
        Assert.True(File.Exists(ChromiumPath), $"{ChromiumPath} is missing: run cluster/ensure-chromium.sh");
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ChromiumArgs,
            Timeout = 20_000,
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions
        {
            ViewportSize = new ViewportSize { Width = 1200, Height = 900 },
        });
        var opened = new ReportBrowser(playwright, browser, page);
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                opened.Errors.Add(message.Text);
            }
        };
        page.PageError += (_, error) => opened.Errors.Add(error);
        page.Request += (_, request) => opened.Requests.Add(request.Url);
        await page.GotoAsync(new Uri(path).AbsoluteUri, new PageGotoOptions { WaitUntil = WaitUntilState.Load });
        return opened;
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}

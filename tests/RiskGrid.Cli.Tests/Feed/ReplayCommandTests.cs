using System.Diagnostics;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using RiskGrid.Cli.Tests.Interchange;
using RiskGrid.Feed.Replay;
using RiskGrid.Feed.Transport;
using RiskGrid.Margin.Instruments;
using RiskGrid.Margin.Oracle;
using RiskGrid.Margin.Parameters;
using RiskGrid.Node.Prices;

namespace RiskGrid.Cli.Tests.Feed;

/// <summary>Port-taking feed tests run one at a time.</summary>
[CollectionDefinition(nameof(FeedCommandCollection), DisableParallelization = true)]
public sealed class FeedCommandCollection;

/// <summary><c>riskgrid replay</c> end to end: over tcp into a subscriber of the test's own.</summary>
[Collection(nameof(FeedCommandCollection))]
public sealed class ReplayCommandTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task ASyntheticCrashReplayedOverTcpReachesASubscriberWithEveryLastPriceAndTheirMedian()
    {
        const int seed = 5;
        var crash = SyntheticCrash.Generate(seed);
        var fromMs = crash.CascadeStartMs;
        var toMs = crash.CascadeStartMs + 60_000;
        var port = FreePort();
        var endpoint = $"tcp://127.0.0.1:{port}";
        var parameters = DefaultRiskParams.Create();
        var settings = FeedSettings.LoadDefault();
        var view = new PriceView(parameters, new InstrumentCatalog(parameters), new DataGridClock(), settings.Oracle);
        using var transport = new NetMqTickTransport();
        using var feed = new PriceFeed(view, settings, transport, [endpoint]);

        // Subscribe once the replay has bound its port (a connect refused earlier is retried only after a while);
        // the replay's start delay covers the subscription's propagation.
        var replay = Task.Run(() => CliRun.Invoke("", "replay", "--synthetic", $"{seed}", "--speed", "max",
            "--endpoint", endpoint, "--from", $"{fromMs}",
            "--to", DateTimeOffset.FromUnixTimeMilliseconds(toMs).ToString("O"), "--start-delay-ms", "1000"));
        var bound = Stopwatch.StartNew();
        while (!IPGlobalProperties.GetIPGlobalProperties().GetActiveTcpListeners().Any(e => e.Port == port))
        {
            Assert.True(bound.Elapsed < Deadline && !replay.IsCompleted, "the replay never bound its port");
            Thread.Sleep(10);
        }

        feed.Start();
        var run = await replay;

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("replayed", run.Output, StringComparison.Ordinal);
        // The last trade of each series inside [from, to), computed from the model's own list.
        var expected = crash.Series
            .Select(s => (s.Source, s.BaseAsset, Last: s.Trades.Last(t => t.TsMs >= fromMs && t.TsMs < toMs)))
            .ToArray();
        var ticks = expected.Sum(e => crash.Series.Single(s => s.Source == e.Source && s.BaseAsset == e.BaseAsset)
            .Trades.Count(t => t.TsMs >= fromMs && t.TsMs < toMs));
        Assert.Contains($"replayed {ticks:N0} ticks", run.Output, StringComparison.Ordinal);

        var clock = Stopwatch.StartNew();
        while (true)
        {
            var report = view.Report();
            var arrived = expected.All(e => report.Underlyings.Single(u => u.Underlying == e.BaseAsset).Sources
                .Any(s => s.Source == e.Source && s.LastPrice == e.Last.Price && s.LastTickMs == e.Last.TsMs));
            if (arrived)
            {
                var endMs = expected.Max(e => e.Last.TsMs);
                var valid = expected.Where(e => e.BaseAsset == "BTC" && endMs - e.Last.TsMs < 3_000)
                    .Select(e => e.Last.Price).Order().ToArray();
                var btc = report.Underlyings.Single(u => u.Underlying == "BTC");
                Assert.Equal(valid.Length, btc.ValidSources);
                Assert.Equal(valid.Length % 2 == 1 ? valid[valid.Length / 2]
                    : (valid[(valid.Length / 2) - 1] + valid[valid.Length / 2]) / 2, btc.Index);
                Assert.NotEqual(OracleStatus.Unpriced, btc.Status);
                return;
            }

            Assert.True(clock.Elapsed < Deadline, "the replayed last prices never all arrived: expected "
                + string.Join(", ", expected.Select(e => $"{e.Source}/{e.BaseAsset}={e.Last.Price}@{e.Last.TsMs}"))
                + "; got " + string.Join(", ", report.Underlyings.SelectMany(u => u.Sources.Select(
                    s => $"{s.Source}/{u.Underlying}={s.LastPrice}@{s.LastTickMs}")))
                + "\n" + string.Join(", ", report.Feeds) + "\n" + run.Output);
            Thread.Sleep(20);
        }
    }

    [Fact]
    public void AFileWhoseNameIsNoKnownLayoutIsRefusedWithExitStatusTwo()
    {
        var run = CliRun.Invoke("", "replay", "--data", "prices.txt", "--endpoint", "tcp://127.0.0.1:1");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("prices.txt", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void AFileWhoseRowsAreNotTheLayoutItsNameSaysIsRefusedWithExitStatusTwo()
    {
        var folder = Directory.CreateTempSubdirectory("riskgrid-replay-bad-");
        var path = Path.Combine(folder.FullName, "gemini-BTCUSD-trades.csv");
        File.WriteAllText(path, "ts_ms,price,size,side\nyesterday,lots,1,buy\n");

        var run = CliRun.Invoke("", "replay", "--data", path, "--endpoint", "tcp://127.0.0.1:1");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("gemini-BTCUSD-trades.csv", run.Error, StringComparison.Ordinal);
        Assert.Empty(run.Output);
        folder.Delete(recursive: true);
    }

    [Fact]
    public void AMissingFileABadSpeedAndNoInputAreRefusedWithExitStatusTwo()
    {
        var missing = CliRun.Invoke("", "replay", "--data", "/nonexistent/gemini-BTCUSD-trades.csv");
        var speed = CliRun.Invoke("", "replay", "--synthetic", "1", "--speed", "fast");
        var nothing = CliRun.Invoke("", "replay");

        Assert.Equal((2, 2, 2), (missing.ExitCode, speed.ExitCode, nothing.ExitCode));
        Assert.Contains("no such file", missing.Error, StringComparison.Ordinal);
        Assert.Contains("--speed 'fast'", speed.Error, StringComparison.Ordinal);
        Assert.Contains("--data", nothing.Error, StringComparison.Ordinal);
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

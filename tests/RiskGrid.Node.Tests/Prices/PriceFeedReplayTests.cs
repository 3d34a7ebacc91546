using System.Diagnostics;
using System.Globalization;
using RiskGrid.Feed.Codec;
using RiskGrid.Feed.Replay;
using RiskGrid.Feed.Transport;
using RiskGrid.Margin.Oracle;
using RiskGrid.Node.Prices;
using static RiskGrid.Node.Tests.Prices.PriceFixtures;

namespace RiskGrid.Node.Tests.Prices;

/// <summary>
/// A crash replayed through the real transport into a node's price feed gives, per underlying, the median the test
/// computes itself from the CSV text: the last price of each source whose last tick is younger than staleMs on the
/// data's clock.
/// </summary>
public sealed class PriceFeedReplayTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    /// <summary>2025-10-10T21:20:00Z: Gemini BTC is silent (21:13:57–21:20:46), both Binance series are live.</summary>
    private const long RecordedCrashBottomMs = 1_760_131_200_000;

    /// <summary>2025-10-11T00:00:00Z: after the last row of every file.</summary>
    private const long RecordedEndMs = 1_760_140_800_000;

    [MarketDataFact]
    public void ReplayingTheRecordedCrashGivesTheIndependentlyComputedMedian()
    {
        var files = Directory.GetFiles(MarketData.Crash20251010, "*.csv").Order(StringComparer.Ordinal)
            .Select(path => MarketDataFile.Parse(path)).ToArray();

        var atBottom = ReplayAndCompare(files, RecordedCrashBottomMs);
        // The test's premise: at the bottom Gemini is stale and the two Binance series make the index.
        Assert.Equal(2, atBottom.Underlying("BTC").ValidSources);
        Assert.False(atBottom.Underlying("BTC").Sources.Single(s => s.Source == "gemini").Valid);

        var atEnd = ReplayAndCompare(files, RecordedEndMs);
        Assert.Equal(3, atEnd.Underlying("BTC").ValidSources);
    }

    [Fact]
    public void ReplayingTheSyntheticCrashGivesTheIndependentlyComputedMedian()
    {
        var crash = SyntheticCrash.Generate(11);
        var files = MarketData.Synthetic(11);

        // Inside synth_c's silence: two of three BTC sources.
        var silent = ReplayAndCompare(files, crash.SilenceStartMs + 10_000);
        Assert.Equal(2, silent.Underlying("BTC").ValidSources);

        // Inside synth_b's −50 % wick: the median is one of the honest sources.
        var wick = ReplayAndCompare(files, crash.WickStartMs + 1_500);
        var btc = wick.Underlying("BTC");
        var wickPrice = btc.Sources.Single(s => s.Source == "synth_b").LastPrice;
        Assert.True(btc.Index > 1.5 * wickPrice, $"index {btc.Index} follows the wick {wickPrice}");
    }

    private static PricesReport ReplayAndCompare(IReadOnlyList<MarketDataFile> files, long toMs)
    {
        var settings = FeedSettings.LoadDefault() with { ReceiveHighWatermark = 1_000_000 };
        var endpoint = "inproc://riskgrid-price-replay-" + Guid.NewGuid().ToString("N");
        using var transport = new NetMqTickTransport();
        var publisher = transport.CreatePublisher(settings.PublisherOptions(endpoint) with
        {
            SendHighWatermark = 1_000_000,
        });
        var view = View(new DataGridClock(), settings.Oracle);
        using var feed = new PriceFeed(view, settings, transport, [endpoint]);
        feed.Start();
        var handshakes = Handshake(publisher, feed.Subscribers[0]);

        var readers = files.Select((f, i) => RecordedTickReader.Open(f, i)).ToArray();
        try
        {
            var conflater = new ConflatingPublisher(publisher, publisherId: 1);
            var replayClock = new SystemReplayClock();
            new TickReplay(new RecordedTickMerger(readers, toMs: toMs), [.. files.Select(ReplayStream.For)],
                conflater, new ReplayPacer(replayClock, ReplaySpeed.Max), replayClock).Run();
            conflater.PublishSnapshot(replayClock.NowNs);
            var expectedFrames = handshakes + conflater.Stats.FramesPublished;
            WaitFor(() => feed.Subscribers[0].Stats.FramesDelivered >= expectedFrames, "every replayed frame");
        }
        finally
        {
            foreach (var reader in readers)
            {
                reader.Dispose();
            }
        }

        var report = view.Report();
        Assert.All(report.Publishers, p => Assert.Equal(0, p.Gaps));
        AssertIndicesMatch(files, toMs, report);
        return report;
    }

    /// <summary>The expected indices from the CSV text alone: last price per source before <paramref
    /// name="toMs"/> (a bar's last price is its close, at open + length − 1 ms), valid when younger than staleMs
    /// at the latest time of any file, median of the valid ones.</summary>
    private static void AssertIndicesMatch(IReadOnlyList<MarketDataFile> files, long toMs, PricesReport report)
    {
        var last = files.Select(f => (File: f, Tick: LastTickBefore(f, toMs))).Where(x => x.Tick is not null)
            .Select(x => (x.File, TsMs: x.Tick!.Value.TsMs, x.Tick.Value.Price)).ToArray();
        var clockMs = last.Max(x => x.TsMs);
        var staleMs = Params.Prices.StaleMs;
        foreach (var group in last.GroupBy(x => x.File.BaseAsset))
        {
            var underlying = report.Underlying(group.Key);
            var valid = group.Where(x => clockMs - x.TsMs < staleMs).Select(x => x.Price).ToArray();
            Assert.Equal(valid.Length, underlying.ValidSources);
            if (valid.Length < underlying.MinSources)
            {
                Assert.True(underlying.Status is OracleStatus.Stale or OracleStatus.Unpriced,
                    $"{group.Key}: {valid.Length} valid sources, status {underlying.Status}");
                continue;
            }

            Assert.NotEqual(OracleStatus.Stale, underlying.Status);
            Assert.Equal(Median(valid), underlying.Index, 9);
        }
    }

    private static (long TsMs, double Price)? LastTickBefore(MarketDataFile file, long toMs)
    {
        (long, double)? last = null;
        foreach (var line in File.ReadLines(file.Path).Skip(1))
        {
            var cells = line.Split(',');
            var openMs = long.Parse(cells[0], CultureInfo.InvariantCulture);
            var (tsMs, price) = file.Kind == MarketDataKind.Bars
                ? (openMs + file.BarLengthMs - 1, double.Parse(cells[4], CultureInfo.InvariantCulture))
                : (openMs, double.Parse(cells[1], CultureInfo.InvariantCulture));
            if (tsMs >= toMs)
            {
                break;
            }

            last = (tsMs, price);
        }

        return last;
    }

    private static long Handshake(ITickPublisher publisher, ITickSubscriber subscriber)
    {
        var frame = Frame(TickMessageType.Price, TickFrameFlags.None, 99, 1);
        var clock = Stopwatch.StartNew();
        var sent = 0L;
        while (subscriber.Stats.FramesDelivered == 0)
        {
            Assert.True(clock.Elapsed < Deadline, "no handshake frame arrived");
            publisher.TryPublish(frame);
            sent++;
            Thread.Sleep(10);
        }

        WaitFor(() =>
        {
            var seen = subscriber.Stats.FramesReceived;
            Thread.Sleep(50);
            return subscriber.Stats.FramesReceived == seen;
        }, "the handshake frames to drain");
        return subscriber.Stats.FramesDelivered;
    }

    internal static void WaitFor(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < Deadline, $"timed out after {Deadline} waiting for {what}");
            Thread.Sleep(5);
        }
    }
}

using RiskGrid.Feed.Transport;
using RiskGrid.Node.Prices;
using RiskGrid.Node.Time;
using static RiskGrid.Node.Tests.Prices.PriceFixtures;

namespace RiskGrid.Node.Tests.Prices;

/// <summary>Memory is measured process-wide, so these tests run alone.</summary>
[CollectionDefinition(nameof(PriceFeedTests), DisableParallelization = true)]
public sealed class PriceFeedCollection;

/// <summary>The feed subscriber writing into the view, and conflated fan-out to slow local consumers.</summary>
[Collection(nameof(PriceFeedTests))]
public sealed class PriceFeedTests
{
    [Fact]
    public void AGarbledFrameIsCountedAndSkippedAndTheSubscriberGoesOn()
    {
        var settings = FeedSettings.LoadDefault();
        var endpoint = "inproc://riskgrid-price-garbled-" + Guid.NewGuid().ToString("N");
        using var transport = new NetMqTickTransport();
        var publisher = transport.CreatePublisher(settings.PublisherOptions(endpoint));
        var view = View(new ManualGridClock(StartMs), OneSource);
        using var feed = new PriceFeed(view, settings, transport, [endpoint]);
        feed.Start();
        var valid = Frame(1, 1, new Tick("a", "BTC", 100_000, StartMs, 1));
        PriceFeedReplayTests.WaitFor(() =>
        {
            publisher.TryPublish(valid);
            return feed.Subscribers[0].Stats.FramesDelivered > 0;
        }, "the first frame");

        var garbled = Frame(1, 2, new Tick("a", "BTC", 1, StartMs + 1, 2));
        garbled[40 + 8] = 0x01; // a byte after the source name's zero padding began: BadText
        publisher.TryPublish(garbled);
        publisher.TryPublish([1, 2, 3]);
        publisher.TryPublish(Frame(1, 3, new Tick("a", "BTC", 100_500, StartMs + 2, 3)));

        PriceFeedReplayTests.WaitFor(() => view.Report().Underlying("BTC").Index == 100_500, "the valid frame");
        var feedReport = Assert.Single(view.Report().Feeds);
        Assert.Equal(2, feedReport.FramesGarbled);
        Assert.Equal("TooShort", feedReport.LastGarbledStatus);
        Assert.Equal(0, feedReport.HandlerFaults);
        Assert.True(feedReport.Connected);
    }

    [Fact]
    public void ABurstTenTimesFasterThanTheConsumerLeavesMemoryFlatAndTheConsumerSeesTheLatestPrice()
    {
        var clock = new ManualGridClock(StartMs);
        var view = View(clock, new PriceViewOptions { ExpectedSources = new Dictionary<string, int> { ["BTC"] = 1 } });
        using var signal = new SemaphoreSlim(0);
        using var subscription = view.Subscribe(_ => signal.Release());
        var taken = 0L;
        var lastSeen = double.NaN;
        using var stop = new CancellationTokenSource();
        var consumer = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                if (signal.Wait(20))
                {
                    var snapshot = subscription.Take();
                    Volatile.Write(ref lastSeen, snapshot.Market.Index(0));
                    Interlocked.Increment(ref taken);
                    Thread.Sleep(1); // a slow consumer: at most ~1 000 snapshots/s
                }
            }
        }) { IsBackground = true };
        consumer.Start();

        const int ticks = 200_000;
        var frames = Enumerable.Range(0, 256).Select(_ => new byte[TickFrameLayoutLength]).ToArray();
        Burst(view, clock, frames, 1, 10_000);
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        var takenBefore = Interlocked.Read(ref taken);
        Burst(view, clock, frames, 10_001, 10_000 + ticks);
        var takenDuring = Interlocked.Read(ref taken) - takenBefore;
        var retained = GC.GetTotalMemory(forceFullCollection: true) - baseline;

        Assert.True(ticks >= 10 * Math.Max(1, takenDuring), $"{ticks} ticks, {takenDuring} snapshots taken meanwhile");
        Assert.True(retained < 4 << 20, $"{retained:N0} bytes retained after the burst");
        var latest = Price(10_000 + ticks);
        PriceFeedReplayTests.WaitFor(() => Volatile.Read(ref lastSeen) == latest, "the consumer to see the last price");
        stop.Cancel();
        consumer.Join();
    }

    private static double Price(int i) => 100_000 + (i * 0.01);

    private static readonly int TickFrameLayoutLength = Feed.Codec.TickFrameLayout.FrameLength(1);

    private static void Burst(PriceView view, ManualGridClock clock, byte[][] frames, int from, int to)
    {
        var source = Feed.Codec.FixedAscii24.Create("a");
        for (var i = from; i <= to; i++)
        {
            var frame = frames[i % frames.Length];
            var writer = new Feed.Codec.TickFrameWriter(frame, new Feed.Codec.TickFrameHeader(
                Feed.Codec.TickMessageType.Price, Feed.Codec.TickFrameFlags.None, 1, (ulong)i, 0));
            var t = StartMs + i;
            writer.TryAdd(new Feed.Codec.TickEntry(source, Btc, Price(i), t, (ulong)i));
            clock.AdvanceTo(t);
            view.ApplyFrame(frame);
        }
    }
}

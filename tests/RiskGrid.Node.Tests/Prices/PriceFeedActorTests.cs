using Akka.TestKit.Xunit2;
using RiskGrid.Feed.Transport;
using RiskGrid.Margin.Oracle;
using RiskGrid.Node.Prices;
using RiskGrid.Node.Time;
using static RiskGrid.Node.Tests.Prices.PriceFixtures;

namespace RiskGrid.Node.Tests.Prices;

/// <summary>The hosted price feed: evaluates on the clock, logs status changes, answers reports.</summary>
public sealed class PriceFeedActorTests() : TestKit("""
    akka.loglevel = INFO
    akka.loggers = ["Akka.TestKit.TestEventListener, Akka.TestKit"]
    """)
{
    [Fact]
    public void AnIndexGoingStaleAndFreshAgainIsLoggedOnceEachWithItsUnderlying()
    {
        var clock = new ManualGridClock(StartMs);
        var settings = FeedSettings.LoadDefault() with
        {
            Subscribe = [],
            EvaluateInterval = TimeSpan.FromMilliseconds(10),
        };
        var view = View(clock, settings.Oracle);
        using var transport = new NetMqTickTransport();

        EventFilter.Info(contains: "underlying=BTC status=Fresh").ExpectOne(() =>
        {
            Sys.ActorOf(PriceFeedActor.Props(view, settings, transport), "prices");
            view.Submit("a", "BTC", 100_000, StartMs);
            view.Submit("b", "BTC", 100_100, StartMs);
        });

        EventFilter.Warning(contains: "underlying=BTC status=Stale").ExpectOne(() => clock.Advance(3_000));

        EventFilter.Info(contains: "underlying=BTC status=Fresh").ExpectOne(() =>
        {
            view.Submit("a", "BTC", 100_000, clock.NowMs);
            view.Submit("b", "BTC", 100_100, clock.NowMs);
        });

        Sys.ActorSelection("/user/prices").Tell(GetPricesReport.Instance, TestActor);
        var report = ExpectMsg<PricesReport>();
        Assert.Equal(OracleStatus.Fresh, report.Underlying("BTC").Status);
    }

    [Fact]
    public void AFrameGapIsLoggedWithItsPublisherAndSize()
    {
        var settings = FeedSettings.LoadDefault() with
        {
            Subscribe = [],
            EvaluateInterval = TimeSpan.FromMilliseconds(10),
        };
        var view = View(new ManualGridClock(StartMs), settings.Oracle);
        using var transport = new NetMqTickTransport();
        Sys.ActorOf(PriceFeedActor.Props(view, settings, transport));

        EventFilter.Warning(contains: "feed frame gaps publisher=7 gaps=1 missedFrames=3").ExpectOne(() =>
        {
            view.ApplyFrame(Frame(7, 1, new Tick("a", "BTC", 100_000, StartMs, 1)));
            view.ApplyFrame(Frame(7, 5, new Tick("a", "BTC", 100_001, StartMs, 2)));
        });
    }

    [Fact]
    public void AnActorConsumerIsToldOnceUntilItTakesTheSnapshot()
    {
        var view = View(new ManualGridClock(StartMs), OneSource);
        using var subscription = view.Subscribe(TestActor);

        view.Submit("a", "BTC", 100_000, StartMs);
        view.Submit("a", "BTC", 100_001, StartMs + 1);
        view.Submit("a", "BTC", 100_002, StartMs + 2);

        var changed = ExpectMsg<PricesChanged>();
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        Assert.Same(subscription, changed.Subscription);
        Assert.Equal(100_002, changed.Subscription.Take().Market.Index(0));

        view.Submit("a", "BTC", 100_003, StartMs + 3);
        ExpectMsg<PricesChanged>();
        Assert.Equal(2, subscription.Notifications);
    }
}

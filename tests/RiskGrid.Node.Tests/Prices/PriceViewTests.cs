using RiskGrid.Feed.Codec;
using RiskGrid.Margin.Oracle;
using RiskGrid.Node.Prices;
using RiskGrid.Node.Time;
using static RiskGrid.Node.Tests.Prices.PriceFixtures;

namespace RiskGrid.Node.Tests.Prices;

/// <summary>The node-local price view: oracle index (§8), drops by cause, snapshots and the manual source.</summary>
public sealed class PriceViewTests
{
    private const int BtcId = 0;

    [Fact]
    public void TheIndexIsTheMedianOfTheSourcesLatestPrices()
    {
        var clock = new ManualGridClock(StartMs);
        var view = View(clock);

        view.ApplyFrame(Frame(1, 1,
            new Tick("a", "BTC", 100_000, StartMs, 1),
            new Tick("b", "BTC", 100_300, StartMs, 1),
            new Tick("c", "BTC", 99_900, StartMs, 1)));

        var snapshot = view.Current;
        // Median of {99 900, 100 000, 100 300} = 100 000.
        Assert.Equal(100_000, snapshot.Market.Index(BtcId));
        Assert.True(snapshot.Market.IsFresh(BtcId));
        Assert.Equal(OracleStatus.Fresh, snapshot.Oracle(BtcId).Status);
        Assert.Equal(3, view.Report().Underlying("BTC").ValidSources);
    }

    [Fact]
    public void OneOfThreeSourcesPrintingAFiftyPercentWickMovesTheIndexByNothing()
    {
        var clock = new ManualGridClock(StartMs);
        var view = View(clock);
        view.ApplyFrame(Frame(1, 1,
            new Tick("a", "BTC", 100_000, StartMs, 1),
            new Tick("b", "BTC", 100_100, StartMs, 1),
            new Tick("c", "BTC", 99_900, StartMs, 1)));
        Assert.Equal(100_000, view.Current.Market.Index(BtcId));

        // c (the low source) prints −50 %: {100 000, 100 100, 49 950} → median still 100 000.
        clock.Advance(100);
        view.ApplyFrame(Frame(1, 2, new Tick("c", "BTC", 49_950, clock.NowMs, 2)));
        Assert.Equal(100_000, view.Current.Market.Index(BtcId));
        Assert.Equal(OracleStatus.Fresh, view.Current.Oracle(BtcId).Status);
        Assert.Equal(49_950, view.Report().Underlying("BTC").Sources.Single(x => x.Source == "c").LastPrice);

        // And back: no trace.
        clock.Advance(100);
        view.ApplyFrame(Frame(1, 3, new Tick("c", "BTC", 99_900, clock.NowMs, 3)));
        Assert.Equal(100_000, view.Current.Market.Index(BtcId));
        Assert.True(view.Current.Market.IsFresh(BtcId));
    }

    [Fact]
    public void ASilentSourceMakesTheIndexStaleAfterStaleMsAndFreshAgainWhenItReturns()
    {
        // Two sources expected: minSources (auto) = 2, staleMs = 3 000.
        var clock = new ManualGridClock(StartMs);
        var view = View(clock, new PriceViewOptions { ExpectedSources = new Dictionary<string, int> { ["BTC"] = 2 } });
        Assert.Equal(PriceSubmitResult.Accepted, view.Submit("a", "BTC", 100_000, StartMs));
        Assert.Equal(PriceSubmitResult.Accepted, view.Submit("b", "BTC", 100_200, StartMs));
        Assert.Equal(100_100, view.Current.Market.Index(BtcId));

        // a keeps ticking, b goes silent. At 2 999 ms b is still valid; at 3 000 ms it is not.
        for (var t = 500L; t < 3_000; t += 500)
        {
            clock.AdvanceTo(StartMs + t);
            view.Submit("a", "BTC", 100_000 + t, StartMs + t);
        }

        clock.AdvanceTo(StartMs + 2_999);
        view.Evaluate();
        Assert.Equal(OracleStatus.Fresh, view.Current.Oracle(BtcId).Status);

        clock.AdvanceTo(StartMs + 3_000);
        view.Evaluate();
        var stale = view.Current;
        Assert.Equal(OracleStatus.Stale, stale.Oracle(BtcId).Status);
        Assert.False(stale.Market.IsFresh(BtcId));
        // The last good index stands: median of a at 2 500 (102 500) and b (100 200) = 101 350.
        Assert.Equal(101_350, stale.Market.Index(BtcId));
        var report = view.Report().Underlying("BTC");
        Assert.Equal(OracleStatus.Stale, report.Status);
        Assert.Equal(1, report.ValidSources);
        Assert.Equal(2, report.MinSources);

        clock.Advance(400);
        Assert.Equal(PriceSubmitResult.Accepted, view.Submit("b", "BTC", 100_400, clock.NowMs));
        var fresh = view.Current;
        Assert.Equal(OracleStatus.Fresh, fresh.Oracle(BtcId).Status);
        Assert.True(fresh.Market.IsFresh(BtcId));
        Assert.Equal((102_500 + 100_400) / 2.0, fresh.Market.Index(BtcId));
    }

    [Fact]
    public void NanZeroNegativeDuplicateAndOutOfOrderTicksAreDroppedAndCountedPerSource()
    {
        var clock = new ManualGridClock(StartMs);
        var view = View(clock);
        view.ApplyFrame(Frame(1, 1,
            new Tick("a", "BTC", 100_000, StartMs, 10),
            new Tick("b", "BTC", 100_000, StartMs, 10)));
        view.ApplyFrame(Frame(1, 2,
            new Tick("a", "BTC", double.NaN, StartMs + 1, 11),
            new Tick("a", "BTC", double.PositiveInfinity, StartMs + 1, 12),
            new Tick("a", "BTC", 0, StartMs + 1, 13),
            new Tick("a", "BTC", -5, StartMs + 1, 14),
            new Tick("a", "BTC", 90_000, StartMs + 1, 10),
            new Tick("a", "BTC", 80_000, StartMs + 1, 9),
            new Tick("b", "BTC", 70_000, StartMs + 1, 9)));

        var report = view.Report();
        var a = report.Source("a");
        Assert.Equal((1L, 2L, 1L, 1L, 1L, 1L), (a.Accepted, a.NonFinite, a.Zero, a.Negative, a.Duplicates,
            a.OutOfOrder));
        Assert.Equal(6, a.Dropped);
        var b = report.Source("b");
        Assert.Equal((1L, 1L, 0L), (b.Accepted, b.OutOfOrder, b.Duplicates));
        Assert.Equal(100_000, view.Current.Market.Index(BtcId));
    }

    [Fact]
    public void AFrameSequenceGapIsCountedPerPublisherAndASourceSequenceJumpPerSource()
    {
        var view = View(new ManualGridClock(StartMs));
        view.ApplyFrame(Frame(7, 1, new Tick("a", "BTC", 100_000, StartMs, 1)));
        view.ApplyFrame(Frame(7, 5, new Tick("a", "BTC", 100_001, StartMs, 4)));

        var report = view.Report();
        var publisher = Assert.Single(report.Publishers);
        Assert.Equal((7u, 1L, 3L), (publisher.PublisherId, publisher.Gaps, publisher.MissedFrames));
        Assert.Equal(1, report.Source("a").Gaps);
    }

    [Fact]
    public void AGarbledFrameIsCountedAndSkipped()
    {
        var view = View(new ManualGridClock(StartMs), OneSource);
        var frame = Frame(1, 1, new Tick("a", "BTC", 100_000, StartMs, 1));
        var garbled = (byte[])frame.Clone();
        garbled[0] ^= 0xFF;

        Assert.Equal(TickFrameStatus.BadMagic, view.ApplyFrame(garbled));
        Assert.Equal(TickFrameStatus.TooShort, view.ApplyFrame(new byte[3]));
        Assert.Equal(TickFrameStatus.Ok, view.ApplyFrame(frame));

        var report = view.Report();
        Assert.Equal(2, report.FramesGarbled);
        Assert.Equal(100_000, report.Underlying("BTC").Index);
    }

    [Fact]
    public void TicksOfUnknownUnderlyingsAndSourcesBeyondTheTableAreCountedAsUnrouted()
    {
        var view = View(new ManualGridClock(StartMs), new PriceViewOptions { MaxSourcesPerUnderlying = 2 });
        view.ApplyFrame(Frame(1, 1,
            new Tick("a", "BTC", 100_000, StartMs, 1),
            new Tick("b", "BTC", 100_000, StartMs, 1),
            new Tick("c", "BTC", 100_000, StartMs, 1),
            new Tick("a", "XRP", 1, StartMs, 1)));

        var report = view.Report();
        Assert.Equal(1, report.Source("a").Unrouted);
        Assert.Equal((0L, 1L), (report.Source("c").Accepted, report.Source("c").Unrouted));
        Assert.Equal(2, report.Underlying("BTC").Sources.Count);
    }

    [Fact]
    public void SubmitRejectsBadInputNamingTheFieldAndLeavesThePricesUntouched()
    {
        var clock = new ManualGridClock(StartMs);
        var view = View(clock, OneSource);
        Assert.True(view.Submit("manual", "BTC", 100_000, StartMs).IsAccepted);
        var version = view.Version;

        Assert.Equal("source", view.Submit("", "BTC", 1, StartMs).Field);
        Assert.Equal("source", view.Submit("has space", "BTC", 1, StartMs).Field);
        Assert.Equal("underlying", view.Submit("manual", "DOGE", 1, StartMs).Field);
        Assert.Equal("price", view.Submit("manual", "BTC", double.NaN, StartMs + 1).Field);
        Assert.Equal("price", view.Submit("manual", "BTC", 0, StartMs + 1).Field);
        Assert.Equal("price", view.Submit("manual", "BTC", -1, StartMs + 1).Field);
        Assert.Equal("ts", view.Submit("manual", "BTC", 1, 0).Field);
        Assert.Equal("ts", view.Submit("manual", "BTC", 101_000, StartMs).Field);
        var older = view.Submit("manual", "BTC", 101_000, StartMs - 1);
        Assert.Equal("ts", older.Field);
        Assert.Contains("older", older.Reason, StringComparison.Ordinal);

        Assert.Equal(version, view.Version);
        Assert.Equal(100_000, view.Current.Market.Index(BtcId));
        var manual = view.Report().Source("manual");
        Assert.Equal((1L, 1L, 1L, 1L, 1L, 1L), (manual.Accepted, manual.NonFinite, manual.Zero, manual.Negative,
            manual.Duplicates, manual.OutOfOrder));
    }

    [Fact]
    public void CurrentIsCopiedOnceAfterAChangeAndSharedUntilTheNext()
    {
        var clock = new ManualGridClock(StartMs);
        var view = View(clock, OneSource);
        view.Submit("a", "BTC", 100_000, StartMs);

        var first = view.Current;
        Assert.Same(first, view.Current);

        view.Submit("a", "BTC", 100_500, StartMs + 1);
        var second = view.Current;
        Assert.NotSame(first, second);
        Assert.True(second.Version > first.Version);
        Assert.Equal(100_000, first.Market.Index(BtcId));
        Assert.Equal(100_500, second.Market.Index(BtcId));
        lock (second.Gate)
        {
            Assert.Same(second.Arrays, second.Arrays);
        }
    }

    [Fact]
    public void UnpricedUnderlyingsAreNotFreshAndHaveNoIndex()
    {
        var snapshot = View(new ManualGridClock(StartMs)).Current;

        Assert.True(double.IsNaN(snapshot.Market.Index(BtcId)));
        Assert.False(snapshot.Market.IsFresh(BtcId));
        Assert.Equal(OracleStatus.Unpriced, snapshot.Oracle(BtcId).Status);
    }

    [Fact]
    public void ImpliedVolatilityAndFundingTicksReachTheMarketAndTheFundingTable()
    {
        var view = View(new ManualGridClock(StartMs));
        const string option = "BTC-20261225-100000-C";
        view.ApplyFrame(Frame(TickMessageType.ImpliedVol, TickFrameFlags.None, 1, 1,
            new Tick("deribit", option, 0.55, StartMs, 1)));
        view.ApplyFrame(Frame(TickMessageType.FundingRate, TickFrameFlags.None, 1, 2,
            new Tick("deribit", "BTC-PERP", -0.0001, StartMs + 28_800_000, 1),
            new Tick("deribit", "BTC", 0.0001, StartMs, 1)));

        var snapshot = view.Current;
        var instrument = view.Catalog.Resolve(option);
        Assert.Equal(0.55, snapshot.Market.VolatilityFor(instrument));
        Assert.True(view.TryGetFundingRate(view.Catalog.Resolve("BTC-PERP").Id, out var rate, out var atMs));
        Assert.Equal((-0.0001, StartMs + 28_800_000), (rate, atMs));
        var report = view.Report();
        Assert.Equal("BTC-PERP", Assert.Single(report.FundingRates).Instrument);
        Assert.Equal(1, report.Source("deribit").Unrouted);
    }

    [Fact]
    public void ASnapshotFrameRepeatingAnAppliedValueIsNotADrop()
    {
        var view = View(new ManualGridClock(StartMs));
        view.ApplyFrame(Frame(1, 1, new Tick("a", "BTC", 100_000, StartMs, 3)));
        view.ApplyFrame(Frame(TickMessageType.Price, TickFrameFlags.Snapshot, 1, 2,
            new Tick("a", "BTC", 100_000, StartMs, 3)));

        var a = view.Report().Source("a");
        Assert.Equal((1L, 1L, 0L), (a.Accepted, a.SnapshotRepeats, a.Dropped));
    }

    [Fact]
    public void ADataClockMakesStalenessFollowTheRecordingsOwnTime()
    {
        var clock = new DataGridClock();
        var view = View(clock, new PriceViewOptions { ExpectedSources = new Dictionary<string, int> { ["BTC"] = 2 } });
        view.Submit("a", "BTC", 100_000, StartMs);
        view.Submit("b", "BTC", 100_000, StartMs);
        Assert.Equal(StartMs, clock.NowMs);
        Assert.Equal(OracleStatus.Fresh, view.Current.Oracle(BtcId).Status);

        view.Submit("a", "BTC", 100_000, StartMs + 3_000);

        Assert.Equal(OracleStatus.Stale, view.Current.Oracle(BtcId).Status);
    }

    [Fact]
    public void ApplyingFramesInSteadyStateAllocatesNothing()
    {
        var clock = new ManualGridClock(StartMs);
        var view = View(clock);
        var frames = new byte[64][];
        for (var i = 0; i < frames.Length; i++)
        {
            frames[i] = new byte[TickFrameLayout.FrameLength(3)];
        }

        void Run(ulong from, ulong count)
        {
            for (var s = from; s < from + count; s++)
            {
                var t = StartMs + ((long)s * 10);
                var frame = frames[s % 64];
                var writer = new TickFrameWriter(frame,
                    new TickFrameHeader(TickMessageType.Price, TickFrameFlags.None, 1, s, 0));
                writer.TryAdd(new TickEntry(A, Btc, 100_000 + (s % 100), t, s));
                writer.TryAdd(new TickEntry(B, Btc, 100_010 + (s % 50), t, s));
                writer.TryAdd(new TickEntry(C, Btc, 99_990 + (s % 70), t, s));
                clock.AdvanceTo(t);
                view.ApplyFrame(frame);
            }
        }

        Run(1, 5_000);
        var before = GC.GetAllocatedBytesForCurrentThread();
        Run(5_001, 20_000);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(3 * 25_000L, view.Report().Sources.Sum(s => s.Accepted));
    }

    private static readonly FixedAscii24 A = FixedAscii24.Create("a");
    private static readonly FixedAscii24 B = FixedAscii24.Create("b");
    private static readonly FixedAscii24 C = FixedAscii24.Create("c");
}

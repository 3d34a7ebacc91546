using RiskGrid.Feed.Codec;

namespace RiskGrid.Feed.Tests.Codec;

public sealed class SourceTickFilterTests
{
    private static readonly FixedAscii24 Gemini = FixedAscii24.Create("gemini");
    private static readonly FixedAscii24 Binance = FixedAscii24.Create("binancecm_mark");
    private static readonly FixedAscii24 Btc = FixedAscii24.Create("BTC");
    private static readonly FixedAscii24 Eth = FixedAscii24.Create("ETH");

    private static TickFrameHeader Frame(ulong sequence, uint publisher = 1,
        TickMessageType type = TickMessageType.Price, TickFrameFlags flags = TickFrameFlags.None) =>
        new(type, flags, publisher, sequence, 0);

    private static TickEntry Tick(FixedAscii24 source, FixedAscii24 symbol, double value, ulong sequence) =>
        new(source, symbol, value, 1_760_131_200_000, sequence);

    [Fact]
    public void CountsNanInfinityZeroAndNegativePricesPerSourceAndDropsThem()
    {
        var filter = new SourceTickFilter();
        var frame = Frame(1);
        Assert.Equal(TickVerdict.NonFinite, filter.Accept(frame, Tick(Gemini, Btc, double.NaN, 1)));
        Assert.Equal(TickVerdict.NonFinite, filter.Accept(frame, Tick(Gemini, Btc, double.PositiveInfinity, 2)));
        Assert.Equal(TickVerdict.NonFinite, filter.Accept(frame, Tick(Gemini, Btc, double.NegativeInfinity, 3)));
        Assert.Equal(TickVerdict.Zero, filter.Accept(frame, Tick(Gemini, Btc, 0, 4)));
        Assert.Equal(TickVerdict.Zero, filter.Accept(frame, Tick(Gemini, Btc, -0.0, 5)));
        Assert.Equal(TickVerdict.Negative, filter.Accept(frame, Tick(Gemini, Btc, -1, 6)));
        Assert.Equal(TickVerdict.Negative, filter.Accept(frame, Tick(Binance, Btc, -102_497, 1)));
        Assert.Equal(TickVerdict.Accepted, filter.Accept(frame, Tick(Gemini, Btc, 107_000, 7)));

        Assert.True(filter.TryGetSourceStats(Gemini, out var gemini));
        Assert.Equal(new SourceTickStats(Gemini, Accepted: 1, NonFinite: 3, Zero: 2, Negative: 1, Duplicates: 0,
            OutOfOrder: 0, SnapshotRepeats: 0), gemini);
        Assert.Equal(6, gemini.Dropped);
        Assert.True(filter.TryGetSourceStats(Binance, out var binance));
        Assert.Equal(1, binance.Negative);
        Assert.Equal(0, binance.Accepted);
    }

    [Fact]
    public void ARejectedValueDoesNotAdvanceTheSequence()
    {
        var filter = new SourceTickFilter();
        Assert.Equal(TickVerdict.NonFinite, filter.Accept(Frame(1), Tick(Gemini, Btc, double.NaN, 10)));
        Assert.Equal(TickVerdict.Accepted, filter.Accept(Frame(1), Tick(Gemini, Btc, 100, 5)));
    }

    [Fact]
    public void FundingRatesMayBeZeroOrNegativeButNotNan()
    {
        var filter = new SourceTickFilter();
        var frame = Frame(1, type: TickMessageType.FundingRate);
        var perp = FixedAscii24.Create("BTC-PERP");
        Assert.Equal(TickVerdict.Accepted, filter.Accept(frame, Tick(Binance, perp, -0.000125, 1)));
        Assert.Equal(TickVerdict.Accepted, filter.Accept(frame, Tick(Binance, perp, 0, 2)));
        Assert.Equal(TickVerdict.NonFinite, filter.Accept(frame, Tick(Binance, perp, double.NaN, 3)));
        Assert.Equal(TickVerdict.Zero,
            filter.Accept(Frame(2, type: TickMessageType.ImpliedVol), Tick(Binance, perp, 0, 1)));
    }

    [Fact]
    public void DropsDuplicateAndOutOfOrderSequencesPerSourceAndSymbol()
    {
        var filter = new SourceTickFilter();
        var frame = Frame(1);
        Assert.Equal(TickVerdict.Accepted, filter.Accept(frame, Tick(Gemini, Btc, 100, 5)));
        Assert.Equal(TickVerdict.Duplicate, filter.Accept(frame, Tick(Gemini, Btc, 100, 5)));
        Assert.Equal(TickVerdict.OutOfOrder, filter.Accept(frame, Tick(Gemini, Btc, 100, 4)));
        Assert.Equal(TickVerdict.Accepted, filter.Accept(frame, Tick(Gemini, Btc, 101, 7)));
        Assert.Equal(TickVerdict.OutOfOrder, filter.Accept(frame, Tick(Gemini, Btc, 100, 6)));

        // Other keys have their own sequence spaces: another symbol, another source, another message type.
        Assert.Equal(TickVerdict.Accepted, filter.Accept(frame, Tick(Gemini, Eth, 4_000, 1)));
        Assert.Equal(TickVerdict.Accepted, filter.Accept(frame, Tick(Binance, Btc, 100, 1)));
        Assert.Equal(TickVerdict.Accepted,
            filter.Accept(Frame(2, type: TickMessageType.ImpliedVol), Tick(Gemini, Btc, 0.5, 1)));

        Assert.True(filter.TryGetSourceStats(Gemini, out var gemini));
        Assert.Equal((4, 1, 2), (gemini.Accepted, gemini.Duplicates, gemini.OutOfOrder));
        Assert.True(filter.TryGetSourceStats(Binance, out var binance));
        Assert.Equal((1, 0, 0), (binance.Accepted, binance.Duplicates, binance.OutOfOrder));
    }

    [Fact]
    public void SnapshotRepeatsAreCountedApartFromDuplicates()
    {
        var filter = new SourceTickFilter();
        Assert.Equal(TickVerdict.Accepted, filter.Accept(Frame(1), Tick(Gemini, Btc, 100, 5)));
        var snapshot = Frame(2, flags: TickFrameFlags.Snapshot);
        Assert.Equal(TickVerdict.SnapshotRepeat, filter.Accept(snapshot, Tick(Gemini, Btc, 100, 5)));
        Assert.Equal(TickVerdict.Accepted, filter.Accept(snapshot, Tick(Gemini, Eth, 4_000, 9)));

        Assert.True(filter.TryGetSourceStats(Gemini, out var gemini));
        Assert.Equal((1, 0), (gemini.SnapshotRepeats, gemini.Duplicates));
    }

    [Fact]
    public void CountsFrameSequenceGapsAndMissedFramesPerPublisher()
    {
        var filter = new SourceTickFilter();
        Assert.Equal(0, filter.ObserveFrame(Frame(10, publisher: 1))); // first frame: baseline, a late joiner
        Assert.Equal(0, filter.ObserveFrame(Frame(11, publisher: 1)));
        Assert.Equal(3, filter.ObserveFrame(Frame(15, publisher: 1))); // 12, 13, 14 missed
        Assert.Equal(1, filter.ObserveFrame(Frame(17, publisher: 1))); // 16 missed
        Assert.Equal(0, filter.ObserveFrame(Frame(1, publisher: 2)));
        Assert.Equal(0, filter.ObserveFrame(Frame(2, publisher: 2)));

        Assert.True(filter.TryGetPublisherStats(1, out var one));
        Assert.Equal(new PublisherFrameStats(1, Frames: 4, Gaps: 2, MissedFrames: 4, Resets: 0, LastFrameSequence: 17), one);
        Assert.True(filter.TryGetPublisherStats(2, out var two));
        Assert.Equal((2, 0, 0L), (two.Frames, two.Gaps, two.MissedFrames));
        Assert.False(filter.TryGetPublisherStats(3, out _));
    }

    [Fact]
    public void APublisherRestartIsAResetThatForgetsTheSequencesItDelivered()
    {
        var filter = new SourceTickFilter();
        filter.ObserveFrame(Frame(1, publisher: 1));
        Assert.Equal(TickVerdict.Accepted, filter.Accept(Frame(1, publisher: 1), Tick(Gemini, Btc, 100, 500)));
        filter.ObserveFrame(Frame(2, publisher: 2));
        Assert.Equal(TickVerdict.Accepted, filter.Accept(Frame(2, publisher: 2), Tick(Binance, Btc, 100, 900)));

        // Publisher 1 restarts a replay: frame sequence and source sequences start again at 1.
        Assert.Equal(0, filter.ObserveFrame(Frame(1, publisher: 1)));
        Assert.Equal(TickVerdict.Accepted, filter.Accept(Frame(1, publisher: 1), Tick(Gemini, Btc, 100, 1)));
        // Publisher 2 did not restart: its keys keep their sequences.
        Assert.Equal(TickVerdict.OutOfOrder, filter.Accept(Frame(2, publisher: 2), Tick(Binance, Btc, 100, 1)));

        Assert.True(filter.TryGetPublisherStats(1, out var one));
        Assert.Equal(1, one.Resets);
    }

    [Fact]
    public void FullTablesReportUntrackedInsteadOfGrowing()
    {
        var filter = new SourceTickFilter(maxSources: 1, maxKeys: 2, maxPublishers: 1);
        var frame = Frame(1);
        Assert.Equal(TickVerdict.Accepted, filter.Accept(frame, Tick(Gemini, Btc, 1, 1)));
        Assert.Equal(TickVerdict.Untracked, filter.Accept(frame, Tick(Binance, Btc, 1, 1))); // second source
        Assert.Equal(TickVerdict.Accepted, filter.Accept(frame, Tick(Gemini, Eth, 1, 1)));
        Assert.Equal(TickVerdict.Untracked, filter.Accept(frame, Tick(Gemini, FixedAscii24.Create("SOL"), 1, 1)));
        Assert.Equal(2, filter.Untracked);

        filter.ObserveFrame(Frame(1, publisher: 1));
        Assert.Equal(0, filter.ObserveFrame(Frame(9, publisher: 2)));
        Assert.Equal(1, filter.PublisherCount);
    }

    [Fact]
    public void StatsAreEnumerableByIndexForAFeedStatsView()
    {
        var filter = new SourceTickFilter();
        filter.Accept(Frame(1), Tick(Gemini, Btc, 1, 1));
        filter.Accept(Frame(1), Tick(Binance, Btc, double.NaN, 1));

        Assert.Equal(2, filter.SourceCount);
        Assert.Equal(Gemini, filter.GetSourceStats(0).Source);
        Assert.Equal(Binance, filter.GetSourceStats(1).Source);
        Assert.Throws<ArgumentOutOfRangeException>(() => filter.GetSourceStats(2));
    }
}

using RiskGrid.Feed.Codec;
using RiskGrid.Feed.Transport;

namespace RiskGrid.Feed.Tests.Transport;

public sealed class ConflatingPublisherTests
{
    private static readonly FixedAscii24 Gemini = FixedAscii24.Create("gemini");
    private static readonly FixedAscii24 Kraken = FixedAscii24.Create("kraken");
    private static readonly FixedAscii24 Btc = FixedAscii24.Create("BTC");
    private static readonly FixedAscii24 Eth = FixedAscii24.Create("ETH");

    private static List<(TickFrameHeader Header, List<TickEntry> Entries)> Decode(RecordingPublisher publisher) =>
        publisher.Frames.Select(bytes =>
        {
            Assert.Equal(TickFrameStatus.Ok, TickFrameReader.Open(bytes, out var reader));
            var entries = new List<TickEntry>();
            foreach (var entry in reader)
            {
                entries.Add(entry);
            }

            return (reader.Header, entries);
        }).ToList();

    [Fact]
    public void FlushPublishesOnlyTheLatestValuePerKeyAndCountsTheOverwritten()
    {
        var sink = new RecordingPublisher();
        var conflater = new ConflatingPublisher(sink, publisherId: 9);
        conflater.Offer(Gemini, Btc, 100, 1_000, 1);
        conflater.Offer(Gemini, Eth, 10, 1_000, 1);
        conflater.Offer(Gemini, Btc, 101, 1_001, 2);
        conflater.Offer(Kraken, Btc, 99, 1_001, 7);
        conflater.Offer(Gemini, Btc, 102, 1_002, 3);

        Assert.Equal(3, conflater.PendingCount);
        Assert.Equal(1, conflater.Flush(sendTimestampNs: 555));

        var (header, entries) = Assert.Single(Decode(sink));
        Assert.Equal(new TickFrameHeader(TickMessageType.Price, TickFrameFlags.None, 9, 1, 555, 3), header);
        Assert.Equal(
        [
            TickEntry.PriceTick(Gemini, Btc, 102, 1_002, 3),
            TickEntry.PriceTick(Gemini, Eth, 10, 1_000, 1),
            TickEntry.PriceTick(Kraken, Btc, 99, 1_001, 7),
        ], entries);
        Assert.Equal(new ConflationStats(Offered: 5, Conflated: 2, Rejected: 0, FramesPublished: 1, FramesRefused: 0,
            EntriesPublished: 3), conflater.Stats);
        Assert.Equal(0, conflater.PendingCount);
        Assert.Equal(0, conflater.Flush(556)); // nothing pending: nothing sent
    }

    [Fact]
    public void PendingKeysAreSplitIntoFramesWithConsecutiveSequences()
    {
        var sink = new RecordingPublisher();
        var conflater = new ConflatingPublisher(sink, publisherId: 1, maxEntriesPerFrame: 2);
        string[] symbols = ["A", "B", "C", "D", "E"];
        for (var i = 0; i < symbols.Length; i++)
        {
            conflater.Offer(Gemini, FixedAscii24.Create(symbols[i]), i + 1, 0, 1);
        }

        Assert.Equal(3, conflater.Flush(0));
        var frames = Decode(sink);
        Assert.Equal([1UL, 2UL, 3UL], frames.Select(f => f.Header.FrameSequence));
        Assert.Equal([2, 2, 1], frames.Select(f => f.Entries.Count));
        Assert.Equal(symbols, frames.SelectMany(f => f.Entries).Select(e => e.Symbol.ToString()));
        Assert.Equal(3UL, conflater.LastFrameSequence);
    }

    [Fact]
    public void ARefusedFrameKeepsItsEntriesPendingAndConsumesNoSequence()
    {
        var sink = new RecordingPublisher { Refuse = true };
        var conflater = new ConflatingPublisher(sink, publisherId: 1);
        conflater.Offer(Gemini, Btc, 100, 0, 1);

        Assert.Equal(0, conflater.Flush(0));
        Assert.Equal(1, conflater.PendingCount);
        Assert.Equal(1, conflater.Stats.FramesRefused);

        conflater.Offer(Gemini, Btc, 101, 0, 2); // still pending: conflated
        sink.Refuse = false;
        Assert.Equal(1, conflater.Flush(0));
        var (header, entries) = Assert.Single(Decode(sink));
        Assert.Equal(1UL, header.FrameSequence);
        Assert.Equal(101, Assert.Single(entries).Value);
        Assert.Equal(1, conflater.Stats.Conflated);
    }

    [Fact]
    public void ASnapshotCarriesEveryKeyFlaggedForLateJoinersAndClearsPending()
    {
        var sink = new RecordingPublisher();
        var conflater = new ConflatingPublisher(sink, publisherId: 1, maxEntriesPerFrame: 2);
        conflater.Offer(Gemini, Btc, 100, 0, 1);
        conflater.Offer(Gemini, Eth, 10, 0, 1);
        conflater.Flush(0);
        conflater.Offer(Kraken, Btc, 99, 0, 1);

        Assert.Equal(2, conflater.PublishSnapshot(7));
        Assert.Equal(0, conflater.PendingCount);
        var snapshot = Decode(sink).Skip(1).ToList();
        Assert.All(snapshot, f => Assert.True(f.Header.IsSnapshot));
        Assert.Equal([2UL, 3UL], snapshot.Select(f => f.Header.FrameSequence));
        Assert.Equal([100.0, 10, 99], snapshot.SelectMany(f => f.Entries).Select(e => e.Value));
    }

    [Fact]
    public void ASnapshotWithNoKeysIsOneEmptyHeartbeatFrame()
    {
        var sink = new RecordingPublisher();
        var conflater = new ConflatingPublisher(sink, publisherId: 1);
        Assert.Equal(1, conflater.PublishSnapshot(0));
        var (header, entries) = Assert.Single(Decode(sink));
        Assert.True(header.IsSnapshot);
        Assert.Empty(entries);
    }

    [Fact]
    public void ANewKeyPastTheTableIsRejectedAndCountedWhileKnownKeysStillUpdate()
    {
        var conflater = new ConflatingPublisher(new RecordingPublisher(), publisherId: 1, maxKeys: 1);
        Assert.True(conflater.Offer(Gemini, Btc, 1, 0, 1));
        Assert.False(conflater.Offer(Gemini, Eth, 1, 0, 1));
        Assert.False(conflater.Offer(default, Btc, 1, 0, 1));
        Assert.True(conflater.Offer(Gemini, Btc, 2, 0, 2));
        Assert.Equal(2, conflater.Stats.Rejected);
        Assert.Equal(1, conflater.KeyCount);
    }

    [Fact]
    public void OfferingFlushingDecodingAndFilteringAllocateNothingOnceWarm()
    {
        var sink = new RecordingPublisher { Keep = false };
        var conflater = new ConflatingPublisher(sink, publisherId: 1);
        var filter = new SourceTickFilter();
        var symbols = Enumerable.Range(0, 64).Select(i => FixedAscii24.Create("S" + i)).ToArray();
        var frame = new byte[TickFrameLayout.FrameLength(64)];
        var accepted = 0L;

        void Round(ulong sequence)
        {
            foreach (var symbol in symbols)
            {
                conflater.Offer(Gemini, symbol, 100 + sequence, 1, sequence);
            }

            conflater.Flush(1);
            TickFrameWriter.TryWrite(frame, new TickFrameHeader(TickMessageType.Price, 0, 1, sequence, 1),
                [TickEntry.PriceTick(Gemini, symbols[0], 100, 1, sequence)], out var length);
            if (TickFrameReader.Open(frame.AsSpan(0, length), out var reader) == TickFrameStatus.Ok)
            {
                filter.ObserveFrame(reader.Header);
                foreach (var entry in reader)
                {
                    accepted += filter.Accept(reader.Header, entry) == TickVerdict.Accepted ? 1 : 0;
                }
            }
        }

        for (ulong i = 1; i <= 100; i++)
        {
            Round(i);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (ulong i = 101; i <= 1_100; i++)
        {
            Round(i);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(1_100, accepted);
        Assert.Equal(1_100, sink.Stats.FramesPublished);
    }
}

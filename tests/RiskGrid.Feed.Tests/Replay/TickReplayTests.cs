using RiskGrid.Feed.Codec;
using RiskGrid.Feed.Replay;
using RiskGrid.Feed.Tests.Transport;
using RiskGrid.Feed.Transport;

namespace RiskGrid.Feed.Tests.Replay;

public sealed class TickReplayTests
{
    private static List<(TickFrameHeader Header, TickEntry[] Entries)> Decode(RecordingPublisher sink) =>
        sink.Frames.Select(bytes =>
        {
            Assert.Equal(TickFrameStatus.Ok, TickFrameReader.Open(bytes, out var reader));
            var entries = new List<TickEntry>();
            foreach (var entry in reader)
            {
                entries.Add(entry);
            }

            return (reader.Header, entries.ToArray());
        }).ToList();

    [Fact]
    public void TheCrashReplaysAtMaxSpeedWithIncreasingSourceSequencesOnTheDataClock()
    {
        var files = MarketData.CrashFilesOrSynthetic();
        var readers = files.Select((f, i) => RecordedTickReader.Open(f, i)).ToList();
        var sink = new RecordingPublisher();
        var conflater = new ConflatingPublisher(sink, publisherId: 3);
        var clock = new FakeReplayClock();
        var replay = new TickReplay(new RecordedTickMerger(readers), [.. files.Select(ReplayStream.For)], conflater,
            new ReplayPacer(clock, ReplaySpeed.Max), clock);

        var result = replay.Run();
        readers.ForEach(r => r.Dispose());

        var expectedTicks = readers.Sum(r => r.RowsRead * (r.Layout is RecordedLayout.SharedBars ? 4 : 1));
        Assert.Equal(expectedTicks, result.Ticks);
        Assert.Empty(clock.Sleeps);
        var frames = Decode(sink);
        Assert.Equal(result.Frames, frames.Count);
        Assert.Equal(Enumerable.Range(1, frames.Count).Select(i => (ulong)i), frames.Select(f => f.Header.FrameSequence));
        var entries = frames.SelectMany(f => f.Entries).ToList();
        Assert.Equal(result.Ticks - conflater.Stats.Conflated, entries.Count);

        // At max speed a frame conflates whatever came within a millisecond of wall time (latest value per key):
        // data time never goes back across frames.
        Assert.True(frames.Zip(frames.Skip(1))
            .All(p => p.First.Entries.Max(e => e.TimeMs) < p.Second.Entries.Min(e => e.TimeMs)));
        Assert.True(entries.Min(e => e.TimeMs) >= result.FirstDataTimeMs);
        Assert.Equal(result.LastDataTimeMs, entries.Max(e => e.TimeMs));

        // Per (source, symbol) the sequences rise strictly and end at that stream's tick count.
        foreach (var stream in entries.GroupBy(e => (e.Source, e.Symbol)))
        {
            var sequences = stream.Select(e => e.Sequence).ToList();
            Assert.True(sequences.Zip(sequences.Skip(1)).All(p => p.First < p.Second));
        }

        var symbols = entries.Select(e => e.Symbol.ToString()).Distinct().Order(StringComparer.Ordinal);
        Assert.Equal(["BTC", "ETH", "SOL"], symbols);

        // A subscriber's filter accepts every entry of the replay.
        var filter = new SourceTickFilter();
        foreach (var (header, frameEntries) in frames)
        {
            Assert.Equal(0, filter.ObserveFrame(header));
            Assert.All(frameEntries, e => Assert.Equal(TickVerdict.Accepted, filter.Accept(header, e)));
        }
    }

    [Fact]
    public void AtTenTimesSpeedTheWallTimeIsATenthOfTheDataTimeAndTheWindowIsRespected()
    {
        var crash = SyntheticCrash.Generate(11);
        var from = crash.CascadeStartMs;
        var to = crash.CascadeStartMs + 60_000;
        var sources = crash.Series.Select((s, i) => s.OpenTicks(i)).ToList();
        var streams = crash.Series.Select(s =>
            new ReplayStream(FixedAscii24.Create(s.Source), FixedAscii24.Create(s.BaseAsset))).ToList();
        var sink = new RecordingPublisher();
        var clock = new FakeReplayClock();
        var replay = new TickReplay(new RecordedTickMerger(sources, from, to), streams,
            new ConflatingPublisher(sink, publisherId: 1), new ReplayPacer(clock, ReplaySpeed.Times(10)), clock,
            snapshotInterval: TimeSpan.FromSeconds(1));

        var result = replay.Run();

        var spanMs = result.LastDataTimeMs - result.FirstDataTimeMs;
        Assert.InRange(result.FirstDataTimeMs, from, from + 1_000);
        Assert.InRange(result.LastDataTimeMs, to - 1_000, to - 1);
        Assert.Equal(spanMs * 1_000_000 / 10, clock.Sleeps.Sum());
        var frames = Decode(sink);
        Assert.All(frames.SelectMany(f => f.Entries), e => Assert.InRange(e.TimeMs, from, to - 1));

        // About 6 wall seconds at one snapshot a second.
        Assert.InRange(result.Snapshots, 5, 7 * crash.Series.Count);
        Assert.Equal(result.Snapshots, frames.Count(f => f.Header.IsSnapshot));
        Assert.Equal(result.Frames + result.Snapshots, frames.Count);
    }

    [Fact]
    public void FilesOfTheSameStreamShareOneSequenceCounter()
    {
        var crash = SyntheticCrash.Generate(2);
        var btc = crash.Series[0];
        var half = btc.Trades.Count / 2;
        var stream = new ReplayStream(FixedAscii24.Create("synth_a"), FixedAscii24.Create("BTC"));
        var firstDay = btc.OpenTicks(0);
        var sources = new IRecordedTickSource[] { new Take(firstDay, half), new Skip(btc.OpenTicks(1), half) };
        var sink = new RecordingPublisher();
        var clock = new FakeReplayClock();
        new TickReplay(new RecordedTickMerger(sources), [stream, stream], new ConflatingPublisher(sink, 1),
            new ReplayPacer(clock, ReplaySpeed.Max), clock).Run();

        var sequences = Decode(sink).SelectMany(f => f.Entries).Select(e => e.Sequence).ToList();
        Assert.True(sequences.Zip(sequences.Skip(1)).All(p => p.First < p.Second));
        Assert.Equal((ulong)btc.Trades.Count, sequences[^1]);
    }

    [Fact]
    public void CancellingStopsTheReplayAndSaysSo()
    {
        var crash = SyntheticCrash.Generate(3);
        using var cancel = new CancellationTokenSource();
        var clock = new FakeReplayClock();
        var sink = new RecordingPublisher();
        var cancellingClock = new CancelAfter(clock, cancel, 5);
        var replay = new TickReplay(crash.Series[0].OpenTicks(0),
            [new ReplayStream(FixedAscii24.Create("synth_a"), FixedAscii24.Create("BTC"))],
            new ConflatingPublisher(sink, 1), new ReplayPacer(cancellingClock, ReplaySpeed.RealTime), cancellingClock);

        var result = replay.Run(cancel.Token);

        Assert.True(result.Cancelled);
        // The first tick anchors; the tick whose wait was cancelled is not published. Ticks sharing a millisecond
        // need no wait, so five waits cover at least five ticks.
        Assert.InRange(result.Ticks, 5, 15);
        Assert.Equal(5, clock.Sleeps.Count);
    }

    private sealed class Take(IRecordedTickSource source, int count) : IRecordedTickSource
    {
        private int _taken;

        public bool TryRead(out RecordedTick tick)
        {
            tick = default;
            return _taken++ < count && source.TryRead(out tick);
        }
    }

    private sealed class Skip(IRecordedTickSource source, int count) : IRecordedTickSource
    {
        private bool _skipped;

        public bool TryRead(out RecordedTick tick)
        {
            if (!_skipped)
            {
                _skipped = true;
                for (var i = 0; i < count; i++)
                {
                    source.TryRead(out _);
                }
            }

            return source.TryRead(out tick);
        }
    }

    /// <summary>Cancels after a number of sleeps, as a user pressing Ctrl+C mid-replay.</summary>
    private sealed class CancelAfter(FakeReplayClock clock, CancellationTokenSource cancel, int sleeps) : IReplayClock
    {
        public long NowNs => clock.NowNs;

        public void Sleep(long durationNs, CancellationToken cancellationToken)
        {
            clock.Sleep(durationNs, cancellationToken);
            if (clock.Sleeps.Count == sleeps)
            {
                cancel.Cancel();
            }
        }
    }
}

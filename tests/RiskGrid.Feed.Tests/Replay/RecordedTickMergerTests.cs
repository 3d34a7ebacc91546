using RiskGrid.Feed.Replay;

namespace RiskGrid.Feed.Tests.Replay;

public sealed class RecordedTickMergerTests
{
    private sealed class ListSource(int fileIndex, params long[] times) : IRecordedTickSource
    {
        private int _next;

        public bool TryRead(out RecordedTick tick)
        {
            // The price records the position in its own file, so per-file order can be checked after the merge.
            tick = _next < times.Length ? new RecordedTick(times[_next], _next, fileIndex) : default;
            return _next++ < times.Length;
        }
    }

    private static List<RecordedTick> Merge(long from, long to, params IRecordedTickSource[] sources)
    {
        var merger = new RecordedTickMerger(sources, from, to);
        var ticks = new List<RecordedTick>();
        while (merger.TryRead(out var tick))
        {
            ticks.Add(tick);
        }

        return ticks;
    }

    [Fact]
    public void MergesByTimeAndBreaksTiesByFileOrderKeepingEachFilesOwnOrder()
    {
        var ticks = Merge(long.MinValue, long.MaxValue,
            new ListSource(0, 5, 5, 9),
            new ListSource(1, 1, 5, 9, 12),
            new ListSource(2),
            new ListSource(3, 5));

        Assert.Equal(
            ["1:1/0", "0:5/0", "0:5/1", "1:5/1", "3:5/0", "0:9/2", "1:9/2", "1:12/3"],
            ticks.Select(t => $"{t.FileIndex}:{t.TsMs}/{t.Price}"));
    }

    [Fact]
    public void KeepsOnlyTheHalfOpenWindowFromInclusiveToExclusive()
    {
        var merger = new RecordedTickMerger([new ListSource(0, 1, 2, 3, 4, 5), new ListSource(1, 2, 4, 6)], 2, 5);
        var times = new List<long>();
        while (merger.TryRead(out var tick))
        {
            times.Add(tick.TsMs);
        }

        Assert.Equal([2L, 2, 3, 4, 4], times);
        Assert.Equal(1, merger.SkippedBeforeWindow);
    }

    [Fact]
    public void AnInvertedWindowIsRejected()
    {
        Assert.Throws<ArgumentException>(() => new RecordedTickMerger([], 10, 9));
    }

    [Fact]
    public void ManySourcesMergeLikeASortStableByFile()
    {
        var random = new Random(42);
        var files = Enumerable.Range(0, 17)
            .Select(i => Enumerable.Range(0, random.Next(0, 40)).Select(_ => (long)random.Next(0, 50)).Order().ToArray())
            .ToArray();
        var ticks = Merge(long.MinValue, long.MaxValue,
            [.. files.Select((times, i) => (IRecordedTickSource)new ListSource(i, times))]);

        var expected = files.SelectMany((times, file) => times.Select((t, position) => (t, file, position)))
            .OrderBy(x => x.t).ThenBy(x => x.file).ThenBy(x => x.position)
            .Select(x => $"{x.file}:{x.t}/{x.position}");
        Assert.Equal(expected, ticks.Select(t => $"{t.FileIndex}:{t.TsMs}/{t.Price}"));
    }
}

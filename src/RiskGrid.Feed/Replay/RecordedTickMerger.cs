namespace RiskGrid.Feed.Replay;

/// <summary>
/// Merges several time-ordered tick sources into one, by <see cref="RecordedTick.TsMs"/>; ties go to the source
/// listed first, and each source keeps its own order (a stable k-way merge over a binary heap). Ticks before
/// <c>fromMs</c> are skipped, and the merge ends at the first tick at or after <c>toMs</c> (half-open window
/// [from, to), data time).
/// </summary>
public sealed class RecordedTickMerger : IRecordedTickSource
{
    private readonly IRecordedTickSource[] _sources;
    private readonly RecordedTick[] _heads;
    private readonly int[] _heap;
    private int _heapCount;
    private readonly long _fromMs;
    private readonly long _toMs;

    /// <summary>Merges <paramref name="sources"/> within [<paramref name="fromMs"/>, <paramref name="toMs"/>).</summary>
    public RecordedTickMerger(
        IReadOnlyList<IRecordedTickSource> sources, long fromMs = long.MinValue, long toMs = long.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(sources);
        if (fromMs > toMs)
        {
            throw new ArgumentException($"from ({fromMs}) is after to ({toMs})", nameof(fromMs));
        }

        _sources = [.. sources];
        _heads = new RecordedTick[_sources.Length];
        _heap = new int[_sources.Length];
        _fromMs = fromMs;
        _toMs = toMs;
        for (var i = 0; i < _sources.Length; i++)
        {
            ArgumentNullException.ThrowIfNull(_sources[i], nameof(sources));
            Refill(i);
        }
    }

    /// <summary>Ticks skipped for being before the window.</summary>
    public long SkippedBeforeWindow { get; private set; }

    /// <inheritdoc />
    public bool TryRead(out RecordedTick tick)
    {
        if (_heapCount == 0 || _heads[_heap[0]].TsMs >= _toMs)
        {
            tick = default;
            return false;
        }

        var source = _heap[0];
        tick = _heads[source];
        _heap[0] = _heap[--_heapCount];
        SiftDown(0);
        Refill(source);
        return true;
    }

    private void Refill(int source)
    {
        while (_sources[source].TryRead(out var next))
        {
            if (next.TsMs < _fromMs)
            {
                SkippedBeforeWindow++;
                continue;
            }

            _heads[source] = next;
            _heap[_heapCount] = source;
            SiftUp(_heapCount++);
            return;
        }
    }

    private bool Before(int a, int b) =>
        _heads[a].TsMs < _heads[b].TsMs || (_heads[a].TsMs == _heads[b].TsMs && a < b);

    private void SiftUp(int index)
    {
        while (index > 0)
        {
            var parent = (index - 1) / 2;
            if (!Before(_heap[index], _heap[parent]))
            {
                return;
            }

            (_heap[index], _heap[parent]) = (_heap[parent], _heap[index]);
            index = parent;
        }
    }

    private void SiftDown(int index)
    {
        while (true)
        {
            var smallest = index;
            var left = (2 * index) + 1;
            if (left < _heapCount && Before(_heap[left], _heap[smallest]))
            {
                smallest = left;
            }

            if (left + 1 < _heapCount && Before(_heap[left + 1], _heap[smallest]))
            {
                smallest = left + 1;
            }

            if (smallest == index)
            {
                return;
            }

            (_heap[index], _heap[smallest]) = (_heap[smallest], _heap[index]);
            index = smallest;
        }
    }
}

using System.Numerics;

namespace RiskGrid.Feed.Codec;

/// <summary>
/// Subscriber-side validation and de-duplication of decoded ticks: drops NaN/∞ values, zero or negative prices and
/// implied vols, and entries whose source sequence is not above the last accepted one of their key (message type,
/// source, symbol); counts each cause per source, and counts frame-sequence gaps per publisher. Pure: no clock, no
/// I/O, no allocation after construction (tables are preallocated; a full table reports
/// <see cref="TickVerdict.Untracked"/>).
/// </summary>
/// <remarks>
/// Threading: one thread calls <see cref="ObserveFrame"/> and <see cref="Accept"/> (the subscriber's thread); any
/// thread may read the stats, which are single-writer <c>long</c> counters published with
/// <see cref="Volatile"/>. Semantics are specified in docs/feed-protocol.md §"Sequences and gaps".
/// </remarks>
public sealed class SourceTickFilter
{
    private readonly FixedAscii24[] _sources;
    private readonly SourceCounters[] _sourceCounters;
    private int _sourceCount;

    private readonly KeySlot[] _keys;
    private readonly int _keyMask;
    private readonly int _maxKeys;
    private int _keyCount;

    private readonly uint[] _publisherIds;
    private readonly PublisherCounters[] _publisherCounters;
    private int _publisherCount;

    private long _untracked;
    private uint _currentPublisherId;
    private int _currentPublisherIndex = -1;

    /// <summary>Creates a filter with preallocated tables.</summary>
    /// <param name="maxSources">Distinct sources tracked (e.g. venues × price kinds).</param>
    /// <param name="maxKeys">Distinct (message type, source, symbol) keys tracked.</param>
    /// <param name="maxPublishers">Distinct publisher ids whose frame sequences are tracked.</param>
    public SourceTickFilter(int maxSources = 64, int maxKeys = 16_384, int maxPublishers = 64)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxSources);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxKeys);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxKeys, 1 << 28);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxPublishers);

        _sources = new FixedAscii24[maxSources];
        _sourceCounters = new SourceCounters[maxSources];
        for (var i = 0; i < maxSources; i++)
        {
            _sourceCounters[i] = new SourceCounters();
        }

        // Open addressing at a load factor of at most one half.
        var capacity = (int)BitOperations.RoundUpToPowerOf2((uint)maxKeys * 2);
        _keys = new KeySlot[capacity];
        _keyMask = capacity - 1;
        _maxKeys = maxKeys;

        _publisherIds = new uint[maxPublishers];
        _publisherCounters = new PublisherCounters[maxPublishers];
        for (var i = 0; i < maxPublishers; i++)
        {
            _publisherCounters[i] = new PublisherCounters();
        }
    }

    /// <summary>Sources seen so far; their stats are <see cref="GetSourceStats(int)"/> 0 to this − 1.</summary>
    public int SourceCount => Volatile.Read(ref _sourceCount);

    /// <summary>Publishers seen so far; their stats are <see cref="GetPublisherStats(int)"/> 0 to this − 1.</summary>
    public int PublisherCount => Volatile.Read(ref _publisherCount);

    /// <summary>Entries that could not be checked because a table was full.</summary>
    public long Untracked => Volatile.Read(ref _untracked);

    /// <summary>
    /// Records a frame's sequence for its publisher and returns how many frames were missed just before it (0 when
    /// in sequence, on the first frame of a publisher, and on a reset). A sequence at or below the last one is a
    /// reset (publisher restart): it becomes the new baseline and the source sequences of every key last accepted
    /// from that publisher are forgotten, so a restarted replay is not dropped as out of order.
    /// </summary>
    public long ObserveFrame(in TickFrameHeader header)
    {
        var index = FindOrAddPublisher(header.PublisherId);
        _currentPublisherId = header.PublisherId;
        _currentPublisherIndex = index;
        if (index < 0)
        {
            return 0;
        }

        var counters = _publisherCounters[index];
        var missed = 0L;
        if (counters.Frames > 0)
        {
            var last = counters.LastFrameSequence;
            if (header.FrameSequence > last + 1)
            {
                missed = (long)Math.Min(header.FrameSequence - last - 1, long.MaxValue);
                Bump(ref counters.Gaps);
                Volatile.Write(ref counters.MissedFrames, counters.MissedFrames + missed);
            }
            else if (header.FrameSequence <= last)
            {
                Bump(ref counters.Resets);
                ForgetSequencesFrom(index);
            }
        }

        Volatile.Write(ref counters.LastFrameSequence, header.FrameSequence);
        Bump(ref counters.Frames);
        return missed;
    }

    /// <summary>Checks one entry of a frame whose header was passed to <see cref="ObserveFrame"/>, updates the
    /// key's last sequence when accepted, and counts the verdict under the entry's source.</summary>
    public TickVerdict Accept(in TickFrameHeader header, in TickEntry entry)
    {
        var slot = FindOrAddKey(header.MessageType, entry.Source, entry.Symbol);
        if (slot < 0)
        {
            Bump(ref _untracked);
            return TickVerdict.Untracked;
        }

        ref var key = ref _keys[slot];
        var counters = _sourceCounters[key.SourceIndex];
        var verdict = Judge(header, entry, key);
        switch (verdict)
        {
            case TickVerdict.Accepted:
                key.LastSequence = entry.Sequence;
                key.HasSequence = true;
                key.PublisherIndex = header.PublisherId == _currentPublisherId
                    ? _currentPublisherIndex
                    : PublisherIndexOf(header.PublisherId);
                Bump(ref counters.Accepted);
                break;
            case TickVerdict.NonFinite:
                Bump(ref counters.NonFinite);
                break;
            case TickVerdict.Zero:
                Bump(ref counters.Zero);
                break;
            case TickVerdict.Negative:
                Bump(ref counters.Negative);
                break;
            case TickVerdict.Duplicate:
                Bump(ref counters.Duplicates);
                break;
            case TickVerdict.OutOfOrder:
                Bump(ref counters.OutOfOrder);
                break;
            default:
                Bump(ref counters.SnapshotRepeats);
                break;
        }

        return verdict;
    }

    /// <summary>Counters of the <paramref name="index"/>-th source seen (0 ≤ index &lt; <see cref="SourceCount"/>).</summary>
    public SourceTickStats GetSourceStats(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)SourceCount, nameof(index));
        var c = _sourceCounters[index];
        return new SourceTickStats(
            _sources[index],
            Volatile.Read(ref c.Accepted),
            Volatile.Read(ref c.NonFinite),
            Volatile.Read(ref c.Zero),
            Volatile.Read(ref c.Negative),
            Volatile.Read(ref c.Duplicates),
            Volatile.Read(ref c.OutOfOrder),
            Volatile.Read(ref c.SnapshotRepeats));
    }

    /// <summary>Counters of <paramref name="source"/>; false when it has not been seen.</summary>
    public bool TryGetSourceStats(FixedAscii24 source, out SourceTickStats stats)
    {
        var count = SourceCount;
        for (var i = 0; i < count; i++)
        {
            if (_sources[i] == source)
            {
                stats = GetSourceStats(i);
                return true;
            }
        }

        stats = default;
        return false;
    }

    /// <summary>Counters of the <paramref name="index"/>-th publisher seen.</summary>
    public PublisherFrameStats GetPublisherStats(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)PublisherCount, nameof(index));
        var c = _publisherCounters[index];
        return new PublisherFrameStats(
            _publisherIds[index],
            Volatile.Read(ref c.Frames),
            Volatile.Read(ref c.Gaps),
            Volatile.Read(ref c.MissedFrames),
            Volatile.Read(ref c.Resets),
            Volatile.Read(ref c.LastFrameSequence));
    }

    /// <summary>Counters of <paramref name="publisherId"/>; false when it has not been seen.</summary>
    public bool TryGetPublisherStats(uint publisherId, out PublisherFrameStats stats)
    {
        var index = PublisherIndexOf(publisherId);
        stats = index < 0 ? default : GetPublisherStats(index);
        return index >= 0;
    }

    private static TickVerdict Judge(in TickFrameHeader header, in TickEntry entry, in KeySlot key)
    {
        var value = entry.Value;
        if (!double.IsFinite(value))
        {
            return TickVerdict.NonFinite;
        }

        if (header.MessageType != TickMessageType.FundingRate)
        {
            if (value == 0)
            {
                return TickVerdict.Zero;
            }

            if (value < 0)
            {
                return TickVerdict.Negative;
            }
        }

        if (!key.HasSequence || entry.Sequence > key.LastSequence)
        {
            return TickVerdict.Accepted;
        }

        if (entry.Sequence < key.LastSequence)
        {
            return TickVerdict.OutOfOrder;
        }

        return header.IsSnapshot ? TickVerdict.SnapshotRepeat : TickVerdict.Duplicate;
    }

    /// <summary>Table index hash of a key: two word mixes folded, the high bits brought down for masking.</summary>
    internal static int KeyHash(TickMessageType type, FixedAscii24 source, FixedAscii24 symbol)
    {
        var h = source.Mix((ulong)type) ^ BitOperations.RotateLeft(symbol.Mix(0x5851_F42D_4C95_7F2D), 31);
        return (int)((h ^ (h >> 29)) * 0xBF58_476D_1CE4_E5B9 >> 33);
    }

    private int FindOrAddKey(TickMessageType type, FixedAscii24 source, FixedAscii24 symbol)
    {
        var slot = KeyHash(type, source, symbol) & _keyMask;
        while (true)
        {
            ref var key = ref _keys[slot];
            if (!key.Used)
            {
                break;
            }

            if (key.Type == type && key.Source == source && key.Symbol == symbol)
            {
                return slot;
            }

            slot = (slot + 1) & _keyMask;
        }

        if (_keyCount >= _maxKeys)
        {
            return -1;
        }

        var sourceIndex = FindOrAddSource(source);
        if (sourceIndex < 0)
        {
            return -1;
        }

        _keys[slot] = new KeySlot
        {
            Used = true,
            Type = type,
            Source = source,
            Symbol = symbol,
            SourceIndex = sourceIndex,
            PublisherIndex = -1,
        };
        _keyCount++;
        return slot;
    }

    private int FindOrAddSource(FixedAscii24 source)
    {
        for (var i = 0; i < _sourceCount; i++)
        {
            if (_sources[i] == source)
            {
                return i;
            }
        }

        if (_sourceCount == _sources.Length)
        {
            return -1;
        }

        _sources[_sourceCount] = source;
        Volatile.Write(ref _sourceCount, _sourceCount + 1);
        return _sourceCount - 1;
    }

    private int PublisherIndexOf(uint publisherId)
    {
        var count = PublisherCount;
        for (var i = 0; i < count; i++)
        {
            if (_publisherIds[i] == publisherId)
            {
                return i;
            }
        }

        return -1;
    }

    private int FindOrAddPublisher(uint publisherId)
    {
        var index = PublisherIndexOf(publisherId);
        if (index >= 0 || _publisherCount == _publisherIds.Length)
        {
            return index;
        }

        _publisherIds[_publisherCount] = publisherId;
        Volatile.Write(ref _publisherCount, _publisherCount + 1);
        return _publisherCount - 1;
    }

    private void ForgetSequencesFrom(int publisherIndex)
    {
        // Rare (a publisher restart), so a scan of the whole table is fine.
        for (var i = 0; i < _keys.Length; i++)
        {
            ref var key = ref _keys[i];
            if (key.Used && key.PublisherIndex == publisherIndex)
            {
                key.HasSequence = false;
            }
        }
    }

    // Single writer: a plain read and a volatile write make the new value visible to readers on other threads.
    private static void Bump(ref long counter) => Volatile.Write(ref counter, counter + 1);

    private struct KeySlot
    {
        public bool Used;
        public bool HasSequence;
        public TickMessageType Type;
        public int SourceIndex;
        public int PublisherIndex;
        public ulong LastSequence;
        public FixedAscii24 Source;
        public FixedAscii24 Symbol;
    }

    private sealed class SourceCounters
    {
        public long Accepted;
        public long NonFinite;
        public long Zero;
        public long Negative;
        public long Duplicates;
        public long OutOfOrder;
        public long SnapshotRepeats;
    }

    private sealed class PublisherCounters
    {
        public long Frames;
        public long Gaps;
        public long MissedFrames;
        public long Resets;
        public ulong LastFrameSequence;
    }
}

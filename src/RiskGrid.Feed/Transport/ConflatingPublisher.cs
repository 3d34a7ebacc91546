using System.Numerics;
using RiskGrid.Feed.Codec;

namespace RiskGrid.Feed.Transport;

/// <summary>
/// Conflation at the publisher: keeps only the latest value per (source, symbol) in a preallocated table and, on
/// <see cref="Flush"/>, publishes the keys that changed since the last flush, as few frames as needed, each with
/// the next frame sequence. <see cref="PublishSnapshot"/> publishes every key's latest value in snapshot frames for
/// late joiners; the caller decides when (e.g. once a second). No allocation after construction.
/// </summary>
/// <remarks>
/// Threading: single producer. One thread calls <see cref="Offer"/>, <see cref="Flush"/> and
/// <see cref="PublishSnapshot"/>; <see cref="Stats"/> may be read from any thread. A frame the transport refuses
/// does not consume a frame sequence and its entries stay pending for the next flush (never retried in a loop).
/// The latest offer wins, whatever its sequence: ordering is the subscriber's <see cref="SourceTickFilter"/>'s job.
/// </remarks>
public sealed class ConflatingPublisher
{
    private readonly ITickPublisher _publisher;
    private readonly TickMessageType _messageType;
    private readonly uint _publisherId;
    private readonly byte[] _frameBuffer;

    private readonly Slot[] _slots;
    private readonly int _slotMask;
    private readonly int _maxKeys;
    private readonly int[] _keyOrder;
    private int _keyCount;
    private readonly int[] _dirty;
    private int _dirtyCount;

    private ulong _lastFrameSequence;
    private long _offered;
    private long _conflated;
    private long _rejected;
    private long _framesPublished;
    private long _framesRefused;
    private long _entriesPublished;

    /// <summary>Creates a conflating publisher over <paramref name="publisher"/>.</summary>
    /// <param name="publisher">Where frames go.</param>
    /// <param name="publisherId">Written in every frame header; unique per publishing process.</param>
    /// <param name="messageType">What the offered values are (one type per conflating publisher).</param>
    /// <param name="maxKeys">Distinct (source, symbol) keys kept; offers of a new key past this are rejected.</param>
    /// <param name="maxEntriesPerFrame">Entries per frame (64 makes a 4,648-byte frame).</param>
    public ConflatingPublisher(
        ITickPublisher publisher,
        uint publisherId,
        TickMessageType messageType = TickMessageType.Price,
        int maxKeys = 4_096,
        int maxEntriesPerFrame = 64)
    {
        ArgumentNullException.ThrowIfNull(publisher);
        if (!TickFrameLayout.IsDefined(messageType))
        {
            throw new ArgumentOutOfRangeException(nameof(messageType), messageType, "not a defined message type");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxKeys);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxKeys, 1 << 24);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxEntriesPerFrame);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxEntriesPerFrame, TickFrameLayout.MaxEntryCount);

        _publisher = publisher;
        _publisherId = publisherId;
        _messageType = messageType;
        _frameBuffer = new byte[TickFrameLayout.FrameLength(maxEntriesPerFrame)];
        var capacity = (int)BitOperations.RoundUpToPowerOf2((uint)maxKeys * 2);
        _slots = new Slot[capacity];
        _slotMask = capacity - 1;
        _maxKeys = maxKeys;
        _keyOrder = new int[maxKeys];
        _dirty = new int[maxKeys];
    }

    /// <summary>Keys changed since the last flush.</summary>
    public int PendingCount => _dirtyCount;

    /// <summary>Distinct keys held.</summary>
    public int KeyCount => _keyCount;

    /// <summary>Sequence of the last frame published (0 before the first).</summary>
    public ulong LastFrameSequence => Volatile.Read(ref _lastFrameSequence);

    /// <summary>Counters, readable from any thread.</summary>
    public ConflationStats Stats => new(
        Volatile.Read(ref _offered),
        Volatile.Read(ref _conflated),
        Volatile.Read(ref _rejected),
        Volatile.Read(ref _framesPublished),
        Volatile.Read(ref _framesRefused),
        Volatile.Read(ref _entriesPublished));

    /// <summary>Records the latest value of (source, symbol). Overwriting a value not yet flushed counts as
    /// conflated. False (counted as rejected) only when the key is new and the table is full, or a name is empty.
    /// </summary>
    public bool Offer(FixedAscii24 source, FixedAscii24 symbol, double value, long timeMs, ulong sequence)
    {
        Bump(ref _offered);
        var index = FindOrAdd(source, symbol);
        if (index < 0)
        {
            Bump(ref _rejected);
            return false;
        }

        ref var slot = ref _slots[index];
        slot.Value = value;
        slot.TimeMs = timeMs;
        slot.Sequence = sequence;
        if (slot.Dirty)
        {
            Bump(ref _conflated);
        }
        else
        {
            slot.Dirty = true;
            _dirty[_dirtyCount++] = index;
        }

        return true;
    }

    /// <summary>Publishes every pending key's latest value, in the order keys first became pending, and returns the
    /// number of frames published. Stops at the first refused frame; its entries and the rest stay pending.</summary>
    /// <param name="sendTimestampNs">Publisher clock for the frame headers, ns since the Unix epoch.</param>
    public int Flush(long sendTimestampNs)
    {
        var frames = 0;
        var done = 0;
        while (done < _dirtyCount)
        {
            var writer = new TickFrameWriter(_frameBuffer, Header(TickFrameFlags.None, sendTimestampNs));
            var end = done;
            while (end < _dirtyCount && writer.TryAdd(Entry(_dirty[end])))
            {
                end++;
            }

            if (!Publish(writer.BytesWritten, writer.Count))
            {
                break;
            }

            for (var i = done; i < end; i++)
            {
                _slots[_dirty[i]].Dirty = false;
            }

            done = end;
            frames++;
        }

        // Keep what was not published at the front, in order.
        Array.Copy(_dirty, done, _dirty, 0, _dirtyCount - done);
        _dirtyCount -= done;
        return frames;
    }

    /// <summary>Publishes every key's latest value in snapshot frames (one empty snapshot frame when there are no
    /// keys, which serves as a heartbeat) and returns the number of frames published. When all were published,
    /// nothing stays pending; when one is refused, it stops and leaves pending keys for the next flush.</summary>
    /// <param name="sendTimestampNs">Publisher clock for the frame headers, ns since the Unix epoch.</param>
    public int PublishSnapshot(long sendTimestampNs)
    {
        var frames = 0;
        var done = 0;
        do
        {
            var writer = new TickFrameWriter(_frameBuffer, Header(TickFrameFlags.Snapshot, sendTimestampNs));
            var end = done;
            while (end < _keyCount && writer.TryAdd(Entry(_keyOrder[end])))
            {
                end++;
            }

            if (!Publish(writer.BytesWritten, writer.Count))
            {
                return frames;
            }

            done = end;
            frames++;
        }
        while (done < _keyCount);

        for (var i = 0; i < _dirtyCount; i++)
        {
            _slots[_dirty[i]].Dirty = false;
        }

        _dirtyCount = 0;
        return frames;
    }

    private TickFrameHeader Header(TickFrameFlags flags, long sendTimestampNs) =>
        new(_messageType, flags, _publisherId, _lastFrameSequence + 1, sendTimestampNs);

    private TickEntry Entry(int index)
    {
        ref readonly var slot = ref _slots[index];
        return new TickEntry(slot.Source, slot.Symbol, slot.Value, slot.TimeMs, slot.Sequence);
    }

    private bool Publish(int length, int entries)
    {
        if (!_publisher.TryPublish(_frameBuffer.AsSpan(0, length)))
        {
            Bump(ref _framesRefused);
            return false;
        }

        Volatile.Write(ref _lastFrameSequence, _lastFrameSequence + 1);
        Bump(ref _framesPublished);
        Volatile.Write(ref _entriesPublished, _entriesPublished + entries);
        return true;
    }

    private int FindOrAdd(FixedAscii24 source, FixedAscii24 symbol)
    {
        var index = SourceTickFilter.KeyHash(TickMessageType.None, source, symbol) & _slotMask;
        while (_slots[index].Used)
        {
            if (_slots[index].Source == source && _slots[index].Symbol == symbol)
            {
                return index;
            }

            index = (index + 1) & _slotMask;
        }

        if (_keyCount == _maxKeys || source.IsEmpty || symbol.IsEmpty)
        {
            return -1;
        }

        _slots[index] = new Slot { Used = true, Source = source, Symbol = symbol };
        _keyOrder[_keyCount++] = index;
        return index;
    }

    // Single writer: a plain read and a volatile write make the new value visible to readers on other threads.
    private static void Bump(ref long counter) => Volatile.Write(ref counter, counter + 1);

    private struct Slot
    {
        public bool Used;
        public bool Dirty;
        public FixedAscii24 Source;
        public FixedAscii24 Symbol;
        public double Value;
        public long TimeMs;
        public ulong Sequence;
    }
}

/// <summary>A <see cref="ConflatingPublisher"/>'s counters at one moment.</summary>
/// <param name="Offered">Values offered.</param>
/// <param name="Conflated">Offers that overwrote a value not yet published.</param>
/// <param name="Rejected">Offers refused: table full or empty name.</param>
/// <param name="FramesPublished">Frames the transport accepted (incremental and snapshot).</param>
/// <param name="FramesRefused">Frames the transport refused.</param>
/// <param name="EntriesPublished">Entries in published frames.</param>
public readonly record struct ConflationStats(
    long Offered,
    long Conflated,
    long Rejected,
    long FramesPublished,
    long FramesRefused,
    long EntriesPublished);

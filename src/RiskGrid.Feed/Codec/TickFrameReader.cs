using System.Buffers.Binary;

namespace RiskGrid.Feed.Codec;

/// <summary>
/// A validated view over one tick frame. <see cref="Open"/> checks magic, schema, version, type, flags, entry
/// length, length/count consistency and every text field, and returns a <see cref="TickFrameStatus"/> instead of
/// throwing; entries are then decoded on demand (<c>foreach</c> or the indexer) without allocation.
/// </summary>
/// <example><code>
/// if (TickFrameReader.Open(frame, out var reader) != TickFrameStatus.Ok) { garbled++; return; }
/// foreach (var entry in reader) { ... }
/// </code></example>
public readonly ref struct TickFrameReader
{
    private readonly ReadOnlySpan<byte> _frame;

    private TickFrameReader(ReadOnlySpan<byte> frame, TickFrameHeader header)
    {
        _frame = frame;
        Header = header;
    }

    /// <summary>The frame's header fields.</summary>
    public TickFrameHeader Header { get; }

    /// <summary>Number of entries.</summary>
    public int Count => Header.EntryCount;

    /// <summary>The frame's bytes, e.g. to forward them unchanged.</summary>
    public ReadOnlySpan<byte> Frame => _frame;

    /// <summary>Decodes entry <paramref name="index"/> (0-based).</summary>
    public TickEntry this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count, nameof(index));
            return ReadEntry(_frame.Slice(
                TickFrameLayout.HeaderLength + (index * TickFrameLayout.EntryLength), TickFrameLayout.EntryLength));
        }
    }

    /// <summary>Validates <paramref name="frame"/>; on <see cref="TickFrameStatus.Ok"/> <paramref name="reader"/>
    /// reads it, otherwise it is empty. Never throws, whatever the bytes.</summary>
    public static TickFrameStatus Open(ReadOnlySpan<byte> frame, out TickFrameReader reader)
    {
        reader = default;
        var status = ReadHeader(frame, out var header);
        if (status != TickFrameStatus.Ok)
        {
            return status;
        }

        var entries = frame[TickFrameLayout.HeaderLength..];
        for (var offset = 0; offset < entries.Length; offset += TickFrameLayout.EntryLength)
        {
            if (!FixedAscii24.IsCanonical(entries.Slice(offset + TickFrameLayout.SourceOffset, FixedAscii24.Size))
                || !FixedAscii24.IsCanonical(entries.Slice(offset + TickFrameLayout.SymbolOffset, FixedAscii24.Size)))
            {
                return TickFrameStatus.BadText;
            }
        }

        reader = new TickFrameReader(frame, header);
        return TickFrameStatus.Ok;
    }

    /// <summary>Enumerates the entries in frame order.</summary>
    public Enumerator GetEnumerator() => new(_frame, Count);

    private static TickFrameStatus ReadHeader(ReadOnlySpan<byte> frame, out TickFrameHeader header)
    {
        header = default;
        if (frame.Length < TickFrameLayout.HeaderLength)
        {
            return TickFrameStatus.TooShort;
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(frame) != TickFrameLayout.Magic)
        {
            return TickFrameStatus.BadMagic;
        }

        if (BinaryPrimitives.ReadUInt16LittleEndian(frame[TickFrameLayout.SchemaIdOffset..])
            != TickFrameLayout.SchemaId)
        {
            return TickFrameStatus.UnknownSchema;
        }

        if (BinaryPrimitives.ReadUInt16LittleEndian(frame[TickFrameLayout.SchemaVersionOffset..])
            != TickFrameLayout.SchemaVersion)
        {
            return TickFrameStatus.UnsupportedVersion;
        }

        var type = (TickMessageType)frame[TickFrameLayout.MessageTypeOffset];
        if (!TickFrameLayout.IsDefined(type))
        {
            return TickFrameStatus.UnknownMessageType;
        }

        var flags = (TickFrameFlags)frame[TickFrameLayout.FlagsOffset];
        if ((flags & ~TickFrameLayout.DefinedFlags) != 0)
        {
            return TickFrameStatus.UnknownFlags;
        }

        if (BinaryPrimitives.ReadUInt16LittleEndian(frame[TickFrameLayout.EntryLengthOffset..])
            != TickFrameLayout.EntryLength)
        {
            return TickFrameStatus.BadEntryLength;
        }

        var payloadLength = frame.Length - TickFrameLayout.HeaderLength;
        if (payloadLength % TickFrameLayout.EntryLength != 0)
        {
            return TickFrameStatus.TruncatedEntry;
        }

        int count = BinaryPrimitives.ReadUInt16LittleEndian(frame[TickFrameLayout.EntryCountOffset..]);
        if (count != payloadLength / TickFrameLayout.EntryLength)
        {
            return TickFrameStatus.CountMismatch;
        }

        header = new TickFrameHeader(
            type,
            flags,
            BinaryPrimitives.ReadUInt32LittleEndian(frame[TickFrameLayout.PublisherIdOffset..]),
            BinaryPrimitives.ReadUInt64LittleEndian(frame[TickFrameLayout.FrameSequenceOffset..]),
            BinaryPrimitives.ReadInt64LittleEndian(frame[TickFrameLayout.SendTimestampOffset..]),
            count);
        return TickFrameStatus.Ok;
    }

    private static TickEntry ReadEntry(ReadOnlySpan<byte> slot) => new(
        FixedAscii24.ReadUnchecked(slot),
        FixedAscii24.ReadUnchecked(slot[TickFrameLayout.SymbolOffset..]),
        BinaryPrimitives.ReadDoubleLittleEndian(slot[TickFrameLayout.ValueOffset..]),
        BinaryPrimitives.ReadInt64LittleEndian(slot[TickFrameLayout.TimeOffset..]),
        BinaryPrimitives.ReadUInt64LittleEndian(slot[TickFrameLayout.SequenceOffset..]));

    /// <summary>Allocation-free enumerator over a validated frame's entries.</summary>
    public ref struct Enumerator
    {
        private readonly ReadOnlySpan<byte> _frame;
        private readonly int _count;
        private int _index;

        internal Enumerator(ReadOnlySpan<byte> frame, int count)
        {
            _frame = frame;
            _count = count;
            _index = -1;
        }

        /// <summary>The entry at the current position.</summary>
        public readonly TickEntry Current => ReadEntry(_frame.Slice(
            TickFrameLayout.HeaderLength + (_index * TickFrameLayout.EntryLength), TickFrameLayout.EntryLength));

        /// <summary>Advances to the next entry; false after the last.</summary>
        public bool MoveNext() => ++_index < _count;
    }
}

using System.Buffers.Binary;

namespace RiskGrid.Feed.Codec;

/// <summary>
/// Writes one tick frame into a caller-provided buffer, allocating nothing. The header is written at construction
/// and the entry count after every <see cref="TryAdd"/>, so the first <see cref="BytesWritten"/> bytes are a valid
/// frame at any time. An entry that does not fit is refused (false), never truncated.
/// </summary>
/// <example><code>
/// var writer = new TickFrameWriter(buffer, new TickFrameHeader(TickMessageType.Price, TickFrameFlags.None,
///     publisherId: 7, frameSequence: 42, sendTimestampNs: clock.UtcNowNs));
/// writer.TryAdd(TickEntry.PriceTick(gemini, btc, 104_250.5, exchangeTimeMs, sequence));
/// publisher.TryPublish(buffer[..writer.BytesWritten]);
/// </code></example>
public ref struct TickFrameWriter
{
    private readonly Span<byte> _destination;
    private readonly int _capacity;
    private int _count;

    /// <summary>Starts a frame. Throws <see cref="ArgumentException"/> when the buffer cannot hold the 40-byte
    /// header, the message type is undefined or the flags carry undefined bits (programmer errors).</summary>
    public TickFrameWriter(Span<byte> destination, in TickFrameHeader header)
    {
        if (destination.Length < TickFrameLayout.HeaderLength)
        {
            throw new ArgumentException(
                $"a tick frame needs at least {TickFrameLayout.HeaderLength} bytes", nameof(destination));
        }

        if (!TickFrameLayout.IsDefined(header.MessageType))
        {
            throw new ArgumentException($"message type {header.MessageType} is not defined", nameof(header));
        }

        if ((header.Flags & ~TickFrameLayout.DefinedFlags) != 0)
        {
            throw new ArgumentException($"frame flags {header.Flags} carry undefined bits", nameof(header));
        }

        _destination = destination;
        _capacity = TickFrameLayout.MaxEntriesFor(destination.Length);
        _count = 0;
        WriteHeader(destination, header);
    }

    /// <summary>Entries written so far.</summary>
    public readonly int Count => _count;

    /// <summary>Entries the buffer can hold in total.</summary>
    public readonly int Capacity => _capacity;

    /// <summary>Length of the frame written so far: header plus entries.</summary>
    public readonly int BytesWritten => TickFrameLayout.HeaderLength + (_count * TickFrameLayout.EntryLength);

    /// <summary>Appends an entry; false when the buffer (or the u16 count) is full. Throws
    /// <see cref="ArgumentException"/> for an empty source or symbol, which no valid frame carries.</summary>
    public bool TryAdd(in TickEntry entry)
    {
        if (_count >= _capacity)
        {
            return false;
        }

        if (entry.Source.IsEmpty || entry.Symbol.IsEmpty)
        {
            throw new ArgumentException("a tick entry needs a source and a symbol", nameof(entry));
        }

        var slot = _destination.Slice(BytesWritten, TickFrameLayout.EntryLength);
        entry.Source.WriteTo(slot);
        entry.Symbol.WriteTo(slot[TickFrameLayout.SymbolOffset..]);
        BinaryPrimitives.WriteDoubleLittleEndian(slot[TickFrameLayout.ValueOffset..], entry.Value);
        BinaryPrimitives.WriteInt64LittleEndian(slot[TickFrameLayout.TimeOffset..], entry.TimeMs);
        BinaryPrimitives.WriteUInt64LittleEndian(slot[TickFrameLayout.SequenceOffset..], entry.Sequence);
        _count++;
        BinaryPrimitives.WriteUInt16LittleEndian(_destination[TickFrameLayout.EntryCountOffset..], (ushort)_count);
        return true;
    }

    /// <summary>Writes a whole frame; false (and nothing promised about the buffer) when the entries do not fit.
    /// <paramref name="header"/>'s <see cref="TickFrameHeader.EntryCount"/> is ignored.</summary>
    public static bool TryWrite(
        Span<byte> destination, in TickFrameHeader header, ReadOnlySpan<TickEntry> entries, out int bytesWritten)
    {
        bytesWritten = 0;
        if (entries.Length > TickFrameLayout.MaxEntriesFor(destination.Length))
        {
            return false;
        }

        var writer = new TickFrameWriter(destination, header);
        foreach (ref readonly var entry in entries)
        {
            writer.TryAdd(entry);
        }

        bytesWritten = writer.BytesWritten;
        return true;
    }

    private static void WriteHeader(Span<byte> destination, in TickFrameHeader header)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, TickFrameLayout.Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(
            destination[TickFrameLayout.SchemaIdOffset..], TickFrameLayout.SchemaId);
        BinaryPrimitives.WriteUInt16LittleEndian(
            destination[TickFrameLayout.SchemaVersionOffset..], TickFrameLayout.SchemaVersion);
        destination[TickFrameLayout.MessageTypeOffset] = (byte)header.MessageType;
        destination[TickFrameLayout.FlagsOffset] = (byte)header.Flags;
        BinaryPrimitives.WriteUInt16LittleEndian(
            destination[TickFrameLayout.EntryLengthOffset..], TickFrameLayout.EntryLength);
        // Entry count (12–13) and the reserved bytes 14–15 and 20–23 start at zero.
        destination.Slice(TickFrameLayout.EntryCountOffset, 4).Clear();
        destination.Slice(TickFrameLayout.PublisherIdOffset + 4, 4).Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(
            destination[TickFrameLayout.PublisherIdOffset..], header.PublisherId);
        BinaryPrimitives.WriteUInt64LittleEndian(
            destination[TickFrameLayout.FrameSequenceOffset..], header.FrameSequence);
        BinaryPrimitives.WriteInt64LittleEndian(
            destination[TickFrameLayout.SendTimestampOffset..], header.SendTimestampNs);
    }
}

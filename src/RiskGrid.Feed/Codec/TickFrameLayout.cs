namespace RiskGrid.Feed.Codec;

/// <summary>
/// Byte offsets and sizes of the tick frame, schema 1 version 1, all little-endian. The normative description, with
/// layout tables and versioning rules, is docs/feed-protocol.md.
/// </summary>
public static class TickFrameLayout
{
    /// <summary>Bytes 0–3: ASCII "RGTK" (0x52 0x47 0x54 0x4B), read as a little-endian u32.</summary>
    public const uint Magic = 0x4B54_4752;

    /// <summary>Bytes 4–5: the schema this frame belongs to (RiskGrid ticks).</summary>
    public const ushort SchemaId = 1;

    /// <summary>Bytes 6–7: the only version this build writes and reads.</summary>
    public const ushort SchemaVersion = 1;

    /// <summary>Size of the fixed header in bytes.</summary>
    public const int HeaderLength = 40;

    /// <summary>Size of one entry in bytes (every message type of version 1).</summary>
    public const int EntryLength = 72;

    /// <summary>The most entries one frame can declare (the count is a u16).</summary>
    public const int MaxEntryCount = ushort.MaxValue;

    internal const int MagicOffset = 0;
    internal const int SchemaIdOffset = 4;
    internal const int SchemaVersionOffset = 6;
    internal const int MessageTypeOffset = 8;
    internal const int FlagsOffset = 9;
    internal const int EntryLengthOffset = 10;
    internal const int EntryCountOffset = 12;
    internal const int PublisherIdOffset = 16;
    internal const int FrameSequenceOffset = 24;
    internal const int SendTimestampOffset = 32;

    internal const int SourceOffset = 0;
    internal const int SymbolOffset = 24;
    internal const int ValueOffset = 48;
    internal const int TimeOffset = 56;
    internal const int SequenceOffset = 64;

    internal const TickFrameFlags DefinedFlags = TickFrameFlags.Snapshot;

    /// <summary>Length in bytes of a frame with <paramref name="entryCount"/> entries.</summary>
    public static int FrameLength(int entryCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(entryCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(entryCount, MaxEntryCount);
        return HeaderLength + (entryCount * EntryLength);
    }

    /// <summary>How many entries fit in a buffer of <paramref name="bufferLength"/> bytes (0 when not even the
    /// header fits).</summary>
    public static int MaxEntriesFor(int bufferLength) =>
        bufferLength < HeaderLength ? 0 : Math.Min((bufferLength - HeaderLength) / EntryLength, MaxEntryCount);

    internal static bool IsDefined(TickMessageType type) =>
        type is TickMessageType.Price or TickMessageType.ImpliedVol or TickMessageType.FundingRate;
}

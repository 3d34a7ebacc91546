namespace RiskGrid.Feed.Codec;

/// <summary>Outcome of <see cref="TickFrameReader.Open"/>, checked in the order listed. Anything but
/// <see cref="Ok"/> means the frame is garbled: count it and skip it.</summary>
public enum TickFrameStatus
{
    /// <summary>The frame is consistent; its entries can be read.</summary>
    Ok = 0,

    /// <summary>Shorter than the 40-byte header.</summary>
    TooShort,

    /// <summary>Bytes 0–3 are not "RGTK".</summary>
    BadMagic,

    /// <summary>Schema id is not 1.</summary>
    UnknownSchema,

    /// <summary>Schema version is not one this build reads (only 1).</summary>
    UnsupportedVersion,

    /// <summary>Message type byte is not a defined <see cref="TickMessageType"/>.</summary>
    UnknownMessageType,

    /// <summary>Flags carry undefined bits.</summary>
    UnknownFlags,

    /// <summary>Entry length field is not 72.</summary>
    BadEntryLength,

    /// <summary>The bytes after the header are not a whole number of entries.</summary>
    TruncatedEntry,

    /// <summary>The entry count disagrees with the frame's length.</summary>
    CountMismatch,

    /// <summary>A source or symbol field is empty, not printable ASCII, or not zero-padded.</summary>
    BadText,
}

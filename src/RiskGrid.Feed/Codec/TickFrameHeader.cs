namespace RiskGrid.Feed.Codec;

/// <summary>
/// The per-frame fields a publisher chooses (magic, schema, version and entry length are constants of the codec).
/// </summary>
/// <param name="MessageType">What every entry of the frame carries.</param>
/// <param name="Flags">Snapshot or incremental.</param>
/// <param name="PublisherId">Identifies the publishing process; frame sequences are per publisher.</param>
/// <param name="FrameSequence">1 for the publisher's first frame, +1 per frame sent; a subscriber that sees a jump
/// counts a gap (frames lost, e.g. dropped past a high-water mark).</param>
/// <param name="SendTimestampNs">Publisher clock when the frame was written, nanoseconds since the Unix epoch.</param>
/// <param name="EntryCount">Number of entries; set by the writer, read by the reader.</param>
public readonly record struct TickFrameHeader(
    TickMessageType MessageType,
    TickFrameFlags Flags,
    uint PublisherId,
    ulong FrameSequence,
    long SendTimestampNs,
    int EntryCount = 0)
{
    /// <summary>True for a snapshot frame (<see cref="TickFrameFlags.Snapshot"/>).</summary>
    public bool IsSnapshot => (Flags & TickFrameFlags.Snapshot) != 0;
}

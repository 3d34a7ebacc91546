namespace RiskGrid.Feed.Codec;

/// <summary>What <see cref="SourceTickFilter.Accept"/> decided about one entry. Only <see cref="Accepted"/> entries
/// should reach the price table; every other verdict is counted per source and dropped.</summary>
public enum TickVerdict
{
    /// <summary>New value: apply it.</summary>
    Accepted = 0,

    /// <summary>Value is NaN or infinite.</summary>
    NonFinite,

    /// <summary>Price or implied vol is exactly zero (funding rates may be zero).</summary>
    Zero,

    /// <summary>Price or implied vol is negative (funding rates may be negative).</summary>
    Negative,

    /// <summary>Same source sequence as the last accepted entry of its key, in an incremental frame.</summary>
    Duplicate,

    /// <summary>Source sequence lower than the last accepted entry of its key.</summary>
    OutOfOrder,

    /// <summary>Same source sequence as the last accepted entry, repeated by a snapshot frame: expected, not an
    /// error, and counted apart from duplicates.</summary>
    SnapshotRepeat,

    /// <summary>The filter's preallocated source or key table is full; the entry cannot be checked.</summary>
    Untracked,
}

/// <summary>Counters of one source (venue and price kind) in a <see cref="SourceTickFilter"/>, read at one moment.
/// Counts are of entries.</summary>
/// <param name="Source">The source these counters belong to.</param>
/// <param name="Accepted">Entries accepted.</param>
/// <param name="NonFinite">Entries dropped for a NaN or infinite value.</param>
/// <param name="Zero">Price or IV entries dropped for a zero value.</param>
/// <param name="Negative">Price or IV entries dropped for a negative value.</param>
/// <param name="Duplicates">Entries dropped as duplicates (same sequence, incremental frame).</param>
/// <param name="OutOfOrder">Entries dropped for a sequence below the last accepted one.</param>
/// <param name="SnapshotRepeats">Snapshot entries already seen (dropped, not an error).</param>
public readonly record struct SourceTickStats(
    FixedAscii24 Source,
    long Accepted,
    long NonFinite,
    long Zero,
    long Negative,
    long Duplicates,
    long OutOfOrder,
    long SnapshotRepeats)
{
    /// <summary>Entries dropped for any error cause (snapshot repeats are not errors).</summary>
    public long Dropped => NonFinite + Zero + Negative + Duplicates + OutOfOrder;
}

/// <summary>Frame-sequence counters of one publisher in a <see cref="SourceTickFilter"/>, read at one moment.</summary>
/// <param name="PublisherId">The publisher id from the frame header.</param>
/// <param name="Frames">Frames observed.</param>
/// <param name="Gaps">Jumps in the frame sequence (each jump counts once, whatever its size).</param>
/// <param name="MissedFrames">Frames never seen: the sum of the jumps' sizes.</param>
/// <param name="Resets">Times the sequence went backwards or repeated (a publisher restart).</param>
/// <param name="LastFrameSequence">The latest frame sequence observed.</param>
public readonly record struct PublisherFrameStats(
    uint PublisherId,
    long Frames,
    long Gaps,
    long MissedFrames,
    long Resets,
    ulong LastFrameSequence);

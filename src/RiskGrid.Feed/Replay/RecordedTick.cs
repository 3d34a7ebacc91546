namespace RiskGrid.Feed.Replay;

/// <summary>One recorded price at its data time.</summary>
/// <param name="TsMs">Data (exchange) time, epoch milliseconds.</param>
/// <param name="Price">Price in the file's quote currency, exactly as parsed.</param>
/// <param name="FileIndex">Which input it came from (the index the reader was given).</param>
public readonly record struct RecordedTick(long TsMs, double Price, int FileIndex);

/// <summary>A pull source of recorded ticks in non-decreasing <see cref="RecordedTick.TsMs"/> order.</summary>
public interface IRecordedTickSource
{
    /// <summary>The next tick; false at the end.</summary>
    bool TryRead(out RecordedTick tick);
}

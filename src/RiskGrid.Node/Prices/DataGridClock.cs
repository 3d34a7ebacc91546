using RiskGrid.Node.Time;

namespace RiskGrid.Node.Prices;

/// <summary>
/// A grid clock that follows the data: its time is the latest price or implied-vol timestamp a
/// <see cref="PriceView"/> has accepted. For replays, where staleness must be judged on the recording's own clock
/// whatever the replay speed. A source silent in the data goes stale once the other sources' ticks have moved the
/// clock staleMs past it; if every source goes silent the clock stops, and so does ageing.
/// </summary>
public sealed class DataGridClock : IGridClock
{
    private long _nowMs;

    /// <summary>Starts at <paramref name="startMs"/> (Unix ms).</summary>
    public DataGridClock(long startMs = 0) => _nowMs = startMs;

    /// <inheritdoc />
    public long NowMs => Volatile.Read(ref _nowMs);

    /// <summary>Moves the clock to <paramref name="dataTimeMs"/> when that is later.</summary>
    public void Observe(long dataTimeMs)
    {
        var last = Volatile.Read(ref _nowMs);
        while (dataTimeMs > last)
        {
            var seen = Interlocked.CompareExchange(ref _nowMs, dataTimeMs, last);
            if (seen == last)
            {
                return;
            }

            last = seen;
        }
    }
}

namespace RiskGrid.Node.Time;

/// <summary>
/// The grid's clock: what staleness, dedupe retention and event timestamps are measured on. Logic never reads
/// <see cref="DateTime.UtcNow"/> or <see cref="System.Diagnostics.Stopwatch"/> itself; it is handed a clock, so a
/// replay can run on the data's own clock and a test on a manual one.
/// </summary>
public interface IGridClock
{
    /// <summary>Milliseconds since the Unix epoch, UTC. Never goes backwards.</summary>
    long NowMs { get; }
}

/// <summary>The wall clock (UTC), made monotonic: a step back of the system clock holds the last reading.</summary>
public sealed class SystemGridClock : IGridClock
{
    /// <summary>The one instance; the clock has no state worth a second copy.</summary>
    public static readonly SystemGridClock Instance = new();

    private long _last;

    private SystemGridClock()
    {
    }

    /// <inheritdoc />
    public long NowMs
    {
        get
        {
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var last = Volatile.Read(ref _last);
            while (now > last)
            {
                var seen = Interlocked.CompareExchange(ref _last, now, last);
                if (seen == last)
                {
                    return now;
                }
                last = seen;
            }
            return last;
        }
    }
}

/// <summary>A clock that moves only when told to: tests, and replays that follow the data's timestamps.</summary>
public sealed class ManualGridClock : IGridClock
{
    private long _nowMs;

    /// <summary>Starts at <paramref name="startMs"/> (Unix milliseconds).</summary>
    public ManualGridClock(long startMs) => _nowMs = startMs;

    /// <inheritdoc />
    public long NowMs => Volatile.Read(ref _nowMs);

    /// <summary>Moves the clock forward by <paramref name="ms"/> (not negative).</summary>
    public void Advance(long ms)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(ms);
        Interlocked.Add(ref _nowMs, ms);
    }

    /// <summary>Moves the clock to <paramref name="nowMs"/> when that is later; an earlier time is ignored, so the
    /// clock never goes backwards.</summary>
    public void AdvanceTo(long nowMs)
    {
        var last = Volatile.Read(ref _nowMs);
        while (nowMs > last)
        {
            var seen = Interlocked.CompareExchange(ref _nowMs, nowMs, last);
            if (seen == last)
            {
                return;
            }
            last = seen;
        }
    }
}

using System.Diagnostics;

namespace RiskGrid.Feed.Replay;

/// <summary>The wall clock a replay paces against, injected so tests run on a fake one.</summary>
public interface IReplayClock
{
    /// <summary>Monotonic time, nanoseconds since the Unix epoch (usable as a frame's send timestamp).</summary>
    long NowNs { get; }

    /// <summary>Waits about <paramref name="durationNs"/> nanoseconds, or until cancelled.</summary>
    void Sleep(long durationNs, CancellationToken cancellationToken);
}

/// <summary>
/// The process clock: the UTC time read once at construction plus a monotonic stopwatch since, so it never jumps
/// with NTP adjustments. <see cref="Sleep"/> sleeps whole milliseconds, then yields for the remainder (sub-ms
/// accuracy without burning a core for long).
/// </summary>
public sealed class SystemReplayClock : IReplayClock
{
    private readonly long _epochNsAtStart = (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;
    private readonly long _timestampAtStart = Stopwatch.GetTimestamp();

    /// <inheritdoc />
    public long NowNs => _epochNsAtStart + (long)((Stopwatch.GetTimestamp() - _timestampAtStart)
        * (1_000_000_000.0 / Stopwatch.Frequency));

    /// <inheritdoc />
    public void Sleep(long durationNs, CancellationToken cancellationToken)
    {
        var dueNs = NowNs + durationNs;
        var wholeMs = (durationNs / 1_000_000) - 1;
        if (wholeMs > 0 && cancellationToken.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(wholeMs)))
        {
            return;
        }

        while (NowNs < dueNs && !cancellationToken.IsCancellationRequested)
        {
            Thread.Yield();
        }
    }
}

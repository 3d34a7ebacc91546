namespace RiskGrid.Feed.Replay;

/// <summary>
/// Maps data time to wall time at a <see cref="ReplaySpeed"/>: the first tick waited for anchors data time to the
/// clock's now, and tick t is due at anchorWall + (t − anchorData) / speed. At <see cref="ReplaySpeed.Max"/> nothing
/// waits and the clock is not read. Reads time only through the injected <see cref="IReplayClock"/>.
/// </summary>
public sealed class ReplayPacer
{
    private readonly IReplayClock _clock;
    private readonly double _nsPerDataMs;
    private bool _anchored;
    private long _anchorDataMs;
    private long _anchorWallNs;

    /// <summary>Paces against <paramref name="clock"/> at <paramref name="speed"/>.</summary>
    public ReplayPacer(IReplayClock clock, ReplaySpeed speed)
    {
        ArgumentNullException.ThrowIfNull(clock);
        if (speed.Factor <= 0 || double.IsNaN(speed.Factor))
        {
            throw new ArgumentOutOfRangeException(nameof(speed), speed, "use ReplaySpeed.Times or ReplaySpeed.Max");
        }

        _clock = clock;
        Speed = speed;
        _nsPerDataMs = speed.IsMax ? 0 : 1_000_000.0 / speed.Factor;
    }

    /// <summary>The speed in force.</summary>
    public ReplaySpeed Speed { get; }

    /// <summary>Wall nanoseconds between the anchor and data time <paramref name="dataTimeMs"/> at this speed
    /// (negative for data before the anchor; 0 at max speed or before anchoring).</summary>
    public long WallOffsetNs(long dataTimeMs) =>
        _anchored ? (long)Math.Round((dataTimeMs - _anchorDataMs) * _nsPerDataMs) : 0;

    /// <summary>Waits until <paramref name="dataTimeMs"/> is due and returns the nanoseconds asked of the clock's
    /// sleep (0 when already due). The first call anchors and returns at once.</summary>
    public long WaitUntilDue(long dataTimeMs, CancellationToken cancellationToken = default)
    {
        if (Speed.IsMax)
        {
            return 0;
        }

        if (!_anchored)
        {
            Anchor(dataTimeMs);
            return 0;
        }

        var waitNs = _anchorWallNs + WallOffsetNs(dataTimeMs) - _clock.NowNs;
        if (waitNs <= 0)
        {
            return 0;
        }

        _clock.Sleep(waitNs, cancellationToken);
        return waitNs;
    }

    /// <summary>Anchors <paramref name="dataTimeMs"/> to the clock's now (e.g. after a pause).</summary>
    public void Anchor(long dataTimeMs)
    {
        _anchorDataMs = dataTimeMs;
        _anchorWallNs = _clock.NowNs;
        _anchored = true;
    }
}

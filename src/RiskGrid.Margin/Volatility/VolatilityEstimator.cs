using RiskGrid.Margin.Parameters;

namespace RiskGrid.Margin.Volatility;

/// <summary>
/// The volatility multiplier of one underlying (§7): an EWMA of squared one-second log returns of the index,
/// annualised to σ, and the two multipliers v^IM and v^MM derived from it. Pure and allocation-free after
/// construction; time arrives as Unix milliseconds on the data's clock and never runs backwards here (an earlier
/// time is taken as the latest seen). One writer.
/// <para><b>Sampling.</b> Second s is [s·1000, (s+1)·1000) ms of the data's clock. The sample of a second is the
/// last index offered with a time in it; it is committed once a later time is seen (an index in a later second, or
/// <see cref="AdvanceTo"/> past its end). An index for a second already committed is ignored.</para>
/// <para><b>Variance.</b> Per-second variance <c>var</c> starts at refVol² / 31 536 000 (so σ = refVol, v = 1).
/// With λ = 2^(−1/ewmaHalfLifeSeconds), committing a sample n ≥ 1 seconds after the previous one with log return
/// r = ln(S_new / S_prev) sets <c>var ← λⁿ·var + (1 − λⁿ)·r²/n</c>: the same as n one-second steps whose returns
/// share r² equally, so a gap neither hides nor exaggerates the move. The first sample only sets the reference.
/// Seconds with no index at all are folded into the next gap; without samples, var does not change.</para>
/// <para><b>Multipliers.</b> σ = sqrt(var × 31 536 000) (365 × 86 400 s a year); v = clamp(σ / refVol, 1,
/// maxVolMultiplier), recomputed at each commit. v^IM = v at once. v^MM: each rise of v (v_new &gt; v_old) at time
/// t starts a linear ramp from v^MM(t) to v_new over mmRampSeconds; at any time
/// <c>v^MM = min(v, ramp)</c>, so a fall of v below the ramp is followed at once and 1 ≤ v^MM ≤ v^IM ≤
/// maxVolMultiplier always. v^MM reaches v^IM mmRampSeconds after the last rise, and never rises faster than
/// (maxVolMultiplier − 1) per mmRampSeconds.</para>
/// <para><b>Reporting.</b> <see cref="ShouldReport"/> is true while v^IM or v^MM differs from the last reported
/// value by more than journalThreshold relative to it (|v − v_reported| &gt; threshold × v_reported; initially both
/// reported values are 1). The engine journals the change and calls <see cref="MarkReported"/>.</para>
/// </summary>
public sealed class VolatilityEstimator
{
    /// <summary>Seconds in the 365-day year used to annualise.</summary>
    public const double SecondsPerYear = 365.0 * 86_400.0;

    private const long MillisPerSecond = 1000;

    private double _refVol;
    private double _maxMultiplier;
    private double _rampMs;
    private double _journalThreshold;

    private long _nowMs = long.MinValue;
    private bool _hasSample;
    private long _sampleSecond;
    private double _sampleLogPrice;
    private bool _hasPending;
    private long _pendingSecond;
    private double _pendingPrice;
    private double _rampFrom = 1;
    private double _rampTo = 1;
    private long _rampStartMs;

    /// <summary>Creates the estimator of <paramref name="underlying"/> (refVol, maxVolMultiplier) with the §7
    /// parameters <paramref name="volatility"/> (half-life, ramp, journal threshold).</summary>
    public VolatilityEstimator(UnderlyingParams underlying, VolatilityParams volatility)
    {
        ArgumentNullException.ThrowIfNull(underlying);
        ArgumentNullException.ThrowIfNull(volatility);
        _refVol = underlying.RefVol;
        _maxMultiplier = underlying.MaxVolMultiplier;
        _rampMs = volatility.MmRampSeconds * MillisPerSecond;
        _journalThreshold = volatility.JournalThreshold;
        DecayPerSecond = Math.Pow(2, -1 / volatility.EwmaHalfLifeSeconds);
        VariancePerSecond = _refVol * _refVol / SecondsPerYear;
    }

    /// <summary>λ = 2^(−1/ewmaHalfLifeSeconds): the weight the variance keeps per second.</summary>
    public double DecayPerSecond { get; private set; }

    /// <summary>EWMA of squared one-second log returns (per second).</summary>
    public double VariancePerSecond { get; private set; }

    /// <summary>σ: the annualised volatility, sqrt(var × 31 536 000) (a fraction, 0.6 = 60 %).</summary>
    public double AnnualisedVolatility => Math.Sqrt(VariancePerSecond * SecondsPerYear);

    /// <summary>v^IM = v = clamp(σ / refVol, 1, maxVolMultiplier).</summary>
    public double InitialMultiplier { get; private set; } = 1;

    /// <summary>v^MM: follows a rise of v linearly over mmRampSeconds, a fall at once; ≤ v^IM.</summary>
    public double MaintenanceMultiplier { get; private set; } = 1;

    /// <summary>v^IM as last reported (1 at start).</summary>
    public double ReportedInitialMultiplier { get; private set; } = 1;

    /// <summary>v^MM as last reported (1 at start).</summary>
    public double ReportedMaintenanceMultiplier { get; private set; } = 1;

    /// <summary>The second (Unix ms / 1000, floored) of the last committed sample, or null before the first.</summary>
    public long? LastSampleSecond => _hasSample ? _sampleSecond : null;

    /// <summary>True while v^IM or v^MM moved beyond journalThreshold (relative) from the last reported values.</summary>
    public bool ShouldReport =>
        Beyond(InitialMultiplier, ReportedInitialMultiplier) || Beyond(MaintenanceMultiplier, ReportedMaintenanceMultiplier);

    /// <summary>Offers the index (USD, finite and &gt; 0) at <paramref name="tsMs"/> (Unix ms); commits the pending
    /// second when this index belongs to a later one, then moves the ramp to the latest time. Returns
    /// <see cref="ShouldReport"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is not finite and positive (the oracle never
    /// publishes such an index, so this is a wiring error).</exception>
    public bool Update(double index, long tsMs)
    {
        if (!(index > 0) || !double.IsFinite(index))
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, "an index must be finite and > 0");
        }
        var second = FloorDiv(tsMs, MillisPerSecond);
        _nowMs = Math.Max(_nowMs, tsMs);
        CommitBefore(second);
        var late = (_hasSample && second <= _sampleSecond) || (_hasPending && second < _pendingSecond);
        if (!late)
        {
            _hasPending = true;
            _pendingSecond = second;
            _pendingPrice = index;
        }
        MaintenanceMultiplier = MaintenanceAt(_nowMs);
        return ShouldReport;
    }

    /// <summary>Lets time pass without a new index: commits the pending second once <paramref name="nowMs"/> is past
    /// it and moves the v^MM ramp. Returns <see cref="ShouldReport"/>.</summary>
    public bool AdvanceTo(long nowMs)
    {
        _nowMs = Math.Max(_nowMs, nowMs);
        CommitBefore(FloorDiv(_nowMs, MillisPerSecond));
        MaintenanceMultiplier = MaintenanceAt(_nowMs);
        return ShouldReport;
    }

    /// <summary>
    /// Takes new parameters (a run-time parameter change), keeping the variance, the samples and the ramp: v^IM is
    /// recomputed at once from σ and the new refVol and maxVolMultiplier (a rise starts a ramp of v^MM over the new
    /// mmRampSeconds, a fall is followed at once); the half-life and journal threshold apply from the next sample.
    /// Before the first sample the variance still is its starting value and restarts from the new refVol.
    /// </summary>
    public void Reconfigure(UnderlyingParams underlying, VolatilityParams volatility)
    {
        ArgumentNullException.ThrowIfNull(underlying);
        ArgumentNullException.ThrowIfNull(volatility);
        _refVol = underlying.RefVol;
        _maxMultiplier = underlying.MaxVolMultiplier;
        _rampMs = volatility.MmRampSeconds * MillisPerSecond;
        _journalThreshold = volatility.JournalThreshold;
        DecayPerSecond = Math.Pow(2, -1 / volatility.EwmaHalfLifeSeconds);
        if (!_hasSample)
        {
            VariancePerSecond = _refVol * _refVol / SecondsPerYear;
            return;
        }
        SetMultiplier(Math.Clamp(AnnualisedVolatility / _refVol, 1, _maxMultiplier));
        MaintenanceMultiplier = MaintenanceAt(_nowMs);
    }

    /// <summary>Records the current v^IM and v^MM as reported (journaled).</summary>
    public void MarkReported()
    {
        ReportedInitialMultiplier = InitialMultiplier;
        ReportedMaintenanceMultiplier = MaintenanceMultiplier;
    }

    private void CommitBefore(long second)
    {
        if (!_hasPending || second <= _pendingSecond)
        {
            return;
        }
        _hasPending = false;
        var logPrice = Math.Log(_pendingPrice);
        if (_hasSample)
        {
            var n = _pendingSecond - _sampleSecond;
            var r = logPrice - _sampleLogPrice;
            var keep = n == 1 ? DecayPerSecond : Math.Pow(DecayPerSecond, n);
            VariancePerSecond = (keep * VariancePerSecond) + ((1 - keep) * (r * r / n));
            SetMultiplier(Math.Clamp(AnnualisedVolatility / _refVol, 1, _maxMultiplier));
        }
        _hasSample = true;
        _sampleSecond = _pendingSecond;
        _sampleLogPrice = logPrice;
    }

    private void SetMultiplier(double v)
    {
        if (v > InitialMultiplier)
        {
            _rampFrom = MaintenanceAt(_nowMs);
            _rampTo = v;
            _rampStartMs = _nowMs;
        }
        InitialMultiplier = v;
    }

    private double MaintenanceAt(long nowMs)
    {
        var elapsed = (double)(nowMs - _rampStartMs);
        var ramp = elapsed >= _rampMs ? _rampTo : _rampFrom + ((_rampTo - _rampFrom) * (elapsed / _rampMs));
        return Math.Min(InitialMultiplier, ramp);
    }

    private bool Beyond(double value, double reported) => Math.Abs(value - reported) > _journalThreshold * reported;

    private static long FloorDiv(long a, long b)
    {
        var q = a / b;
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
    }
}

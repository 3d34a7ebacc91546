using System.Diagnostics;

namespace RiskGrid.Node.Supervision;

/// <summary>
/// Notional per second the liquidation engine may close per instrument: a token bucket per instrument holding at
/// most one second of budget, refilled continuously on the monotonic clock. Thread-safe.
/// </summary>
public sealed class LiquidityBudget
{
    private readonly Lock _gate = new();
    private readonly Func<string, double> _budgetOf;
    private readonly Dictionary<string, (double Tokens, long Ticks)> _buckets = new(StringComparer.Ordinal);
    private readonly Func<long> _now;

    public LiquidityBudget(Func<string, double> budgetOfUsdPerSecond, Func<long>? nowTicks = null)
    {
        _budgetOf = budgetOfUsdPerSecond ?? throw new ArgumentNullException(nameof(budgetOfUsdPerSecond));
        _now = nowTicks ?? Stopwatch.GetTimestamp;
    }

    /// <summary>Takes up to <paramref name="notionalUsd"/> of <paramref name="instrument"/>'s budget and returns how much
    /// was granted (0 when the bucket is empty).</summary>
    public double Take(string instrument, double notionalUsd)
    {
        if (!(notionalUsd > 0))
        {
            return 0;
        }
        lock (_gate)
        {
            var rate = _budgetOf(instrument);
            var now = _now();
            var (tokens, last) = _buckets.TryGetValue(instrument, out var b) ? b : (rate, now);
            tokens = Math.Min(rate, tokens + rate * (now - last) / Stopwatch.Frequency);
            var granted = Math.Min(tokens, notionalUsd);
            _buckets[instrument] = (tokens - granted, now);
            return granted;
        }
    }

    /// <summary>Returns unused budget (a close that was refused after the budget was taken).</summary>
    public void Refund(string instrument, double notionalUsd)
    {
        if (!(notionalUsd > 0))
        {
            return;
        }
        lock (_gate)
        {
            if (_buckets.TryGetValue(instrument, out var b))
            {
                _buckets[instrument] = (Math.Min(_budgetOf(instrument), b.Tokens + notionalUsd), b.Ticks);
            }
        }
    }
}

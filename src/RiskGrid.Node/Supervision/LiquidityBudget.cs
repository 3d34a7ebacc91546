namespace RiskGrid.Node.Supervision;

/// <summary>
/// Notional per second the liquidation engine may close per instrument: a token bucket per instrument holding at
/// most one second of budget, refilled continuously on the grid's clock (the data's clock in a replay, so a replay at
/// full speed throttles as the market would have). Thread-safe.
/// </summary>
public sealed class LiquidityBudget
{
    private readonly Lock _gate = new();
    private readonly Func<string, double> _budgetOf;
    private readonly Dictionary<string, (double Tokens, long Ms)> _buckets = new(StringComparer.Ordinal);
    private readonly Func<long> _nowMs;

    public LiquidityBudget(Func<string, double> budgetOfUsdPerSecond, Func<long> nowMs)
    {
        _budgetOf = budgetOfUsdPerSecond ?? throw new ArgumentNullException(nameof(budgetOfUsdPerSecond));
        _nowMs = nowMs ?? throw new ArgumentNullException(nameof(nowMs));
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
            var now = _nowMs();
            var (tokens, last) = _buckets.TryGetValue(instrument, out var b) ? b : (rate, now);
            tokens = Math.Min(rate, tokens + rate * Math.Max(0, now - last) / 1000.0);
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
                _buckets[instrument] = (Math.Min(_budgetOf(instrument), b.Tokens + notionalUsd), b.Ms);
            }
        }
    }
}

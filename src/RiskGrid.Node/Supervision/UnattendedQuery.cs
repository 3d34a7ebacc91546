namespace RiskGrid.Node.Supervision;

/// <summary>Asks the supervisor which liquidatable sub-accounts nothing is acting on: neither held by their prices
/// (stale index, wick guard) nor queued or executing in the liquidation engine. Answered with an
/// <see cref="UnattendedReport"/>; load harnesses sample it to measure how long an account stays unattended.</summary>
public sealed record GetUnattended
{
    /// <summary>The one instance.</summary>
    public static readonly GetUnattended Instance = new();
}

/// <summary>A liquidatable sub-account neither blocked nor queued: cooling down after a partial liquidation (until
/// <paramref name="CooldownUntilMs"/>, grid clock), waiting for the retry timer (<paramref name="RetryPending"/>),
/// waiting outside a full liquidation queue for room (<paramref name="WaitingForQueue"/>: re-checked and offered as
/// the queue drains below half), or waiting for nothing (its next evaluation comes from an account change, a price
/// trigger or the sweep).</summary>
public sealed record UnattendedEntry(string AccountId, string SubAccount, double WorstHealth, long CooldownUntilMs,
    bool RetryPending, bool WaitingForQueue = false);

/// <summary>The liquidatable sub-accounts the supervisor tracks, by what holds them, and the unattended ones.</summary>
/// <param name="Liquidatable">Liquidatable sub-accounts.</param>
/// <param name="InFlight">Of which queued or executing.</param>
/// <param name="Blocked">Of which not queued and held by a stale index or the wick guard.</param>
/// <param name="Entries">The rest: liquidatable, unblocked, not queued.</param>
/// <param name="Cycles">Evaluation cycles run so far.</param>
/// <param name="MarketVersion">The price view's version the last cycle evaluated.</param>
public sealed record UnattendedReport(int Liquidatable, int InFlight, int Blocked, IReadOnlyList<UnattendedEntry> Entries,
    long Cycles, long MarketVersion);

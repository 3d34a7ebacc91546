namespace RiskGrid.Node.Supervision;

/// <summary>Asks the supervisor which liquidatable sub-accounts nothing is acting on: neither held by their prices
/// (stale index, wick guard) nor queued or executing in the liquidation engine. Answered with an
/// <see cref="UnattendedReport"/>; load harnesses sample it to measure how long an account stays unattended.</summary>
public sealed record GetUnattended
{
    /// <summary>The one instance.</summary>
    public static readonly GetUnattended Instance = new();
}

/// <summary>A liquidatable sub-account neither blocked nor queued that nothing is scheduled to look at again: not
/// cooling down after a partial liquidation (its cooldown ended at <paramref name="CooldownUntilMs"/>, grid clock, or
/// never ran: 0), not waiting for the retry timer, not waiting outside a full queue for room; its next evaluation
/// would come from an account change, a price trigger or the sweep.</summary>
public sealed record UnattendedEntry(string AccountId, string SubAccount, double WorstHealth, long CooldownUntilMs);

/// <summary>The liquidatable sub-accounts the supervisor tracks, by what holds them. Counts, not lists, for all but
/// the forgotten ones, so a harness can sample it often in a crash with tens of thousands liquidatable without the
/// samples costing the grid its time.</summary>
/// <param name="Liquidatable">Liquidatable sub-accounts.</param>
/// <param name="InFlight">Of which queued or executing.</param>
/// <param name="Blocked">Of which not queued and held by a stale index or the wick guard.</param>
/// <param name="Entries">Of the rest (liquidatable, unblocked, not queued), those nothing is scheduled to look at
/// again (see <see cref="UnattendedEntry"/>): none, when the supervisor does its job.</param>
/// <param name="Cycles">Evaluation cycles run so far.</param>
/// <param name="MarketVersion">The price view's version the last cycle evaluated.</param>
/// <param name="Cooling">Of the rest, cooling down after a partial liquidation.</param>
/// <param name="RetryPending">Of the rest, outside their cooldown and waiting for the retry timer.</param>
/// <param name="WaitingForQueue">Of the rest, outside their cooldown and waiting outside the full queue for room.</param>
/// <param name="LongestWaitingForQueueMicros">How long the longest of those has been waiting, µs of wall time.</param>
/// <param name="LongestWaitingForQueueMarketMs">The same on the grid's clock, ms.</param>
public sealed record UnattendedReport(int Liquidatable, int InFlight, int Blocked, IReadOnlyList<UnattendedEntry> Entries,
    long Cycles, long MarketVersion, int Cooling = 0, int RetryPending = 0, int WaitingForQueue = 0,
    long LongestWaitingForQueueMicros = 0, long LongestWaitingForQueueMarketMs = 0)
{
    /// <summary>Liquidatable, unblocked and not queued, whatever holds them.</summary>
    public int Unattended => Liquidatable - InFlight - Blocked;
}

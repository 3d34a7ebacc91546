using Akka.Actor;

namespace RiskGrid.Node.Supervision;

/// <summary>
/// Drives a supervisor in stepped mode (<see cref="SupervisorSettings.Stepped"/>): after a market step, runs cycles
/// until the engine is idle and no account change waits, so every consequence of the step (liquidations, ADL, the
/// accounts they changed) is settled before the next. That makes a replay reproducible.
/// </summary>
public static class SteppedDriver
{
    /// <summary>Settles the step; <paramref name="sweep"/> makes the first cycle a full sweep.</summary>
    public static async Task<RiskProgress> SettleAsync(IActorRef supervisor, bool sweep, TimeSpan timeout,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(supervisor);
        var deadline = DateTime.UtcNow + timeout;
        var first = true;
        while (true)
        {
            var report = await supervisor.Ask<RiskProgress>(new RunRiskCycle(sweep && first, ProgressOnly: true),
                timeout, cancellationToken).ConfigureAwait(false);
            first = false;
            if (report.InFlight > 0)
            {
                var left = deadline - DateTime.UtcNow;
                try
                {
                    report = await supervisor.Ask<RiskProgress>(AwaitIdle.Instance,
                        left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1), cancellationToken).ConfigureAwait(false);
                }
                catch (AskTimeoutException e)
                {
                    throw new TimeoutException($"the liquidation engine did not settle within {timeout}", e);
                }
            }
            if (!report.PendingChanges)
            {
                return report;
            }
        }
    }
}

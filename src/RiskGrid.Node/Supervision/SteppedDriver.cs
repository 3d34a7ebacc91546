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
            while (report.InFlight > 0)
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"the liquidation engine did not settle within {timeout}");
                }
                await Task.Delay(1, cancellationToken).ConfigureAwait(false);
                report = await supervisor.Ask<RiskProgress>(GetRiskProgress.Instance, timeout, cancellationToken)
                    .ConfigureAwait(false);
            }
            if (!report.PendingChanges)
            {
                return report;
            }
        }
    }
}

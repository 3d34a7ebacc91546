using Prometheus;
using RiskGrid.Node.Accounts;

namespace RiskGrid.Api.Monitoring;

/// <summary>
/// Prometheus metrics of the account requests of this node, read at scrape time: requests in flight and requests
/// refused because the node was at <c>riskgrid.accounts.max-in-flight</c>. One node per process.
/// </summary>
public static class AccountMetricsExporter
{
    private static readonly Gauge InFlight = Metrics.CreateGauge("riskgrid_account_requests_in_flight",
        "Requests to accounts this node has in flight.");

    private static readonly Counter Refused = Metrics.CreateCounter("riskgrid_account_requests_refused_total",
        "Requests to accounts refused at once because max-in-flight were in flight (answered 503).");

    /// <summary>Refreshes the metrics from <paramref name="accounts"/> before every scrape.</summary>
    public static void Track(AccountService accounts)
    {
        ArgumentNullException.ThrowIfNull(accounts);
        Metrics.DefaultRegistry.AddBeforeCollectCallback(() =>
        {
            InFlight.Set(accounts.InFlight);
            Refused.IncTo(accounts.Refused);
        });
    }
}

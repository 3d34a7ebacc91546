using Prometheus;
using RiskGrid.Node.ParamChanges;

namespace RiskGrid.Api.Monitoring;

/// <summary>
/// <c>riskgrid_params_version</c>: the parameter journal's version in effect on this node (0 while it runs its file),
/// read when /metrics is scraped. Nodes that show different versions for longer than a poll interval did not all
/// take a change. One node per process: the last node tracked is the one exported.
/// </summary>
public static class ParamsMetrics
{
    private static readonly Gauge Version = Metrics.CreateGauge("riskgrid_params_version",
        "The parameter journal's version in effect on this node (0: the node's file, no change applied).");

    private static RiskParamsService? s_current;
    private static int s_registered;

    /// <summary>Exports <paramref name="service"/>'s version from now on (replacing a node tracked before).</summary>
    public static void Track(RiskParamsService service)
    {
        ArgumentNullException.ThrowIfNull(service);
        Volatile.Write(ref s_current, service);
        if (Interlocked.Exchange(ref s_registered, 1) == 0)
        {
            Metrics.DefaultRegistry.AddBeforeCollectCallback(() =>
            {
                if (Volatile.Read(ref s_current) is { } current)
                {
                    Version.Set(current.Version);
                }
            });
        }
        Version.Set(service.Version);
    }
}

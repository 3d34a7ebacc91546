using Akka.Cluster;
using Prometheus;
using RiskGrid.Node.Hosting;

namespace RiskGrid.Api.Monitoring;

/// <summary>
/// Prometheus gauges of cluster membership, set from cluster events (<see cref="ClusterMembership.Changed"/>):
/// <c>riskgrid_cluster_members{status}</c> and <c>riskgrid_cluster_unreachable_members</c>. One node per process
/// (the gauges are the process's).
/// </summary>
public static class ClusterMetrics
{
    private static readonly MemberStatus[] Statuses = Enum.GetValues<MemberStatus>();

    private static readonly Gauge Members = Metrics.CreateGauge("riskgrid_cluster_members",
        "Cluster members by status, as this node sees them.",
        new GaugeConfiguration { LabelNames = ["status"] });

    private static readonly Gauge Unreachable = Metrics.CreateGauge("riskgrid_cluster_unreachable_members",
        "Cluster members this node sees as unreachable.");

    private static readonly Lock Gate = new();

    /// <summary>Sets the gauges now and after every membership change of <paramref name="membership"/>.</summary>
    public static void Track(ClusterMembership membership)
    {
        ArgumentNullException.ThrowIfNull(membership);
        membership.Changed += (_, _) => Set(membership);
        Set(membership);
    }

    // Under one lock, from the latest snapshot (not the one an event carried): a change published while the first
    // setting runs can then never be overwritten by the older state.
    private static void Set(ClusterMembership membership)
    {
        lock (Gate)
        {
            var snapshot = membership.Current;
            foreach (var status in Statuses)
            {
                Members.WithLabels(status.ToString().ToLowerInvariant()).Set(snapshot.Count(status));
            }
            Unreachable.Set(snapshot.Unreachable);
        }
    }
}

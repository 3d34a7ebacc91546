using Akka.Cluster;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using RiskGrid.Api.Http;
using RiskGrid.Node.Hosting;

namespace RiskGrid.Api.Operations;

/// <summary>One member as this node sees it.</summary>
public sealed record ClusterMemberView(string Address, string Status, IReadOnlyList<string> Roles, bool Reachable);

/// <summary>The cluster as this node sees it.</summary>
public sealed record ClusterView(string Self, string? Leader, IReadOnlyList<ClusterMemberView> Members);

/// <summary>
/// <c>GET /v1/admin/cluster</c> (admin): this node's view of the cluster (members, status, reachability, leader),
/// for operators and the cluster scripts.
/// </summary>
public static class ClusterEndpoints
{
    /// <summary>Maps the route on the admin group.</summary>
    public static IEndpointRouteBuilder MapClusterEndpoints(this IEndpointRouteBuilder admin, GridNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        admin.MapGet("/cluster", () => TypedResults.Json(View(node.Cluster), ApiJsonContext.Default.ClusterView));
        return admin;
    }

    internal static ClusterView View(Akka.Cluster.Cluster cluster)
    {
        var state = cluster.State;
        var unreachable = state.Unreachable.Select(m => m.UniqueAddress).ToHashSet();
        var members = state.Members
            .Select(m => new ClusterMemberView(m.Address.ToString(), m.Status.ToString(), [.. m.Roles.Order()],
                !unreachable.Contains(m.UniqueAddress)))
            .ToArray();
        return new ClusterView(cluster.SelfAddress.ToString(), state.Leader?.ToString(), members);
    }
}

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using RiskGrid.Api.Http;
using RiskGrid.Node.Hosting;

namespace RiskGrid.Api.Health;

/// <summary>The answer of the health routes: <c>{"status": "ready", "reason": "..."}</c>.</summary>
public sealed record HealthResponse(string Status, string Reason);

/// <summary>
/// <c>GET /health/alive</c>: 200 while the process serves. <c>GET /health/ready</c>: 200 when the node is an Up
/// cluster member running the parameter journal's latest version and its journal answers, else 503 with the reason.
/// Neither needs a token (probes have none).
/// </summary>
public static class HealthEndpoints
{
    /// <summary>Maps both routes.</summary>
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder routes, GridNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var health = routes.MapGroup("/health");
        health.MapGet("/alive", () => TypedResults.Json(new HealthResponse("alive", "the process serves"),
            ApiJsonContext.Default.HealthResponse));
        health.MapGet("/ready", async (CancellationToken cancellationToken) =>
        {
            var report = await node.CheckReadyAsync(cancellationToken).ConfigureAwait(false);
            return TypedResults.Json(new HealthResponse(report.IsReady ? "ready" : "not ready", report.Reason),
                ApiJsonContext.Default.HealthResponse,
                statusCode: report.IsReady ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });
        return routes;
    }
}

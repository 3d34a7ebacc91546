using System.Net;

namespace RiskGrid.Api.Tests.Monitoring;

[Collection(NodeCollection.Name)]
public sealed class MetricsTests(NodeFixture node)
{
    [Fact]
    public async Task MetricsCarryClusterGaugesAndProcessCollectors()
    {
        await node.WaitReadyAsync();
        using var client = node.Client(null);
        string text;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        do
        {
            // The gauges follow cluster events; the Up event may trail readiness by a moment.
            using var response = await client.GetAsync(new Uri("/metrics", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            text = await response.Content.ReadAsStringAsync();
        }
        while (!text.Contains("riskgrid_cluster_members{status=\"up\"} 1", StringComparison.Ordinal)
               && DateTime.UtcNow < deadline && await Delay());

        Assert.Contains("riskgrid_cluster_members{status=\"up\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("riskgrid_cluster_members{status=\"leaving\"} 0", text, StringComparison.Ordinal);
        Assert.Contains("riskgrid_cluster_unreachable_members 0", text, StringComparison.Ordinal);
        Assert.Contains("process_cpu_seconds_total", text, StringComparison.Ordinal);
    }

    private static async Task<bool> Delay()
    {
        await Task.Delay(100);
        return true;
    }
}

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

    [Fact]
    public async Task MetricsCarryEachSourcesTicksAndDropsAndEachUnderlyingsOracleState()
    {
        using var admin = new Accounts.AccountApi(node, NodeFixture.AdminToken);
        var source = "metrics-" + Guid.NewGuid().ToString("N")[..8];
        (await Prices.ManualPrices.Post(admin, source, "ETH", "3000", Prices.ManualPrices.NextTs())).AssertOk();
        (await Prices.ManualPrices.Post(admin, source, "ETH", "-1", Prices.ManualPrices.NextTs()))
            .AssertError(HttpStatusCode.BadRequest, "price");
        using var client = node.Client(null);

        var text = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));

        Assert.Contains($"riskgrid_feed_ticks_total{{source=\"{source}\"}} 1", text, StringComparison.Ordinal);
        Assert.Contains($"riskgrid_feed_dropped_ticks_total{{source=\"{source}\",cause=\"negative\"}} 1", text,
            StringComparison.Ordinal);
        Assert.Contains("riskgrid_oracle_status{underlying=\"SOL\",status=\"unpriced\"} 1", text,
            StringComparison.Ordinal);
        Assert.Contains("riskgrid_volatility_multiplier{underlying=\"BTC\",kind=\"maintenance\"}", text,
            StringComparison.Ordinal);
    }

    private static async Task<bool> Delay()
    {
        await Task.Delay(100);
        return true;
    }
}

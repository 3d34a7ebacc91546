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

    [Fact]
    public async Task MetricsCarryEveryRiskSeriesAndTheRuntimeCollectors()
    {
        await node.WaitReadyAsync();
        using var api = new Accounts.AccountApi(node);
        await Accounts.AccountApi.MustAsync(api.Deposit(Accounts.AccountApi.NewAccountId(), "dep-1", "10"));
        using var client = node.Client(null);
        string text;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        do
        {
            // Shard state is asked in the background (at most once a second); a scrape shows the last answer.
            text = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        }
        while ((text.Contains("riskgrid_shards_local 0", StringComparison.Ordinal) ||
                text.Contains("riskgrid_accounts_resident 0", StringComparison.Ordinal))
               && DateTime.UtcNow < deadline && await Delay());

        string[] series =
        [
            "riskgrid_shards_local ", "riskgrid_accounts_resident ", "riskgrid_risk_tracked_subaccounts ",
            "riskgrid_risk_evaluations_total{path=\"incremental\"}", "riskgrid_risk_evaluations_total{path=\"sweep\"}",
            "riskgrid_margin_calls_total ", "riskgrid_liquidation_queue_depth ", "riskgrid_insurance_fund_usd ",
            "riskgrid_bad_debt_usd ", "riskgrid_adl_queries_total ", "riskgrid_adl_passes_total ",
        ];
        foreach (var s in series)
        {
            Assert.Contains(s, text, StringComparison.Ordinal);
        }
        foreach (var q in new[] { "0.5", "0.99", "0.999", "1" })
        {
            Assert.Contains($"riskgrid_risk_evaluation_seconds{{path=\"incremental\",quantile=\"{q}\"}}", text,
                StringComparison.Ordinal);
            Assert.Contains($"riskgrid_risk_evaluation_seconds{{path=\"sweep\",quantile=\"{q}\"}}", text,
                StringComparison.Ordinal);
            foreach (var name in new[]
                     {
                         "riskgrid_liquidation_wait_seconds", "riskgrid_liquidation_outside_queue_seconds",
                         "riskgrid_liquidation_breach_to_first_reduction_seconds",
                         "riskgrid_liquidation_breach_to_restored_seconds", "riskgrid_journal_write_seconds",
                         "riskgrid_risk_tick_to_decision_seconds", "riskgrid_adl_ranking_seconds",
                     })
            {
                Assert.Contains($"{name}{{quantile=\"{q}\"}}", text, StringComparison.Ordinal);
            }
        }
        foreach (var kind in new[] { "partial", "backstop", "bankrupt", "adl" })
        {
            Assert.Contains($"riskgrid_liquidations_total{{kind=\"{kind}\"}}", text, StringComparison.Ordinal);
        }
        foreach (var reason in new[] { "stale", "wick", "cooldown", "queue_full", "throttle" })
        {
            Assert.Contains($"riskgrid_liquidation_deferred_total{{reason=\"{reason}\"}}", text,
                StringComparison.Ordinal);
        }
        Assert.DoesNotContain("riskgrid_shards_local 0", text, StringComparison.Ordinal);
        Assert.DoesNotContain("riskgrid_accounts_resident 0", text, StringComparison.Ordinal);
        // The deposit above was journaled on this node: its write time is in the distribution.
        Assert.DoesNotContain("riskgrid_journal_write_seconds{quantile=\"1\"} 0\n", text, StringComparison.Ordinal);
        foreach (var runtime in new[]
                 {
                     "process_cpu_seconds_total", "process_working_set_bytes", "dotnet_total_memory_bytes",
                     "dotnet_collection_count_total",
                 })
        {
            Assert.Contains(runtime, text, StringComparison.Ordinal);
        }
    }

    private static async Task<bool> Delay()
    {
        await Task.Delay(100);
        return true;
    }
}

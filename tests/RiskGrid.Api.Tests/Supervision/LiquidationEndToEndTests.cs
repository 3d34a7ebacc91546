using System.Globalization;
using System.Text.Json;
using RiskGrid.Api.Tests.Accounts;
using RiskGrid.Api.Tests.Prices;

namespace RiskGrid.Api.Tests.Supervision;

/// <summary>
/// The node's own supervisor and liquidation engine, driven through the API only: an account put below maintenance
/// or below warnHealth shows up in GET /v1/liquidations, /v1/insurance-fund and /v1/margin-calls. The index stays at
/// the shared test level (BTC 60000, two manual sources, re-posted while waiting so it stays fresh and never jumps);
/// the breach comes from the fill's price, which the grid applies as the matching engine reports it.
/// </summary>
[Collection(NodeCollection.Name)]
public sealed class LiquidationEndToEndTests(NodeFixture node)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task AccountBelowMaintenanceIsLiquidatedAndItsFeeReachesTheInsuranceFund()
    {
        await node.WaitReadyAsync();
        using var api = new AccountApi(node);
        var acct = AccountApi.NewAccountId();
        var since = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 1;
        await ManualPrices.PriceBtcAsync(node);
        // Equity 1000 + 1 × (60000 − 60500) = 500 against MM 1 % × 60000 = 600: health 0.83, a partial liquidation
        // (above backstopHealth 2/3).
        await AccountApi.MustAsync(api.Deposit(acct, "dep-1", "1000"));
        await AccountApi.MustAsync(api.Fill(acct, "fill-1", "BTC-PERP", "BUY", "1", 60500));

        var item = await UntilAsync(async () =>
        {
            var answer = await api.Get($"/v1/liquidations?since={since}");
            answer.AssertOk();
            return answer.At("liquidations").EnumerateArray()
                .Where(l => l.TryGetProperty("accountId", out var a) && a.GetString() == acct)
                .Select(l => (JsonElement?)l.Clone()).FirstOrDefault();
        });

        Assert.Equal("main", item.GetProperty("subAccount").GetString());
        Assert.Equal("PARTIAL", item.GetProperty("plan").GetString());
        Assert.Equal("LIQUIDATION", item.GetProperty("kind").GetString());
        var steps = item.GetProperty("steps").EnumerateArray().ToList();
        Assert.NotEmpty(steps);
        var fees = Dec(item.GetProperty("fees"));
        Assert.True(fees > 0, item.ToString());
        Assert.Equal(fees, steps.Sum(s => Dec(s.GetProperty("fee"))));
        var step = steps[0];
        Assert.Equal(("BTC-PERP", "LIQUIDATION", acct), (step.GetProperty("instrument").GetString(),
            step.GetProperty("kind").GetString(), step.GetProperty("accountId").GetString()));
        // A long is reduced: the step sells, and the position left is 1 + size (partial: some of it stays).
        var size = Dec(step.GetProperty("size"));
        Assert.True(size < 0, step.ToString());
        Assert.Equal(1 + size, Dec(step.GetProperty("newSize")));
        Assert.True(Dec(step.GetProperty("newSize")) > 0, step.ToString());
        Assert.True(step.GetProperty("atMs").GetInt64() >= since);

        var inflow = await UntilAsync(async () =>
        {
            var fund = await api.Get($"/v1/insurance-fund?since={since}");
            fund.AssertOk();
            return fund.At("history").EnumerateArray()
                .Where(h => h.GetProperty("type").GetString() == "FEES_SETTLED" &&
                            h.GetProperty("accountId").GetString() == acct)
                .Select(h => (JsonElement?)h.Clone()).FirstOrDefault();
        });
        Assert.Equal(fees, Dec(inflow.GetProperty("amount")));
        Assert.Equal(fees, Dec(inflow.GetProperty("cumulativeFees")));
        var account = await api.Get($"/v1/accounts/{acct}");
        Assert.Equal(fees, AccountApi.LedgerAmount(AccountApi.SubAccount(account, "main"), "liquidationFees"));
        var total = await api.Get("/v1/insurance-fund");
        Assert.True(Dec(total.At("inflows")) >= fees, total.Text);
    }

    [Fact]
    public async Task AccountBelowWarnHealthGetsAMarginCallListedWithItsFigures()
    {
        await node.WaitReadyAsync();
        using var api = new AccountApi(node);
        var first = AccountApi.NewAccountId();
        var second = AccountApi.NewAccountId();
        var since = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 1;
        await ManualPrices.PriceBtcAsync(node);
        // Equity 1000 + 1 × (60000 − 60300) = 700 against MM 600: health 1.17, under warnHealth 1.25, above 1.
        foreach (var acct in new[] { first, second })
        {
            await AccountApi.MustAsync(api.Deposit(acct, "dep-1", "1000"));
            await AccountApi.MustAsync(api.Fill(acct, "fill-1", "BTC-PERP", "BUY", "1", 60300));
        }

        var calls = await UntilAsync(async () =>
        {
            var seen = await AllMarginCallsAsync(api, since);
            return seen.Count(c => c.GetProperty("accountId").GetString() is { } a && (a == first || a == second)) == 2
                ? seen
                : null;
        });

        var call = calls.Single(c => c.GetProperty("accountId").GetString() == first);
        Assert.Equal("main", call.GetProperty("subAccount").GetString());
        Assert.InRange(call.GetProperty("health").GetDouble(), 1.0, 1.25);
        Assert.Equal(700m, Dec(call.GetProperty("equityMm")));
        Assert.True(Dec(call.GetProperty("maintenanceMargin")) >= 600m, call.ToString());
        var events = await api.Get($"/v1/accounts/{first}/events");
        events.AssertOk();
        Assert.Contains(events.At("events").EnumerateArray(),
            e => e.GetProperty("type").GetString() == "MARGIN_CALL_ISSUED");
    }

    // Pages through /v1/margin-calls one call at a time, following next, until more is false.
    private static async Task<List<JsonElement>> AllMarginCallsAsync(AccountApi api, long since)
    {
        var calls = new List<JsonElement>();
        long after = 0;
        for (var page = 0; page < 1000; page++)
        {
            var answer = await api.Get($"/v1/margin-calls?since={since}&after={after}&limit=1");
            answer.AssertOk();
            var items = answer.At("marginCalls").EnumerateArray().Select(c => c.Clone()).ToList();
            Assert.True(items.Count <= 1, answer.Text);
            calls.AddRange(items);
            if (!answer.At("more").GetBoolean())
            {
                return calls;
            }
            Assert.True(answer.At("next").GetInt64() > after, answer.Text);
            after = answer.At("next").GetInt64();
        }
        return calls;
    }

    // Re-posts the BTC index (so it stays fresh) until probe answers something, or fails after Patience.
    private async Task<T> UntilAsync<T>(Func<Task<T?>> probe)
        where T : class
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            if (await probe() is { } found)
            {
                return found;
            }
            Assert.True(DateTime.UtcNow < deadline, "nothing within " + Patience);
            await ManualPrices.PriceBtcAsync(node);
            await Task.Delay(250);
        }
    }

    private async Task<JsonElement> UntilAsync(Func<Task<JsonElement?>> probe)
    {
        var box = await UntilAsync<object>(async () => await probe() is { } e ? e : null);
        return (JsonElement)box;
    }

    private static decimal Dec(JsonElement e) => decimal.Parse(e.GetString()!, NumberStyles.Number,
        CultureInfo.InvariantCulture);
}

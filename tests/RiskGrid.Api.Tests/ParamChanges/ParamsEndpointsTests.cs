using System.Globalization;
using System.Net;
using System.Text.Json;
using RiskGrid.Api.Tests.Accounts;
using RiskGrid.Api.Tests.Prices;

namespace RiskGrid.Api.Tests.ParamChanges;

/// <summary>
/// GET and PUT /v1/admin/params on the shared node. The one test that changes parameters changes only BTC option
/// rates (no other test of this node holds options) and puts them back at the end; the others change nothing.
/// </summary>
[Collection(NodeCollection.Name)]
public sealed class ParamsEndpointsTests(NodeFixture node)
{
    private const string Params = "/v1/admin/params";
    private const string Option = "BTC-20301227-60000-C";

    [Fact]
    public async Task AChangeMovesAnAccountsMarginAndTheWhatIfAndARepeatGetsTheFirstAnswer()
    {
        await node.WaitReadyAsync();
        using var admin = new AccountApi(node, NodeFixture.AdminToken);
        using var api = new AccountApi(node);
        var acct = AccountApi.NewAccountId();
        await AccountApi.MustAsync(api.Deposit(acct, "dep-1", "100000"));
        await AccountApi.MustAsync(api.Fill(acct, "fill-1", Option, "SELL", "2", 3000));
        var version = (await Get(admin)).At("version").GetInt64();
        await ManualPrices.PriceBtcAsync(node);
        var mmBefore = Maintenance(await api.Get($"/v1/accounts/{acct}"));
        // §5 short call: MM = 2 × optionMm × S × v^MM = 2 × 0.075 × 60,000 × 1 = 9,000 in the what-if.
        Assert.Equal(9_000, WhatIfMaintenance(await api.Post("/v1/margin/what-if", WhatIfDocument())));
        var change = Change("p-opt-" + Guid.NewGuid().ToString("N")[..8],
            """{"underlyings.BTC.options.optionMm": 0.09, "underlyings.BTC.options.optionIm": 0.18}""");
        try
        {
            var first = await admin.Put(Params, change);

            first.AssertOk();
            Assert.Equal(version + 1, first.At("version").GetInt64());
            Assert.Equal(["underlyings.BTC.options.optionMm", "underlyings.BTC.options.optionIm"],
                first.At("changed").EnumerateArray().Select(e => e.GetString()));
            Assert.Equal(0.09, first.At("params.underlyings.BTC.options.optionMm").GetDouble());
            Assert.Equal(1.1, first.At("params.liquidation.targetHealth").GetDouble());
            // In effect on the node when answered: the account's MM and the what-if move by 0.09 / 0.075 = 1.2.
            await ManualPrices.PriceBtcAsync(node);
            Assert.Equal(mmBefore * 1.2, Maintenance(await api.Get($"/v1/accounts/{acct}")), 6);
            Assert.Equal(10_800, WhatIfMaintenance(await api.Post("/v1/margin/what-if", WhatIfDocument())));
            var now = await Get(admin);
            Assert.Equal(version + 1, now.At("version").GetInt64());
            Assert.False(now.Body.TryGetProperty("changed", out _));
            Assert.Equal(first.At("params").GetRawText(), now.At("params").GetRawText());

            // The same id and body, however laid out: the first answer, nothing changed. Another body: 409.
            var repeat = await admin.Put(Params, change.Replace(":", " : ", StringComparison.Ordinal));
            var conflict = await admin.Put(Params, Change(IdOf(change),
                """{"underlyings.BTC.options.optionMm": 0.1}"""));

            repeat.AssertOk();
            Assert.Equal(first.Text, repeat.Text);
            conflict.AssertError(HttpStatusCode.Conflict, "commandId");
            Assert.Equal(version + 1, (await Get(admin)).At("version").GetInt64());
            using var client = node.Client(null);
            var metrics = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
            Assert.Contains($"riskgrid_params_version {version + 1}", metrics, StringComparison.Ordinal);
        }
        finally
        {
            (await admin.Put(Params, Change("p-opt-back-" + Guid.NewGuid().ToString("N")[..8],
                """{"underlyings.BTC.options.optionMm": 0.075, "underlyings.BTC.options.optionIm": 0.15}""")))
                .AssertOk();
        }
        Assert.Equal(9_000, WhatIfMaintenance(await api.Post("/v1/margin/what-if", WhatIfDocument())));
    }

    [Theory]
    [InlineData("""{"commandId":"bad-1","set":{"underlyings.BTC.scanRange":-0.1}}""", "set.underlyings.BTC.scanRange")]
    [InlineData("""{"commandId":"bad-2","set":{"liquidation.targetHelth":1.2}}""", "set.liquidation.targetHelth")]
    [InlineData("""{"commandId":"bad-3","set":{"liquidation.cooldownMs":"soon"}}""", "set.liquidation.cooldownMs")]
    [InlineData("""{"commandId":"bad-4","set":{"underlyings.BTC.linear.tiers":[{"cap":1000000,"imr":0.01,"mmr":0.02},{"imr":0.2,"mmr":0.1}]}}""",
        "set.underlyings.BTC.linear.tiers[0].mmr")]
    [InlineData("""{"commandId":"bad-5","set":{"underlyings.BTC.linear.tiers[0].imr":0.03}}""",
        "set.underlyings.BTC.linear.tiers[0].imr")]
    [InlineData("""{"commandId":"struct-1","set":{"assets.BTC.decimals":6}}""", "set.assets.BTC.decimals")]
    [InlineData("""{"commandId":"struct-2","set":{"underlyings.ETH.linear.lot":"0.1"}}""", "set.underlyings.ETH.linear.lot")]
    [InlineData("""{"commandId":"struct-3","set":{"assets.SOL.priceIndex":"BTC"}}""", "set.assets.SOL.priceIndex")]
    [InlineData("""{"commandId":"struct-4","set":{"instruments.BTC-PERP":{"tiers":[{"imr":0.2,"mmr":0.1}]}}}""",
        "set.instruments.BTC-PERP")]
    [InlineData("""{"commandId":"empty-1","set":{}}""", "set")]
    [InlineData("""{"commandId":"empty-2","set":[]}""", "set")]
    [InlineData("""{"set":{"liquidation.targetHealth":1.2}}""", "commandId")]
    [InlineData("""{"commandId":"bad id!","set":{"liquidation.targetHealth":1.2}}""", "commandId")]
    [InlineData("""{"commandId":"bad-6"}""", "set")]
    [InlineData("""{"commandId":"bad-7","set":{"liquidation.targetHealth":1.2},"extra":1}""", "extra")]
    public async Task ABadOrStructuralChangeIs400NamingTheFieldAndChangesNothing(string body, string field)
    {
        await node.WaitReadyAsync();
        using var admin = new AccountApi(node, NodeFixture.AdminToken);
        var before = await Get(admin);

        var answer = await admin.Put(Params, body);

        answer.AssertError(HttpStatusCode.BadRequest, field);
        var after = await Get(admin);
        Assert.Equal(before.At("version").GetInt64(), after.At("version").GetInt64());
        Assert.Equal(before.At("params").GetRawText(), after.At("params").GetRawText());
    }

    [Fact]
    public async Task WithoutATokenIs401AndWithTheApiTokenIs403()
    {
        using var anonymous = new AccountApi(node, null);
        using var api = new AccountApi(node);
        var body = Change("auth-1", """{"liquidation.targetHealth": 1.2}""");

        (await anonymous.Put(Params, body)).AssertError(HttpStatusCode.Unauthorized, "Authorization");
        (await anonymous.Get(Params)).AssertError(HttpStatusCode.Unauthorized, "Authorization");
        (await api.Put(Params, body)).AssertError(HttpStatusCode.Forbidden, "Authorization");
        (await api.Get(Params)).AssertError(HttpStatusCode.Forbidden, "Authorization");
        using var admin = new AccountApi(node, NodeFixture.AdminToken);
        Assert.Equal(1.1, (await Get(admin)).At("params.liquidation.targetHealth").GetDouble());
    }

    [Fact]
    public async Task TheParametersShowTheFileShapeWithEveryKeyAChangeMaySet()
    {
        using var admin = new AccountApi(node, NodeFixture.AdminToken);

        var answer = await Get(admin);

        Assert.Equal(["assets", "underlyings", "instruments", "portfolio", "liquidation", "prices", "volatility"],
            answer.At("params").EnumerateObject().Select(p => p.Name));
        Assert.Equal("0.001", answer.Str("params.underlyings.BTC.linear.lot"));
        Assert.Equal(0.02, answer.At("params.underlyings.BTC.linear.tiers")[0].GetProperty("imr").GetDouble());
        Assert.Equal("auto", answer.Str("params.prices.minSources"));
        Assert.True(answer.At("version").GetInt64() >= 0);
    }

    private static async Task<Answer> Get(AccountApi admin)
    {
        var answer = await admin.Get(Params);
        answer.AssertOk();
        return answer;
    }

    private static string Change(string commandId, string set) => $$"""{"commandId":"{{commandId}}","set":{{set}}}""";

    private static string IdOf(string change)
    {
        using var json = JsonDocument.Parse(change);
        return json.RootElement.GetProperty("commandId").GetString()!;
    }

    private static double Maintenance(Answer account)
    {
        account.AssertOk();
        return AccountApi.SubAccount(account, "main").GetProperty("metrics").GetProperty("maintenanceMargin")
            .GetDouble();
    }

    private static double WhatIfMaintenance(Answer answer)
    {
        answer.AssertOk();
        return answer.At("maintenanceMargin").GetDouble();
    }

    private static string WhatIfDocument()
    {
        var asOf = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        return $$$"""
            {"asOf":"{{{asOf}}}","prices":{"BTC":60000},"vols":{"BTC":0.55},
             "account":{"mode":"STANDARD","balances":{"USD":"100000"},
              "positions":[{"instrument":"{{{Option}}}","size":"-2"}]}}
            """;
    }
}

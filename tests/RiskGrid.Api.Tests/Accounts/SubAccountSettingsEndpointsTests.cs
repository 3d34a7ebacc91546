using System.Net;
using RiskGrid.Api.Tests.Prices;

namespace RiskGrid.Api.Tests.Accounts;

/// <summary>PUT .../subaccounts/{sub}/mode and PUT .../subaccounts/{sub}/isolated/{instrument}.</summary>
[Collection(NodeCollection.Name)]
public sealed class SubAccountSettingsEndpointsTests(NodeFixture node)
{
    [Fact]
    public async Task ModeSwitchToPortfolioIsAppliedAndShown()
    {
        using var api = new AccountApi(node);
        var acct = AccountApi.NewAccountId();
        await AccountApi.MustAsync(api.Deposit(acct, "dep-1", "10000"));

        var answer = await api.Put($"/v1/accounts/{acct}/subaccounts/main/mode",
            """{"commandId":"mode-1","mode":"PORTFOLIO"}""");

        answer.AssertOk();
        Assert.Equal("MODE_CHANGED", answer.Str("event.type"));
        Assert.Equal("PORTFOLIO", answer.Str("event.mode"));
        Assert.Equal("main", answer.Str("event.subAccount"));
        var main = AccountApi.SubAccount(await api.Get($"/v1/accounts/{acct}"), "main");
        Assert.Equal("PORTFOLIO", main.GetProperty("mode").GetString());
    }

    [Theory]
    [InlineData("""{"commandId":"mode-1","mode":"CROSS"}""", HttpStatusCode.BadRequest, "mode")]
    [InlineData("""{"commandId":"mode-1","mode":"portfolio"}""", HttpStatusCode.BadRequest, "mode")]
    [InlineData("""{"commandId":"mode-1"}""", HttpStatusCode.BadRequest, "mode")]
    public async Task BadModeIsRefusedWith400(string json, HttpStatusCode status, string field)
    {
        using var api = new AccountApi(node);
        var acct = AccountApi.NewAccountId();
        await AccountApi.MustAsync(api.Deposit(acct, "dep-1", "10000"));

        var answer = await api.Put($"/v1/accounts/{acct}/subaccounts/main/mode", json);

        answer.AssertError(status, field);
        var main = AccountApi.SubAccount(await api.Get($"/v1/accounts/{acct}"), "main");
        Assert.Equal("STANDARD", main.GetProperty("mode").GetString());
    }

    [Fact]
    public async Task ModeOfAnUnknownSubAccountIsRefusedWith404()
    {
        using var api = new AccountApi(node);
        var acct = AccountApi.NewAccountId();
        await AccountApi.MustAsync(api.Deposit(acct, "dep-1", "10000"));

        var answer = await api.Put($"/v1/accounts/{acct}/subaccounts/hedge/mode",
            """{"commandId":"mode-1","mode":"PORTFOLIO"}""");

        answer.AssertError(HttpStatusCode.NotFound, "subAccount");
    }

    [Fact]
    public async Task IsolatingAPositionMovesItsMarginOutOfTheCrossPool()
    {
        using var api = new AccountApi(node);
        var acct = AccountApi.NewAccountId();
        await AccountApi.MustAsync(api.Deposit(acct, "dep-1", "10000"));
        await AccountApi.MustAsync(api.Fill(acct, "fill-1", "ETH-PERP", "BUY", "1", ManualPrices.Eth));
        await ManualPrices.PriceEthAsync(node);

        var answer = await api.Put($"/v1/accounts/{acct}/subaccounts/main/isolated/ETH-PERP",
            """{"commandId":"iso-1","margin":"2000"}""");

        answer.AssertOk();
        Assert.Equal("ISOLATED_MARGIN_SET", answer.Str("event.type"));
        Assert.Equal("ETH-PERP", answer.Str("event.instrument"));
        Assert.Equal("2000", answer.Str("event.margin"));
        var main = AccountApi.SubAccount(await api.Get($"/v1/accounts/{acct}"), "main");
        // 10000 − 2000 = 8000 left in the cross pool
        Assert.Equal("8000", main.GetProperty("balances").GetProperty("USD").GetString());
        var position = Assert.Single(main.GetProperty("positions").EnumerateArray());
        Assert.True(position.GetProperty("isolated").GetBoolean());
        Assert.Equal("2000", position.GetProperty("isolatedMargin").GetString());
        var isolated = Assert.Single(main.GetProperty("metrics").GetProperty("isolated").EnumerateArray());
        Assert.Equal("ETH-PERP", isolated.GetProperty("instrument").GetString());
        // equity = isolated margin + uPnL = 2000 + 1 × (3000 − 3000); IM = 3000 × 0.025 = 75
        Assert.Equal(2000, isolated.GetProperty("equity").GetDouble());
        Assert.Equal(75, isolated.GetProperty("initialMargin").GetDouble());
        // the cross pool holds no position: IM 0, free collateral = 8000
        Assert.Equal(0, main.GetProperty("metrics").GetProperty("initialMargin").GetDouble());
        Assert.Equal(8000, main.GetProperty("metrics").GetProperty("freeCollateral").GetDouble());
    }

    [Fact]
    public async Task IsolatingMoreThanTheCrossPoolHoldsIsRefusedAndChangesNothing()
    {
        using var api = new AccountApi(node);
        var acct = AccountApi.NewAccountId();
        await AccountApi.MustAsync(api.Deposit(acct, "dep-1", "1000"));
        await AccountApi.MustAsync(api.Fill(acct, "fill-1", "ETH-PERP", "BUY", "1", ManualPrices.Eth));
        await ManualPrices.PriceEthAsync(node);

        var answer = await api.Put($"/v1/accounts/{acct}/subaccounts/main/isolated/ETH-PERP",
            """{"commandId":"iso-1","margin":"1000.01"}""");

        answer.AssertError(HttpStatusCode.UnprocessableEntity, "margin");
        var main = AccountApi.SubAccount(await api.Get($"/v1/accounts/{acct}"), "main");
        Assert.Equal("1000", main.GetProperty("balances").GetProperty("USD").GetString());
        Assert.False(main.GetProperty("positions")[0].GetProperty("isolated").GetBoolean());
    }

    [Fact]
    public async Task OptionCannotBeIsolated()
    {
        using var api = new AccountApi(node);
        var acct = AccountApi.NewAccountId();
        await AccountApi.MustAsync(api.Deposit(acct, "dep-1", "10000"));

        var answer = await api.Put($"/v1/accounts/{acct}/subaccounts/main/isolated/BTC-20261225-60000-C",
            """{"commandId":"iso-1","margin":"100"}""");

        answer.AssertError(HttpStatusCode.BadRequest, "instrument");
    }

    [Theory]
    [InlineData("DOGE-PERP", """{"commandId":"iso-1","margin":"100"}""", HttpStatusCode.NotFound, "instrument")]
    [InlineData("ETH-PERP", """{"commandId":"iso-1","margin":"-1"}""", HttpStatusCode.BadRequest, "margin")]
    [InlineData("ETH-PERP", """{"commandId":"iso-1","margin":"1.0000001"}""", HttpStatusCode.BadRequest, "margin")]
    [InlineData("ETH-PERP", """{"commandId":"iso-1"}""", HttpStatusCode.BadRequest, "margin")]
    public async Task BadIsolatedMarginRequestIsRefusedNamingTheField(string instrument, string json,
        HttpStatusCode status, string field)
    {
        using var api = new AccountApi(node);
        var acct = AccountApi.NewAccountId();
        await AccountApi.MustAsync(api.Deposit(acct, "dep-1", "10000"));

        var answer = await api.Put($"/v1/accounts/{acct}/subaccounts/main/isolated/{instrument}", json);

        answer.AssertError(status, field);
    }
}

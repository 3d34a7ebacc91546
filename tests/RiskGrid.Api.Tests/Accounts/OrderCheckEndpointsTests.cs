using System.Net;
using RiskGrid.Api.Tests.Prices;

namespace RiskGrid.Api.Tests.Accounts;

/// <summary>
/// POST /orders/check: a what-if on a copy (§10). The account: 10000 USD, nothing held; BTC at 60000, v = 1.
/// </summary>
[Collection(NodeCollection.Name)]
public sealed class OrderCheckEndpointsTests(NodeFixture node)
{
    [Fact]
    public async Task OrderThatLeavesInitialMarginMetIsAcceptedWithTheFigures()
    {
        using var api = new AccountApi(node);
        var acct = AccountApi.NewAccountId();
        await AccountApi.MustAsync(api.Deposit(acct, "dep-1", "10000"));
        await ManualPrices.PriceBtcAsync(node);

        var answer = await Check(api, acct, "BTC-PERP", "BUY", "1", 60000);

        answer.AssertOk();
        Assert.True(answer.At("accepted").GetBoolean());
        Assert.Equal("ACCEPTED", answer.Str("check.outcome"));
        Assert.Equal("10000", answer.Str("check.freeCollateralBefore"));
        // IM after = 1 × 60000 × 0.02 = 1200; free = 10000 − 1200 = 8800
        Assert.Equal("8800", answer.Str("check.freeCollateralAfter"));
        Assert.Equal("0", answer.Str("check.initialMarginBefore"));
        Assert.Equal("1200", answer.Str("check.initialMarginAfter"));
        Assert.Equal("600", answer.Str("check.maintenanceMarginAfter"));
    }

    [Fact]
    public async Task OrderThatBreaksInitialMarginIsRefusedWithTheFiguresAndChangesNothing()
    {
        using var api = new AccountApi(node);
        var acct = AccountApi.NewAccountId();
        await AccountApi.MustAsync(api.Deposit(acct, "dep-1", "10000"));
        await ManualPrices.PriceBtcAsync(node);

        var answer = await Check(api, acct, "BTC-PERP", "BUY", "10", 60000);

        answer.AssertOk();
        Assert.False(answer.At("accepted").GetBoolean());
        Assert.Equal("BREAKS_INITIAL_MARGIN", answer.Str("check.outcome"));
        // IM after = 10 × 60000 × 0.02 = 12000; free = 10000 − 12000 = −2000
        Assert.Equal("12000", answer.Str("check.initialMarginAfter"));
        Assert.Equal("-2000", answer.Str("check.freeCollateralAfter"));
        var account = await api.Get($"/v1/accounts/{acct}");
        Assert.Equal(1, account.At("sequenceNr").GetInt64());
        Assert.Empty(AccountApi.SubAccount(account, "main").GetProperty("positions").EnumerateArray());
    }

    [Fact]
    public async Task OrderThatReducesMaintenanceMarginIsAcceptedEvenWhenInitialMarginIsUnmet()
    {
        using var api = new AccountApi(node);
        var acct = AccountApi.NewAccountId();
        // 1000 USD against 1 BTC-PERP: IM 1200 > E_IM 1000, so the account is already under its IM.
        await AccountApi.MustAsync(api.Deposit(acct, "dep-1", "1000"));
        await AccountApi.MustAsync(api.Fill(acct, "fill-1", "BTC-PERP", "BUY", "1", 60000));
        await ManualPrices.PriceBtcAsync(node);

        var answer = await Check(api, acct, "BTC-PERP", "SELL", "0.5", 60000);

        answer.AssertOk();
        Assert.True(answer.At("accepted").GetBoolean());
        // MM after = 0.5 × 60000 × 0.01 = 300
        Assert.Equal("600", answer.Str("check.maintenanceMarginBefore"));
        Assert.Equal("300", answer.Str("check.maintenanceMarginAfter"));
    }

    [Fact]
    public async Task OrderOnAnUnderlyingNeverPricedIsRefusedAsStaleIndex()
    {
        using var api = new AccountApi(node);
        var acct = AccountApi.NewAccountId();
        await AccountApi.MustAsync(api.Deposit(acct, "dep-1", "10000"));

        var answer = await Check(api, acct, "SOL-PERP", "BUY", "1", 150);

        answer.AssertOk();
        Assert.False(answer.At("accepted").GetBoolean());
        Assert.Equal("STALE_INDEX", answer.Str("check.outcome"));
    }

    [Fact]
    public async Task BadOrderIsRefusedNamingTheField()
    {
        using var api = new AccountApi(node);
        var acct = AccountApi.NewAccountId();
        await AccountApi.MustAsync(api.Deposit(acct, "dep-1", "10000"));

        (await Check(api, acct, "BTC-PERP", "BUY", "0.0001", 60000)).AssertError(HttpStatusCode.BadRequest, "size");
        (await Check(api, acct, "BTC-PERP", "LONG", "1", 60000)).AssertError(HttpStatusCode.BadRequest, "side");
        (await Check(api, acct, "XRP-PERP", "BUY", "1", 60000)).AssertError(HttpStatusCode.NotFound, "instrument");
        (await Check(api, acct, "BTC-PERP", "BUY", "1", 60000, "hedge"))
            .AssertError(HttpStatusCode.NotFound, "subAccount");
        (await Check(api, AccountApi.NewAccountId(), "BTC-PERP", "BUY", "1", 60000))
            .AssertError(HttpStatusCode.NotFound, "accountId");
    }

    private static Task<Answer> Check(AccountApi api, string acct, string instrument, string side, string size,
        int price, string sub = "main") =>
        api.Post($"/v1/accounts/{acct}/orders/check",
            $$"""
            {"subAccount":"{{sub}}","instrument":"{{instrument}}","side":"{{side}}","size":"{{size}}","price":{{price}}}
            """);
}

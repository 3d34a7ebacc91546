using System.Net;

namespace RiskGrid.Api.Tests.Accounts;

[Collection(NodeCollection.Name)]
public sealed class FillEndpointsTests(NodeFixture node)
{
    [Fact]
    public async Task PartialCloseRealisesExactPnlAndKeepsTheEntryOfTheRest()
    {
        using var api = new AccountApi(node);
        var acct = AccountApi.NewAccountId();
        await AccountApi.MustAsync(api.Deposit(acct, "dep-1", "10000"));
        var open = await AccountApi.MustAsync(api.Fill(acct, "fill-1", "BTC-PERP", "BUY", "0.1", 60000, fee: "3"));

        var close = await api.Fill(acct, "fill-2", "BTC-PERP", "SELL", "0.05", 61000, fee: "1.5");

        Assert.Equal("0", open.Str("event.realisedPnl"));
        Assert.Equal("0.1", open.Str("event.newSize"));
        close.AssertOk();
        Assert.Equal("FILL_APPLIED", close.Str("event.type"));
        Assert.Equal("-0.05", close.Str("event.size"));
        // 0.05 BTC closed at 61000 against an entry of 60000: 0.05 × (61000 − 60000) = 50
        Assert.Equal("50", close.Str("event.realisedPnl"));
        Assert.Equal("1.5", close.Str("event.fee"));
        Assert.Equal("0.05", close.Str("event.newSize"));
        Assert.Equal(60000, close.At("event.newEntryPrice").GetDouble());
        var main = AccountApi.SubAccount(await api.Get($"/v1/accounts/{acct}"), "main");
        // 10000 − 3 − 1.5 + 50 = 10045.5
        Assert.Equal("10045.5", main.GetProperty("balances").GetProperty("USD").GetString());
        var position = Assert.Single(main.GetProperty("positions").EnumerateArray());
        Assert.Equal("BTC-PERP", position.GetProperty("instrument").GetString());
        Assert.Equal("0.05", position.GetProperty("size").GetString());
        Assert.Equal("50", position.GetProperty("realisedPnl").GetString());
    }

    [Fact]
    public async Task ShortFillShowsANegativeSize()
    {
        using var api = new AccountApi(node);
        var acct = AccountApi.NewAccountId();
        await AccountApi.MustAsync(api.Deposit(acct, "dep-1", "10000"));

        var answer = await api.Fill(acct, "fill-1", "ETH-PERP", "SELL", "1.25", 3000);

        answer.AssertOk();
        Assert.Equal("-1.25", answer.Str("event.size"));
        Assert.Equal("-1.25", answer.Str("event.newSize"));
    }

    [Fact]
    public async Task RepeatedFillIdGetsTheFirstAnswerAndMovesThePositionOnce()
    {
        using var api = new AccountApi(node);
        var acct = AccountApi.NewAccountId();
        await AccountApi.MustAsync(api.Deposit(acct, "dep-1", "10000"));
        var first = await api.Fill(acct, "venue-fill-9", "BTC-PERP", "BUY", "0.1", 60000);

        var again = await api.Fill(acct, "venue-fill-9", "BTC-PERP", "BUY", "0.1", 60000);
        var other = await api.Fill(acct, "venue-fill-9", "BTC-PERP", "BUY", "0.2", 60000);

        Assert.Equal(first.Text, again.Text);
        other.AssertError(HttpStatusCode.Conflict, "commandId");
        var main = AccountApi.SubAccount(await api.Get($"/v1/accounts/{acct}"), "main");
        Assert.Equal("0.1", main.GetProperty("positions")[0].GetProperty("size").GetString());
    }

    [Theory]
    [InlineData("BTC-PERP", "BUY", "\"0.0005\"", "60000", HttpStatusCode.BadRequest, "size")] // BTC lot 0.001
    [InlineData("ETH-PERP", "BUY", "\"0.005\"", "3000", HttpStatusCode.BadRequest, "size")] // ETH lot 0.01
    [InlineData("BTC-PERP", "BUY", "\"0\"", "60000", HttpStatusCode.BadRequest, "size")]
    [InlineData("BTC-PERP", "BUY", "\"-0.1\"", "60000", HttpStatusCode.BadRequest, "size")]
    [InlineData("BTC-PERP", "BUY", "\"0.1\"", "\"NaN\"", HttpStatusCode.BadRequest, "price")]
    [InlineData("BTC-PERP", "BUY", "\"0.1\"", "\"Infinity\"", HttpStatusCode.BadRequest, "price")]
    [InlineData("BTC-PERP", "BUY", "\"0.1\"", "0", HttpStatusCode.BadRequest, "price")]
    [InlineData("BTC-PERP", "BUY", "\"0.1\"", "-60000", HttpStatusCode.BadRequest, "price")]
    [InlineData("BTC-PERP", "HOLD", "\"0.1\"", "60000", HttpStatusCode.BadRequest, "side")]
    [InlineData("BTC-PERP", "buy", "\"0.1\"", "60000", HttpStatusCode.BadRequest, "side")]
    [InlineData("DOGE-PERP", "BUY", "\"0.1\"", "60000", HttpStatusCode.NotFound, "instrument")]
    public async Task BadFillIsRefusedNamingTheFieldAndChangesNothing(string instrument, string side, string size,
        string price, HttpStatusCode status, string field)
    {
        using var api = new AccountApi(node);
        var acct = AccountApi.NewAccountId();
        await AccountApi.MustAsync(api.Deposit(acct, "dep-1", "10000"));

        var answer = await api.Post($"/v1/accounts/{acct}/fills",
            $$"""
            {"commandId":"fill-1","subAccount":"main","instrument":"{{instrument}}","side":"{{side}}","size":{{size}},
             "price":{{price}}}
            """);

        answer.AssertError(status, field);
        var account = await api.Get($"/v1/accounts/{acct}");
        Assert.Equal(1, account.At("sequenceNr").GetInt64());
        Assert.Empty(AccountApi.SubAccount(account, "main").GetProperty("positions").EnumerateArray());
    }

    [Fact]
    public async Task NegativeFeeIsRefusedWith400()
    {
        using var api = new AccountApi(node);
        var acct = AccountApi.NewAccountId();
        await AccountApi.MustAsync(api.Deposit(acct, "dep-1", "10000"));

        var answer = await api.Fill(acct, "fill-1", "BTC-PERP", "BUY", "0.1", 60000, fee: "-1");

        answer.AssertError(HttpStatusCode.BadRequest, "fee");
    }

    [Fact]
    public async Task FillToAnAccountWithoutADepositIsRefusedWith404AndOpensNothing()
    {
        using var api = new AccountApi(node);
        var acct = AccountApi.NewAccountId();

        var answer = await api.Fill(acct, "fill-1", "BTC-PERP", "BUY", "0.1", 60000);

        answer.AssertError(HttpStatusCode.NotFound, "accountId");
        (await api.Get($"/v1/accounts/{acct}")).AssertError(HttpStatusCode.NotFound, "accountId");
    }

    [Fact]
    public async Task FillToAnUnknownSubAccountIsRefusedWith404()
    {
        using var api = new AccountApi(node);
        var acct = AccountApi.NewAccountId();
        await AccountApi.MustAsync(api.Deposit(acct, "dep-1", "10000"));

        var answer = await api.Fill(acct, "fill-1", "BTC-PERP", "BUY", "0.1", 60000, sub: "hedge");

        answer.AssertError(HttpStatusCode.NotFound, "subAccount");
    }
}

using System.Net;

namespace RiskGrid.Api.Tests.Accounts;

[Collection(NodeCollection.Name)]
public sealed class DepositEndpointsTests(NodeFixture node)
{
    [Fact]
    public async Task DepositAnswersWithTheEventAndItsAmountAsADecimalString()
    {
        using var api = new AccountApi(node);
        var acct = AccountApi.NewAccountId();

        var answer = await api.Deposit(acct, "dep-1", "10000.5");

        answer.AssertOk();
        Assert.Equal("dep-1", answer.Str("commandId"));
        Assert.Equal(1, answer.At("sequenceNr").GetInt64());
        Assert.Equal("DEPOSITED", answer.Str("event.type"));
        Assert.Equal("dep-1", answer.Str("event.commandId"));
        Assert.Equal(1, answer.At("event.sequenceNr").GetInt64());
        Assert.Equal("main", answer.Str("event.subAccount"));
        Assert.Equal("USD", answer.Str("event.asset"));
        Assert.Equal("10000.5", answer.Str("event.amount"));
    }

    [Fact]
    public async Task RepeatedDepositGetsTheIdenticalFirstAnswerAndIsAppliedOnce()
    {
        using var api = new AccountApi(node);
        var acct = AccountApi.NewAccountId();
        var first = await api.Deposit(acct, "dep-1", "250");

        var again = await api.Deposit(acct, "dep-1", "250");

        first.AssertOk();
        again.AssertOk();
        Assert.Equal(first.Text, again.Text);
        var account = await api.Get($"/v1/accounts/{acct}");
        Assert.Equal(1, account.At("sequenceNr").GetInt64());
        var main = AccountApi.SubAccount(account, "main");
        Assert.Equal("250", main.GetProperty("balances").GetProperty("USD").GetString());
        Assert.Equal(250m, AccountApi.LedgerAmount(main, "deposits"));
        var events = await api.Get($"/v1/accounts/{acct}/events");
        Assert.Single(events.At("events").EnumerateArray());
    }

    [Fact]
    public async Task SameCommandIdWithAnotherAmountIsAConflictOnCommandId()
    {
        using var api = new AccountApi(node);
        var acct = AccountApi.NewAccountId();
        await AccountApi.MustAsync(api.Deposit(acct, "dep-1", "250"));

        var answer = await api.Deposit(acct, "dep-1", "251");

        answer.AssertError(HttpStatusCode.Conflict, "commandId");
        var account = await api.Get($"/v1/accounts/{acct}");
        Assert.Equal("250", AccountApi.UsdBalance(account));
    }

    [Theory]
    [InlineData("USD", "0.0000001")] // USD has 6 decimals
    [InlineData("BTC", "0.000000001")] // BTC has 8 decimals
    [InlineData("USD", "0")]
    [InlineData("USD", "-5")]
    [InlineData("USD", "ten")]
    public async Task AmountThatIsNotAPositiveAmountOfTheAssetIsRefusedWith400(string asset, string amount)
    {
        using var api = new AccountApi(node);
        var acct = AccountApi.NewAccountId();
        await AccountApi.MustAsync(api.Deposit(acct, "dep-0", "1"));

        var answer = await api.Deposit(acct, "dep-1", amount, asset);

        answer.AssertError(HttpStatusCode.BadRequest, "amount");
        var account = await api.Get($"/v1/accounts/{acct}");
        Assert.Equal(1, account.At("sequenceNr").GetInt64());
    }

    [Fact]
    public async Task DepositOfTheFinestUnitOfAnAssetIsKeptExactly()
    {
        using var api = new AccountApi(node);
        var acct = AccountApi.NewAccountId();

        var usd = await api.Deposit(acct, "dep-1", "0.000001");
        var btc = await api.Deposit(acct, "dep-2", "0.00000001", "BTC");

        Assert.Equal("0.000001", usd.Str("event.amount"));
        Assert.Equal("0.00000001", btc.Str("event.amount"));
        var balances = AccountApi.SubAccount(await api.Get($"/v1/accounts/{acct}"), "main").GetProperty("balances");
        Assert.Equal("0.000001", balances.GetProperty("USD").GetString());
        Assert.Equal("0.00000001", balances.GetProperty("BTC").GetString());
    }

    [Fact]
    public async Task UnknownAssetIsRefusedWith404NamingTheAsset()
    {
        using var api = new AccountApi(node);

        var answer = await api.Deposit(AccountApi.NewAccountId(), "dep-1", "1", "DOGE");

        answer.AssertError(HttpStatusCode.NotFound, "asset");
    }

    [Theory]
    [InlineData("""{"commandId":"dep-1","subAccount":"main","asset":"USD","amount":"1","colour":"red"}""", "colour")]
    [InlineData("""{"commandId":"dep-1","subAccount":"main","asset":"USD"}""", "amount")]
    [InlineData("""{"commandId":"dep-1","asset":"USD","amount":"1"}""", "subAccount")]
    [InlineData("""{"commandId":"dep-1","subAccount":"main","asset":7,"amount":"1"}""", "asset")]
    [InlineData("""{"commandId":"dep-1","subAccount":"main","asset":"USD","amount":""", "amount")]
    [InlineData("""{"commandId":"bad id","subAccount":"main","asset":"USD","amount":"1"}""", "commandId")]
    [InlineData("""{"commandId":"dep-1","subAccount":"ma in","asset":"USD","amount":"1"}""", "subAccount")]
    public async Task BadBodyIsRefusedWith400NamingTheFieldAndOpensNoAccount(string json, string field)
    {
        using var api = new AccountApi(node);
        var acct = AccountApi.NewAccountId();

        var answer = await api.Post($"/v1/accounts/{acct}/deposits", json);

        answer.AssertError(HttpStatusCode.BadRequest, field);
        (await api.Get($"/v1/accounts/{acct}")).AssertError(HttpStatusCode.NotFound, "accountId");
    }

    [Fact]
    public async Task DepositWithoutTokenIsRefusedWith401AndOpensNoAccount()
    {
        using var anonymous = new AccountApi(node, token: null);
        using var api = new AccountApi(node);
        var acct = AccountApi.NewAccountId();

        var answer = await anonymous.Deposit(acct, "dep-1", "1");

        answer.AssertError(HttpStatusCode.Unauthorized, "Authorization");
        (await api.Get($"/v1/accounts/{acct}")).AssertError(HttpStatusCode.NotFound, "accountId");
    }
}

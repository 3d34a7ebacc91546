using System.Net;
using RiskGrid.Api.Tests.Prices;

namespace RiskGrid.Api.Tests.Accounts;

/// <summary>
/// Inputs that once broke a route (a 500, or state that other requests then tripped over): each is now a clear 4xx
/// and changes nothing.
/// </summary>
[Collection(NodeCollection.Name)]
public sealed class BadInputRegressionTests(NodeFixture node)
{
    [Fact]
    public async Task APriceDatedFarInTheFutureIsRefusedAndDoesNotBlockCurrentPrices()
    {
        using var admin = new AccountApi(node, NodeFixture.AdminToken);
        var source = "future-" + Guid.NewGuid().ToString("N")[..8];

        var farFuture = await ManualPrices.Post(admin, source, "ETH", "3000", 9_000_000_000_000_000);
        var tomorrow = await ManualPrices.Post(admin, source, "ETH", "3000",
            DateTimeOffset.UtcNow.AddDays(1).ToUnixTimeMilliseconds());
        var now = await ManualPrices.Post(admin, source, "ETH", "3000", ManualPrices.NextTs());
        var prices = await admin.Get("/v1/prices");

        farFuture.AssertError(HttpStatusCode.BadRequest, "ts");
        tomorrow.AssertError(HttpStatusCode.BadRequest, "ts");
        now.AssertOk();
        prices.AssertOk();
        var stats = prices.At("sources").EnumerateArray().Single(s => s.GetProperty("source").GetString() == source);
        Assert.Equal(2, stats.GetProperty("futureDated").GetInt64());
    }

    [Fact]
    public async Task AnAbsurdPriceOrSizeIsMalformedAndLeavesTheAccountReadable()
    {
        using var api = new AccountApi(node);
        var acct = AccountApi.NewAccountId();
        (await api.Deposit(acct, "d1", "10000")).AssertOk();

        var hugePrice = await api.Fill(acct, "f1", "BTC-PERP", "BUY", "0.1", 1e300);
        var hugeSize = await api.Post($"/v1/accounts/{acct}/fills",
            """{"commandId":"f2","subAccount":"main","instrument":"BTC-PERP","side":"BUY","size":"79228162514264337593543950335","price":60000}""");
        // 1,000,000 BTC at 60,000 = 6e10 USD of notional per fill is allowed; 2,000,000 at 60,000 = 1.2e11 is not.
        var hugeNotional = await api.Fill(acct, "f3", "BTC-PERP", "BUY", "2000000", 60_000);
        await ManualPrices.PriceBtcAsync(node);
        var view = await api.Get($"/v1/accounts/{acct}");

        hugePrice.AssertError(HttpStatusCode.BadRequest, "price");
        hugeSize.AssertError(HttpStatusCode.BadRequest, "size");
        hugeNotional.AssertError(HttpStatusCode.BadRequest, "size");
        view.AssertOk();
        Assert.Equal(1, view.At("sequenceNr").GetInt64());
        Assert.Equal("10000", view.At("subAccounts")[0].GetProperty("balances").GetProperty("USD").GetString());
    }

    [Fact]
    public async Task EventsOfAnUnknownAccountAreNotFoundFromAnySequenceNumber()
    {
        using var api = new AccountApi(node);

        var answer = await api.Get($"/v1/accounts/{AccountApi.NewAccountId()}/events?from=2");

        answer.AssertError(HttpStatusCode.NotFound, "accountId");
    }

    [Fact]
    public async Task AWithdrawalOverTheBalanceSaysSoInTheAssetsOwnUnits()
    {
        using var api = new AccountApi(node);
        var acct = AccountApi.NewAccountId();
        (await api.Deposit(acct, "d1", "100.5")).AssertOk();

        var answer = await api.Withdraw(acct, "w1", "200");

        answer.AssertError(HttpStatusCode.UnprocessableEntity, "amount");
        Assert.Equal("INSUFFICIENT_BALANCE", answer.Str("check.outcome"));
        Assert.Contains("100.5 USD", answer.Body.GetProperty("error").GetString(), StringComparison.Ordinal);
    }
}

using System.Globalization;
using System.Net;
using System.Text.Json;
using RiskGrid.Api.Tests.Prices;

namespace RiskGrid.Api.Tests.Accounts;

/// <summary>GET /v1/accounts/{acct} and GET /v1/accounts/{acct}/events.</summary>
[Collection(NodeCollection.Name)]
public sealed class AccountViewEndpointsTests(NodeFixture node)
{
    private static readonly string[] MetricFields =
    [
        "equityIM", "equityMM", "equityRaw", "collateralIM", "collateralMM", "unrealizedPnl", "optionValue",
        "initialMargin", "maintenanceMargin", "freeCollateral", "health", "liquidatable", "bankrupt", "isolated",
        "liquidationPrice", "liquidationPlan",
    ];

    [Fact]
    public async Task LedgerOfEverySubAccountAddsUpToItsBalanceAndIsolatedMargin()
    {
        using var api = new AccountApi(node);
        var acct = AccountApi.NewAccountId();
        await AccountApi.MustAsync(api.Deposit(acct, "dep-1", "10000"));
        await AccountApi.MustAsync(api.Fill(acct, "fill-1", "ETH-PERP", "BUY", "1", 3000, fee: "2"));
        await AccountApi.MustAsync(api.Fill(acct, "fill-2", "ETH-PERP", "SELL", "0.4", 3100, fee: "1"));
        // A transfer out is checked against a fresh ETH index (§10): price it first, whatever ran before.
        await ManualPrices.PriceEthAsync(node);
        await AccountApi.MustAsync(api.Transfer(acct, "xfr-1", "main", "hedge", "1000"));
        await ManualPrices.PriceEthAsync(node);
        await AccountApi.MustAsync(api.Put($"/v1/accounts/{acct}/subaccounts/main/isolated/ETH-PERP",
            """{"commandId":"iso-1","margin":"500"}"""));
        await ManualPrices.PriceEthAsync(node);
        await AccountApi.MustAsync(api.Withdraw(acct, "wd-1", "100"));

        var account = await api.Get($"/v1/accounts/{acct}");

        account.AssertOk();
        var main = AccountApi.SubAccount(account, "main");
        // realised 0.4 × (3100 − 3000) = 40; USD = 10000 − 2 − 1 + 40 − 1000 − 500 − 100 = 8437
        Assert.Equal("8437", main.GetProperty("balances").GetProperty("USD").GetString());
        Assert.Equal(10000m, AccountApi.LedgerAmount(main, "deposits"));
        Assert.Equal(100m, AccountApi.LedgerAmount(main, "withdrawals"));
        Assert.Equal(1000m, AccountApi.LedgerAmount(main, "transfersOut"));
        Assert.Equal(3m, AccountApi.LedgerAmount(main, "fees"));
        Assert.Equal(40m, AccountApi.LedgerAmount(main, "realisedPnl"));
        foreach (var sub in account.At("subAccounts").EnumerateArray())
        {
            var ledger = AccountApi.LedgerAmount(sub, "deposits") - AccountApi.LedgerAmount(sub, "withdrawals")
                         + AccountApi.LedgerAmount(sub, "transfersIn") - AccountApi.LedgerAmount(sub, "transfersOut")
                         - AccountApi.LedgerAmount(sub, "fees") - AccountApi.LedgerAmount(sub, "liquidationFees")
                         + AccountApi.LedgerAmount(sub, "realisedPnl") + AccountApi.LedgerAmount(sub, "premium")
                         + AccountApi.LedgerAmount(sub, "funding");
            var held = Decimal(sub.GetProperty("balances").GetProperty("USD"))
                       + sub.GetProperty("positions").EnumerateArray()
                           .Sum(p => Decimal(p.GetProperty("isolatedMargin")));
            Assert.Equal(ledger, held);
        }
        Assert.Equal("1000", AccountApi.UsdBalance(account, "hedge"));
    }

    [Fact]
    public async Task PricedSubAccountShowsTheSection11Metrics()
    {
        using var api = new AccountApi(node);
        var acct = AccountApi.NewAccountId();
        await AccountApi.MustAsync(api.Deposit(acct, "dep-1", "10000"));
        await AccountApi.MustAsync(api.Fill(acct, "fill-1", "BTC-PERP", "BUY", "1", ManualPrices.Btc));
        await ManualPrices.PriceBtcAsync(node);

        var account = await api.Get($"/v1/accounts/{acct}");

        account.AssertOk();
        Assert.Equal(acct, account.Str("accountId"));
        Assert.Equal(2, account.At("sequenceNr").GetInt64());
        Assert.True(DateTimeOffset.TryParse(account.Str("asOf"), CultureInfo.InvariantCulture, out _));
        var metrics = AccountApi.SubAccount(account, "main").GetProperty("metrics");
        foreach (var field in MetricFields)
        {
            Assert.True(metrics.TryGetProperty(field, out _), $"metrics lack {field}: {metrics}");
        }
        // 1 BTC at 60000 against 10000 USD: IM = 60000 × 0.02 = 1200, MM = 600, free = 10000 − 1200 = 8800,
        // health = E_MM / MM = 10000 / 600
        Assert.Equal(10000, metrics.GetProperty("equityIM").GetDouble());
        Assert.Equal(1200, metrics.GetProperty("initialMargin").GetDouble());
        Assert.Equal(600, metrics.GetProperty("maintenanceMargin").GetDouble());
        Assert.Equal(8800, metrics.GetProperty("freeCollateral").GetDouble());
        Assert.Equal(10000.0 / 600, metrics.GetProperty("health").GetDouble(), 9);
        Assert.False(metrics.GetProperty("liquidatable").GetBoolean());
        Assert.Empty(metrics.GetProperty("liquidationPlan").EnumerateArray());
        Assert.Equal(JsonValueKind.Number, metrics.GetProperty("liquidationPrice").GetProperty("BTC").ValueKind);
    }

    [Fact]
    public async Task SubAccountOnAnUnderlyingNeverPricedShowsUnpricedMetrics()
    {
        using var api = new AccountApi(node);
        var acct = AccountApi.NewAccountId();
        await AccountApi.MustAsync(api.Deposit(acct, "dep-1", "10000"));
        await AccountApi.MustAsync(api.Fill(acct, "fill-1", "SOL-PERP", "SELL", "2.5", 150));

        var account = await api.Get($"/v1/accounts/{acct}");

        account.AssertOk();
        var main = AccountApi.SubAccount(account, "main");
        var metrics = main.GetProperty("metrics");
        Assert.False(metrics.GetProperty("priced").GetBoolean());
        Assert.Equal("SOL", Assert.Single(metrics.GetProperty("unpriced").EnumerateArray()).GetString());
        var position = Assert.Single(main.GetProperty("positions").EnumerateArray());
        Assert.Equal("-2.5", position.GetProperty("size").GetString());
        Assert.Equal(150, position.GetProperty("entryPrice").GetDouble());
        Assert.False(position.GetProperty("isolated").GetBoolean());
    }

    [Fact]
    public async Task UnknownAccountIsNotFoundAndABadAccountIdIsRefused()
    {
        using var api = new AccountApi(node);

        var unknown = await api.Get($"/v1/accounts/{AccountApi.NewAccountId()}");
        var spaced = await api.Get("/v1/accounts/bad%20id");
        var tooLong = await api.Get("/v1/accounts/" + new string('a', 65));

        unknown.AssertError(HttpStatusCode.NotFound, "accountId");
        spaced.AssertError(HttpStatusCode.BadRequest, "accountId");
        tooLong.AssertError(HttpStatusCode.BadRequest, "accountId");
    }

    [Fact]
    public async Task EventsListEveryAppliedCommandOnceInOrder()
    {
        using var api = new AccountApi(node);
        var acct = AccountApi.NewAccountId();
        await AccountApi.MustAsync(api.Deposit(acct, "dep-1", "10000"));
        await AccountApi.MustAsync(api.Deposit(acct, "dep-1", "10000"));
        await AccountApi.MustAsync(api.Fill(acct, "fill-1", "BTC-PERP", "BUY", "0.1", 60000, fee: "3"));
        Assert.Equal(HttpStatusCode.BadRequest, (await api.Transfer(acct, "xfr-0", "main", "main", "1")).Status);
        await AccountApi.MustAsync(api.Transfer(acct, "xfr-1", "main", "hedge", "500"));
        await AccountApi.MustAsync(api.Put($"/v1/accounts/{acct}/subaccounts/hedge/mode",
            """{"commandId":"mode-1","mode":"PORTFOLIO"}"""));

        var answer = await api.Get($"/v1/accounts/{acct}/events");

        answer.AssertOk();
        Assert.Equal(acct, answer.Str("accountId"));
        var events = answer.At("events").EnumerateArray().ToList();
        Assert.Equal(["DEPOSITED", "FILL_APPLIED", "TRANSFERRED", "MODE_CHANGED"],
            events.Select(e => e.GetProperty("type").GetString()));
        Assert.Equal(["dep-1", "fill-1", "xfr-1", "mode-1"],
            events.Select(e => e.GetProperty("commandId").GetString()));
        Assert.Equal([1L, 2L, 3L, 4L], events.Select(e => e.GetProperty("sequenceNr").GetInt64()));
        Assert.Equal("3", events[1].GetProperty("fee").GetString());
        Assert.Null(Next(answer));
    }

    [Fact]
    public async Task EventsArePagedWithFromLimitAndNext()
    {
        using var api = new AccountApi(node);
        var acct = AccountApi.NewAccountId();
        for (var i = 1; i <= 5; i++)
        {
            await AccountApi.MustAsync(api.Deposit(acct, $"dep-{i}", i.ToString(CultureInfo.InvariantCulture)));
        }

        var first = await api.Get($"/v1/accounts/{acct}/events?limit=2");
        var second = await api.Get($"/v1/accounts/{acct}/events?from={Next(first)}&limit=2");
        var last = await api.Get($"/v1/accounts/{acct}/events?from={Next(second)}&limit=2");

        Assert.Equal([1L, 2L], Sequence(first));
        Assert.Equal(3, Next(first));
        Assert.Equal([3L, 4L], Sequence(second));
        Assert.Equal(5, Next(second));
        Assert.Equal([5L], Sequence(last));
        Assert.Null(Next(last));
        Assert.Equal("5", last.At("events")[0].GetProperty("amount").GetString());
    }

    [Fact]
    public async Task EventsOfAnUnknownAccountAreNotFound()
    {
        using var api = new AccountApi(node);

        var answer = await api.Get($"/v1/accounts/{AccountApi.NewAccountId()}/events");

        answer.AssertError(HttpStatusCode.NotFound, "accountId");
    }

    [Theory]
    [InlineData("from=abc", "from")]
    [InlineData("from=0", "from")]
    [InlineData("from=-1", "from")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=1001", "limit")]
    public async Task BadEventsQueryIsRefusedWith400(string query, string field)
    {
        using var api = new AccountApi(node);
        var acct = AccountApi.NewAccountId();
        await AccountApi.MustAsync(api.Deposit(acct, "dep-1", "1"));

        var answer = await api.Get($"/v1/accounts/{acct}/events?{query}");

        answer.AssertError(HttpStatusCode.BadRequest, field);
    }

    private static decimal Decimal(JsonElement text) =>
        decimal.Parse(text.GetString()!, CultureInfo.InvariantCulture);

    /// <summary>The page's <c>next</c>: null at the end (the answer leaves the field out then).</summary>
    private static long? Next(Answer page) =>
        page.Body.TryGetProperty("next", out var next) && next.ValueKind != JsonValueKind.Null ? next.GetInt64() : null;

    private static IEnumerable<long> Sequence(Answer page) =>
        page.At("events").EnumerateArray().Select(e => e.GetProperty("sequenceNr").GetInt64());
}

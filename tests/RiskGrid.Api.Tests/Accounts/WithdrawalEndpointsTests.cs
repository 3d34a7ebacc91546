using System.Net;
using RiskGrid.Api.Tests.Prices;

namespace RiskGrid.Api.Tests.Accounts;

/// <summary>
/// Withdrawals and transfers out under MARGIN.md §10: allowed only when afterwards E_IM − IM ≥ 0 with fresh
/// indices, never beyond the balance. The BTC account of these tests: 10000 USD and 1 BTC-PERP bought at 60000
/// with the index at 60000 (standard mode, tier 1, v = 1): IM = 60000 × 0.02 = 1200, MM = 60000 × 0.01 = 600,
/// E_IM = 10000 + 0 uPnL, free collateral = 10000 − 1200 = 8800.
/// </summary>
[Collection(NodeCollection.Name)]
public sealed class WithdrawalEndpointsTests(NodeFixture node)
{
    [Fact]
    public async Task WithdrawalAgainstAnUnderlyingNeverPricedIsRefusedAsStaleIndexAndChangesNothing()
    {
        // SOL is the underlying no test of this suite prices: it stays unpriced on the shared node whatever the order.
        using var api = new AccountApi(node);
        var acct = AccountApi.NewAccountId();
        await AccountApi.MustAsync(api.Deposit(acct, "dep-1", "10000"));
        await AccountApi.MustAsync(api.Fill(acct, "fill-1", "SOL-PERP", "BUY", "10", 150));

        var answer = await api.Withdraw(acct, "wd-1", "100");

        answer.AssertError(HttpStatusCode.UnprocessableEntity, "amount");
        Assert.Equal("STALE_INDEX", answer.Str("check.outcome"));
        var account = await api.Get($"/v1/accounts/{acct}");
        Assert.Equal(2, account.At("sequenceNr").GetInt64());
        Assert.Equal("10000", AccountApi.UsdBalance(account));
    }

    [Fact]
    public async Task WithdrawalAgainstAStaleIndexIsRefusedEvenWhenMarginWouldBeMet()
    {
        using var api = new AccountApi(node);
        var acct = await OpenBtcAccountAsync(api);
        await ManualPrices.PriceBtcAsync(node);
        // staleMs = 3000 on the grid clock: no BTC price for longer than that makes the index stale (§8).
        await Task.Delay(TimeSpan.FromSeconds(3.2));

        var answer = await api.Withdraw(acct, "wd-1", "100");

        answer.AssertError(HttpStatusCode.UnprocessableEntity, "amount");
        Assert.Equal("STALE_INDEX", answer.Str("check.outcome"));
        // the last good price stands for the figures: 8800 − 100 = 8700 would have been free
        Assert.Equal("8800", answer.Str("check.freeCollateralBefore"));
        Assert.Equal("8700", answer.Str("check.freeCollateralAfter"));
        var account = await api.Get($"/v1/accounts/{acct}");
        Assert.Equal(2, account.At("sequenceNr").GetInt64());
    }

    [Fact]
    public async Task WithdrawalLeavingInitialMarginUnmetIsRefusedWithTheFiguresAndChangesNothing()
    {
        using var api = new AccountApi(node);
        var acct = await OpenBtcAccountAsync(api);
        await ManualPrices.PriceBtcAsync(node);

        var answer = await api.Withdraw(acct, "wd-1", "9500");

        answer.AssertError(HttpStatusCode.UnprocessableEntity, "amount");
        Assert.Equal("BREAKS_INITIAL_MARGIN", answer.Str("check.outcome"));
        Assert.Equal("8800", answer.Str("check.freeCollateralBefore"));
        // 8800 − 9500 = −700
        Assert.Equal("-700", answer.Str("check.freeCollateralAfter"));
        Assert.Equal("1200", answer.Str("check.initialMarginBefore"));
        Assert.Equal("1200", answer.Str("check.initialMarginAfter"));
        Assert.Equal("600", answer.Str("check.maintenanceMarginBefore"));
        Assert.Equal("600", answer.Str("check.maintenanceMarginAfter"));
        var account = await api.Get($"/v1/accounts/{acct}");
        Assert.Equal(2, account.At("sequenceNr").GetInt64());
        Assert.Equal("10000", AccountApi.UsdBalance(account));
    }

    [Fact]
    public async Task WithdrawalLeavingExactlyZeroFreeCollateralIsAllowed()
    {
        using var api = new AccountApi(node);
        var acct = await OpenBtcAccountAsync(api);
        await ManualPrices.PriceBtcAsync(node);

        // E_IM − IM afterwards: (10000 − 8800) − 1200 = 0 ≥ 0
        var answer = await api.Withdraw(acct, "wd-1", "8800");

        answer.AssertOk();
        Assert.Equal("WITHDRAWN", answer.Str("event.type"));
        Assert.Equal("8800", answer.Str("event.amount"));
        Assert.Equal(3, answer.At("sequenceNr").GetInt64());
        var main = AccountApi.SubAccount(await api.Get($"/v1/accounts/{acct}"), "main");
        Assert.Equal("1200", main.GetProperty("balances").GetProperty("USD").GetString());
        Assert.Equal(8800m, AccountApi.LedgerAmount(main, "withdrawals"));
    }

    [Fact]
    public async Task WithdrawalOneMicroBeyondFreeCollateralIsRefused()
    {
        using var api = new AccountApi(node);
        var acct = await OpenBtcAccountAsync(api);
        await ManualPrices.PriceBtcAsync(node);

        var answer = await api.Withdraw(acct, "wd-1", "8800.000001");

        answer.AssertError(HttpStatusCode.UnprocessableEntity, "amount");
        Assert.Equal("BREAKS_INITIAL_MARGIN", answer.Str("check.outcome"));
        Assert.Equal("-0.000001", answer.Str("check.freeCollateralAfter"));
    }

    [Fact]
    public async Task RefusedWithdrawalDoesNotUseUpItsCommandId()
    {
        using var api = new AccountApi(node);
        var acct = await OpenBtcAccountAsync(api);
        await ManualPrices.PriceBtcAsync(node);
        var refused = await api.Withdraw(acct, "wd-1", "9500");

        var retried = await api.Withdraw(acct, "wd-1", "1000");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.Status);
        retried.AssertOk();
        Assert.Equal("1000", retried.Str("event.amount"));
    }

    [Fact]
    public async Task WithdrawalOfMoreThanTheBalanceIsRefusedAsInsufficientBalance()
    {
        using var api = new AccountApi(node);
        var acct = await OpenBtcAccountAsync(api);
        await ManualPrices.PriceBtcAsync(node);

        var answer = await api.Withdraw(acct, "wd-1", "10000.000001");

        answer.AssertError(HttpStatusCode.UnprocessableEntity, "amount");
        Assert.Equal("INSUFFICIENT_BALANCE", answer.Str("check.outcome"));
        var account = await api.Get($"/v1/accounts/{acct}");
        Assert.Equal(2, account.At("sequenceNr").GetInt64());
    }

    [Fact]
    public async Task WithdrawalOfAnAssetNotHeldIsRefusedAsInsufficientBalance()
    {
        using var api = new AccountApi(node);
        var acct = AccountApi.NewAccountId();
        await AccountApi.MustAsync(api.Deposit(acct, "dep-1", "10000"));

        var answer = await api.Withdraw(acct, "wd-1", "0.1", "BTC");

        answer.AssertError(HttpStatusCode.UnprocessableEntity, "amount");
        Assert.Equal("INSUFFICIENT_BALANCE", answer.Str("check.outcome"));
    }

    [Fact]
    public async Task WithdrawalFromAnUnknownSubAccountOrAccountIsRefusedWith404()
    {
        using var api = new AccountApi(node);
        var acct = AccountApi.NewAccountId();
        await AccountApi.MustAsync(api.Deposit(acct, "dep-1", "10000"));

        var unknownSub = await api.Withdraw(acct, "wd-1", "1", sub: "hedge");
        var unknownAccount = await api.Withdraw(AccountApi.NewAccountId(), "wd-1", "1");

        unknownSub.AssertError(HttpStatusCode.NotFound, "subAccount");
        unknownAccount.AssertError(HttpStatusCode.NotFound, "accountId");
    }

    [Fact]
    public async Task TransferMovesCollateralAndCreatesTheTargetSubAccount()
    {
        using var api = new AccountApi(node);
        var acct = AccountApi.NewAccountId();
        await AccountApi.MustAsync(api.Deposit(acct, "dep-1", "10000"));

        var answer = await api.Transfer(acct, "xfr-1", "main", "hedge", "2500");

        answer.AssertOk();
        Assert.Equal("TRANSFERRED", answer.Str("event.type"));
        Assert.Equal("main", answer.Str("event.fromSubAccount"));
        Assert.Equal("hedge", answer.Str("event.toSubAccount"));
        Assert.Equal("2500", answer.Str("event.amount"));
        var account = await api.Get($"/v1/accounts/{acct}");
        var main = AccountApi.SubAccount(account, "main");
        var hedge = AccountApi.SubAccount(account, "hedge");
        Assert.Equal("7500", main.GetProperty("balances").GetProperty("USD").GetString());
        Assert.Equal("2500", hedge.GetProperty("balances").GetProperty("USD").GetString());
        Assert.Equal(2500m, AccountApi.LedgerAmount(main, "transfersOut"));
        Assert.Equal(2500m, AccountApi.LedgerAmount(hedge, "transfersIn"));
        Assert.Equal("STANDARD", hedge.GetProperty("mode").GetString());
    }

    [Fact]
    public async Task TransferToTheSameSubAccountIsRefusedWith400()
    {
        using var api = new AccountApi(node);
        var acct = AccountApi.NewAccountId();
        await AccountApi.MustAsync(api.Deposit(acct, "dep-1", "10000"));

        var answer = await api.Transfer(acct, "xfr-1", "main", "main", "1");

        answer.AssertError(HttpStatusCode.BadRequest, "toSubAccount");
    }

    [Fact]
    public async Task TransferFromAnUnknownSubAccountIsRefusedWith404()
    {
        using var api = new AccountApi(node);
        var acct = AccountApi.NewAccountId();
        await AccountApi.MustAsync(api.Deposit(acct, "dep-1", "10000"));

        var answer = await api.Transfer(acct, "xfr-1", "hedge", "main", "1");

        answer.AssertError(HttpStatusCode.NotFound, "fromSubAccount");
    }

    [Fact]
    public async Task TransferIsCheckedLikeAWithdrawalFromTheSource()
    {
        using var api = new AccountApi(node);
        var acct = await OpenBtcAccountAsync(api);
        await ManualPrices.PriceBtcAsync(node);

        var refused = await api.Transfer(acct, "xfr-1", "main", "hedge", "9500");
        await ManualPrices.PriceBtcAsync(node);
        var allowed = await api.Transfer(acct, "xfr-2", "main", "hedge", "8800");

        refused.AssertError(HttpStatusCode.UnprocessableEntity, "amount");
        Assert.Equal("BREAKS_INITIAL_MARGIN", refused.Str("check.outcome"));
        // 8800 − 9500 = −700
        Assert.Equal("-700", refused.Str("check.freeCollateralAfter"));
        allowed.AssertOk();
        var account = await api.Get($"/v1/accounts/{acct}");
        Assert.Equal(3, account.At("sequenceNr").GetInt64());
        Assert.Equal("1200", AccountApi.UsdBalance(account));
        Assert.Equal("8800", AccountApi.UsdBalance(account, "hedge"));
    }

    [Fact]
    public async Task TransferAgainstAnUnderlyingNeverPricedIsRefusedAndCreatesNoSubAccount()
    {
        using var api = new AccountApi(node);
        var acct = AccountApi.NewAccountId();
        await AccountApi.MustAsync(api.Deposit(acct, "dep-1", "10000"));
        await AccountApi.MustAsync(api.Fill(acct, "fill-1", "SOL-PERP", "BUY", "10", 150));

        var answer = await api.Transfer(acct, "xfr-1", "main", "hedge", "100");

        answer.AssertError(HttpStatusCode.UnprocessableEntity, "amount");
        Assert.Equal("STALE_INDEX", answer.Str("check.outcome"));
        var account = await api.Get($"/v1/accounts/{acct}");
        Assert.Single(account.At("subAccounts").EnumerateArray());
    }

    /// <summary>10000 USD and 1 BTC-PERP bought at 60000, no fee: sequence numbers 1 and 2.</summary>
    private static async Task<string> OpenBtcAccountAsync(AccountApi api)
    {
        var acct = AccountApi.NewAccountId();
        await AccountApi.MustAsync(api.Deposit(acct, "dep-1", "10000"));
        await AccountApi.MustAsync(api.Fill(acct, "fill-1", "BTC-PERP", "BUY", "1", ManualPrices.Btc));
        return acct;
    }
}

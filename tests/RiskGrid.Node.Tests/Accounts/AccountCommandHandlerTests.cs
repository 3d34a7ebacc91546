using RiskGrid.Margin.Accounts;
using RiskGrid.Node.Accounts;
using RiskGrid.Node.Serialization;

namespace RiskGrid.Node.Tests.Accounts;

/// <summary>Commands decided against state and applied, without actors: the rules the entity relies on.</summary>
public sealed class AccountCommandHandlerTests
{
    private const long Usd = 1_000_000;
    private readonly TestMarket _market = new();
    private readonly AccountCommandHandler _handler;
    private readonly AccountState _state;
    private long _seq;
    private long _now = TestMarket.AsOfMs;

    public AccountCommandHandlerTests()
    {
        _handler = _market.Handler();
        _state = new AccountState(_market.Catalog, (long)TimeSpan.FromHours(24).TotalMilliseconds);
    }

    [Fact]
    public void DepositOpensTheAccountAndCreditsTheSubAccount()
    {
        var e = Accept(new Deposit("a1", "c1", "main", "USD", 10_000 * Usd, _now));

        Assert.IsType<Deposited>(e);
        Assert.True(_state.Exists);
        Assert.Equal(10_000 * Usd, _state.Find("main")!.Portfolio.Balances[0]);
    }

    [Fact]
    public void AnythingButADepositToAnUnknownAccountIsNotFound()
    {
        var r = Reject(new Withdraw("a1", "c1", "main", "USD", Usd, _now));

        Assert.Equal(RejectionCode.NotFound, r.Code);
        Assert.Equal("accountId", r.Field);
    }

    [Fact]
    public void WithdrawalThatBreaksInitialMarginIsRefusedWithItsFigures()
    {
        Accept(new Deposit("a1", "c1", "main", "USD", 10_000 * Usd, _now));
        // 1 BTC-PERP at 60,000: IM = 2% of 60,000 = 1,200 (tier 1, §12) → at most 8,800 may leave.
        Accept(new ApplyFill("a1", "f1", "main", "BTC-PERP", LotsOf("BTC-PERP", 1m), 60_000, 0, _now));
        var before = Snapshot();

        var r = Reject(new Withdraw("a1", "c2", "main", "USD", 9_500 * Usd, _now));

        Assert.Equal(RejectionCode.Refused, r.Code);
        Assert.Equal("amount", r.Field);
        Assert.Equal("BREAKS_INITIAL_MARGIN", r.Check!.Outcome);
        Assert.True(r.Check.FreeCollateralAfterMicros < 0);
        Assert.Equal(before, Snapshot());
    }

    [Fact]
    public void WithdrawalAgainstAStaleIndexIsRefused()
    {
        Accept(new Deposit("a1", "c1", "main", "USD", 10_000 * Usd, _now));
        Accept(new ApplyFill("a1", "f1", "main", "BTC-PERP", LotsOf("BTC-PERP", 0.1m), 60_000, 0, _now));
        _market.SetFresh("BTC", false);

        var r = Reject(new Withdraw("a1", "c2", "main", "USD", Usd, _now));

        Assert.Equal("STALE_INDEX", r.Check!.Outcome);
    }

    [Fact]
    public void MoreThanTheBalanceCannotLeave()
    {
        Accept(new Deposit("a1", "c1", "main", "USD", 100 * Usd, _now));

        var r = Reject(new Withdraw("a1", "c2", "main", "USD", 101 * Usd, _now));

        Assert.Equal("INSUFFICIENT_BALANCE", r.Check!.Outcome);
    }

    [Fact]
    public void FillRealisesPnlAndChargesTheFee()
    {
        Accept(new Deposit("a1", "c1", "main", "USD", 10_000 * Usd, _now));
        Accept(new ApplyFill("a1", "f1", "main", "BTC-PERP", LotsOf("BTC-PERP", 1m), 60_000, 30 * Usd, _now));

        var e = (FillApplied)Accept(new ApplyFill("a1", "f2", "main", "BTC-PERP", -LotsOf("BTC-PERP", 0.5m), 61_000,
            15 * Usd, _now));

        // 0.5 × (61,000 − 60,000) = 500 realised; fees 30 + 15.
        Assert.Equal(500 * Usd, e.RealisedPnlMicros);
        var main = _state.Find("main")!;
        Assert.Equal((10_000 + 500 - 45) * Usd, main.Portfolio.Balances[0]);
        Assert.Equal(500 * Usd, main.RealisedPnl("BTC-PERP"));
        Assert.Equal(LotsOf("BTC-PERP", 0.5m), main.Portfolio[0].SizeLots);
        Assert.True(main.IsConserved(out var detail), detail);
    }

    [Fact]
    public void OptionFillSettlesThePremium()
    {
        Accept(new Deposit("a1", "c1", "main", "USD", 10_000 * Usd, _now));

        var e = (FillApplied)Accept(new ApplyFill("a1", "f1", "main", "BTC-20261225-60000-C",
            LotsOf("BTC-20261225-60000-C", 1m), 2_500, 0, _now));

        Assert.Equal(-2_500 * Usd, e.PremiumMicros);
        Assert.Equal(7_500 * Usd, _state.Find("main")!.Portfolio.Balances[0]);
    }

    [Fact]
    public void TransferMovesCollateralAndCreatesTheTarget()
    {
        Accept(new Deposit("a1", "c1", "main", "USD", 1_000 * Usd, _now));

        Accept(new Transfer("a1", "t1", "main", "hedge", "USD", 400 * Usd, _now));

        Assert.Equal(600 * Usd, _state.Find("main")!.Portfolio.Balances[0]);
        Assert.Equal(400 * Usd, _state.Find("hedge")!.Portfolio.Balances[0]);
        Assert.All(_state.SubAccounts, s => Assert.True(s.IsConserved(out _)));
    }

    [Fact]
    public void TransferToItselfIsMalformed()
    {
        Accept(new Deposit("a1", "c1", "main", "USD", 1_000 * Usd, _now));

        var r = Reject(new Transfer("a1", "t1", "main", "main", "USD", Usd, _now));

        Assert.Equal(("toSubAccount", RejectionCode.Malformed), (r.Field, r.Code));
    }

    [Fact]
    public void IsolatingMovesUsdOutOfThePoolAndBackAgain()
    {
        Accept(new Deposit("a1", "c1", "main", "USD", 10_000 * Usd, _now));
        Accept(new ApplyFill("a1", "f1", "main", "ETH-PERP", -LotsOf("ETH-PERP", 1m), 3_000, 0, _now));

        Accept(new SetIsolatedMargin("a1", "i1", "main", "ETH-PERP", 2_000 * Usd, _now));
        var main = _state.Find("main")!;
        Assert.Equal(8_000 * Usd, main.Portfolio.Balances[0]);
        Assert.True(main.Portfolio[0].IsIsolated);
        Assert.True(main.IsConserved(out var detail), detail);

        Accept(new SetIsolatedMargin("a1", "i2", "main", "ETH-PERP", 0, _now));
        Assert.Equal(10_000 * Usd, main.Portfolio.Balances[0]);
        Assert.False(main.Portfolio[0].IsIsolated);
    }

    [Fact]
    public void IsolatedMarginBelowThePositionsInitialMarginIsRefused()
    {
        Accept(new Deposit("a1", "c1", "main", "USD", 10_000 * Usd, _now));
        Accept(new ApplyFill("a1", "f1", "main", "ETH-PERP", -LotsOf("ETH-PERP", 1m), 3_000, 0, _now));
        Accept(new SetIsolatedMargin("a1", "i1", "main", "ETH-PERP", 2_000 * Usd, _now));

        // 1 ETH at 3,000: IM 2.5% = 75; 10 USD of isolated margin does not cover it.
        var r = Reject(new SetIsolatedMargin("a1", "i2", "main", "ETH-PERP", 10 * Usd, _now));

        Assert.Equal(("margin", RejectionCode.Refused), (r.Field, r.Code));
    }

    [Fact]
    public void ModeSwitchNeedsTheNewModesInitialMargin()
    {
        Accept(new Deposit("a1", "c1", "main", "USD", 10_000 * Usd, _now));

        var e = (ModeChanged)Accept(new SetMode("a1", "m1", "main", MarginMode.Portfolio, _now));

        Assert.Equal(MarginMode.Portfolio, e.Mode);
        Assert.Equal(MarginMode.Portfolio, _state.Find("main")!.Portfolio.Mode);
    }

    [Fact]
    public void FundingPaysLongsAndReceivesShortsWhenTheRateIsPositive()
    {
        Accept(new Deposit("a1", "c1", "main", "USD", 10_000 * Usd, _now));
        Accept(new Deposit("a1", "c2", "short", "USD", 10_000 * Usd, _now));
        Accept(new ApplyFill("a1", "f1", "main", "BTC-PERP", LotsOf("BTC-PERP", 1m), 60_000, 0, _now));
        Accept(new ApplyFill("a1", "f2", "short", "BTC-PERP", -LotsOf("BTC-PERP", 0.5m), 60_000, 0, _now));

        var e = (FundingPaid)Accept(new PayFunding("a1", "fund-1", "BTC-PERP", 0.0001, 60_000, _now));

        // −1 × 60,000 × 0.0001 = −6; +0.5 × 60,000 × 0.0001 = +3.
        Assert.Equal([new FundingPayment("main", -6 * Usd), new FundingPayment("short", 3 * Usd)], e.Payments);
        Assert.All(_state.SubAccounts, s => Assert.True(s.IsConserved(out _)));
    }

    [Fact]
    public void ReductionMustReduce()
    {
        Accept(new Deposit("a1", "c1", "main", "USD", 10_000 * Usd, _now));
        Accept(new ApplyFill("a1", "f1", "main", "BTC-PERP", LotsOf("BTC-PERP", 1m), 60_000, 0, _now));

        var r = Reject(new ApplyReduction("a1", "l1", "main", "BTC-PERP", ReductionKind.Liquidation,
            LotsOf("BTC-PERP", 1m), 59_000, 0, _now));
        var e = (ReductionApplied)Accept(new ApplyReduction("a1", "l2", "main", "BTC-PERP", ReductionKind.Liquidation,
            -LotsOf("BTC-PERP", 0.4m), 59_000, 12 * Usd, _now));

        Assert.Equal("size", r.Field);
        Assert.Equal(-400 * Usd, e.RealisedPnlMicros);
        var main = _state.Find("main")!;
        Assert.Equal(12 * Usd, main.LedgerTotals[Ledger.UsdSlot(_market.Params.Assets.Count, Ledger.LiquidationFees)]);
        Assert.True(main.IsConserved(out var detail), detail);
    }

    [Theory]
    [InlineData("", "commandId")]
    [InlineData("has space", "commandId")]
    public void BadCommandIdsAreMalformed(string commandId, string field)
    {
        var r = Reject(new Deposit("a1", commandId, "main", "USD", Usd, _now));

        Assert.Equal((field, RejectionCode.Malformed), (r.Field, r.Code));
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.PositiveInfinity)]
    public void FillAtABadPriceIsMalformed(double price)
    {
        Accept(new Deposit("a1", "c1", "main", "USD", Usd, _now));

        var r = Reject(new ApplyFill("a1", "f1", "main", "BTC-PERP", 1, price, 0, _now));

        Assert.Equal(("price", RejectionCode.Malformed), (r.Field, r.Code));
    }

    [Fact]
    public void UnknownInstrumentAndAssetAreNotFound()
    {
        Accept(new Deposit("a1", "c1", "main", "USD", Usd, _now));

        Assert.Equal("instrument", Reject(new ApplyFill("a1", "f1", "main", "DOGE-PERP", 1, 1, 0, _now)).Field);
        Assert.Equal("asset", Reject(new Deposit("a1", "c2", "main", "DOGE", 1, _now)).Field);
        Assert.Equal("subAccount", Reject(new ApplyFill("a1", "f2", "nope", "BTC-PERP", 1, 1, 0, _now)).Field);
    }

    [Fact]
    public void DedupeRecordsExpireAfterTheRetentionWindow()
    {
        Accept(new Deposit("a1", "c1", "main", "USD", Usd, _now));
        Assert.True(_state.TryGetApplied("c1", out _));

        _now += (long)TimeSpan.FromHours(25).TotalMilliseconds;
        Accept(new Deposit("a1", "c2", "main", "USD", Usd, _now));

        Assert.False(_state.TryGetApplied("c1", out _));
        Assert.True(_state.TryGetApplied("c2", out _));
    }

    [Fact]
    public void SameBodyIgnoresTheTimestampButNotTheAmount()
    {
        var e = new Deposited("c1", "main", "USD", Usd, 1);

        Assert.True(AccountCommandHandler.SameBody(new Deposit("a1", "c1", "main", "USD", Usd, 99), e));
        Assert.False(AccountCommandHandler.SameBody(new Deposit("a1", "c1", "main", "USD", Usd + 1, 1), e));
        Assert.False(AccountCommandHandler.SameBody(new Withdraw("a1", "c1", "main", "USD", Usd, 1), e));
    }

    private long LotsOf(string instrument, decimal units)
    {
        Assert.True(_market.Catalog.TryResolve(instrument, out var i, out _));
        return (long)(units / i.Lot);
    }

    private IAccountEvent Accept(IAccountCommand command)
    {
        var e = _handler.Decide(_state, command, out var rejection);
        Assert.True(e is not null, rejection?.Message);
        _state.Apply(e!, ++_seq);
        return e!;
    }

    private CommandRejected Reject(IAccountCommand command)
    {
        var e = _handler.Decide(_state, command, out var rejection);
        Assert.Null(e);
        return rejection!;
    }

    private string Snapshot()
    {
        var w = new WireWriter();
        AccountSerializer.Write(w, AccountSnapshots.Take(_state));
        return Convert.ToHexString(w.ToArray());
    }
}

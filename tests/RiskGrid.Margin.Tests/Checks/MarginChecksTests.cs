using RiskGrid.Margin.Accounts;
using RiskGrid.Margin.Checks;

namespace RiskGrid.Margin.Tests.Checks;

public sealed class MarginChecksTests
{
    [Fact]
    public void RejectsWithdrawalThatBreaksInitialMargin()
    {
        var b = new Book().Usd(2_000);
        b.Add("BTC-PERP", 1m, 60_000); // IM 1,200 → free 800
        var checks = new MarginChecks(b.Evaluator);
        var before = b.Account.Balances[0];
        Assert.Equal(CheckOutcome.Accepted, checks.Withdrawal(b.Account, b.Market, b.Arrays, 0, Book.Usd6(800)).Outcome);
        var refused = checks.Withdrawal(b.Account, b.Market, b.Arrays, 0, Book.Usd6(800.000001m));
        Assert.Equal(CheckOutcome.BreaksInitialMargin, refused.Outcome);
        Assert.Equal(Book.Usd6(-0.000001m), refused.FreeCollateralAfterMicros);
        Assert.Equal(before, b.Account.Balances[0]);
    }

    [Fact]
    public void RejectsWithdrawalOfMoreThanIsHeld()
    {
        var b = new Book().Usd(100);
        var checks = new MarginChecks(b.Evaluator);
        Assert.Equal(CheckOutcome.InsufficientBalance,
            checks.Withdrawal(b.Account, b.Market, b.Arrays, 0, Book.Usd6(100.01m)).Outcome);
    }

    [Fact]
    public void NoWithdrawalAgainstAStaleIndex()
    {
        var b = new Book().Usd(100_000);
        b.Add("BTC-PERP", 1m, 60_000);
        b.Market.SetFresh(b.U("BTC"), false);
        var checks = new MarginChecks(b.Evaluator);
        Assert.Equal(CheckOutcome.StaleIndex, checks.Withdrawal(b.Account, b.Market, b.Arrays, 0, Book.Usd6(1)).Outcome);
    }

    [Fact]
    public void OrderThatReducesMaintenanceIsAcceptedEvenWhenUnderwater()
    {
        var b = new Book().Usd(100);
        b.Add("BTC-PERP", 1m, 60_000); // IM 1,200 > equity 100
        var checks = new MarginChecks(b.Evaluator);
        var perp = b.Catalog.Resolve("BTC-PERP");
        Assert.Equal(CheckOutcome.Accepted, checks.Order(b.Account, b.Market, b.Arrays, perp, -500, 60_000).Outcome);
        Assert.Equal(CheckOutcome.BreaksInitialMargin,
            checks.Order(b.Account, b.Market, b.Arrays, perp, 500, 60_000).Outcome);
    }

    [Fact]
    public void OrderWithinInitialMarginIsAccepted()
    {
        var b = new Book().Usd(1_300);
        var checks = new MarginChecks(b.Evaluator);
        var perp = b.Catalog.Resolve("BTC-PERP");
        var r = checks.Order(b.Account, b.Market, b.Arrays, perp, 1000, 60_000);
        Assert.True(r.Accepted); // IM after = 1,200 ≤ 1,300
        Assert.Equal(0, r.InitialMarginBeforeMicros);
        Assert.Equal(Book.Usd6(1_200), r.InitialMarginAfterMicros);
        Assert.Equal(0, b.Account.PositionCount);
    }

    [Fact]
    public void ModeSwitchNeedsTheNewModesInitialMargin()
    {
        var b = new Book().Usd(5_000);
        b.Add("BTC-PERP", 1m, 60_000); // standard IM 1,200; portfolio IM = 9,000 × 1.3 = 11,700
        var checks = new MarginChecks(b.Evaluator);
        Assert.Equal(CheckOutcome.BreaksInitialMargin,
            checks.ModeSwitch(b.Account, b.Market, b.Arrays, MarginMode.Portfolio).Outcome);
        Assert.Equal(MarginMode.Standard, b.Account.Mode);
    }
}

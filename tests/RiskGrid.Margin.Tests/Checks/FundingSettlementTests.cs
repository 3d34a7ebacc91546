using CsCheck;
using RiskGrid.Margin.Checks;

namespace RiskGrid.Margin.Tests.Checks;

public sealed class FundingSettlementTests
{
    [Fact]
    public void LongsPayShortsWhenRateIsPositive()
    {
        // 2 BTC long, 2 BTC short at 60,000 and 0.01 %: payment = −q × 60,000 × 0.0001 = ∓12
        var payments = new long[2];
        var fund = FundingSettlement.Settle([2000, -2000], 0.001, 60_000, 0.0001, payments);
        Assert.Equal(Book.Usd6(-12), payments[0]);
        Assert.Equal(Book.Usd6(12), payments[1]);
        Assert.Equal(0, fund);
    }

    [Fact]
    public void FundingSumsToExactlyZeroOverAccountsAndFund()
    {
        Gen.Select(Gen.Long[-10_000_000, 10_000_000].Array[1, 50], Gen.Double[1, 200_000], Gen.Double[-0.01, 0.01])
            .Sample((sizes, mark, rate) =>
            {
                var payments = new long[sizes.Length];
                var fund = FundingSettlement.Settle(sizes, 0.001, mark, rate, payments);
                Assert.Equal(0, payments.Sum() + fund);
                // Rounding always favours the fund when open interest nets to zero.
                for (var i = 0; i < sizes.Length; i++)
                {
                    var exact = -(sizes[i] * 0.001) * mark * rate * 1e6;
                    Assert.True(payments[i] <= exact + 1e-3 * Math.Max(1, Math.Abs(exact)) * 1e-9 + 1e-6);
                }
            }, iter: 300);
    }
}

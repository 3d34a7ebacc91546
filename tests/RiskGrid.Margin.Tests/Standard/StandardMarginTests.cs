using RiskGrid.Margin.Accounts;

namespace RiskGrid.Margin.Tests.Standard;

public sealed class StandardMarginTests
{
    [Fact]
    public void LongPerpInFirstTierHasTierOneRequirementsAndUnrealisedProfit()
    {
        var b = new Book().Usd(10_000);
        b.Add("BTC-PERP", 1.5m, 58_000);
        var r = b.Evaluate();
        // uPnL = 1.5 × (60,000 − 58,000) = 3,000; N = 1.5 × 60,000 = 90,000 (tier 1)
        // IM = 90,000 × 0.02 = 1,800; MM = 90,000 × 0.01 = 900
        Assert.Equal(Book.Usd6(3_000), r.UnrealizedPnlMicros);
        Assert.Equal(Book.Usd6(1_800), r.InitialMarginMicros);
        Assert.Equal(Book.Usd6(900), r.MaintenanceMarginMicros);
        // E = 10,000 + 3,000 = 13,000 for IM, MM and raw; free = 13,000 − 1,800 = 11,200; health = 13,000 / 900
        Assert.Equal(Book.Usd6(13_000), r.EquityMmMicros);
        Assert.Equal(Book.Usd6(11_200), r.FreeCollateralMicros);
        Assert.Equal(13_000 / 900.0, r.Health, 12);
        Assert.False(r.BelowMaintenance);
    }

    [Theory]
    // Exactly on the first cap (N = 1,000,000): tier 1, MM = 10,000, IM = 20,000.
    [InlineData("16.666", 999_960, 9_999.6, 19_999.2)]
    // Just above: N = 1,000,020 in tier 2: MM = 1,000,020 × 0.02 − 10,000 = 10,000.4 (cum_2 = 1,000,000 × (0.02 − 0.01))
    //             IM = 1,000,020 × 0.04 − 20,000 = 20,000.8 (cum_2 = 1,000,000 × (0.04 − 0.02))
    [InlineData("16.667", 1_000_020, 10_000.4, 20_000.8)]
    public void TieredRequirementsAreContinuousAtTheCap(string size, double notional, double mm, double im)
    {
        var b = new Book();
        b.Add("BTC-PERP", decimal.Parse(size, System.Globalization.CultureInfo.InvariantCulture), 60_000);
        var r = b.Evaluate();
        Assert.Equal((decimal)notional, decimal.Parse(size, System.Globalization.CultureInfo.InvariantCulture) * 60_000m);
        Assert.Equal(Micros.RoundRequirementUp(mm), r.MaintenanceMarginMicros);
        Assert.Equal(Micros.RoundRequirementUp(im), r.InitialMarginMicros);
    }

    [Fact]
    public void NotionalExactlyOnTheCapUsesTheLowerTier()
    {
        var b = new Book();
        b.SetPrice("BTC", 50_000);
        b.Add("BTC-PERP", 20m, 50_000); // N = 20 × 50,000 = 1,000,000 = cap_1 → tier 1
        var r = b.Evaluate();
        Assert.Equal(Book.Usd6(10_000), r.MaintenanceMarginMicros); // 1,000,000 × 0.01
        Assert.Equal(Book.Usd6(20_000), r.InitialMarginMicros); // 1,000,000 × 0.02
    }

    [Fact]
    public void DeepTierUsesCumulativeDeductions()
    {
        var b = new Book();
        b.Add("BTC-PERP", -1000m, 60_000); // N = 60,000,000 → tier 4 (above 50,000,000)
        var r = b.Evaluate();
        // cumM: tier2 = 1e6 × 0.01 = 10,000; tier3 = 10,000 + 1e7 × 0.03 = 310,000; tier4 = 310,000 + 5e7 × 0.05 = 2,810,000
        // MM = 60,000,000 × 0.10 − 2,810,000 = 3,190,000
        // cumI: 1e6 × 0.02 = 20,000; + 1e7 × 0.06 = 620,000; + 5e7 × 0.10 = 5,620,000 → IM = 12,000,000 − 5,620,000
        Assert.Equal(Book.Usd6(3_190_000), r.MaintenanceMarginMicros);
        Assert.Equal(Book.Usd6(6_380_000), r.InitialMarginMicros);
    }

    [Fact]
    public void VolatilityMultipliersScaleLinearRequirements()
    {
        var b = new Book();
        b.Market.SetMultipliers(b.U("BTC"), 2.0, 1.5);
        b.Add("BTC-PERP", 1m, 60_000);
        var r = b.Evaluate();
        Assert.Equal(Book.Usd6(2_400), r.InitialMarginMicros); // 60,000 × 0.02 × 2
        Assert.Equal(Book.Usd6(900), r.MaintenanceMarginMicros); // 60,000 × 0.01 × 1.5
    }

    [Fact]
    public void ShortCallMarginFollowsDeribitStyleLegRule()
    {
        var b = new Book().Usd(50_000);
        b.Add("BTC-20261225-70000-C", -2m);
        var r = b.Evaluate();
        // u = 2, S = 60,000, OTM = 70,000 − 60,000 = 10,000
        // IM = 2 × max(0.15 × 60,000 − 10,000, 0.10 × 60,000) = 2 × max(−1,000, 6,000) = 12,000
        // MM = 2 × 0.075 × 60,000 = 9,000
        Assert.Equal(Book.Usd6(12_000), r.InitialMarginMicros);
        Assert.Equal(Book.Usd6(9_000), r.MaintenanceMarginMicros);
        // Option value is negative for a short: q × Black-76 price
        var price = Pricing.Black76.Price(true, 60_000, 70_000, 0.55,
            Pricing.Black76.YearsToExpiry(b.Catalog.Resolve("BTC-20261225-70000-C").ExpiryMs, Book.AsOfMs));
        Assert.Equal(Micros.RoundValueDown(-2 * price), r.OptionValueMicros);
        Assert.Equal(Book.Usd6(50_000) + r.OptionValueMicros, r.EquityMmMicros);
    }

    [Fact]
    public void InTheMoneyShortPutUsesFullRate()
    {
        var b = new Book();
        b.Add("BTC-20261225-65000-P", -1m);
        var r = b.Evaluate();
        // OTM for a put = max(0, S − K) = 0 → IM = max(0.15 × 60,000, 6,000) = 9,000; MM = 4,500
        Assert.Equal(Book.Usd6(9_000), r.InitialMarginMicros);
        Assert.Equal(Book.Usd6(4_500), r.MaintenanceMarginMicros);
    }

    [Fact]
    public void LongOptionHasNoRequirementButCountsInEquity()
    {
        var b = new Book();
        b.Add("ETH-20261225-3000-C", 3m);
        var r = b.Evaluate();
        Assert.Equal(0, r.MaintenanceMarginMicros);
        Assert.Equal(0, r.InitialMarginMicros);
        Assert.True(r.OptionValueMicros > 0);
        Assert.Equal(double.PositiveInfinity, r.Health);
    }

    [Fact]
    public void IsolatedPositionIsMarginedAloneAndStaysOutOfThePool()
    {
        var b = new Book().Usd(1_000);
        var i = b.Add("ETH-PERP", -10m, 3_100, isolatedMargin: 2_000);
        var r = b.Evaluate();
        // uPnL = −10 × (3,000 − 3,100) = 1,000 → isolated equity = 2,000 + 1,000 = 3,000
        // N = 30,000: IM = 750 (2.5%), MM = 375 (1.25%)
        Assert.Equal(Book.Usd6(3_000), r.IsolatedEquityMicros[i]);
        Assert.Equal(Book.Usd6(750), r.PositionImMicros[i]);
        Assert.Equal(Book.Usd6(375), r.PositionMmMicros[i]);
        Assert.Equal(0, r.MaintenanceMarginMicros);
        Assert.Equal(0, r.UnrealizedPnlMicros);
        Assert.Equal(Book.Usd6(1_000), r.EquityMmMicros);
    }

    [Fact]
    public void BelowMaintenanceAndBankruptcyAreJudgedOnTheWholeAccount()
    {
        var b = new Book().Usd(1_000);
        b.Add("BTC-PERP", 1m, 61_000); // uPnL −1,000 → E = 0
        b.Add("ETH-PERP", -10m, 2_950); // uPnL −500 → E = −500
        var r = b.Evaluate();
        Assert.Equal(Book.Usd6(-500), r.EquityRawMicros);
        Assert.True(r.BelowMaintenance);
        Assert.True(r.Bankrupt);
    }

    [Fact]
    public void PortfolioModeDoesNotUseLegRequirements()
    {
        var b = new Book();
        b.Account.Mode = MarginMode.Portfolio;
        b.Add("BTC-PERP", 1m, 60_000);
        var r = b.Evaluate();
        // Portfolio scan of a lone perp: 1 × 60,000 × 0.15 = 9,000 (not the 600 of tier 1)
        Assert.Equal(Book.Usd6(9_000), r.MaintenanceMarginMicros);
    }
}

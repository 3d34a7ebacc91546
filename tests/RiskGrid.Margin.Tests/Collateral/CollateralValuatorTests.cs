using RiskGrid.Margin.Collateral;

namespace RiskGrid.Margin.Tests.Collateral;

public sealed class CollateralValuatorTests
{
    [Fact]
    public void HaircutsApplyPerAssetAndUsdCountsInFull()
    {
        var b = new Book().Usd(10_000).Asset("BTC", 0.5m).Asset("ETH", 2m);
        var r = b.Evaluate();
        // BTC 0.5 × 60,000 = 30,000: IM × 0.90 = 27,000, MM × 0.95 = 28,500
        // ETH 2 × 3,000 = 6,000: IM × 0.85 = 5,100, MM × 0.90 = 5,400
        Assert.Equal(Book.Usd6(10_000 + 27_000 + 5_100), r.CollateralImMicros);
        Assert.Equal(Book.Usd6(10_000 + 28_500 + 5_400), r.CollateralMmMicros);
        Assert.Equal(Book.Usd6(46_000), r.CollateralRawMicros);
    }

    [Fact]
    public void SolSizeFactorBitesOnlyForLargeBalances()
    {
        // 1,000 SOL: w1 = 0.75; cap 1.1 / (1 + 0.001 × √1000) = 1.1 / 1.0316228 = 1.0663 → 0.75 binds
        Assert.Equal(0.75, CollateralValuator.Weight(0.75, 1, 0.001, 1_000), 12);
        // 1,000,000 SOL: cap 1.1 / (1 + 0.001 × 1000) = 0.55 < 0.75 → 0.55 binds
        Assert.Equal(0.55, CollateralValuator.Weight(0.75, 1, 0.001, 1_000_000), 12);
        var b = new Book().Asset("SOL", 1_000_000m);
        var r = b.Evaluate();
        // value 150,000,000 × 0.55 = 82,500,000 for IM; MM: min(0.80, 0.55) = 0.55 too
        Assert.Equal(Book.Usd6(82_500_000), r.CollateralImMicros);
        Assert.Equal(Book.Usd6(82_500_000), r.CollateralMmMicros);
    }

    [Fact]
    public void VolatilityScalesTheHaircutNotTheWeight()
    {
        // BTC IM: w1 = 1 − min(1, (1 − 0.90) × 3) = 0.70; MM: 1 − (0.05 × 2) = 0.90
        var b = new Book().Asset("BTC", 1m);
        b.Market.SetMultipliers(b.U("BTC"), 3, 2);
        var r = b.Evaluate();
        Assert.Equal(Book.Usd6(42_000), r.CollateralImMicros);
        Assert.Equal(Book.Usd6(54_000), r.CollateralMmMicros);
        // A haircut never goes past 100 %: (1 − 0.1) × 20 → weight 0
        Assert.Equal(0, CollateralValuator.Weight(0.1, 20, 0, 1));
    }

    [Fact]
    public void NegativeUsdCountsAtFullValue()
    {
        var b = new Book().Usd(-5_000).Asset("BTC", 1m);
        var r = b.Evaluate();
        Assert.Equal(Book.Usd6(-5_000 + 54_000), r.CollateralImMicros);
        Assert.Equal(Book.Usd6(-5_000 + 57_000), r.CollateralMmMicros);
        Assert.Equal(Book.Usd6(55_000), r.CollateralRawMicros);
    }
}

using RiskGrid.Margin.Accounts;

namespace RiskGrid.Margin.Tests.Checks;

public sealed class FillMathTests
{
    private readonly Book _b = new();

    [Fact]
    public void AddingToAPositionAveragesTheEntry()
    {
        var perp = _b.Catalog.Resolve("BTC-PERP");
        // 1 BTC at 60,000 then 3 BTC at 64,000: entry (60,000 + 3 × 64,000) / 4 = 63,000
        var e = FillMath.Apply(perp, 1000, 60_000, 3000, 64_000);
        Assert.Equal(4000, e.NewSizeLots);
        Assert.Equal(63_000, e.NewEntryPrice, 9);
        Assert.Equal(0, e.UsdChangeMicros);
    }

    [Fact]
    public void ReducingRealisesProfitAtTheEntry()
    {
        var perp = _b.Catalog.Resolve("ETH-PERP");
        // short 10 at 3,100, buy back 4 at 3,000: realised 4 × (3,000 − 3,100) × (−1) = 400
        var e = FillMath.Apply(perp, -1000, 3_100, 400, 3_000);
        Assert.Equal(-600, e.NewSizeLots);
        Assert.Equal(3_100, e.NewEntryPrice);
        Assert.Equal(Book.Usd6(400), e.RealisedPnlMicros);
    }

    [Fact]
    public void FillThroughZeroOpensTheRemainderAtTheFillPrice()
    {
        var perp = _b.Catalog.Resolve("BTC-PERP");
        // long 1 at 60,000, sell 3 at 59,000: realised −1,000, then short 2 at 59,000
        var e = FillMath.Apply(perp, 1000, 60_000, -3000, 59_000);
        Assert.Equal(-2000, e.NewSizeLots);
        Assert.Equal(59_000, e.NewEntryPrice);
        Assert.Equal(Book.Usd6(-1_000), e.RealisedPnlMicros);
    }

    [Fact]
    public void OptionPremiumIsSettledIntoUsd()
    {
        var call = _b.Catalog.Resolve("BTC-20261225-60000-C");
        // sell 2 calls (20 lots of 0.1) at 3,250.5: receive 6,501
        var e = FillMath.Apply(call, 0, 0, -20, 3_250.5);
        Assert.Equal(Book.Usd6(6_501), e.PremiumMicros);
        Assert.Equal(0, e.RealisedPnlMicros);
        var buy = FillMath.Apply(call, -20, 3_250.5, 20, 3_000.25);
        Assert.Equal(Book.Usd6(-6_000.5m), buy.PremiumMicros);
        Assert.Equal(0, buy.NewSizeLots);
    }
}

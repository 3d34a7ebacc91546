using CsCheck;

namespace RiskGrid.Margin.Tests.Liquidation;

public sealed class LiquidationPriceFinderTests
{
    [Fact]
    public void LongPerpLiquidationPriceSolvesEquityEqualsMaintenance()
    {
        var b = new Book().Usd(10_000);
        b.Add("BTC-PERP", 1m, 60_000);
        // E_MM − MM = 10,000 + (x − 60,000) − 0.01x = 0 ⇔ 0.99x = 50,000 ⇔ x = 50,505.0505…
        var x = b.PriceFinder.Find(b.Account, b.Market, b.Arrays, b.U("BTC"));
        Assert.Equal(50_000 / 0.99, x, 50_000 / 0.99 * 2e-6);
    }

    [Fact]
    public void ShortPerpLiquidatesOnTheWayUp()
    {
        var b = new Book().Usd(3_000);
        b.Add("ETH-PERP", -10m, 3_000);
        // 3,000 − 10(x − 3,000) − 10x × 0.0125 = 0 ⇔ 33,000 = 10.125x ⇔ x = 3,259.259…
        var x = b.PriceFinder.Find(b.Account, b.Market, b.Arrays, b.U("ETH"));
        Assert.Equal(33_000 / 10.125, x, 33_000 / 10.125 * 2e-6);
    }

    [Fact]
    public void CollateralOnTheSameIndexMovesWithIt()
    {
        var b = new Book().Asset("BTC", 1m);
        b.Add("BTC-PERP", 2m, 60_000);
        // 0.95x + 2(x − 60,000) − 0.02x = 0 ⇔ 2.93x = 120,000 ⇔ x = 40,955.6…
        var x = b.PriceFinder.Find(b.Account, b.Market, b.Arrays, b.U("BTC"));
        Assert.Equal(120_000 / 2.93, x, 120_000 / 2.93 * 2e-6);
    }

    [Fact]
    public void AlreadyLiquidatableAccountReportsTheCurrentIndex()
    {
        var b = new Book().Usd(100);
        b.Add("BTC-PERP", 1m, 60_000);
        Assert.Equal(60_000, b.PriceFinder.Find(b.Account, b.Market, b.Arrays, b.U("BTC")));
    }

    [Fact]
    public void FullyCollateralisedLongHasNoLiquidationPrice()
    {
        var b = new Book().Usd(100_000);
        b.Add("BTC-PERP", 1m, 60_000); // even at 0: 100,000 − 60,000 = 40,000 > 0
        Assert.True(double.IsNaN(b.PriceFinder.Find(b.Account, b.Market, b.Arrays, b.U("BTC"))));
    }

    [Fact]
    public void ReportedLevelIsWhereSurplusChangesSign()
    {
        RandomBooks.Standard.Sample(seed =>
        {
            var b = RandomBooks.Build(seed);
            foreach (var u in new[] { "BTC", "ETH", "SOL" })
            {
                var id = b.U(u);
                var s = b.Market.Index(id);
                var x = b.PriceFinder.Find(b.Account, b.Market, b.Arrays, id);
                if (double.IsNaN(x) || x == s)
                {
                    continue;
                }
                // At the reported level the surplus has the other sign than at the current index; the other end of
                // the final bracket, within the 1e-6 relative precision, still has the current sign.
                var other = b.PriceFinder.LastBracketOtherEnd;
                var atS = Surplus(b, id, s);
                var atX = Surplus(b, id, x);
                var atOther = Surplus(b, id, other);
                b.SetPrice(u, s);
                Assert.True(atX < 0 != atS < 0, $"{u}: level {x} has the current sign (seed {seed})");
                Assert.True(atOther < 0 == atS < 0, $"{u}: bracket end {other} has the other sign (seed {seed})");
                Assert.True(Math.Abs(other - x) <= 1e-6 * Math.Max(x, other), $"{u}: bracket {x}..{other} too wide");
            }
        }, iter: 200);
    }

    private static long Surplus(Book b, int u, double x)
    {
        b.Market.SetIndex(u, x);
        var r = b.Evaluate();
        return r.EquityMmMicros - r.MaintenanceMarginMicros;
    }
}

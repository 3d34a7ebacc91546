using CsCheck;
using RiskGrid.Margin.Oracle;
using RiskGrid.Margin.Parameters;

namespace RiskGrid.Margin.Tests.Oracle;

/// <summary>Invariants of the §8 index that hold for every input.</summary>
public sealed class OracleIndexPropertyTests
{
    private static readonly PriceParams Prices = DefaultRiskParams.Create().Prices;

    private static readonly Gen<double> Price = Gen.Double[1e-4, 1e7];

    /// <summary>One step of a feed: a source, a price (sometimes invalid), a time step in ms, and whether the
    /// oracle is evaluated after it.</summary>
    private static readonly Gen<(int Source, double Price, int StepMs, bool Evaluate)> Step =
        Gen.Select(Gen.Int[0, 4],
            Gen.Frequency((20, Price), (1, Gen.Const(double.NaN)), (1, Gen.Const(-1.0)), (1, Gen.Const(0.0)),
                (1, Gen.Const(double.PositiveInfinity))),
            Gen.Frequency((10, Gen.Int[0, 500]), (1, Gen.Int[500, 5_000])),
            Gen.Bool);

    [Fact]
    public void IndexIsTheMedianAndLiesBetweenTheLowestAndHighestValidPrice()
    {
        Gen.Double[1e-4, 1e7].Array[1, 9].Sample(prices =>
        {
            var o = new OracleIndex(prices.Length, Prices);
            for (var s = 0; s < prices.Length; s++)
            {
                o.OnTick(s, prices[s], 0);
            }
            var index = o.Evaluate(0).Index;
            var sorted = prices.Order().ToArray();
            var n = sorted.Length;
            var median = n % 2 == 1 ? sorted[n / 2] : (sorted[(n / 2) - 1] + sorted[n / 2]) / 2;
            Assert.Equal(median, index);
            Assert.InRange(index, sorted[0], sorted[^1]);
        });
    }

    [Fact]
    public void AMinorityOfSourcesCannotMoveTheIndexOutsideTheRangeOfTheOthers()
    {
        // 2k + 1 sources, k of them print anything at all (valid prices): the median stays within the honest range
        Gen.Int[1, 3].SelectMany(k => Gen.Select(Price.Array[k + 1], Gen.Double[1e-300, 1e300].Array[k]))
            .Sample((honest, rogue) =>
            {
                var o = new OracleIndex(honest.Length + rogue.Length, Prices);
                var s = 0;
                foreach (var p in honest.Concat(rogue))
                {
                    o.OnTick(s++, p, 0);
                }
                Assert.InRange(o.Evaluate(0).Index, honest.Min(), honest.Max());
            });
    }

    [Fact]
    public void StatusAlwaysAgreesWithTheValidSourcesAndTheIndexWithTheirPrices()
    {
        Step.List[1, 200].Sample(steps =>
        {
            var o = new OracleIndex(5, Prices);
            var t = 0L;
            foreach (var (source, price, stepMs, evaluate) in steps)
            {
                t += stepMs;
                o.OnTick(source, price, t);
                if (!evaluate)
                {
                    continue;
                }
                var snap = o.Evaluate(t);
                var valid = Enumerable.Range(0, 5).Where(i => o.IsSourceValid(i, t)).Select(o.LastPrice).ToArray();
                Assert.Equal(valid.Length, snap.ValidSources);
                Assert.Equal(valid.Length < o.MinSources, snap.IsStale);
                Assert.Equal(snap.Status == OracleStatus.Fresh, snap.CanLiquidate);
                if (!snap.IsStale)
                {
                    Assert.InRange(snap.Index, valid.Min(), valid.Max());
                    Assert.Equal(t, snap.LastGoodMs);
                }
            }
        });
    }

    [Fact]
    public void LiquidationWaitsConfirmMsAfterAnyMoveOfMoreThanJumpFraction()
    {
        // a level at base, then a move by a factor beyond ±10 %, held and evaluated at arbitrary times
        var factor = Gen.OneOf(Gen.Double[1.1001, 5], Gen.Double[0.01, 0.8999]);
        Gen.Select(Price, factor, Gen.Int[0, 999].Array[1, 20]).Sample((basePrice, f, offsets) =>
        {
            var o = new OracleIndex(3, Prices);
            Feed(o, 0, basePrice);
            const long jumpMs = 5_000;
            Assert.False(Feed(o, jumpMs, basePrice * f).CanLiquidate);
            foreach (var off in offsets.Order())
            {
                Assert.False(Feed(o, jumpMs + off, basePrice * f).CanLiquidate);
            }
            Assert.True(Feed(o, jumpMs + Prices.ConfirmMs, basePrice * f).CanLiquidate);
        });
    }

    [Fact]
    public void MovesWithinJumpFractionOfEveryRememberedLevelNeverHoldLiquidations()
    {
        // every level within ±4.5 % of the first: any two differ by less than 10 %
        Gen.Select(Price, Gen.Double[0.955, 1.045].Array[1, 100]).Sample((basePrice, moves) =>
        {
            var o = new OracleIndex(3, Prices);
            var t = 0L;
            Feed(o, t, basePrice);
            foreach (var m in moves)
            {
                t += 700;
                Assert.True(Feed(o, t, basePrice * m).CanLiquidate);
            }
        });
    }

    private static OracleSnapshot Feed(OracleIndex o, long t, double price)
    {
        for (var s = 0; s < o.SourceCount; s++)
        {
            o.OnTick(s, price, t);
        }
        return o.Evaluate(t);
    }
}

using CsCheck;
using RiskGrid.Margin.Accounts;
using RiskGrid.Margin.Liquidation;

namespace RiskGrid.Margin.Tests.Liquidation;

public sealed class LiquidationPlannerTests
{
    [Fact]
    public void HealthyAccountGetsAnEmptyPlan()
    {
        var b = new Book().Usd(10_000);
        b.Add("BTC-PERP", 1m, 60_000);
        var plan = new LiquidationPlan();
        b.Planner.Plan(b.Account, b.Market, b.Arrays, plan);
        Assert.Equal(LiquidationKind.None, plan.Kind);
        Assert.Equal(0, plan.Count);
    }

    [Fact]
    public void PartialLiquidationClosesTheFewestLotsThatRestoreTargetHealth()
    {
        var b = new Book().Usd(1_000);
        b.Add("BTC-PERP", 1m, 60_000);
        b.SetPrice("BTC", 59_500);
        // E_MM = 1,000 − 500 = 500; MM = 59,500 × 0.01 = 595; health 0.84 (partial: above 2/3)
        // Closing k lots of 0.001: E drops by slippage 0.0595k + fee 0.2975k; MM = 595 − 0.595k
        // 500 − 0.357k ≥ 1.1 × (595 − 0.595k) ⇔ 0.2975k ≥ 154.5 ⇔ k ≥ 519.33 → 520 lots = 0.52 BTC
        var plan = new LiquidationPlan();
        b.Planner.Plan(b.Account, b.Market, b.Arrays, plan);
        Assert.Equal(LiquidationKind.Partial, plan.Kind);
        var step = Assert.Single(plan.Steps.ToArray());
        Assert.Equal(520, step.ReduceLots);
        Assert.Equal(59_500 * 0.999, step.Price, 9);
        Assert.Equal(Book.Usd6(154.7m), step.FeeMicros); // 0.005 × 0.52 × 59,500
        Assert.Equal(Book.Usd6(30.94m), step.SlippageMicros); // 0.001 × 0.52 × 59,500
        // health after: (500 − 185.64) / (0.48 × 595) = 314.36 / 285.6 = 1.1007
        Assert.Equal(314.36 / 285.6, plan.HealthAfter, 9);
    }

    [Fact]
    public void LargestMaintenancePositionIsReducedFirst()
    {
        var b = new Book().Usd(3_000);
        b.Add("ETH-PERP", 10m, 3_000); // MM 30,000 × 0.0125 = 375
        b.Add("BTC-PERP", 1m, 62_500); // MM 600, uPnL −2,500
        // E = 500, MM = 975 → health 0.51 < 2/3: backstop closes all, BTC (larger MM) first
        var plan = new LiquidationPlan();
        b.Planner.Plan(b.Account, b.Market, b.Arrays, plan);
        Assert.Equal(LiquidationKind.Backstop, plan.Kind);
        Assert.Equal(["BTC-PERP", "ETH-PERP"], plan.Steps.ToArray().Select(s => b.Catalog[s.Instrument].Name));
        Assert.Equal(1000, plan.Steps[0].ReduceLots);
        Assert.Equal(1000, plan.Steps[1].ReduceLots);
    }

    [Fact]
    public void FeeIsCappedByTheRawEquityLeft()
    {
        var b = new Book().Usd(100);
        b.Add("BTC-PERP", 1m, 60_050); // E_raw = 100 − 50 = 50
        b.SetPrice("BTC", 60_000);
        var plan = new LiquidationPlan();
        b.Planner.Plan(b.Account, b.Market, b.Arrays, plan);
        // backstop (health 50 / 600): slippage 60 > raw equity 50 → fee 0
        Assert.Equal(LiquidationKind.Backstop, plan.Kind);
        Assert.Equal(Book.Usd6(60), plan.Steps[0].SlippageMicros);
        Assert.Equal(0, plan.Steps[0].FeeMicros);
    }

    [Fact]
    public void BankruptAccountClosesEverythingLongOptionsLast()
    {
        var b = new Book().Usd(500);
        b.Add("BTC-PERP", 1m, 61_000); // uPnL −1,000 → E_raw < 0
        b.Add("BTC-20261225-60000-C", 0.1m); // long option: no MM
        var plan = new LiquidationPlan();
        b.Planner.Plan(b.Account, b.Market, b.Arrays, plan);
        Assert.Equal(LiquidationKind.Bankrupt, plan.Kind);
        Assert.Equal(["BTC-PERP", "BTC-20261225-60000-C"], plan.Steps.ToArray().Select(s => b.Catalog[s.Instrument].Name));
    }

    [Fact]
    public void IsolatedPositionsAreNeverInTheCrossPlan()
    {
        var b = new Book().Usd(100);
        b.Add("ETH-PERP", -10m, 3_000, isolatedMargin: 1);
        b.Add("BTC-PERP", 1m, 60_500);
        var plan = new LiquidationPlan();
        b.Planner.Plan(b.Account, b.Market, b.Arrays, plan);
        Assert.All(plan.Steps.ToArray(), s => Assert.Equal("BTC-PERP", b.Catalog[s.Instrument].Name));
    }

    [Fact]
    public void PartialPlanReachesTargetAndNoFewerLotsWould()
    {
        RandomBooks.Standard.Sample(seed =>
        {
            var b = RandomBooks.Build(seed);
            var plan = new LiquidationPlan();
            b.Planner.Plan(b.Account, b.Market, b.Arrays, plan);
            if (plan.Kind != LiquidationKind.Partial)
            {
                return;
            }
            var target = b.Params.Liquidation.TargetHealth;
            var after = PlanMath.ApplyAll(b, plan, plan.Count);
            Assert.True(after >= target, $"health {after} < {target} after the plan (seed {seed})");
            var last = plan.Steps[plan.Count - 1];
            if (last.ReduceLots > 1 && PlanMath.LeftPosition(b, plan))
            {
                var fewer = PlanMath.ApplyAll(b, plan, plan.Count, lastLotsOverride: last.ReduceLots - 1);
                Assert.True(fewer < target, $"one lot fewer still reaches {fewer} (seed {seed})");
            }
        }, iter: 400);
    }

    [Fact]
    public void ClosingNeverCreatesMoney()
    {
        RandomBooks.Standard.Sample(seed =>
        {
            var b = RandomBooks.Build(seed);
            var plan = new LiquidationPlan();
            b.Planner.Plan(b.Account, b.Market, b.Arrays, plan);
            if (plan.Count == 0)
            {
                return;
            }
            var before = b.Evaluate();
            var emmBefore = before.EquityMmMicros;
            var rawBefore = before.EquityRawMicros;
            long slippage = 0, fees = 0;
            foreach (var s in plan.Steps)
            {
                Assert.True(s.FeeMicros >= 0);
                Assert.True(s.SlippageMicros >= 0);
                slippage += s.SlippageMicros;
                fees += s.FeeMicros;
            }
            var after = PlanMath.Apply(b, plan, plan.Count).Result;
            // E_MM (and raw equity) fall by exactly slippage + fee; the fees are what the fund receives.
            Assert.Equal(emmBefore - slippage - fees, after.EquityMmMicros);
            Assert.Equal(rawBefore - slippage - fees, after.EquityRawMicros);
            Assert.Equal(fees, plan.TotalFeeMicros);
            if (rawBefore >= 0)
            {
                // Fees are capped by the raw equity left: only slippage can open a deficit.
                Assert.True(after.EquityRawMicros >= -slippage, $"fees drove raw equity negative (seed {seed})");
            }
        }, iter: 400);
    }

    [Fact]
    public void PortfolioPlanReachesTargetGreedily()
    {
        RandomBooks.Standard.Sample(seed =>
        {
            var b = RandomBooks.Build(seed);
            b.Account.Mode = MarginMode.Portfolio;
            var plan = new LiquidationPlan();
            b.Planner.Plan(b.Account, b.Market, b.Arrays, plan);
            if (plan.Kind != LiquidationKind.Partial)
            {
                return;
            }
            var after = PlanMath.ApplyAll(b, plan, plan.Count);
            Assert.True(after >= b.Params.Liquidation.TargetHealth, $"health {after} (seed {seed})");
        }, iter: 150);
    }
}

/// <summary>Applies a plan to a copy of the book's account with the close rules of §9, recomputed independently.</summary>
internal static class PlanMath
{
    public static double ApplyAll(Book b, LiquidationPlan plan, int steps, long? lastLotsOverride = null) =>
        Apply(b, plan, steps, lastLotsOverride).Health;

    public static (double Health, Evaluation.MarginResult Result) Apply(Book b, LiquidationPlan plan, int steps,
        long? lastLotsOverride = null)
    {
        var copy = new SubAccountPortfolio(b.Params);
        copy.CopyFrom(b.Account);
        var raw = b.Evaluate().EquityRawMicros;
        var liq = b.Params.Liquidation;
        for (var k = 0; k < steps; k++)
        {
            var s = plan.Steps[k];
            var lots = k == steps - 1 && lastLotsOverride is { } o ? o : s.ReduceLots;
            ref var pos = ref copy[s.PositionIndex];
            var ins = b.Catalog[pos.Instrument];
            var mark = b.Arrays.Mark(pos.Instrument);
            var sign = Math.Sign(pos.SizeLots);
            var before = Value(ins, pos.SizeLots, pos.EntryPrice, mark);
            var after = Value(ins, pos.SizeLots - sign * lots, pos.EntryPrice, mark);
            var units = lots * ins.LotSize;
            var slip = Micros.RoundRequirementUp(units * mark * liq.LiquidationSlippage);
            var notional = units * (ins.IsLinear ? mark : b.Market.Index(ins.UnderlyingId));
            var fee = Math.Min(Micros.RoundRequirementUp(notional * liq.LiquidationFee), Math.Max(0, raw - slip));
            if (lots == s.ReduceLots)
            {
                Assert.Equal(s.SlippageMicros, slip);
                Assert.Equal(s.FeeMicros, fee);
                Assert.Equal(s.UsdChangeMicros, before - after - slip);
                Assert.Equal(mark * (1 - sign * liq.LiquidationSlippage), s.Price, 9);
            }
            pos.SizeLots -= sign * lots;
            copy.Balances[0] += before - after - slip - fee;
            raw -= slip + fee;
        }
        var result = new Evaluation.MarginResult(b.Params.Underlyings.Count);
        b.Evaluator.Evaluate(copy, b.Market, b.Arrays, result);
        return (result.Health, result);
    }

    public static bool LeftPosition(Book b, LiquidationPlan plan)
    {
        var last = plan.Steps[plan.Count - 1];
        return Math.Abs(b.Account[last.PositionIndex].SizeLots) > last.ReduceLots;
    }

    private static long Value(Instruments.Instrument ins, long lots, double entry, double mark)
    {
        var q = lots * ins.LotSize;
        return ins.IsLinear ? Micros.RoundValueDown(q * (mark - entry)) : Micros.RoundValueDown(q * mark);
    }
}

using RiskGrid.Margin.Accounts;
using RiskGrid.Margin.Evaluation;
using RiskGrid.Margin.Instruments;
using RiskGrid.Margin.Market;
using RiskGrid.Margin.Parameters;
using RiskGrid.Margin.Portfolio;
using RiskGrid.Margin.Pricing;

namespace RiskGrid.Margin.Tests.Portfolio;

/// <summary>Hand-computed §6 cases at BTC 60,000 / ETH 3,000 / SOL 150, σ 0.55 / 0.70 / 0.90, v = 1.</summary>
public sealed class PortfolioMarginCalculatorTests
{
    private const long Usd = Micros.PerUnit;

    // 2026-12-25T08:00Z − 2026-11-21T00:00Z = 34 d 8 h = 824 h; T = 824 / 8760 = 0.0940639... years.
    private static readonly double DecemberYears =
        (new DateTimeOffset(2026, 12, 25, 8, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds() - PortfolioBook.AsOfMs)
        / (365.0 * 24 * 3600 * 1000);

    // 2026-11-27T08:00Z − 2026-11-21T00:00Z = 6 d 8 h = 152 h; T = 152 / 8760 = 0.0173516 years.
    private static readonly double NovemberYears =
        (new DateTimeOffset(2026, 11, 27, 8, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds() - PortfolioBook.AsOfMs)
        / (365.0 * 24 * 3600 * 1000);

    [Fact]
    public void LoneBtcPerpIsMarginedAtTheFullScanRange()
    {
        // q = 1000 lots × 0.001 = 1 BTC long at S = 60,000, P = 0.15 × v^MM (1) = 0.15.
        // Worst scan: −P → 1 × 60,000 × −0.15 = −9,000, so scan = 9,000.
        // Extremes: ±2P = ±0.30 → loss 18,000 × extremeCoverage 0.35 = 6,300 < 9,000: scan stays 9,000.
        // No options: som = 0, R = 9,000, no pair: credit 0. MM = 9,000.
        // IM: v^IM = 1 gives the same 9,000, × imMultiplier 1.3 = 11,700.
        var book = new PortfolioBook().Add("BTC-PERP", 1000, 60_000);
        var r = book.Evaluate();
        var btc = book.Id("BTC");

        Assert.Equal(9_000 * Usd, r.MaintenanceMarginMicros);
        Assert.Equal(11_700 * Usd, r.InitialMarginMicros);
        Assert.True(r.GroupPresent[btc]);
        Assert.Equal(9_000 * Usd, r.GroupScanMicros[btc]);
        Assert.Equal(0, r.GroupShortOptionMinimumMicros[btc]);
        Assert.Equal(60_000, r.GroupNetDeltaUsd[btc], 9);
        Assert.Equal(0, r.CreditMicros);
        Assert.False(r.GroupPresent[book.Id("ETH")]);
    }

    [Fact]
    public void LoneShortBtcPerpLosesOnTheUpMove()
    {
        // q = −0.5 BTC: +P → −0.5 × 60,000 × 0.15 = −4,500 → MM 4,500, IM 4,500 × 1.3 = 5,850, D = −30,000.
        var book = new PortfolioBook().Add("BTC-PERP", -500, 60_000);
        var r = book.Evaluate();

        Assert.Equal(4_500 * Usd, r.MaintenanceMarginMicros);
        Assert.Equal(5_850 * Usd, r.InitialMarginMicros);
        Assert.Equal(-30_000, r.GroupNetDeltaUsd[book.Id("BTC")], 9);
    }

    [Fact]
    public void VolatilityMultipliersWidenTheScanRangeOfEachRequirement()
    {
        // v^MM = 2: P = 0.15 × 2 = 0.30 → scan = 1 × 60,000 × 0.30 = 18,000;
        //   extremes ±0.60 → 36,000 × 0.35 = 12,600 < 18,000. MM = 18,000.
        // v^IM = 2.5: P = 0.375 → 22,500; extremes ±0.75 → 45,000 × 0.35 = 15,750 < 22,500.
        //   IM = 22,500 × 1.3 = 29,250.
        var book = new PortfolioBook().Add("BTC-PERP", 1000, 60_000);
        book.Market.SetMultipliers(book.Id("BTC"), initial: 2.5, maintenance: 2);
        var r = book.Evaluate();

        Assert.Equal(18_000 * Usd, r.MaintenanceMarginMicros);
        Assert.Equal(29_250 * Usd, r.InitialMarginMicros);
        Assert.Equal(18_000 * Usd, r.GroupScanMicros[book.Id("BTC")]);
    }

    [Fact]
    public void OppositeBtcAndEthDeltasEarnTheFiftyPercentPairCredit()
    {
        // BTC: +1 BTC → D = +60,000, scan = 60,000 × 0.15 = 9,000.
        // ETH: −10 ETH (1000 lots × 0.01) at 3,000 → D = −30,000, P = 0.20 → scan = 30,000 × 0.20 = 6,000
        //   (extremes ±0.40 → 12,000 × 0.35 = 4,200 < 6,000).
        // Pair (BTC, ETH, 0.50): m = min(60,000, 30,000) = 30,000;
        //   credit = 0.5 × (9,000 × 30,000/60,000 + 6,000 × 30,000/30,000) = 0.5 × (4,500 + 6,000) = 5,250.
        // Later pairs involve SOL (no group). ΣR = 15,000; MM = max(15,000 − 5,250, 0) = 9,750.
        // IM: the same at v^IM = 1 → 9,750 × 1.3 = 12,675.
        var book = new PortfolioBook().Add("BTC-PERP", 1000, 60_000).Add("ETH-PERP", -1000, 3_000);
        var r = book.Evaluate();

        Assert.Equal(5_250 * Usd, r.CreditMicros);
        Assert.Equal(9_750 * Usd, r.MaintenanceMarginMicros);
        Assert.Equal(12_675 * Usd, r.InitialMarginMicros);
        Assert.Equal(9_000 * Usd, r.GroupScanMicros[book.Id("BTC")]);
        Assert.Equal(6_000 * Usd, r.GroupScanMicros[book.Id("ETH")]);
        Assert.Equal(-30_000, r.GroupNetDeltaUsd[book.Id("ETH")], 9);
    }

    [Fact]
    public void DeltasOfTheSameSignEarnNoCredit()
    {
        // +1 BTC (scan 9,000) and +10 ETH (scan 6,000): D_BTC × D_ETH > 0 → credit 0, MM = 15,000.
        var book = new PortfolioBook().Add("BTC-PERP", 1000, 60_000).Add("ETH-PERP", 1000, 3_000);
        var r = book.Evaluate();

        Assert.Equal(0, r.CreditMicros);
        Assert.Equal(15_000 * Usd, r.MaintenanceMarginMicros);
    }

    [Fact]
    public void CreditPairsAreConsumedInTheOrderListed()
    {
        // BTC +1 → D = +60,000, scan 9,000. ETH −20 at 3,000 → D = −60,000, scan 60,000 × 0.20 = 12,000.
        // SOL −200 (2000 lots × 0.1) at 150 → D = −30,000, P = 0.25 → scan 7,500 (extremes 15,000 × 0.35 = 5,250).
        // ΣR = 9,000 + 12,000 + 7,500 = 28,500.
        // Default order: (BTC, ETH, 0.5) m = 60,000 → 0.5 × (9,000 + 12,000) = 10,500, BTC fully consumed;
        //   (BTC, SOL, 0.3) m = min(0, 30,000) = 0; (ETH, SOL) same sign. Credit 10,500, MM = 18,000.
        var book = new PortfolioBook()
            .Add("BTC-PERP", 1000, 60_000).Add("ETH-PERP", -2000, 3_000).Add("SOL-PERP", -2000, 150);
        var r = book.Evaluate();

        Assert.Equal(10_500 * Usd, r.CreditMicros);
        Assert.Equal(18_000 * Usd, r.MaintenanceMarginMicros);

        // Reversed order (BTC, SOL, 0.3) first: m = 30,000 → 0.3 × (9,000 × 30,000/60,000 + 7,500 × 1) = 3,600;
        //   then (BTC, ETH, 0.5): m = min(30,000, 60,000) = 30,000
        //   → 0.5 × (9,000 × 30,000/60,000 + 12,000 × 30,000/60,000) = 0.5 × (4,500 + 6,000) = 5,250.
        //   Credit 8,850, MM = 28,500 − 8,850 = 19,650.
        var d = DefaultRiskParams.Create();
        var reordered = RiskParams.Create(d.Assets, d.Underlyings,
            new PortfolioParams(1.3, [new CreditPair("BTC", "SOL", 0.30), new CreditPair("BTC", "ETH", 0.50)]),
            d.Liquidation, d.Prices, d.Volatility);
        var other = new PortfolioBook(reordered)
            .Add("BTC-PERP", 1000, 60_000).Add("ETH-PERP", -2000, 3_000).Add("SOL-PERP", -2000, 150);
        var o = other.Evaluate();

        Assert.Equal(8_850 * Usd, o.CreditMicros);
        Assert.Equal(19_650 * Usd, o.MaintenanceMarginMicros);
    }

    [Fact]
    public void DeepOutOfTheMoneyShortCallIsHeldAtTheShortOptionMinimum()
    {
        // Short 1 BTC (10 lots × 0.1) of the 200,000 call, S = 60,000, T = 0.094: worthless in every scenario
        // (at +15%, σ 0.715 it is worth ≈ 0.003 per unit), so scan ≈ 0.
        // som = 0.01 × 60,000 × 1 = 600 → R = 600; Σsom = 600 → MM = 600.
        // IM = 600 × 1.3 = 780 (v^IM = 1, so the IM som is the same 600).
        var book = new PortfolioBook().Add("BTC-20261225-200000-C", -10);
        var r = book.Evaluate();
        var btc = book.Id("BTC");
        var worstScan = Black76.Price(true, 69_000, 200_000, 0.55 * 1.3, DecemberYears)
                        - Black76.Price(true, 60_000, 200_000, 0.55, DecemberYears);

        Assert.True(worstScan < 0.01);
        Assert.Equal(600 * Usd, r.GroupShortOptionMinimumMicros[btc]);
        Assert.True(r.GroupScanMicros[btc] < r.GroupShortOptionMinimumMicros[btc]);
        Assert.Equal(600 * Usd, r.MaintenanceMarginMicros);
        Assert.Equal(780 * Usd, r.InitialMarginMicros);
    }

    [Fact]
    public void ShortStraddleIsHeldAtItsWorstScenarioLoss()
    {
        // Short 1 BTC each of the 60,000 call and put, S = 60,000, σ = 0.55, T = 0.094:
        // C = P ≈ 4,032.93 each (ATM at zero rate), straddle ≈ 8,065.86.
        // Worst of the 45: +P (S' = 69,000) with σ' = 0.55 × 1.3 = 0.715 → straddle ≈ 13,462.63, loss ≈ 5,396.76.
        // Extremes (±30%, σ unchanged) ≈ 0.35 × 10,039 ≈ 3,514 and 0.35 × 10,528 ≈ 3,685: below the scan.
        // som = 0.01 × 60,000 × 2 = 1,200 < scan → MM = scan ≈ 5,396.76, IM = 1.3 × scan (v^IM = 1).
        var book = new PortfolioBook().Add("BTC-20261225-60000-C", -10).Add("BTC-20261225-60000-P", -10);
        var r = book.Evaluate();

        var now = Straddle(60_000, 0.55);
        var worst = 0.0;
        foreach (var volMove in new[] { -0.20, 0, 0.30 })
        {
            for (var k = -7; k <= 7; k++)
            {
                worst = Math.Max(worst, Straddle(60_000 * (1 + 0.15 * k / 7.0), 0.55 * (1 + volMove)) - now);
            }
        }
        var extreme = 0.35 * Math.Max(Straddle(42_000, 0.55) - now, Straddle(78_000, 0.55) - now);
        var scan = Math.Max(worst, extreme);

        Assert.InRange(worst, 5_396.7, 5_396.8);
        Assert.True(extreme < worst);
        Assert.Equal(Micros.RoundRequirementUp(scan), r.GroupScanMicros[book.Id("BTC")]);
        Assert.Equal(1_200 * Usd, r.GroupShortOptionMinimumMicros[book.Id("BTC")]);
        Assert.Equal(Micros.RoundRequirementUp(scan), r.MaintenanceMarginMicros);
        Assert.Equal(Micros.RoundRequirementUp(scan * 1.3), r.InitialMarginMicros);

        static double Straddle(double s, double sigma) =>
            Black76.Price(true, s, 60_000, sigma, DecemberYears) + Black76.Price(false, s, 60_000, sigma, DecemberYears);
    }

    [Fact]
    public void ExtremeMoveBindsForADeepOutOfTheMoneyShortPut()
    {
        // Short 1 BTC of the 45,000 put expiring 2026-11-27 (T = 0.01735), S = 60,000, σ = 0.55: worth ≈ 0.03.
        // Worst of the 45: −P (S' = 51,000), σ' = 0.715 → ≈ 192.96, loss ≈ 192.93.
        // Extreme −2P (S' = 42,000, σ = 0.55): ≈ 3,287.02 → loss ≈ 3,286.99 × 0.35 ≈ 1,150.45 > 192.93.
        // som = 0.01 × 60,000 × 1 = 600 < 1,150.45 → MM = scan ≈ 1,150.45; IM = 1.3 × that (v^IM = 1).
        var book = new PortfolioBook().Add("BTC-20261127-45000-P", -10);
        var r = book.Evaluate();

        var now = Black76.Price(false, 60_000, 45_000, 0.55, NovemberYears);
        var worst = 0.0;
        foreach (var volMove in new[] { -0.20, 0, 0.30 })
        {
            for (var k = -7; k <= 7; k++)
            {
                var s = 60_000 * (1 + 0.15 * k / 7.0);
                worst = Math.Max(worst, Black76.Price(false, s, 45_000, 0.55 * (1 + volMove), NovemberYears) - now);
            }
        }
        var extreme = 0.35 * (Black76.Price(false, 42_000, 45_000, 0.55, NovemberYears) - now);

        Assert.InRange(worst, 192, 194);
        Assert.InRange(extreme, 1_150, 1_151);
        Assert.Equal(Micros.RoundRequirementUp(extreme), r.GroupScanMicros[book.Id("BTC")]);
        Assert.Equal(Micros.RoundRequirementUp(extreme), r.MaintenanceMarginMicros);
        Assert.Equal(Micros.RoundRequirementUp(extreme * 1.3), r.InitialMarginMicros);
    }

    [Fact]
    public void IsolatedPositionsStayOutsideThePortfolio()
    {
        // The isolated BTC perp is margined alone (§5); the pool holds only −10 ETH: scan 6,000, MM 6,000.
        var book = new PortfolioBook().Add("ETH-PERP", -1000, 3_000);
        var isolated = new Position(book.Catalog.Resolve("BTC-PERP").Id, 1000, 60_000)
        {
            IsIsolated = true,
            IsolatedMarginMicros = 2_000 * Usd,
        };
        book.Account.Add(isolated);
        var r = book.Evaluate();

        Assert.False(r.GroupPresent[book.Id("BTC")]);
        Assert.Equal(0, r.CreditMicros);
        Assert.Equal(6_000 * Usd, r.MaintenanceMarginMicros);
        Assert.Equal(7_800 * Usd, r.InitialMarginMicros);
    }

    [Fact]
    public void MaintenanceWithoutAPositionMatchesClosingIt()
    {
        // Closing the ETH short leaves the lone BTC perp: 9,000. Closing the BTC perp leaves ETH: 6,000.
        var book = new PortfolioBook().Add("BTC-PERP", 1000, 60_000).Add("ETH-PERP", -1000, 3_000);
        var calculator = new PortfolioMarginCalculator(book.Catalog);

        Assert.Equal(9_000 * Usd, calculator.MaintenanceWithoutPosition(book.Account, book.Market, book.Arrays, 1));
        Assert.Equal(6_000 * Usd, calculator.MaintenanceWithoutPosition(book.Account, book.Market, book.Arrays, 0));
    }

    [Fact]
    public void ManyUnderlyingsAreMarginedLikeFew()
    {
        // Twelve copies of BTC's parameters (more than the stack buffer holds): a +1 perp on the last at 100
        // → scan 1 × 100 × 0.15 = 15; a −2 perp on the first at 50 → scan 2 × 50 × 0.15 = 15; no pairs.
        // MM = 30, IM = 39.
        var d = DefaultRiskParams.Create();
        var btc = d.Underlyings[d.UnderlyingId("BTC")];
        var underlyings = new UnderlyingParams[12];
        for (var i = 0; i < underlyings.Length; i++)
        {
            underlyings[i] = btc with { Name = "U" + i };
        }
        var p = RiskParams.Create([d.Assets[0]], underlyings, new PortfolioParams(1.3, []), d.Liquidation, d.Prices,
            d.Volatility);
        var catalog = new InstrumentCatalog(p);
        var market = new MarketState(p);
        market.SetAsOf(PortfolioBook.AsOfMs);
        for (var i = 0; i < underlyings.Length; i++)
        {
            market.SetIndex(i, i == 0 ? 50 : 100);
            market.SetVolatility(i, 0.5);
        }
        var account = new SubAccountPortfolio(p) { Mode = MarginMode.Portfolio };
        account.Add(new Position(catalog.Resolve("U11-PERP").Id, 1000, 100));
        account.Add(new Position(catalog.Resolve("U0-PERP").Id, -2000, 50));
        var result = new MarginResult(underlyings.Length);
        new MarginEvaluator(catalog).Evaluate(account, market, new RiskArrays(catalog), result);

        Assert.Equal(30 * Usd, result.MaintenanceMarginMicros);
        Assert.Equal(39 * Usd, result.InitialMarginMicros);
        Assert.Equal(15 * Usd, result.GroupScanMicros[11]);
        Assert.Equal(-100, result.GroupNetDeltaUsd[0], 9);
    }

    [Fact]
    public void EvaluatingAPortfolioAllocatesNothing()
    {
        var book = new PortfolioBook()
            .Add("BTC-PERP", 1000, 60_000).Add("ETH-PERP", -2000, 3_000).Add("SOL-PERP", -2000, 150)
            .Add("BTC-20261225-60000-C", -10).Add("ETH-20261225-3000-P", 5);
        var calculator = new PortfolioMarginCalculator(book.Catalog);
        var result = book.Evaluate();

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            calculator.Evaluate(book.Account, book.Market, book.Arrays, result);
            calculator.MaintenanceWithoutPosition(book.Account, book.Market, book.Arrays, 0);
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }
}

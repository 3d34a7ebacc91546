using CsCheck;
using RiskGrid.Margin.Evaluation;
using RiskGrid.Margin.Instruments;
using RiskGrid.Margin.Parameters;
using RiskGrid.Margin.Portfolio;

namespace RiskGrid.Margin.Tests.Portfolio;

/// <summary>Invariants of §6 over random books and markets.</summary>
public sealed class PortfolioMarginPropertyTests
{
    private const int Iterations = 300;

    private static readonly InstrumentCatalog Catalog = new(DefaultRiskParams.Create());

    private static readonly string[] Linear =
        ["BTC-PERP", "ETH-PERP", "SOL-PERP", "BTC-20261225", "ETH-20261225", "SOL-20261225"];

    private static readonly string[] Instruments =
    [
        .. Linear,
        "BTC-20261225-60000-C", "BTC-20261225-50000-P", "BTC-20261127-70000-C", "BTC-20261127-55000-P",
        "ETH-20261225-3000-P", "ETH-20261225-3500-C", "SOL-20261225-150-C", "SOL-20261127-120-P",
    ];

    static PortfolioMarginPropertyTests()
    {
        foreach (var name in Instruments)
        {
            Catalog.Resolve(name);
        }
    }

    // Prices, volatilities and multipliers per underlying; v^IM ≥ v^MM as §7 keeps them.
    private static readonly Gen<MarketCase> GenMarket =
        Gen.Select(Gen.Double[20_000, 120_000], Gen.Double[1_000, 6_000], Gen.Double[30, 400],
                Gen.Double[0.2, 1.5].Array[3], Gen.Double[1, 3].Array[3], Gen.Double[0, 1].Array[3])
            .Select((btc, eth, sol, vols, vMm, lift) => new MarketCase([btc, eth, sol], vols, vMm, lift));

    private static readonly Gen<(int Instrument, long Lots)[]> GenBook =
        Gen.Select(Gen.Int[0, Instruments.Length - 1], Gen.Long[-5_000, 5_000]).Array[1, 6];

    private static readonly Gen<(int Instrument, long Lots)[]> GenLinearBook =
        Gen.Select(Gen.Int[0, Linear.Length - 1], Gen.Long[-5_000, 5_000]).Array[1, 6];

    [Fact]
    public void MaintenanceIsNeverBelowTheSumOfShortOptionMinimums()
    {
        Gen.Select(GenMarket, GenBook).Sample((market, positions) =>
        {
            var r = Build(market, positions, Instruments).Evaluate();
            long somSum = 0;
            for (var g = 0; g < r.GroupShortOptionMinimumMicros.Length; g++)
            {
                somSum += r.GroupShortOptionMinimumMicros[g];
            }
            // Each reported som_g is rounded up on its own (< 1 micro each); MM is rounded once.
            Assert.True(r.MaintenanceMarginMicros + 3 >= somSum, $"MM {r.MaintenanceMarginMicros} < Σsom {somSum}");
        }, iter: Iterations);
    }

    [Fact]
    public void MaintenanceIsNonNegativeAndInitialIsAtLeastMaintenance()
    {
        Gen.Select(GenMarket, GenBook).Sample((market, positions) =>
        {
            var r = Build(market, positions, Instruments).Evaluate();
            Assert.True(r.MaintenanceMarginMicros >= 0);
            Assert.True(r.CreditMicros >= 0);
            Assert.True(r.InitialMarginMicros >= r.MaintenanceMarginMicros,
                $"IM {r.InitialMarginMicros} < MM {r.MaintenanceMarginMicros}");
        }, iter: Iterations);
    }

    [Fact]
    public void PerpHedgedByAnEqualAndOppositeFutureNeedsNoMargin()
    {
        Gen.Select(GenMarket, Gen.Int[0, 2], Gen.Long[-100_000, 100_000]).Sample((market, underlying, lots) =>
        {
            // Perp and future of one underlying share the index: every scenario PnL is q·x − q·x = 0.
            var name = Catalog.Params.Underlyings[underlying].Name;
            var book = Build(market, [], Instruments).Add(name + "-PERP", lots).Add(name + "-20261225", -lots);
            var r = book.Evaluate();
            Assert.Equal(0, r.MaintenanceMarginMicros);
            Assert.Equal(0, r.InitialMarginMicros);
            Assert.Equal(0, r.GroupScanMicros[underlying]);
            Assert.Equal(0, r.GroupNetDeltaUsd[underlying]);
        }, iter: Iterations);
    }

    [Fact]
    public void ScalingALinearBookScalesItsRequirement()
    {
        Gen.Select(GenMarket, GenLinearBook, Gen.Int[2, 20]).Sample((market, positions, k) =>
        {
            var one = Build(market, positions, Linear).Evaluate();
            var scaled = new (int, long)[positions.Length];
            for (var i = 0; i < positions.Length; i++)
            {
                scaled[i] = (positions[i].Instrument, positions[i].Lots * k);
            }
            var many = Build(market, scaled, Linear).Evaluate();
            // One rounding up of at most a micro, multiplied by k, plus the scaled book's own rounding.
            AssertScaled(one.MaintenanceMarginMicros, many.MaintenanceMarginMicros, k);
            AssertScaled(one.InitialMarginMicros, many.InitialMarginMicros, k);
        }, iter: Iterations);
    }

    [Fact]
    public void MaintenanceWithoutAPositionEqualsEvaluatingTheAccountWithoutIt()
    {
        Gen.Select(GenMarket, GenBook).Sample((market, positions) =>
        {
            var book = Build(market, positions, Instruments);
            var calculator = new PortfolioMarginCalculator(Catalog);
            for (var i = 0; i < positions.Length; i++)
            {
                var expected = Build(market, Without(positions, i), Instruments).Evaluate().MaintenanceMarginMicros;
                Assert.Equal(expected, calculator.MaintenanceWithoutPosition(book.Account, book.Market, book.Arrays, i));
            }
        }, iter: Iterations);
    }

    private static void AssertScaled(long one, long many, int k)
    {
        var tolerance = k + 1 + many * 1e-12;
        Assert.True(Math.Abs(many - (double)one * k) <= tolerance, $"{many} vs {k} × {one}");
    }

    private static (int, long)[] Without((int Instrument, long Lots)[] positions, int index)
    {
        var rest = new (int, long)[positions.Length - 1];
        for (int i = 0, j = 0; i < positions.Length; i++)
        {
            if (i != index)
            {
                rest[j++] = positions[i];
            }
        }
        return rest;
    }

    private static PortfolioBook Build(MarketCase market, (int Instrument, long Lots)[] positions, string[] names)
    {
        var book = new PortfolioBook(Catalog);
        var parameters = Catalog.Params;
        for (var g = 0; g < 3; g++)
        {
            book.SetUnderlying(parameters.Underlyings[g].Name, market.Index[g], market.Vol[g]);
            var vMm = market.VMm[g];
            book.Market.SetMultipliers(g, vMm + market.Lift[g] * (3 - vMm), vMm);
        }
        foreach (var (instrument, lots) in positions)
        {
            book.Add(names[instrument], lots, market.Index[Catalog.Resolve(names[instrument]).UnderlyingId]);
        }
        return book;
    }

    private sealed record MarketCase(double[] Index, double[] Vol, double[] VMm, double[] Lift);
}

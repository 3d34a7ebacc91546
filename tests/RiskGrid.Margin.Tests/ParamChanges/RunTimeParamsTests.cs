using RiskGrid.Margin.Accounts;
using RiskGrid.Margin.Instruments;
using RiskGrid.Margin.Market;
using RiskGrid.Margin.Oracle;
using RiskGrid.Margin.Parameters;
using RiskGrid.Margin.Volatility;

namespace RiskGrid.Margin.Tests.ParamChanges;

/// <summary>A run-time parameter change (MARGIN.md §12 values, same structure): the catalog rebinds the instruments it
/// has resolved (ids kept), a rebound market carries the new weights and liquidation parameters to its copies, the
/// risk arrays recompute, oracles and volatility estimators keep their state; a structural change is refused.</summary>
public sealed class RunTimeParamsTests
{
    private static readonly RiskParams Defaults = DefaultRiskParams.Create();

    [Fact]
    public void ACatalogChangeRebindsResolvedInstrumentsAndKeepsTheirIds()
    {
        var b = new Book().Usd(10_000);
        b.Add("BTC-PERP", 1.5m, 60_000);
        var id = b.Catalog.Resolve("BTC-PERP").Id;
        // N = 90,000 in tier 1: MM = 90,000 × 0.01 = 900, IM = 1,800.
        Assert.Equal(Book.Usd6(900), b.Evaluate().MaintenanceMarginMicros);

        var next = With(btcTiers: TierTable.Create([(1_000_000, 0.03, 0.015), (double.PositiveInfinity, 0.2, 0.1)]));
        Assert.True(b.Catalog.TryApply(next, out var field, out var error), error);

        // MM = 90,000 × 0.015 = 1,350, IM = 90,000 × 0.03 = 2,700, on the same evaluator, arrays and market.
        var r = b.Evaluate();
        Assert.Null(field);
        Assert.Equal(Book.Usd6(1_350), r.MaintenanceMarginMicros);
        Assert.Equal(Book.Usd6(2_700), r.InitialMarginMicros);
        Assert.Same(next, b.Catalog.Params);
        Assert.Equal(id, b.Catalog.Resolve("BTC-PERP").Id);
        Assert.Same(next.Underlyings[0].LinearTiers, b.Catalog.Resolve("BTC-20261225").Tiers);
        Assert.Same(next.Underlyings[0], b.Catalog.Resolve("BTC-20261225-60000-C").Terms.Underlying);
    }

    [Fact]
    public void ShortOptionRatesAndScenarioRangesFollowTheChangeOnceTheMarketIsRebound()
    {
        var standard = new Book().Usd(100_000);
        standard.Add("BTC-20261225-60000-C", -2m);
        var portfolio = new Book().Usd(100_000);
        portfolio.Account.Mode = MarginMode.Portfolio;
        portfolio.Add("BTC-PERP", 1m, 60_000);
        portfolio.Add("BTC-20261225-60000-C", -2m);
        var mmBefore = standard.Evaluate().MaintenanceMarginMicros;
        var pmBefore = portfolio.Evaluate().MaintenanceMarginMicros; // fills the risk arrays at scanRange 0.15

        var next = With(btc: u => u with { OptionMm = 0.09, ScanRange = 0.25 });
        foreach (var book in new[] { standard, portfolio })
        {
            Assert.True(book.Catalog.TryApply(next, out _, out var error), error);
            book.Market.Rebind(next);
        }

        // §5 short option MM = u × optionMm × S × v: 2 × 0.09 × 60,000 = 10,800 (was 2 × 0.075 × 60,000 = 9,000).
        Assert.Equal(Book.Usd6(9_000), mmBefore);
        Assert.Equal(Book.Usd6(10_800), standard.Evaluate().MaintenanceMarginMicros);
        // §6 with the wider scan: the same figure a book built on the new parameters computes from scratch.
        var fresh = new Book(next).Usd(100_000);
        fresh.Account.Mode = MarginMode.Portfolio;
        fresh.Add("BTC-PERP", 1m, 60_000);
        fresh.Add("BTC-20261225-60000-C", -2m);
        var pmAfter = portfolio.Evaluate().MaintenanceMarginMicros;
        Assert.Equal(fresh.Evaluate().MaintenanceMarginMicros, pmAfter);
        Assert.True(pmAfter > pmBefore, $"{pmAfter} > {pmBefore}");
    }

    [Fact]
    public void AReboundMarketCarriesNewWeightsAndLiquidationParametersToItsCopies()
    {
        var b = new Book().Asset("BTC", 1m);
        var before = b.Evaluate().CollateralMmMicros;
        var next = With(btcAsset: a => a with { MaintenanceWeight = 0.5, InitialWeight = 0.5 },
            liquidation: l => l with { TargetHealth = 1.3 });
        var copy = new MarketState(Defaults);

        b.Market.Rebind(next);
        copy.CopyFrom(b.Market);

        // CV_MM = 1 BTC × 60,000 × 0.95 = 57,000 before; × 0.5 = 30,000 after.
        Assert.Equal(Book.Usd6(57_000), before);
        Assert.Equal(Book.Usd6(30_000), b.Evaluate().CollateralMmMicros);
        Assert.Same(next, copy.Params);
        Assert.Equal(1.3, copy.Params.Liquidation.TargetHealth);
        Assert.Equal(b.Market.Index(0), copy.Index(0));
    }

    [Fact]
    public void AStructuralChangeIsRefusedAndChangesNothing()
    {
        var catalog = new InstrumentCatalog(Defaults);
        var perp = catalog.Resolve("SOL-PERP");
        var tiers = perp.Tiers;
        var next = With(btcAsset: a => a with { Decimals = 6 },
            btcTiers: TierTable.Create([(double.PositiveInfinity, 0.5, 0.25)]));

        Assert.False(catalog.TryApply(next, out var field, out var error));
        Assert.Equal("assets.BTC.decimals", field);
        Assert.Contains("balances are stored", error, StringComparison.Ordinal);
        Assert.Same(Defaults, catalog.Params);
        Assert.Same(tiers, perp.Tiers);
        Assert.Throws<ArgumentException>(() => new MarketState(Defaults).Rebind(RiskParams.Create(
            Defaults.Assets.Take(3).ToArray(), Defaults.Underlyings, Defaults.Portfolio, Defaults.Liquidation,
            Defaults.Prices, Defaults.Volatility)));
    }

    [Fact]
    public void AnOracleTakesANewStalenessAndKeepsItsPricesAndIndex()
    {
        var o = new OracleIndex(2, Defaults.Prices);
        o.OnTick(0, 60_000, 0);
        o.OnTick(1, 60_100, 0);
        Assert.Equal(OracleStatus.Fresh, o.Evaluate(2_000).Status); // age 2,000 < staleMs 3,000

        o.Reconfigure(Defaults.Prices with { StaleMs = 1_000, MinSources = 1, JumpWindowMs = 120_000 });
        var s = o.Evaluate(2_000);

        // age 2,000 ≥ 1,000: both sources stale, the last good index (60,050) stands.
        Assert.Equal(OracleStatus.Stale, s.Status);
        Assert.Equal(60_050, s.Index);
        Assert.Equal(1, o.MinSources);
        Assert.Equal(60_000, o.LastPrice(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => o.Reconfigure(Defaults.Prices with { MinSources = 3 }));
    }

    [Fact]
    public void AVolatilityEstimatorKeepsItsVarianceAndRecomputesItsMultiplierFromTheNewReference()
    {
        // 100 at second 0, 100.5 at second 1, committed at 2,000 ms: σ = 1.124865891, v = σ / 0.6 = 1.8748.
        var e = new VolatilityEstimator(Defaults.Underlyings[0], Defaults.Volatility);
        e.Update(100, 0);
        e.Update(100.5, 1_000);
        e.AdvanceTo(2_000);
        var variance = e.VariancePerSecond;
        Assert.Equal(1.8747764844612773, e.InitialMultiplier, 12);

        e.Reconfigure(Defaults.Underlyings[0] with { MaxVolMultiplier = 1.5 }, Defaults.Volatility);
        Assert.Equal(1.5, e.InitialMultiplier); // clamped to the new maximum at once
        Assert.True(e.MaintenanceMultiplier <= 1.5);

        e.Reconfigure(Defaults.Underlyings[0] with { RefVol = 1.2 }, Defaults.Volatility with { EwmaHalfLifeSeconds = 60 });
        // v = 1.124865891 / 1.2 = 0.937 → 1; a fall is followed at once.
        Assert.Equal(1, e.InitialMultiplier);
        Assert.Equal(1, e.MaintenanceMultiplier);
        Assert.Equal(variance, e.VariancePerSecond);
        Assert.Equal(Math.Pow(2, -1.0 / 60), e.DecayPerSecond, 15);
    }

    private static RiskParams With(TierTable? btcTiers = null, Func<UnderlyingParams, UnderlyingParams>? btc = null,
        Func<AssetParams, AssetParams>? btcAsset = null, Func<LiquidationParams, LiquidationParams>? liquidation = null)
    {
        var underlyings = Defaults.Underlyings.ToArray();
        underlyings[0] = btc?.Invoke(underlyings[0]) ?? underlyings[0];
        if (btcTiers is not null)
        {
            underlyings[0] = underlyings[0] with { LinearTiers = btcTiers };
        }
        var assets = Defaults.Assets.ToArray();
        assets[1] = btcAsset?.Invoke(assets[1]) ?? assets[1];
        return RiskParams.Create(assets, underlyings, Defaults.Portfolio,
            liquidation?.Invoke(Defaults.Liquidation) ?? Defaults.Liquidation, Defaults.Prices, Defaults.Volatility);
    }
}

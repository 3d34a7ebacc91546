namespace RiskGrid.Margin.Parameters;

/// <summary>
/// The default parameters of MARGIN.md §12, in code. <c>config/risk-params.conf</c> states the same values; a
/// test holds the two equal. Engines load the file; tests and benchmarks may use this.
/// </summary>
public static class DefaultRiskParams
{
    /// <summary>Builds the §12 defaults.</summary>
    public static RiskParams Create()
    {
        var assets = new[]
        {
            new AssetParams("USD", 1, 1, 0, null, 6),
            new AssetParams("BTC", 0.90, 0.95, 0, "BTC", 8),
            new AssetParams("ETH", 0.85, 0.90, 0, "ETH", 8),
            new AssetParams("SOL", 0.75, 0.80, 0.001, "SOL", 8),
        };
        var btcTiers = TierTable.Create([(1_000_000, 0.02, 0.01), (10_000_000, 0.04, 0.02), (50_000_000, 0.10, 0.05),
            (double.PositiveInfinity, 0.20, 0.10)]);
        var ethTiers = TierTable.Create([(1_000_000, 0.025, 0.0125), (10_000_000, 0.05, 0.025),
            (double.PositiveInfinity, 0.125, 0.0625)]);
        var solTiers = TierTable.Create([(500_000, 0.05, 0.025), (5_000_000, 0.10, 0.05),
            (double.PositiveInfinity, 0.25, 0.125)]);
        var underlyings = new[]
        {
            new UnderlyingParams("BTC", 0.15, 0.30, 0.20, 2, 0.35, 0.01, 0.60, 3, 0.001m, btcTiers, 0.1m, 0.15, 0.10, 0.075),
            new UnderlyingParams("ETH", 0.20, 0.30, 0.20, 2, 0.35, 0.01, 0.75, 3, 0.01m, ethTiers, 1m, 0.15, 0.10, 0.075),
            new UnderlyingParams("SOL", 0.25, 0.30, 0.20, 2, 0.35, 0.01, 1.00, 3, 0.1m, solTiers, 10m, 0.15, 0.10, 0.075),
        };
        var portfolio = new PortfolioParams(1.3,
            [new CreditPair("BTC", "ETH", 0.50), new CreditPair("BTC", "SOL", 0.30), new CreditPair("ETH", "SOL", 0.30)]);
        var liquidation = new LiquidationParams(1.10, 2.0 / 3.0, 0.001, 0.005, 5000, 1.25);
        var prices = new PriceParams(3000, null, 0.10, 60_000, 1000);
        var volatility = new VolatilityParams(600, 900, 0.01);
        return RiskParams.Create(assets, underlyings, portfolio, liquidation, prices, volatility);
    }
}

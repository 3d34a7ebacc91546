using RiskGrid.Margin;
using RiskGrid.Margin.Accounts;
using RiskGrid.Margin.Instruments;
using RiskGrid.Margin.Market;
using RiskGrid.Margin.Parameters;

namespace RiskGrid.Benchmarks;

/// <summary>The benchmark books, at BTC 60,000 / ETH 3,000 / SOL 150.</summary>
internal static class Books
{
    public static readonly long AsOfMs = new DateTimeOffset(2026, 11, 21, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    public static (InstrumentCatalog Catalog, MarketState Market) Market()
    {
        var p = DefaultRiskParams.Create();
        var catalog = new InstrumentCatalog(p);
        var market = new MarketState(p);
        market.SetAsOf(AsOfMs);
        (string Name, double Index, double Vol)[] prices = [("BTC", 60_000, 0.55), ("ETH", 3_000, 0.70), ("SOL", 150, 0.90)];
        foreach (var (name, index, vol) in prices)
        {
            market.SetIndex(p.UnderlyingId(name), index);
            market.SetVolatility(p.UnderlyingId(name), vol);
        }
        return (catalog, market);
    }

    /// <summary>Linear positions across perps and futures of three underlyings, 3 collateral assets.</summary>
    public static SubAccountPortfolio Linear(InstrumentCatalog catalog, int positions)
    {
        var p = catalog.Params;
        var account = new SubAccountPortfolio(p, positions);
        account.Balances[0] = 250_000L * Micros.PerUnit;
        account.Balances[p.AssetId("BTC")] = 150_000_000; // 1.5 BTC at 8 decimals
        account.Balances[p.AssetId("SOL")] = 2_000L * 100_000_000; // 2,000 SOL
        string[] underlyings = ["BTC", "ETH", "SOL"];
        double[] prices = [60_000, 3_000, 150];
        for (var i = 0; i < positions; i++)
        {
            var u = i % 3;
            var name = i < 3 ? $"{underlyings[u]}-PERP" : $"{underlyings[u]}-2027{1 + i / 3:00}26";
            var ins = catalog.Resolve(name);
            var lots = (long)(50_000 / prices[u] / ins.LotSize) * (i % 2 == 0 ? 1 : -1);
            account.Add(new Position(ins.Id, lots, prices[u] * (1 + 0.01 * (i % 5 - 2))));
        }
        return account;
    }

    /// <summary>10 options and 2 perps over BTC and ETH (strangles, spreads, a covered call) in portfolio mode.</summary>
    public static SubAccountPortfolio Options(InstrumentCatalog catalog)
    {
        var p = catalog.Params;
        var account = new SubAccountPortfolio(p, 12) { Mode = MarginMode.Portfolio };
        account.Balances[0] = 400_000L * Micros.PerUnit;
        (string Name, long Lots)[] legs =
        [
            ("BTC-PERP", 2_000), ("ETH-PERP", -20_000),
            ("BTC-20261225-70000-C", -30), ("BTC-20261225-50000-P", -30), ("BTC-20261225-75000-C", 20),
            ("BTC-20261225-45000-P", 20), ("BTC-20270326-60000-C", -10),
            ("ETH-20261225-3500-C", -10), ("ETH-20261225-2500-P", -10), ("ETH-20261225-4000-C", 5),
            ("ETH-20261225-2000-P", 5), ("ETH-20270326-3000-P", 8),
        ];
        foreach (var (name, lots) in legs)
        {
            var ins = catalog.Resolve(name);
            account.Add(new Position(ins.Id, lots, ins.IsLinear ? 59_000 / (name[0] == 'E' ? 20.0 : 1) : 0));
        }
        return account;
    }
}

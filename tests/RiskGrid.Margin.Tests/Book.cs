using RiskGrid.Margin.Accounts;
using RiskGrid.Margin.Evaluation;
using RiskGrid.Margin.Instruments;
using RiskGrid.Margin.Liquidation;
using RiskGrid.Margin.Market;
using RiskGrid.Margin.Parameters;
using RiskGrid.Margin.Portfolio;

namespace RiskGrid.Margin.Tests;

/// <summary>A market at BTC 60,000 / ETH 3,000 / SOL 150 and one sub-account, with the evaluators to judge it.</summary>
internal sealed class Book
{
    public static readonly long AsOfMs = new DateTimeOffset(2026, 11, 21, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    public Book(RiskParams? parameters = null)
    {
        Params = parameters ?? DefaultRiskParams.Create();
        Catalog = new InstrumentCatalog(Params);
        Market = new MarketState(Params);
        Market.SetAsOf(AsOfMs);
        SetPrice("BTC", 60_000, 0.55);
        SetPrice("ETH", 3_000, 0.70);
        SetPrice("SOL", 150, 0.90);
        Arrays = new RiskArrays(Catalog);
        Evaluator = new MarginEvaluator(Catalog);
        Planner = new LiquidationPlanner(Evaluator);
        PriceFinder = new LiquidationPriceFinder(Evaluator);
        Account = new SubAccountPortfolio(Params);
        Result = new MarginResult(Params.Underlyings.Count);
    }

    public RiskParams Params { get; }
    public InstrumentCatalog Catalog { get; }
    public MarketState Market { get; }
    public RiskArrays Arrays { get; }
    public MarginEvaluator Evaluator { get; }
    public LiquidationPlanner Planner { get; }
    public LiquidationPriceFinder PriceFinder { get; }
    public SubAccountPortfolio Account { get; }
    public MarginResult Result { get; }

    public int U(string underlying) => Params.UnderlyingId(underlying);

    public void SetPrice(string underlying, double index, double? vol = null)
    {
        var u = Params.UnderlyingId(underlying);
        Market.SetIndex(u, index);
        if (vol is { } v)
        {
            Market.SetVolatility(u, v);
        }
    }

    public Book Usd(decimal amount) => Asset("USD", amount);

    public Book Asset(string asset, decimal amount)
    {
        var id = Params.AssetId(asset);
        Assert.True(FixedPoint.TryToUnits(amount, Params.Assets[id].Decimals, out var units));
        Account.Balances[id] = units;
        return this;
    }

    /// <summary>Adds a position of <paramref name="size"/> underlying units (must be on the lot).</summary>
    public int Add(string instrument, decimal size, double entry = 0, decimal? isolatedMargin = null)
    {
        var ins = Catalog.Resolve(instrument);
        var lots = size / ins.Lot;
        Assert.Equal(decimal.Truncate(lots), lots);
        var p = new Position(ins.Id, (long)lots, entry);
        if (isolatedMargin is { } m)
        {
            p.IsIsolated = true;
            p.IsolatedMarginMicros = (long)(m * Micros.PerUnit);
        }
        return Account.Add(p);
    }

    public MarginResult Evaluate()
    {
        Evaluator.Evaluate(Account, Market, Arrays, Result);
        return Result;
    }

    public static long Usd6(decimal usd) => (long)(usd * Micros.PerUnit);
}

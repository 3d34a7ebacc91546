using RiskGrid.Margin.Accounts;
using RiskGrid.Margin.Evaluation;
using RiskGrid.Margin.Instruments;
using RiskGrid.Margin.Market;
using RiskGrid.Margin.Parameters;
using RiskGrid.Margin.Portfolio;

namespace RiskGrid.Margin.Tests.Portfolio;

/// <summary>
/// A portfolio-mode sub-account with its market at the §11 example's prices (BTC 60,000, ETH 3,000, SOL 150;
/// σ 0.55, 0.70, 0.90; v = 1) on 2026-11-21T00:00Z.
/// </summary>
internal sealed class PortfolioBook
{
    public static readonly long AsOfMs = new DateTimeOffset(2026, 11, 21, 0, 0, 0, TimeSpan.Zero)
        .ToUnixTimeMilliseconds();

    public PortfolioBook(InstrumentCatalog catalog)
    {
        Catalog = catalog;
        Params = catalog.Params;
        Market = new MarketState(Params);
        Arrays = new RiskArrays(Catalog);
        Evaluator = new MarginEvaluator(Catalog);
        Account = new SubAccountPortfolio(Params) { Mode = MarginMode.Portfolio };
        Market.SetAsOf(AsOfMs);
        SetUnderlying("BTC", 60_000, 0.55);
        SetUnderlying("ETH", 3_000, 0.70);
        SetUnderlying("SOL", 150, 0.90);
    }

    public PortfolioBook(RiskParams? parameters = null)
        : this(new InstrumentCatalog(parameters ?? DefaultRiskParams.Create()))
    {
    }

    public RiskParams Params { get; }

    public InstrumentCatalog Catalog { get; }

    public MarketState Market { get; }

    public RiskArrays Arrays { get; }

    public MarginEvaluator Evaluator { get; }

    public SubAccountPortfolio Account { get; }

    public int Id(string underlying) => Params.UnderlyingId(underlying);

    public void SetUnderlying(string underlying, double index, double sigma)
    {
        Market.SetIndex(Id(underlying), index);
        Market.SetVolatility(Id(underlying), sigma);
    }

    public PortfolioBook Add(string instrument, long lots, double entry = 0)
    {
        Account.Add(new Position(Catalog.Resolve(instrument).Id, lots, entry));
        return this;
    }

    public MarginResult Evaluate()
    {
        var result = new MarginResult(Params.Underlyings.Count);
        Evaluator.Evaluate(Account, Market, Arrays, result);
        return result;
    }
}

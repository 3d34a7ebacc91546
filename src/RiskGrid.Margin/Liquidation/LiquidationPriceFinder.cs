using RiskGrid.Margin.Accounts;
using RiskGrid.Margin.Evaluation;
using RiskGrid.Margin.Market;
using RiskGrid.Margin.Portfolio;

namespace RiskGrid.Margin.Liquidation;

/// <summary>Liquidation price per underlying (§9). Being written.</summary>
public sealed class LiquidationPriceFinder
{
    private readonly MarginEvaluator _evaluator;

    public LiquidationPriceFinder(MarginEvaluator evaluator) => _evaluator = evaluator;

    /// <summary>The index level of <paramref name="underlyingId"/> nearest to the current one where E_MM − MM
    /// changes sign; the current index when already below maintenance; NaN when there is none.</summary>
    public double Find(SubAccountPortfolio account, MarketState market, RiskArrays arrays, int underlyingId)
    {
        _ = _evaluator;
        throw new InvalidOperationException("being written");
    }
}

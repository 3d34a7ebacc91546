using RiskGrid.Margin.Accounts;
using RiskGrid.Margin.Evaluation;
using RiskGrid.Margin.Market;
using RiskGrid.Margin.Portfolio;

namespace RiskGrid.Margin.Liquidation;

/// <summary>Partial liquidation, backstop and bankruptcy plans of §9. Being written.</summary>
public sealed class LiquidationPlanner
{
    private readonly MarginEvaluator _evaluator;

    public LiquidationPlanner(MarginEvaluator evaluator) => _evaluator = evaluator;

    /// <summary>Plans the cross pool of <paramref name="account"/>; <paramref name="plan"/> is overwritten.</summary>
    public void Plan(SubAccountPortfolio account, MarketState market, RiskArrays arrays, LiquidationPlan plan)
    {
        _ = _evaluator;
        throw new InvalidOperationException("being written");
    }
}

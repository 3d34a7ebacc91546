using RiskGrid.Margin.Accounts;
using RiskGrid.Margin.Evaluation;
using RiskGrid.Margin.Instruments;
using RiskGrid.Margin.Market;

namespace RiskGrid.Margin.Portfolio;

/// <summary>Portfolio (scenario) margin of §6. Being written.</summary>
public sealed class PortfolioMarginCalculator
{
    private readonly InstrumentCatalog _catalog;

    public PortfolioMarginCalculator(InstrumentCatalog catalog) => _catalog = catalog;

    /// <summary>Fills IM, MM, credit and group figures of the cross positions.</summary>
    public void Evaluate(SubAccountPortfolio account, MarketState market, RiskArrays arrays, MarginResult result)
    {
        _ = _catalog;
        throw new InvalidOperationException("portfolio mode is being written");
    }
}

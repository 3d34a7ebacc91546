using RiskGrid.Margin.Market;
using RiskGrid.Margin.Portfolio;

namespace RiskGrid.Node.Accounts;

/// <summary>
/// A consistent market for margin checks: the state (read-only for the checker) and the risk arrays computed on it,
/// which fill lazily and so are used only while <see cref="Gate"/> is held.
/// </summary>
public readonly record struct MarketAccess(MarketState Market, RiskArrays Arrays, Lock Gate);

/// <summary>Where account entities read the node's latest market (the node's price view).</summary>
public interface IMarketAccessor
{
    /// <summary>The latest market; cheap, from any thread.</summary>
    MarketAccess Current { get; }
}

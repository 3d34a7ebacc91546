using RiskGrid.Margin.Accounts;
using RiskGrid.Margin.Instruments;
using RiskGrid.Margin.Market;

namespace RiskGrid.Node.Accounts;

/// <summary>
/// Whether a sub-account can be valued at all: every underlying it depends on (its positions, its non-USD
/// collateral) has had an index. A node that has never been priced for an underlying (no source yet) has no
/// number to evaluate with; checks then refuse as for a stale index, and metrics say which underlyings are unpriced.
/// </summary>
public static class MarketGuards
{
    /// <summary>True when every underlying <paramref name="account"/> depends on has a finite index.</summary>
    public static bool IsPriced(SubAccountPortfolio account, MarketState market, InstrumentCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(market);
        ArgumentNullException.ThrowIfNull(catalog);
        foreach (ref readonly var p in account.Positions)
        {
            if (!double.IsFinite(market.Index(catalog[p.Instrument].UnderlyingId)))
            {
                return false;
            }
        }
        var balances = account.Balances;
        for (var a = 1; a < balances.Length; a++)
        {
            if (balances[a] != 0 && !double.IsFinite(market.AssetPrice(a)))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The underlyings <paramref name="account"/> depends on that have no index.</summary>
    public static IReadOnlyList<string> Unpriced(SubAccountPortfolio account, MarketState market,
        InstrumentCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(market);
        ArgumentNullException.ThrowIfNull(catalog);
        var names = new SortedSet<string>(StringComparer.Ordinal);
        var p = catalog.Params;
        foreach (ref readonly var pos in account.Positions)
        {
            var u = catalog[pos.Instrument].UnderlyingId;
            if (!double.IsFinite(market.Index(u)))
            {
                names.Add(p.Underlyings[u].Name);
            }
        }
        for (var a = 1; a < account.Balances.Length; a++)
        {
            if (account.Balances[a] != 0 && !double.IsFinite(market.AssetPrice(a)))
            {
                names.Add(p.Assets[a].Name);
            }
        }
        return [.. names];
    }
}

using RiskGrid.Margin.Instruments;
using RiskGrid.Margin.Market;
using RiskGrid.Margin.Oracle;
using RiskGrid.Margin.Portfolio;

namespace RiskGrid.Node.Prices;

/// <summary>
/// One published state of a node's prices: a private copy of the <see cref="PriceView"/>'s market, taken when a
/// reader asked after a change. Immutable to its readers; <see cref="Arrays"/> is the one mutable part (filled
/// lazily by the margin evaluator) and is used only while holding <see cref="Gate"/>.
/// </summary>
public sealed class MarketSnapshot
{
    private readonly InstrumentCatalog _catalog;
    private readonly OracleSnapshot[] _oracles;
    private RiskArrays? _arrays;

    internal MarketSnapshot(long version, MarketState market, InstrumentCatalog catalog, OracleSnapshot[] oracles)
    {
        Version = version;
        Market = market;
        _catalog = catalog;
        _oracles = oracles;
    }

    /// <summary>The price view's version this snapshot was copied at; a later snapshot has a higher one.</summary>
    public long Version { get; }

    /// <summary>Index, volatility, multipliers, implied vols and freshness per underlying, valued as of the last
    /// evaluation on the grid's clock. Readers must not mutate it.</summary>
    public MarketState Market { get; }

    /// <summary>Per-instrument marks and risk arrays for <see cref="Market"/>, created on first use and filled
    /// lazily by the margin evaluator: use only while holding <see cref="Gate"/>.</summary>
    public RiskArrays Arrays
    {
        get
        {
            var arrays = Volatile.Read(ref _arrays);
            if (arrays is not null)
            {
                return arrays;
            }

            Interlocked.CompareExchange(ref _arrays, new RiskArrays(_catalog), null);
            return _arrays!;
        }
    }

    /// <summary>Serialises users of <see cref="Arrays"/>.</summary>
    public Lock Gate { get; } = new();

    /// <summary>Valuation time in Unix ms (the grid's clock at the last evaluation before the copy).</summary>
    public long AsOfMs => Market.AsOfMs;

    /// <summary>The oracle state (§8) of an underlying as of this snapshot: index, status (fresh, wick-guarded,
    /// stale, unpriced), valid sources.</summary>
    public OracleSnapshot Oracle(int underlyingId) => _oracles[underlyingId];
}

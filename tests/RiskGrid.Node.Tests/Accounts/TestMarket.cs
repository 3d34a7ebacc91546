using RiskGrid.Margin.Instruments;
using RiskGrid.Margin.Market;
using RiskGrid.Margin.Parameters;
using RiskGrid.Margin.Portfolio;
using RiskGrid.Node.Accounts;

namespace RiskGrid.Node.Tests.Accounts;

/// <summary>A node's market for account tests: BTC 60,000 / ETH 3,000 / SOL 150, fresh, that a test can move.</summary>
internal sealed class TestMarket : IMarketAccessor
{
    public static readonly long AsOfMs = new DateTimeOffset(2026, 11, 21, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    private readonly Lock _gate = new();

    public TestMarket(RiskParams? parameters = null)
    {
        Params = parameters ?? DefaultRiskParams.Create();
        Catalog = new InstrumentCatalog(Params);
        Market = new MarketState(Params);
        Market.SetAsOf(AsOfMs);
        Set("BTC", 60_000, 0.55);
        Set("ETH", 3_000, 0.70);
        Set("SOL", 150, 0.90);
        Arrays = new RiskArrays(Catalog);
    }

    public RiskParams Params { get; }
    public InstrumentCatalog Catalog { get; }
    public MarketState Market { get; }
    public RiskArrays Arrays { get; }

    public MarketAccess Current => new(Market, Arrays, _gate);

    public void Set(string underlying, double index, double? vol = null)
    {
        lock (_gate)
        {
            var u = Params.UnderlyingId(underlying);
            Market.SetIndex(u, index);
            if (vol is { } v)
            {
                Market.SetVolatility(u, v);
            }
        }
    }

    public void SetFresh(string underlying, bool fresh)
    {
        lock (_gate)
        {
            Market.SetFresh(Params.UnderlyingId(underlying), fresh);
        }
    }

    public AccountCommandHandler Handler(AccountSettings? settings = null) =>
        new(Catalog, this, settings ?? AccountSettings.Default);
}

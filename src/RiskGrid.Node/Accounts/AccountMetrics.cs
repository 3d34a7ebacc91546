using System.Buffers;
using RiskGrid.Margin.Accounts;
using RiskGrid.Margin.Evaluation;
using RiskGrid.Margin.Instruments;
using RiskGrid.Margin.Interchange;
using RiskGrid.Margin.Liquidation;

namespace RiskGrid.Node.Accounts;

/// <summary>
/// The §11 metrics of a live sub-account at the node's latest market: the same figures, liquidation prices and
/// liquidation plan the calculator prints for a document, written as one UTF-8 JSON object. Serves
/// <c>GET /v1/accounts/{acct}</c>; tools are per thread, so any number of requests may run at once.
/// </summary>
public sealed class AccountMetrics
{
    [ThreadStatic] private static Tools? t_tools;

    private readonly InstrumentCatalog _catalog;
    private readonly IMarketAccessor _market;

    public AccountMetrics(InstrumentCatalog catalog, IMarketAccessor market)
    {
        _catalog = catalog ?? throw new ArgumentNullException(nameof(catalog));
        _market = market ?? throw new ArgumentNullException(nameof(market));
    }

    /// <summary>Writes the metrics of <paramref name="view"/> to <paramref name="output"/>; returns the market's
    /// as-of time (Unix ms).</summary>
    public long Write(SubAccountView view, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(output);
        var tools = t_tools is { } t && ReferenceEquals(t.Catalog, _catalog) ? t : t_tools = new Tools(_catalog);
        var account = tools.Account;
        account.Clear();
        account.Mode = view.Mode;
        var p = _catalog.Params;
        foreach (var b in view.Balances)
        {
            account.Balances[p.AssetId(b.Asset)] = b.Units;
        }
        foreach (var pos in view.Positions)
        {
            if (!_catalog.TryResolve(pos.Instrument, out var instrument, out var error))
            {
                throw new InvalidOperationException($"account holds {pos.Instrument} the parameters do not know: {error}");
            }
            account.Add(new Position(instrument.Id, pos.SizeLots, pos.EntryPrice)
            {
                IsIsolated = pos.Isolated,
                IsolatedMarginMicros = pos.IsolatedMarginMicros,
            });
        }
        var market = _market.Current;
        lock (market.Gate)
        {
            if (!MarketGuards.IsPriced(account, market.Market, _catalog))
            {
                using var json = new System.Text.Json.Utf8JsonWriter(output);
                json.WriteStartObject();
                json.WriteBoolean("priced", false);
                json.WriteStartArray("unpriced");
                foreach (var name in MarketGuards.Unpriced(account, market.Market, _catalog))
                {
                    json.WriteStringValue(name);
                }
                json.WriteEndArray();
                json.WriteEndObject();
                return market.Market.AsOfMs;
            }
            tools.Evaluator.Evaluate(account, market.Market, market.Arrays, tools.Result);
            tools.Writer.MarkCrossUnderlyings(account, tools.Cross);
            for (var u = 0; u < tools.Cross.Length; u++)
            {
                tools.LiquidationPrices[u] = tools.Cross[u]
                    ? tools.PriceFinder.Find(account, market.Market, market.Arrays, u)
                    : double.NaN;
            }
            if (tools.Result.BelowMaintenance || tools.Result.Bankrupt)
            {
                tools.Planner.Plan(account, market.Market, market.Arrays, tools.Plan);
            }
            else
            {
                tools.Plan.Reset();
            }
            tools.Writer.WriteMetrics(output, account, tools.Result, tools.LiquidationPrices, tools.Plan);
            return market.Market.AsOfMs;
        }
    }

    private sealed class Tools
    {
        public Tools(InstrumentCatalog catalog)
        {
            Catalog = catalog;
            var p = catalog.Params;
            Account = new SubAccountPortfolio(p);
            Result = new MarginResult(p.Underlyings.Count);
            Plan = new LiquidationPlan();
            Evaluator = new MarginEvaluator(catalog);
            Planner = new LiquidationPlanner(Evaluator);
            PriceFinder = new LiquidationPriceFinder(Evaluator);
            Writer = new CalculatorOutputWriter(catalog);
            LiquidationPrices = new double[p.Underlyings.Count];
            Cross = new bool[p.Underlyings.Count];
        }

        public InstrumentCatalog Catalog { get; }
        public SubAccountPortfolio Account { get; }
        public MarginResult Result { get; }
        public LiquidationPlan Plan { get; }
        public MarginEvaluator Evaluator { get; }
        public LiquidationPlanner Planner { get; }
        public LiquidationPriceFinder PriceFinder { get; }
        public CalculatorOutputWriter Writer { get; }
        public double[] LiquidationPrices { get; }
        public bool[] Cross { get; }
    }
}

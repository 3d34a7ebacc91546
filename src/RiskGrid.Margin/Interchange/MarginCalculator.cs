using System.Buffers;
using RiskGrid.Margin.Accounts;
using RiskGrid.Margin.Evaluation;
using RiskGrid.Margin.Instruments;
using RiskGrid.Margin.Liquidation;
using RiskGrid.Margin.Market;
using RiskGrid.Margin.Parameters;
using RiskGrid.Margin.Portfolio;

namespace RiskGrid.Margin.Interchange;

/// <summary>
/// The stateless calculator of §11: one document in, one JSON line out. Owns and reuses every piece (catalog,
/// market, sub-account, risk arrays, evaluator, result, liquidation planner, plan and price finder) across
/// documents; instruments stay in the catalog. Every index counts as fresh, there is no cooldown, and
/// v^IM = v^MM = the document's multiplier. Not thread-safe: one calculator per thread (calculators may share a
/// catalog).
/// </summary>
public sealed class MarginCalculator
{
    private readonly CalculatorDocumentReader _reader;
    private readonly CalculatorOutputWriter _writer;
    private readonly MarginEvaluator _evaluator;
    private readonly LiquidationPlanner _planner;
    private readonly LiquidationPriceFinder _priceFinder;
    private readonly RiskArrays _arrays;
    private readonly double[] _liquidationPrices;
    private readonly bool[] _cross;

    /// <summary>A calculator with its own catalog for <paramref name="parameters"/>.</summary>
    public MarginCalculator(RiskParams parameters)
        : this(new InstrumentCatalog(parameters ?? throw new ArgumentNullException(nameof(parameters))))
    {
    }

    /// <summary>A calculator resolving instruments in <paramref name="catalog"/> (which may be shared).</summary>
    public MarginCalculator(InstrumentCatalog catalog)
    {
        Catalog = catalog ?? throw new ArgumentNullException(nameof(catalog));
        var parameters = catalog.Params;
        Market = new MarketState(parameters);
        Account = new SubAccountPortfolio(parameters);
        Result = new MarginResult(parameters.Underlyings.Count);
        Plan = new LiquidationPlan();
        _arrays = new RiskArrays(catalog);
        _evaluator = new MarginEvaluator(catalog);
        _planner = new LiquidationPlanner(_evaluator);
        _priceFinder = new LiquidationPriceFinder(_evaluator);
        _reader = new CalculatorDocumentReader(catalog);
        _writer = new CalculatorOutputWriter(catalog);
        _liquidationPrices = new double[parameters.Underlyings.Count];
        _cross = new bool[parameters.Underlyings.Count];
    }

    /// <summary>The catalog instruments are resolved in.</summary>
    public InstrumentCatalog Catalog { get; }

    /// <summary>The last accepted document's market.</summary>
    public MarketState Market { get; }

    /// <summary>The last accepted document's sub-account.</summary>
    public SubAccountPortfolio Account { get; }

    /// <summary>The last accepted document's metrics.</summary>
    public MarginResult Result { get; }

    /// <summary>The last accepted document's liquidation plan (empty unless below maintenance or bankrupt).</summary>
    public LiquidationPlan Plan { get; }

    /// <summary>Per underlying id, the last accepted document's liquidation price (NaN: none or not asked).</summary>
    public ReadOnlySpan<double> LiquidationPrices => _liquidationPrices;

    /// <summary>Why the last document was refused; null after an accepted one.</summary>
    public CalculatorInputError? LastError { get; private set; }

    /// <summary>
    /// Reads one document (UTF-8 JSON) and writes one line to <paramref name="output"/>: the metrics, or
    /// <c>{"error": ..., "field": ...}</c>. Returns false when the document was refused.
    /// </summary>
    public bool Process(ReadOnlySpan<byte> document, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (!_reader.TryRead(document, Market, Account, out var error))
        {
            return Refuse(error, output);
        }
        try
        {
            Evaluate();
        }
        catch (OverflowException)
        {
            // Sizes and prices each valid, yet their products beyond what micro-dollars in a long can hold.
            return Refuse(new CalculatorInputError(null, "arithmetic overflow: the amounts are too large to evaluate"),
                output);
        }
        LastError = null;
        _writer.WriteMetrics(output, Account, Result, _liquidationPrices, Plan);
        return true;
    }

    /// <summary>Writes a refusal line for a document that never reached the reader (an unreadable file).</summary>
    public void WriteError(CalculatorInputError error, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(error);
        Refuse(error, output);
    }

    private void Evaluate()
    {
        _evaluator.Evaluate(Account, Market, _arrays, Result);
        _writer.MarkCrossUnderlyings(Account, _cross);
        for (var u = 0; u < _cross.Length; u++)
        {
            _liquidationPrices[u] = _cross[u] ? _priceFinder.Find(Account, Market, _arrays, u) : double.NaN;
        }
        if (Result.BelowMaintenance || Result.Bankrupt)
        {
            _planner.Plan(Account, Market, _arrays, Plan);
        }
        else
        {
            Plan.Reset();
        }
    }

    private bool Refuse(CalculatorInputError error, IBufferWriter<byte> output)
    {
        LastError = error;
        _writer.WriteError(output, error);
        return false;
    }
}

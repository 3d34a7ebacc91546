using BenchmarkDotNet.Attributes;
using RiskGrid.Margin.Accounts;
using RiskGrid.Margin.Evaluation;
using RiskGrid.Margin.Instruments;
using RiskGrid.Margin.Liquidation;
using RiskGrid.Margin.Market;
using RiskGrid.Margin.Portfolio;

namespace RiskGrid.Benchmarks;

/// <summary>Issue targets: standard 10 linear + 3 assets ≤ 150 ns; portfolio 10 options + 2 perps ≤ 1 µs with
/// precomputed risk arrays; liquidation plan for 10 positions ≤ 20 µs; 0 bytes allocated per evaluation.</summary>
[MemoryDiagnoser]
public class StandardEvaluation
{
    private MarketState _market = null!;
    private RiskArrays _arrays = null!;
    private MarginEvaluator _evaluator = null!;
    private SubAccountPortfolio _account = null!;
    private readonly MarginResult _result = new();

    [Params(1, 10, 30)]
    public int Positions { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var (catalog, market) = Books.Market();
        _market = market;
        _account = Books.Linear(catalog, Positions);
        _arrays = new RiskArrays(catalog);
        _evaluator = new MarginEvaluator(catalog);
        _evaluator.Evaluate(_account, _market, _arrays, _result);
    }

    [Benchmark]
    public long Evaluate()
    {
        _evaluator.Evaluate(_account, _market, _arrays, _result);
        return _result.MaintenanceMarginMicros;
    }
}

[MemoryDiagnoser]
public class PortfolioEvaluation
{
    private MarketState _market = null!;
    private RiskArrays _arrays = null!;
    private MarginEvaluator _evaluator = null!;
    private SubAccountPortfolio _account = null!;
    private InstrumentCatalog _catalog = null!;
    private readonly MarginResult _result = new();

    [GlobalSetup]
    public void Setup()
    {
        (_catalog, _market) = Books.Market();
        _account = Books.Options(_catalog);
        _arrays = new RiskArrays(_catalog);
        _evaluator = new MarginEvaluator(_catalog);
        _arrays.RefreshAll(_market, withScenarios: true);
        _evaluator.Evaluate(_account, _market, _arrays, _result);
    }

    /// <summary>One account against risk arrays already built for this market (the per-account cost).</summary>
    [Benchmark]
    public long EvaluateWithSharedRiskArrays()
    {
        _evaluator.Evaluate(_account, _market, _arrays, _result);
        return _result.MaintenanceMarginMicros;
    }

    /// <summary>Rebuilding every instrument's risk array after an index move (the per-tick, per-node cost).</summary>
    [Benchmark]
    public void RebuildRiskArraysAfterTick()
    {
        _market.SetIndex(0, _market.Index(0));
        _arrays.RefreshAll(_market, withScenarios: true);
    }
}

[MemoryDiagnoser]
public class LiquidationPlanning
{
    private MarketState _market = null!;
    private RiskArrays _arrays = null!;
    private LiquidationPlanner _planner = null!;
    private SubAccountPortfolio _partial = null!;
    private SubAccountPortfolio _backstop = null!;
    private SubAccountPortfolio _portfolio = null!;
    private readonly LiquidationPlan _plan = new();

    [GlobalSetup]
    public void Setup()
    {
        var (catalog, market) = Books.Market();
        _market = market;
        _arrays = new RiskArrays(catalog);
        var evaluator = new MarginEvaluator(catalog);
        _planner = new LiquidationPlanner(evaluator);
        var result = new MarginResult();
        _partial = Books.Linear(catalog, 10);
        _backstop = Books.Linear(catalog, 10);
        // Tune the USD balance so that health lands at 0.9 (partial) and 0.5 (backstop).
        Tune(evaluator, _partial, 0.9, result);
        Tune(evaluator, _backstop, 0.5, result);
        _portfolio = Books.Options(catalog);
        Tune(evaluator, _portfolio, 0.9, result);
        _arrays.RefreshAll(_market, withScenarios: true);
        _planner.Plan(_partial, _market, _arrays, _plan);
        if (_plan.Kind != LiquidationKind.Partial)
        {
            throw new InvalidOperationException($"expected a partial plan, got {_plan.Kind}");
        }
    }

    private void Tune(MarginEvaluator evaluator, SubAccountPortfolio account, double health, MarginResult r)
    {
        evaluator.Evaluate(account, _market, _arrays, r);
        account.Balances[0] += (long)(r.MaintenanceMarginMicros * health) - r.EquityMmMicros;
    }

    [Benchmark]
    public int PartialTenLinear()
    {
        _planner.Plan(_partial, _market, _arrays, _plan);
        return _plan.Count;
    }

    [Benchmark]
    public int BackstopTenLinear()
    {
        _planner.Plan(_backstop, _market, _arrays, _plan);
        return _plan.Count;
    }

    [Benchmark]
    public int PartialPortfolioTwelve()
    {
        _planner.Plan(_portfolio, _market, _arrays, _plan);
        return _plan.Count;
    }
}

using RiskGrid.Margin.Accounts;
using RiskGrid.Margin.Evaluation;
using RiskGrid.Margin.Instruments;
using RiskGrid.Margin.Market;
using RiskGrid.Margin.Portfolio;

namespace RiskGrid.Margin.Liquidation;

/// <summary>
/// Plans the liquidation of a sub-account's cross pool (§9).
/// <list type="bullet">
/// <item>Healthy (not below maintenance, not bankrupt): an empty plan.</item>
/// <item>Partial: positions are taken one at a time — standard mode in descending order of their MM (ties by
/// instrument name), portfolio mode greedily (the remaining position whose full close lowers MM the most, ties by
/// name) — and each is reduced by the fewest lots that bring health to targetHealth, or closed whole before the next
/// is touched. Positions without MM (long options) are not touched in standard mode; in portfolio mode they come
/// last, only if closing everything else did not reach the target.</item>
/// <item>Backstop (health &lt; backstopHealth) and bankrupt (E_raw &lt; 0): every position is closed, in the same
/// order, positions without MM last by name.</item>
/// </list>
/// A close of Δq units at mark m executes at m × (1 − sign(q) × slippage); the slippage |Δq| × m × slippage is
/// rounded up; the fee liquidationFee × closed notional (|Δq| × m linear, |Δq| × S options) is rounded up and
/// capped at the raw equity left after the earlier closes and this close's slippage. The USD balance receives the
/// value of the closed part less the slippage, less the fee, so E_MM falls by exactly slippage + fee.
/// <para>Minimal search: for the position in hand, the full close is tried first; if it reaches the target, the
/// fewest lots are found by bisection keeping "lo fails, hi passes", so the answer k always passes and k − 1 always
/// fails. Health is monotone in k whenever health &gt; (slippage + fee rate) / (mmr × v), which the default
/// backstop (2/3 &gt; 0.006 / 0.01) guarantees for every partial plan; below it the whole pool closes anyway.</para>
/// Allocation-free after the first plans have grown the internal buffers.
/// </summary>
public sealed class LiquidationPlanner
{
    private readonly MarginEvaluator _evaluator;
    private readonly SubAccountPortfolio _work;
    private readonly MarginResult _result;
    private int[] _order = new int[8];
    private bool[] _done = new bool[8];
    private long[] _mmAtStart = new long[8];

    public LiquidationPlanner(MarginEvaluator evaluator)
    {
        _evaluator = evaluator ?? throw new ArgumentNullException(nameof(evaluator));
        var p = evaluator.Catalog.Params;
        _work = new SubAccountPortfolio(p);
        _result = new MarginResult(p.Underlyings.Count);
    }

    /// <summary>
    /// Plans the cross pool of <paramref name="account"/> at <paramref name="market"/>; <paramref name="plan"/> is
    /// overwritten. The account itself is not changed. Freshness of indices, the wick guard and cooldowns are the
    /// caller's to check before acting on the plan.
    /// </summary>
    public void Plan(SubAccountPortfolio account, MarketState market, RiskArrays arrays, LiquidationPlan plan)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(market);
        ArgumentNullException.ThrowIfNull(arrays);
        ArgumentNullException.ThrowIfNull(plan);
        plan.Reset();
        _evaluator.Evaluate(account, market, arrays, _result);
        plan.HealthAfter = _result.Health;
        if (!_result.BelowMaintenance && !_result.Bankrupt)
        {
            return;
        }
        var liq = market.Params.Liquidation;
        plan.Kind = _result.Bankrupt ? LiquidationKind.Bankrupt
            : _result.Health < liq.BackstopHealth ? LiquidationKind.Backstop
            : LiquidationKind.Partial;
        _work.CopyFrom(account);
        var n = _work.PositionCount;
        EnsureCapacity(n);
        Array.Clear(_done, 0, n);
        var rawLeft = _result.EquityRawMicros;
        var closeAll = plan.Kind != LiquidationKind.Partial;
        if (account.Mode == MarginMode.Standard)
        {
            _result.PositionMm.CopyTo(_mmAtStart);
            OrderStandard(n);
            for (var k = 0; k < n; k++)
            {
                var i = _order[k];
                if (_work[i].IsIsolated)
                {
                    continue;
                }
                if (!closeAll && _mmAtStart[i] == 0)
                {
                    break;
                }
                if (Step(i, closeAll, market, arrays, plan, ref rawLeft))
                {
                    return;
                }
            }
        }
        else
        {
            for (var step = 0; step < n; step++)
            {
                var i = NextGreedy(n, market, arrays);
                if (i < 0)
                {
                    break;
                }
                _done[i] = true;
                if (Step(i, closeAll, market, arrays, plan, ref rawLeft))
                {
                    return;
                }
            }
        }
        plan.HealthAfter = Health(market, arrays);
    }

    // Reduces position i (whole, or by the fewest lots reaching the target); true when the plan is complete.
    private bool Step(int i, bool closeAll, MarketState market, RiskArrays arrays, LiquidationPlan plan,
        ref long rawLeft)
    {
        ref var pos = ref _work[i];
        var lots = Math.Abs(pos.SizeLots);
        if (lots == 0)
        {
            return false;
        }
        var target = market.Params.Liquidation.TargetHealth;
        var reduce = lots;
        if (!closeAll)
        {
            var reached = Trial(i, lots, market, arrays, rawLeft) >= target;
            if (reached)
            {
                long lo = 0, hi = lots;
                while (hi - lo > 1)
                {
                    var mid = lo + (hi - lo) / 2;
                    if (Trial(i, mid, market, arrays, rawLeft) >= target)
                    {
                        hi = mid;
                    }
                    else
                    {
                        lo = mid;
                    }
                }
                reduce = hi;
            }
            var close = Apply(i, reduce, market, arrays, rawLeft);
            rawLeft -= close.SlippageMicros + close.FeeMicros;
            plan.Add(close);
            if (reached)
            {
                plan.HealthAfter = Health(market, arrays);
                return true;
            }
            return false;
        }
        var full = Apply(i, reduce, market, arrays, rawLeft);
        rawLeft -= full.SlippageMicros + full.FeeMicros;
        plan.Add(full);
        return false;
    }

    // Health after reducing position i by `lots` lots, leaving the work copy unchanged.
    private double Trial(int i, long lots, MarketState market, RiskArrays arrays, long rawLeft)
    {
        ref var pos = ref _work[i];
        var savedSize = pos.SizeLots;
        var savedUsd = _work.Balances[0];
        Apply(i, lots, market, arrays, rawLeft);
        var health = Health(market, arrays);
        pos.SizeLots = savedSize;
        _work.Balances[0] = savedUsd;
        return health;
    }

    // Closes `lots` lots of position i in the work copy and describes the close.
    private PlannedClose Apply(int i, long lots, MarketState market, RiskArrays arrays, long rawLeft)
    {
        ref var pos = ref _work[i];
        var ins = _evaluator.Catalog[pos.Instrument];
        arrays.EnsureMark(pos.Instrument, market);
        var liq = market.Params.Liquidation;
        var mark = arrays.Mark(pos.Instrument);
        var sign = Math.Sign(pos.SizeLots);
        var reduceLots = sign * lots;
        var units = lots * ins.LotSize;
        var before = Value(ins, pos.SizeLots, pos.EntryPrice, mark);
        var after = Value(ins, pos.SizeLots - reduceLots, pos.EntryPrice, mark);
        var slippage = Micros.RoundRequirementUp(units * mark * liq.LiquidationSlippage);
        var notional = units * (ins.IsLinear ? mark : market.Index(ins.UnderlyingId));
        var fee = Math.Min(Micros.RoundRequirementUp(notional * liq.LiquidationFee), Math.Max(0, rawLeft - slippage));
        var usdChange = before - after - slippage;
        pos.SizeLots -= reduceLots;
        _work.Balances[0] += usdChange - fee;
        var price = mark * (1 - sign * liq.LiquidationSlippage);
        return new PlannedClose(i, pos.Instrument, lots, price, fee, slippage, usdChange);
    }

    // The position's contribution to equity, rounded like the evaluator rounds it.
    private static long Value(Instrument ins, long sizeLots, double entry, double mark)
    {
        var q = sizeLots * ins.LotSize;
        return ins.IsLinear ? Micros.RoundValueDown(q * (mark - entry)) : Micros.RoundValueDown(q * mark);
    }

    private double Health(MarketState market, RiskArrays arrays)
    {
        _evaluator.Evaluate(_work, market, arrays, _result);
        return _result.Health;
    }

    // Standard order: MM descending, ties by instrument name; positions without MM after, by name.
    private void OrderStandard(int n)
    {
        for (var i = 0; i < n; i++)
        {
            _order[i] = i;
        }
        for (var a = 1; a < n; a++)
        {
            var x = _order[a];
            var b = a - 1;
            while (b >= 0 && Before(x, _order[b]))
            {
                _order[b + 1] = _order[b];
                b--;
            }
            _order[b + 1] = x;
        }
    }

    private bool Before(int x, int y)
    {
        var mx = _mmAtStart[x];
        var my = _mmAtStart[y];
        if (mx != my)
        {
            return mx > my;
        }
        return string.CompareOrdinal(Name(x), Name(y)) < 0;
    }

    private string Name(int i) => _evaluator.Catalog[_work[i].Instrument].Name;

    // Portfolio order: among positions not yet taken, the one whose full close lowers MM the most (ties by name);
    // long options only once nothing else is left. −1 when every cross position has been taken.
    private int NextGreedy(int n, MarketState market, RiskArrays arrays)
    {
        _evaluator.Evaluate(_work, market, arrays, _result);
        var mmNow = _result.MaintenanceMarginMicros;
        var best = -1;
        var bestDrop = long.MinValue;
        var bestIsLongOption = true;
        for (var i = 0; i < n; i++)
        {
            ref var pos = ref _work[i];
            if (_done[i] || pos.IsIsolated)
            {
                continue;
            }
            var ins = _evaluator.Catalog[pos.Instrument];
            var longOption = !ins.IsLinear && pos.SizeLots > 0;
            var drop = mmNow - _evaluator.Portfolio.MaintenanceWithoutPosition(_work, market, arrays, i);
            var better = best < 0
                || (bestIsLongOption && !longOption)
                || (bestIsLongOption == longOption
                    && (drop > bestDrop || (drop == bestDrop && string.CompareOrdinal(Name(i), Name(best)) < 0)));
            if (better)
            {
                best = i;
                bestDrop = drop;
                bestIsLongOption = longOption;
            }
        }
        return best;
    }

    private void EnsureCapacity(int n)
    {
        if (_order.Length < n)
        {
            _order = new int[n * 2];
            _done = new bool[n * 2];
            _mmAtStart = new long[n * 2];
        }
    }
}

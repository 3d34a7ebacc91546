using RiskGrid.Margin.Accounts;
using RiskGrid.Margin.Evaluation;
using RiskGrid.Margin.Market;
using RiskGrid.Margin.Portfolio;

namespace RiskGrid.Margin.Liquidation;

/// <summary>
/// Liquidation price per underlying (§9): the index level nearest to the current one at which E_MM − MM of the
/// cross pool changes sign, every other price fixed, collateral priced by that index moving with it and options
/// revalued at the new level with σ unchanged; the current index when the pool is already below maintenance; NaN
/// (null) when there is none in [0, 10·S].
/// <para>Search: levels S ∓ d_k with d_k = 0.5% × S × 2^k are tried on both sides, step by step, until the sign
/// differs from the current one; the brackets found at the first such step (one per side at most) are refined to a
/// relative width of 1e-6 with a safeguarded secant (a secant estimate checked a quarter-tolerance either side, then
/// a bisection), and the root nearer to S wins. The level returned is the bracket end on the changed side, so E_MM −
/// MM really has the other sign there. A sign change and change back between two successive tried levels (a band
/// narrower than the local step) is not seen.</para>
/// </summary>
public sealed class LiquidationPriceFinder
{
    private const double FirstStep = 0.005;
    private const double RelativePrecision = 1e-6;
    private const double Ceiling = 10;

    private readonly MarginEvaluator _evaluator;
    private readonly MarginResult _result;
    private readonly RiskArrays _arrays;
    private MarketState? _scratch;
    private double _other, _downOther, _upOther;

    /// <summary>
    /// After <see cref="Find"/> returned a level other than the current index: the other end of the final bracket,
    /// within 1e-6 relative of the level, where E_MM − MM still has the sign it has at the current index.
    /// </summary>
    public double LastBracketOtherEnd { get; private set; } = double.NaN;

    public LiquidationPriceFinder(MarginEvaluator evaluator)
    {
        _evaluator = evaluator ?? throw new ArgumentNullException(nameof(evaluator));
        _result = new MarginResult(evaluator.Catalog.Params.Underlyings.Count);
        _arrays = new RiskArrays(evaluator.Catalog);
    }

    /// <summary>
    /// The liquidation price of <paramref name="account"/>'s cross pool for underlying
    /// <paramref name="underlyingId"/>, or NaN when there is none.
    /// </summary>
    public double Find(SubAccountPortfolio account, MarketState market, RiskArrays arrays, int underlyingId)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(market);
        ArgumentNullException.ThrowIfNull(arrays);
        LastBracketOtherEnd = double.NaN;
        _evaluator.Evaluate(account, market, arrays, _result);
        var s = market.Index(underlyingId);
        if (_result.BelowMaintenance)
        {
            return s;
        }
        if (_scratch is null || !ReferenceEquals(_scratch.Params, market.Params))
        {
            _scratch = new MarketState(market.Params);
        }
        _scratch.CopyFrom(market);
        var startNegative = Surplus(account, underlyingId, s) < 0;
        double prevDown = s, prevUp = s;
        var downOpen = s > 0;
        var upOpen = true;
        for (var k = 0; downOpen || upOpen; k++)
        {
            var d = s * FirstStep * Math.Pow(2, k);
            double downRoot = double.NaN, upRoot = double.NaN;
            if (downOpen)
            {
                var x = Math.Max(0, s - d);
                if (Surplus(account, underlyingId, x) < 0 != startNegative)
                {
                    downRoot = Refine(account, underlyingId, x, prevDown, startNegative);
                    _downOther = _other;
                }
                prevDown = x;
                downOpen = x > 0;
            }
            if (upOpen)
            {
                var x = Math.Min(Ceiling * s, s + d);
                if (Surplus(account, underlyingId, x) < 0 != startNegative)
                {
                    upRoot = Refine(account, underlyingId, prevUp, x, startNegative);
                    _upOther = _other;
                }
                prevUp = x;
                upOpen = x < Ceiling * s;
            }
            if (!double.IsNaN(downRoot) || !double.IsNaN(upRoot))
            {
                var useDown = double.IsNaN(upRoot) || (!double.IsNaN(downRoot) && s - downRoot <= upRoot - s);
                LastBracketOtherEnd = useDown ? _downOther : _upOther;
                return useDown ? downRoot : upRoot;
            }
            if (s == 0)
            {
                break;
            }
        }
        return double.NaN;
    }

    // Narrows [lo, hi] (one end on each side of the sign change) and returns the end on the changed side.
    // `startNegative` is the sign at the current index; the end nearer to it keeps that sign.
    private double Refine(SubAccountPortfolio account, int u, double lo, double hi, bool startNegative)
    {
        var fLo = Surplus(account, u, lo);
        var fHi = Surplus(account, u, hi);
        var loChanged = fLo < 0 != startNegative;
        for (var iteration = 0; iteration < 200 && hi - lo > RelativePrecision * hi; iteration++)
        {
            var tol = RelativePrecision * hi;
            var secant = fHi != fLo ? lo + (hi - lo) * fLo / (fLo - fHi) : 0.5 * (lo + hi);
            var a = Math.Max(lo, secant - 0.25 * tol);
            var b = Math.Min(hi, secant + 0.25 * tol);
            if (a > lo && b < hi)
            {
                var fa = Surplus(account, u, a);
                var fb = Surplus(account, u, b);
                if (fa < 0 != fb < 0)
                {
                    lo = a;
                    hi = b;
                    fLo = fa;
                    fHi = fb;
                    break;
                }
                if (fa < 0 == fLo < 0)
                {
                    lo = b;
                    fLo = fb;
                }
                else
                {
                    hi = a;
                    fHi = fa;
                }
            }
            var mid = 0.5 * (lo + hi);
            var fm = Surplus(account, u, mid);
            if (fm < 0 == fLo < 0)
            {
                lo = mid;
                fLo = fm;
            }
            else
            {
                hi = mid;
                fHi = fm;
            }
        }
        while (hi - lo > RelativePrecision * hi)
        {
            var mid = 0.5 * (lo + hi);
            if (mid <= lo || mid >= hi)
            {
                break;
            }
            if (Surplus(account, u, mid) < 0 == fLo < 0)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }
        _other = loChanged ? hi : lo;
        return loChanged ? lo : hi;
    }

    // E_MM − MM of the cross pool with underlying u's index at x, in micro-dollars.
    private long Surplus(SubAccountPortfolio account, int u, double x)
    {
        _scratch!.SetIndex(u, x);
        _evaluator.Evaluate(account, _scratch, _arrays, _result);
        return _result.EquityMmMicros - _result.MaintenanceMarginMicros;
    }
}

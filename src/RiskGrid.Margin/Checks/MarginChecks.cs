using RiskGrid.Margin.Accounts;
using RiskGrid.Margin.Evaluation;
using RiskGrid.Margin.Instruments;
using RiskGrid.Margin.Market;
using RiskGrid.Margin.Portfolio;

namespace RiskGrid.Margin.Checks;

/// <summary>The outcome of a check (§10). Refusals are values, not exceptions.</summary>
public enum CheckOutcome : byte
{
    /// <summary>Allowed.</summary>
    Accepted,

    /// <summary>More than the balance held would leave the pool.</summary>
    InsufficientBalance,

    /// <summary>Afterwards E_IM − IM would be negative.</summary>
    BreaksInitialMargin,

    /// <summary>An index the account depends on is stale: no withdrawal or risk-increasing change passes.</summary>
    StaleIndex,
}

/// <summary>A check's outcome with free collateral (E_IM − IM) and IM before and after, in micro-dollars.</summary>
public readonly record struct CheckResult(CheckOutcome Outcome, long FreeCollateralBeforeMicros,
    long FreeCollateralAfterMicros, long InitialMarginBeforeMicros, long InitialMarginAfterMicros,
    long MaintenanceBeforeMicros, long MaintenanceAfterMicros)
{
    /// <summary>True when accepted.</summary>
    public bool Accepted => Outcome == CheckOutcome.Accepted;
}

/// <summary>
/// Withdrawal, transfer, order (what-if) and mode checks of §10, on a private copy of the sub-account: the caller's
/// state is never changed. Withdrawal / transfer out: allowed only if afterwards E_IM − IM ≥ 0 with fresh indices
/// (and never more than the balance held). Order: accepted if afterwards E_IM − IM ≥ 0, or if it reduces MM; a
/// risk-increasing order against a stale index is refused. Mode switch: the new mode's IM must be met.
/// </summary>
public sealed class MarginChecks
{
    private readonly MarginEvaluator _evaluator;
    private readonly SubAccountPortfolio _copy;
    private readonly MarginResult _before;
    private readonly MarginResult _after;

    public MarginChecks(MarginEvaluator evaluator)
    {
        _evaluator = evaluator ?? throw new ArgumentNullException(nameof(evaluator));
        var p = evaluator.Catalog.Params;
        _copy = new SubAccountPortfolio(p);
        _before = new MarginResult(p.Underlyings.Count);
        _after = new MarginResult(p.Underlyings.Count);
    }

    /// <summary>Checks taking <paramref name="units"/> (&gt; 0, in asset units) of asset <paramref name="assetId"/> out.</summary>
    public CheckResult Withdrawal(SubAccountPortfolio account, MarketState market, RiskArrays arrays, int assetId,
        long units)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(units);
        _evaluator.Evaluate(account, market, arrays, _before);
        _copy.CopyFrom(account);
        _copy.Balances[assetId] -= units;
        _evaluator.Evaluate(_copy, market, arrays, _after);
        if (account.Balances[assetId] < units)
        {
            return Result(CheckOutcome.InsufficientBalance);
        }
        if (!AllFresh(_copy, market) || !AllFresh(account, market))
        {
            return Result(CheckOutcome.StaleIndex);
        }
        return Result(_after.FreeCollateralMicros >= 0 ? CheckOutcome.Accepted : CheckOutcome.BreaksInitialMargin);
    }

    /// <summary>What-if of a fill of <paramref name="fillLots"/> (signed) at <paramref name="price"/>.</summary>
    public CheckResult Order(SubAccountPortfolio account, MarketState market, RiskArrays arrays,
        Instrument instrument, long fillLots, double price, long feeMicros = 0)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(instrument);
        _evaluator.Evaluate(account, market, arrays, _before);
        _copy.CopyFrom(account);
        ApplyFill(_copy, instrument, fillLots, price, feeMicros);
        _evaluator.Evaluate(_copy, market, arrays, _after);
        var reducesMm = _after.MaintenanceMarginMicros < _before.MaintenanceMarginMicros;
        if (reducesMm)
        {
            return Result(CheckOutcome.Accepted);
        }
        if (!AllFresh(_copy, market))
        {
            return Result(CheckOutcome.StaleIndex);
        }
        return Result(_after.FreeCollateralMicros >= 0 ? CheckOutcome.Accepted : CheckOutcome.BreaksInitialMargin);
    }

    /// <summary>Checks switching <paramref name="account"/> to <paramref name="mode"/>.</summary>
    public CheckResult ModeSwitch(SubAccountPortfolio account, MarketState market, RiskArrays arrays, MarginMode mode)
    {
        ArgumentNullException.ThrowIfNull(account);
        _evaluator.Evaluate(account, market, arrays, _before);
        _copy.CopyFrom(account);
        _copy.Mode = mode;
        _evaluator.Evaluate(_copy, market, arrays, _after);
        if (!AllFresh(_copy, market))
        {
            return Result(CheckOutcome.StaleIndex);
        }
        return Result(_after.FreeCollateralMicros >= 0 ? CheckOutcome.Accepted : CheckOutcome.BreaksInitialMargin);
    }

    /// <summary>Applies a fill (size, entry, realised PnL or premium, fee) to <paramref name="account"/> in place.</summary>
    public static FillEffect ApplyFill(SubAccountPortfolio account, Instrument instrument, long fillLots, double price,
        long feeMicros)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(instrument);
        var i = account.IndexOf(instrument.Id);
        var size = i >= 0 ? account[i].SizeLots : 0;
        var entry = i >= 0 ? account[i].EntryPrice : 0;
        var effect = FillMath.Apply(instrument, size, entry, fillLots, price);
        if (i < 0)
        {
            i = account.Add(new Position(instrument.Id, 0, 0));
        }
        account[i].SizeLots = effect.NewSizeLots;
        account[i].EntryPrice = effect.NewEntryPrice;
        account.Balances[0] += effect.UsdChangeMicros - feeMicros;
        if (effect.NewSizeLots == 0 && !account[i].IsIsolated)
        {
            account.RemoveAt(i);
        }
        return effect;
    }

    /// <summary>True when every index <paramref name="account"/> depends on (positions, non-USD collateral) is fresh.</summary>
    public bool AllFresh(SubAccountPortfolio account, MarketState market)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(market);
        var positions = account.Positions;
        for (var i = 0; i < positions.Length; i++)
        {
            if (!market.IsFresh(_evaluator.Catalog[positions[i].Instrument].UnderlyingId))
            {
                return false;
            }
        }
        var balances = account.Balances;
        for (var a = 1; a < balances.Length; a++)
        {
            if (balances[a] != 0 && !market.IsFresh(market.Params.AssetPriceIndex[a]))
            {
                return false;
            }
        }
        return true;
    }

    private CheckResult Result(CheckOutcome outcome) => new(outcome, _before.FreeCollateralMicros,
        _after.FreeCollateralMicros, _before.InitialMarginMicros, _after.InitialMarginMicros,
        _before.MaintenanceMarginMicros, _after.MaintenanceMarginMicros);
}

using RiskGrid.Margin.Accounts;
using RiskGrid.Margin.Collateral;
using RiskGrid.Margin.Instruments;
using RiskGrid.Margin.Market;
using RiskGrid.Margin.Portfolio;
using RiskGrid.Margin.Standard;

namespace RiskGrid.Margin.Evaluation;

/// <summary>
/// Evaluates a sub-account (§3–§6): collateral, position values, equity, and the requirements of its mode, plus
/// each isolated position on its own. Allocates nothing once the result's arrays have grown: call it on the hot
/// path with a <see cref="MarginResult"/> you keep.
/// </summary>
public sealed class MarginEvaluator
{
    private readonly InstrumentCatalog _catalog;
    private readonly PortfolioMarginCalculator _portfolio;

    public MarginEvaluator(InstrumentCatalog catalog)
    {
        _catalog = catalog ?? throw new ArgumentNullException(nameof(catalog));
        _portfolio = new PortfolioMarginCalculator(catalog);
    }

    /// <summary>The catalog positions refer to.</summary>
    public InstrumentCatalog Catalog => _catalog;

    /// <summary>The §6 calculator this evaluator uses in portfolio mode.</summary>
    public PortfolioMarginCalculator Portfolio => _portfolio;

    /// <summary>
    /// Fills <paramref name="result"/> for <paramref name="account"/> at <paramref name="market"/>. Marks and (in
    /// portfolio mode) risk arrays are taken from <paramref name="arrays"/>, refreshed there if out of date.
    /// </summary>
    public void Evaluate(SubAccountPortfolio account, MarketState market, RiskArrays arrays, MarginResult result)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(market);
        ArgumentNullException.ThrowIfNull(arrays);
        ArgumentNullException.ThrowIfNull(result);
        var positions = account.Positions;
        result.Reset(positions.Length, market.UnderlyingCount);
        CollateralValuator.Value(account, market, out var cvIm, out var cvMm, out var cvRaw);
        result.CollateralImMicros = cvIm;
        result.CollateralMmMicros = cvMm;
        result.CollateralRawMicros = cvRaw;

        var standard = account.Mode == MarginMode.Standard;
        var positionIm = result.PositionIm;
        var positionMm = result.PositionMm;
        var positionValue = result.PositionValue;
        var isolatedEquity = result.IsolatedEquity;
        long upnl = 0, optionValue = 0, im = 0, mm = 0;
        var instruments = _catalog.ById;
        for (var i = 0; i < positions.Length; i++)
        {
            ref readonly var pos = ref positions[i];
            var ins = instruments[pos.Instrument.Value];
            var u = ins.UnderlyingId;
            var q = pos.SizeLots * ins.LotSize;
            long posIm = 0, posMm = 0, isolated = 0;
            if (ins.IsLinear)
            {
                // The mark of a linear instrument is its underlying's index (§8).
                var mark = market.Index(u);
                var value = Micros.RoundValueDown(q * (mark - pos.EntryPrice));
                positionValue[i] = value;
                if (standard || pos.IsIsolated)
                {
                    StandardMargin.Linear(ins, Math.Abs(q) * mark, market.InitialMultiplier(u),
                        market.MaintenanceMultiplier(u), out var imUsd, out var mmUsd);
                    posIm = Micros.RoundRequirementUp(imUsd);
                    posMm = Micros.RoundRequirementUp(mmUsd);
                }
                if (pos.IsIsolated)
                {
                    positionIm[i] = posIm;
                    positionMm[i] = posMm;
                    isolatedEquity[i] = pos.IsolatedMarginMicros + value;
                    continue;
                }
                upnl += value;
            }
            else
            {
                arrays.EnsureMark(pos.Instrument, market);
                var value = Micros.RoundValueDown(q * arrays.Mark(pos.Instrument));
                positionValue[i] = value;
                optionValue += value;
                if (standard && pos.SizeLots < 0)
                {
                    StandardMargin.ShortOption(ins, -q, market.Index(u), market.InitialMultiplier(u),
                        market.MaintenanceMultiplier(u), out var imUsd, out var mmUsd);
                    posIm = Micros.RoundRequirementUp(imUsd);
                    posMm = Micros.RoundRequirementUp(mmUsd);
                }
            }
            positionIm[i] = posIm;
            positionMm[i] = posMm;
            isolatedEquity[i] = isolated;
            im += posIm;
            mm += posMm;
        }
        result.UnrealizedPnlMicros = upnl;
        result.OptionValueMicros = optionValue;
        if (standard)
        {
            result.InitialMarginMicros = im;
            result.MaintenanceMarginMicros = mm;
        }
        else
        {
            _portfolio.Evaluate(account, market, arrays, result);
        }
    }
}

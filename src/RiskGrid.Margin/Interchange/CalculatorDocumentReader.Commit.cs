using RiskGrid.Margin.Accounts;
using RiskGrid.Margin.Instruments;
using RiskGrid.Margin.Market;

namespace RiskGrid.Margin.Interchange;

/// <summary>Writing an accepted document into the market and the sub-account.</summary>
public sealed partial class CalculatorDocumentReader
{
    private void CommitMarket(MarketState market)
    {
        if (!ReferenceEquals(_market, market))
        {
            market.ClearImpliedVolatilities();
            Array.Fill(_appliedIv, double.NaN);
            _ivCount = 0;
            _market = market;
        }
        market.SetAsOf(_asOfMs);
        for (var u = 0; u < _price.Length; u++)
        {
            // Unchanged values are not rewritten: a write bumps the market's version and recomputes risk arrays.
            if (_hasPrice[u] && (market.Index(u) != _price[u] || !market.IsFresh(u)))
            {
                market.SetIndex(u, _price[u], fresh: true);
            }
            if (_hasVol[u] && market.Volatility(u) != _vol[u])
            {
                market.SetVolatility(u, _vol[u]);
            }
            var v = _hasMultiplier[u] ? _multiplier[u] : 1.0;
            if (market.InitialMultiplier(u) != v || market.MaintenanceMultiplier(u) != v)
            {
                market.SetMultipliers(u, v, v);
            }
        }
        CommitImpliedVolatilities(market);
    }

    private void CommitImpliedVolatilities(MarketState market)
    {
        var count = _catalog.Count;
        if (_appliedIv.Length < count)
        {
            var grown = new double[Math.Max(count, _appliedIv.Length * 2)];
            Array.Fill(grown, double.NaN);
            Array.Copy(_appliedIv, grown, _appliedIv.Length);
            _appliedIv = grown;
        }
        // Clear the previous document's ivs that this one does not set again.
        for (var k = 0; k < _ivCount; k++)
        {
            var id = _ivIds[k];
            if (!SetsIv(id))
            {
                market.SetImpliedVolatility(_catalog[new InstrumentId(id)], double.NaN);
                _appliedIv[id] = double.NaN;
            }
        }
        _ivCount = 0;
        for (var i = 0; i < _pendingCount; i++)
        {
            ref readonly var p = ref _pending[i];
            if (double.IsNaN(p.Iv))
            {
                continue;
            }
            var id = p.Instrument!.Id.Value;
            if (!_appliedIv[id].Equals(p.Iv))
            {
                market.SetImpliedVolatility(p.Instrument, p.Iv);
                _appliedIv[id] = p.Iv;
            }
            if (_ivCount == _ivIds.Length)
            {
                Array.Resize(ref _ivIds, _ivIds.Length * 2);
            }
            _ivIds[_ivCount++] = id;
        }
    }

    private bool SetsIv(int instrumentId)
    {
        for (var i = 0; i < _pendingCount; i++)
        {
            if (_pending[i].Instrument!.Id.Value == instrumentId && !double.IsNaN(_pending[i].Iv))
            {
                return true;
            }
        }
        return false;
    }

    private void CommitAccount(SubAccountPortfolio account)
    {
        account.Clear();
        account.Mode = _mode;
        Array.Copy(_balances, account.Balances, _balances.Length);
        for (var i = 0; i < _pendingCount; i++)
        {
            ref readonly var p = ref _pending[i];
            var position = new Position(p.Instrument!.Id, p.SizeLots, p.Instrument.IsLinear ? p.EntryPrice : 0)
            {
                IsIsolated = p.HasIsolated,
                IsolatedMarginMicros = p.IsolatedMicros,
            };
            account.Add(position);
        }
    }
}

using RiskGrid.Margin;
using RiskGrid.Margin.Accounts;
using RiskGrid.Margin.Instruments;
using RiskGrid.Margin.Liquidation;

namespace RiskGrid.Node.Supervision;

/// <summary>
/// The holders of one linear instrument on one side, in a dense array: what the ADL ranking (§9) scores on a
/// bankruptcy. A pass over it reads consecutive memory rather than chasing every holder's risk entry and portfolio
/// across the heap (at 100,000 accounts that chase cost more than a microsecond per holder). The owner keeps each
/// holder's index (<see cref="Add"/> returns it, <see cref="Remove"/> says whose index changed) and keeps its raw
/// equity current (<see cref="SetEquity"/>) after every evaluation.
/// </summary>
/// <typeparam name="TOwner">What a holder belongs to (the supervisor's risk entry).</typeparam>
internal sealed class AdlHolders<TOwner>
    where TOwner : class
{
    private Holder[] _items = new Holder[16];

    /// <summary>Holders on this side.</summary>
    public int Count { get; private set; }

    /// <summary>Adds a holder; returns its index.</summary>
    public int Add(TOwner owner, string accountId, string subAccount, in Position position, long equityRawMicros)
    {
        if (Count == _items.Length)
        {
            Array.Resize(ref _items, _items.Length * 2);
        }
        _items[Count] = new Holder(owner, accountId, subAccount, position.SizeLots, position.EntryPrice,
            position.IsIsolated, position.IsolatedMarginMicros, equityRawMicros);
        return Count++;
    }

    /// <summary>Removes the holder at <paramref name="index"/>; the last holder takes its place, and is returned so
    /// its owner can note its new index (null when the removed one was last).</summary>
    public TOwner? Remove(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count, nameof(index));
        var last = --Count;
        TOwner? moved = null;
        if (index != last)
        {
            _items[index] = _items[last];
            moved = _items[index].Owner;
        }
        _items[last] = default;
        return moved;
    }

    /// <summary>The owner's account raw equity after its latest evaluation.</summary>
    public void SetEquity(int index, long equityRawMicros) => _items[index].EquityRawMicros = equityRawMicros;

    /// <summary>
    /// Every holder as a ranked candidate at index level <paramref name="index"/>: uPnL at that level, PnL% ×
    /// effective leverage (§9) with the account's raw equity (a position's own margin plus its uPnL when isolated).
    /// </summary>
    public void Score(Instrument instrument, double index, List<AdlCandidate> into)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        ArgumentNullException.ThrowIfNull(into);
        var items = _items.AsSpan(0, Count);
        foreach (ref readonly var h in items)
        {
            var units = instrument.Units(h.SizeLots);
            var upnl = units * (index - h.EntryPrice);
            var equity = h.IsIsolated ? Micros.ToUsd(h.IsolatedMarginMicros) + upnl : Micros.ToUsd(h.EquityRawMicros);
            var score = AutoDeleveraging.Score(upnl, Math.Abs(units) * h.EntryPrice, Math.Abs(units) * index, equity);
            into.Add(new AdlCandidate(h.AccountId, h.SubAccount, h.SizeLots, score));
        }
    }

    private record struct Holder(TOwner Owner, string AccountId, string SubAccount, long SizeLots, double EntryPrice,
        bool IsIsolated, long IsolatedMarginMicros, long EquityRawMicros);
}

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
/// <para>A holder also carries the lots ADL answers have reserved of it (<see cref="Reserve"/>) that its copy does not
/// show reduced yet: concurrent bankruptcies then do not all count on the same top-ranked positions (what one of them
/// could not take went to the market, as bad debt). A reservation is released as the copy shows the position shrink
/// (<see cref="Add"/> carries it over) and lapses after <see cref="ReservationLifetimeMs"/> (a reduction that never
/// came: refused, or its bankruptcy failed).</para>
/// </summary>
/// <typeparam name="TOwner">What a holder belongs to (the supervisor's risk entry).</typeparam>
internal sealed class AdlHolders<TOwner>
    where TOwner : class
{
    /// <summary>How long a reservation counts, grid milliseconds (the engine's ask timeout is 10 s).</summary>
    public const long ReservationLifetimeMs = 15_000;

    private Holder[] _items = new Holder[16];

    /// <summary>Holders on this side.</summary>
    public int Count { get; private set; }

    /// <summary>Adds a holder; returns its index. <paramref name="previous"/> is the same owner's earlier record on this
    /// side (<see cref="Record"/>, taken before its <see cref="Remove"/>, when its copy changed): its reservation carries
    /// over, less what the position shrank by.</summary>
    public int Add(TOwner owner, string accountId, string subAccount, in Position position, long equityRawMicros,
        HolderRecord? previous = null)
    {
        if (Count == _items.Length)
        {
            Array.Resize(ref _items, _items.Length * 2);
        }
        var reserved = 0L;
        var reservedAt = 0L;
        if (previous is { } p)
        {
            reserved = Math.Max(0, p.ReservedLots - Math.Max(0, Math.Abs(p.SizeLots) - Math.Abs(position.SizeLots)));
            reservedAt = p.ReservedAtMs;
        }
        _items[Count] = new Holder(owner, accountId, subAccount, position.SizeLots, position.EntryPrice,
            position.IsIsolated, position.IsolatedMarginMicros, equityRawMicros, reserved, reservedAt);
        return Count++;
    }

    /// <summary>The record at <paramref name="index"/> (before a <see cref="Remove"/>, to carry its reservation).</summary>
    public HolderRecord Record(int index) =>
        new(_items[index].SizeLots, _items[index].ReservedLots, _items[index].ReservedAtMs);

    /// <summary>Reserves <paramref name="lots"/> of the holder at <paramref name="index"/> for an ADL reduction.</summary>
    public void Reserve(int index, long lots, long nowMs)
    {
        ref var h = ref _items[index];
        h.ReservedLots = Reserved(h, nowMs) + lots;
        h.ReservedAtMs = nowMs;
    }

    // The lots still reserved of a holder: none once its last reservation has lapsed.
    private static long Reserved(in Holder h, long nowMs) =>
        nowMs - h.ReservedAtMs > ReservationLifetimeMs ? 0 : h.ReservedLots;

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
    /// Every holder with lots not reserved as a ranked candidate at index level <paramref name="index"/>: uPnL at that
    /// level, PnL% × effective leverage (§9) of its whole position with the account's raw equity (a position's own
    /// margin plus its uPnL when isolated); its size is what is free of it. <paramref name="indices"/> gets each
    /// candidate's holder index.
    /// </summary>
    public void Score(Instrument instrument, double index, long nowMs, List<AdlCandidate> into, List<int> indices)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        ArgumentNullException.ThrowIfNull(into);
        ArgumentNullException.ThrowIfNull(indices);
        var items = _items.AsSpan(0, Count);
        for (var k = 0; k < items.Length; k++)
        {
            ref readonly var h = ref items[k];
            var free = Math.Abs(h.SizeLots) - Reserved(h, nowMs);
            if (free <= 0)
            {
                continue;
            }
            var units = instrument.Units(h.SizeLots);
            var upnl = units * (index - h.EntryPrice);
            var equity = h.IsIsolated ? Micros.ToUsd(h.IsolatedMarginMicros) + upnl : Micros.ToUsd(h.EquityRawMicros);
            var score = AutoDeleveraging.Score(upnl, Math.Abs(units) * h.EntryPrice, Math.Abs(units) * index, equity);
            into.Add(new AdlCandidate(h.AccountId, h.SubAccount, Math.Sign(h.SizeLots) * free, score));
            indices.Add(k);
        }
    }

    private record struct Holder(TOwner Owner, string AccountId, string SubAccount, long SizeLots, double EntryPrice,
        bool IsIsolated, long IsolatedMarginMicros, long EquityRawMicros, long ReservedLots, long ReservedAtMs);
}

/// <summary>A holder's size and reservation, carried from its old record to the new one when its copy changes.</summary>
internal readonly record struct HolderRecord(long SizeLots, long ReservedLots, long ReservedAtMs);

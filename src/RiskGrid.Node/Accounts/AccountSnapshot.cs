using RiskGrid.Margin.Accounts;

namespace RiskGrid.Node.Accounts;

/// <summary>
/// An account's state at a journal sequence number, as stored in the snapshot store: separate from
/// <see cref="AccountState"/> so that the two can evolve apart. Names, not node-local ids.
/// </summary>
public sealed record AccountSnapshot(long SequenceNr, IReadOnlyList<SubAccountSnapshot> SubAccounts,
    IReadOnlyList<DedupeSnapshot> Dedupe);

/// <summary>One sub-account: mode, per-asset balances and ledger, USD ledger totals, positions, realised PnL.</summary>
public sealed record SubAccountSnapshot(string Name, MarginMode Mode, IReadOnlyList<AssetSnapshot> Assets,
    UsdTotalsSnapshot Usd, IReadOnlyList<PositionSnapshot> Positions, IReadOnlyList<RealisedSnapshot> Realised);

/// <summary>An asset's balance and per-asset ledger totals, in the asset's units.</summary>
public sealed record AssetSnapshot(string Asset, long Balance, long Deposits, long Withdrawals, long TransfersIn,
    long TransfersOut);

/// <summary>The USD-only ledger totals, micro-dollars.</summary>
public sealed record UsdTotalsSnapshot(long Fees, long LiquidationFees, long RealisedPnl, long Premium, long Funding,
    long Insurance = 0);

/// <summary>A position.</summary>
public sealed record PositionSnapshot(string Instrument, long SizeLots, double EntryPrice, bool Isolated,
    long IsolatedMarginMicros);

/// <summary>Cumulative realised PnL of an instrument.</summary>
public sealed record RealisedSnapshot(string Instrument, long Micros);

/// <summary>A remembered command id: where its event is, the fingerprint of its body, and when.</summary>
public sealed record DedupeSnapshot(string CommandId, long SequenceNr, long Fingerprint, long AtMs);

/// <summary>Conversions between <see cref="AccountState"/> and <see cref="AccountSnapshot"/>, and the API view.</summary>
public static class AccountSnapshots
{
    /// <summary>The snapshot of <paramref name="state"/>.</summary>
    public static AccountSnapshot Take(AccountState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var p = state.Params;
        var assets = p.Assets.Count;
        var subs = new List<SubAccountSnapshot>(state.SubAccounts.Count);
        foreach (var s in state.SubAccounts)
        {
            var assetRows = new List<AssetSnapshot>(assets);
            for (var a = 0; a < assets; a++)
            {
                var l = s.LedgerTotals;
                var balance = s.Portfolio.Balances[a];
                var b = a * Ledger.PerAsset;
                if (balance == 0 && l[b] == 0 && l[b + 1] == 0 && l[b + 2] == 0 && l[b + 3] == 0)
                {
                    continue;
                }
                assetRows.Add(new AssetSnapshot(p.Assets[a].Name, balance, l[b + Ledger.Deposits],
                    l[b + Ledger.Withdrawals], l[b + Ledger.TransfersIn], l[b + Ledger.TransfersOut]));
            }
            var u = assets * Ledger.PerAsset;
            var t = s.LedgerTotals;
            var usd = new UsdTotalsSnapshot(t[u + Ledger.Fees], t[u + Ledger.LiquidationFees], t[u + Ledger.RealisedPnl],
                t[u + Ledger.Premium], t[u + Ledger.Funding], t[u + Ledger.Insurance]);
            var positions = new List<PositionSnapshot>(s.Portfolio.PositionCount);
            foreach (ref readonly var pos in s.Portfolio.Positions)
            {
                positions.Add(new PositionSnapshot(state.Catalog[pos.Instrument].Name, pos.SizeLots, pos.EntryPrice,
                    pos.IsIsolated, pos.IsolatedMarginMicros));
            }
            var realised = new List<RealisedSnapshot>(s.RealisedByInstrument.Count);
            foreach (var (instrument, micros) in s.RealisedByInstrument)
            {
                realised.Add(new RealisedSnapshot(instrument, micros));
            }
            subs.Add(new SubAccountSnapshot(s.Name, s.Portfolio.Mode, assetRows, usd, positions, realised));
        }
        var dedupe = new List<DedupeSnapshot>(state.DedupeCount);
        foreach (var (id, record) in state.DedupeRecords)
        {
            dedupe.Add(new DedupeSnapshot(id, record.SequenceNr, record.Fingerprint, record.AtMs));
        }
        return new AccountSnapshot(state.SequenceNr, subs, dedupe);
    }

    /// <summary>Rebuilds the state of <paramref name="snapshot"/> into the empty <paramref name="state"/>.</summary>
    public static void Restore(AccountSnapshot snapshot, AccountState state)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(state);
        var p = state.Params;
        var assets = p.Assets.Count;
        foreach (var s in snapshot.SubAccounts)
        {
            var sub = state.Restore(s.Name);
            sub.Portfolio.Mode = s.Mode;
            foreach (var a in s.Assets)
            {
                var id = p.AssetId(a.Asset);
                if (id < 0)
                {
                    throw new InvalidOperationException($"snapshot names asset {a.Asset} the parameters do not know");
                }
                sub.Portfolio.Balances[id] = a.Balance;
                var b = id * Ledger.PerAsset;
                sub.LedgerTotals[b + Ledger.Deposits] = a.Deposits;
                sub.LedgerTotals[b + Ledger.Withdrawals] = a.Withdrawals;
                sub.LedgerTotals[b + Ledger.TransfersIn] = a.TransfersIn;
                sub.LedgerTotals[b + Ledger.TransfersOut] = a.TransfersOut;
            }
            var u = assets * Ledger.PerAsset;
            sub.LedgerTotals[u + Ledger.Fees] = s.Usd.Fees;
            sub.LedgerTotals[u + Ledger.LiquidationFees] = s.Usd.LiquidationFees;
            sub.LedgerTotals[u + Ledger.RealisedPnl] = s.Usd.RealisedPnl;
            sub.LedgerTotals[u + Ledger.Premium] = s.Usd.Premium;
            sub.LedgerTotals[u + Ledger.Funding] = s.Usd.Funding;
            sub.LedgerTotals[u + Ledger.Insurance] = s.Usd.Insurance;
            foreach (var pos in s.Positions)
            {
                var instrument = sub.Resolve(pos.Instrument);
                sub.Portfolio.Add(new Position(instrument.Id, pos.SizeLots, pos.EntryPrice)
                {
                    IsIsolated = pos.Isolated,
                    IsolatedMarginMicros = pos.IsolatedMarginMicros,
                });
            }
            foreach (var r in s.Realised)
            {
                sub.AddRealised(r.Instrument, r.Micros);
            }
        }
        foreach (var d in snapshot.Dedupe)
        {
            state.RestoreDedupe(d.CommandId, new DedupeRecord(d.SequenceNr, d.Fingerprint, d.AtMs));
        }
        state.RestoreSequenceNr(snapshot.SequenceNr);
    }

    /// <summary>The API view of <paramref name="state"/>.</summary>
    public static AccountView View(string accountId, AccountState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var p = state.Params;
        var assets = p.Assets.Count;
        var subs = new List<SubAccountView>(state.SubAccounts.Count);
        foreach (var s in state.SubAccounts)
        {
            var balances = new List<AssetAmount>(assets);
            var ledger = new List<LedgerEntry>();
            for (var a = 0; a < assets; a++)
            {
                var name = p.Assets[a].Name;
                var b = a * Ledger.PerAsset;
                var touched = s.Portfolio.Balances[a] != 0;
                for (var k = 0; k < Ledger.PerAsset; k++)
                {
                    touched |= s.LedgerTotals[b + k] != 0;
                }
                if (!touched && a != 0)
                {
                    continue;
                }
                balances.Add(new AssetAmount(name, s.Portfolio.Balances[a]));
                for (var k = 0; k < Ledger.PerAsset; k++)
                {
                    ledger.Add(new LedgerEntry(Ledger.AssetSlotNames[k], name, s.LedgerTotals[b + k]));
                }
            }
            for (var k = 0; k < Ledger.UsdSlotNames.Length; k++)
            {
                ledger.Add(new LedgerEntry(Ledger.UsdSlotNames[k], p.Assets[0].Name,
                    s.LedgerTotals[assets * Ledger.PerAsset + k]));
            }
            var positions = new List<PositionView>(s.Portfolio.PositionCount);
            foreach (ref readonly var pos in s.Portfolio.Positions)
            {
                var name = state.Catalog[pos.Instrument].Name;
                positions.Add(new PositionView(name, pos.SizeLots, pos.EntryPrice, s.RealisedPnl(name), pos.IsIsolated,
                    pos.IsolatedMarginMicros));
            }
            subs.Add(new SubAccountView(s.Name, s.Portfolio.Mode, balances, positions, ledger));
        }
        return new AccountView(accountId, state.SequenceNr, subs);
    }
}

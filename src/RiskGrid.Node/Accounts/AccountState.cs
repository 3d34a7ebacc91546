using RiskGrid.Margin.Accounts;
using RiskGrid.Margin.Instruments;
using RiskGrid.Margin.Parameters;

namespace RiskGrid.Node.Accounts;

/// <summary>
/// One sub-account as the entity holds it: the margin core's <see cref="SubAccountPortfolio"/> (mode, balances by
/// asset id, positions by instrument id), realised PnL per instrument, and the money ledger.
/// </summary>
public sealed class SubAccountState
{
    private readonly InstrumentCatalog _catalog;
    private List<(string Instrument, long Micros)>? _realised;

    internal SubAccountState(string name, InstrumentCatalog catalog)
    {
        Name = name;
        _catalog = catalog;
        Portfolio = new SubAccountPortfolio(catalog.Params, 4);
        LedgerTotals = new long[Ledger.Length(catalog.Params.Assets.Count)];
    }

    /// <summary>The sub-account's name, unique within the account.</summary>
    public string Name { get; }

    /// <summary>Mode, balances and positions, as the margin core reads them. Mutated only by
    /// <see cref="AccountState.Apply"/>.</summary>
    public SubAccountPortfolio Portfolio { get; }

    /// <summary>The ledger (<see cref="Ledger"/> layout).</summary>
    public long[] LedgerTotals { get; }

    /// <summary>Cumulative realised PnL of <paramref name="instrument"/> in this sub-account, USD micros.</summary>
    public long RealisedPnl(string instrument)
    {
        if (_realised is null)
        {
            return 0;
        }
        foreach (var (name, micros) in _realised)
        {
            if (name == instrument)
            {
                return micros;
            }
        }
        return 0;
    }

    /// <summary>Instruments with realised PnL recorded, and the amounts.</summary>
    public IReadOnlyList<(string Instrument, long Micros)> RealisedByInstrument =>
        (IReadOnlyList<(string, long)>?)_realised ?? [];

    /// <summary>Index of the position in <paramref name="instrument"/>, or −1.</summary>
    public int IndexOf(Instrument instrument) => Portfolio.IndexOf(instrument.Id);

    /// <summary>True when every asset's balance is what the ledger says, exactly.</summary>
    public bool IsConserved(out string detail)
    {
        var assets = _catalog.Params.Assets.Count;
        for (var a = 0; a < assets; a++)
        {
            var held = Portfolio.Balances[a];
            if (a == 0)
            {
                foreach (ref readonly var p in Portfolio.Positions)
                {
                    held += p.IsolatedMarginMicros;
                }
            }
            var expected = Ledger.Expected(LedgerTotals, assets, a);
            if (held != expected)
            {
                detail = $"sub-account {Name}, asset {_catalog.Params.Assets[a].Name}: held {held}, ledger {expected}";
                return false;
            }
        }
        detail = "";
        return true;
    }

    internal void AddRealised(string instrument, long micros)
    {
        if (micros == 0)
        {
            return;
        }
        _realised ??= new List<(string, long)>(2);
        for (var i = 0; i < _realised.Count; i++)
        {
            if (_realised[i].Instrument == instrument)
            {
                _realised[i] = (instrument, _realised[i].Micros + micros);
                return;
            }
        }
        _realised.Add((instrument, micros));
    }

    internal Instrument Resolve(string instrument) =>
        _catalog.TryResolve(instrument, out var found, out var error)
            ? found
            : throw new InvalidOperationException($"journal names instrument {instrument} the parameters do not know: {error}");
}

/// <summary>
/// A command already applied: the journal sequence number its event was stored at, a 64-bit fingerprint of its
/// body (<see cref="CommandFingerprint"/>), and when. The event itself stays in the journal, where a repeat's answer
/// is read from: the record is a few words per command, whatever the command.
/// </summary>
public readonly record struct DedupeRecord(long SequenceNr, long Fingerprint, long AtMs);

/// <summary>
/// The state of one account, owned by its entity and changed only by <see cref="Apply"/> (no checks, no clock, no
/// I/O: the command handler decided everything the event records). Holds the sub-accounts and the dedupe record of
/// applied command ids, kept for the retention window (measured on the events' own timestamps, so a replay rebuilds
/// the same record).
/// </summary>
public sealed class AccountState
{
    private readonly List<SubAccountState> _subs = new(1);
    private readonly Dictionary<string, DedupeRecord> _dedupe = new(StringComparer.Ordinal);
    private readonly Queue<string> _dedupeOrder = new();
    private readonly long _retentionMs;

    public AccountState(InstrumentCatalog catalog, long dedupeRetentionMs)
    {
        Catalog = catalog ?? throw new ArgumentNullException(nameof(catalog));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dedupeRetentionMs);
        _retentionMs = dedupeRetentionMs;
    }

    /// <summary>The instrument catalog positions resolve through.</summary>
    public InstrumentCatalog Catalog { get; }

    /// <summary>The parameters (assets, underlyings).</summary>
    public RiskParams Params => Catalog.Params;

    /// <summary>The sequence number of the last event applied (0: none).</summary>
    public long SequenceNr { get; private set; }

    /// <summary>True once the account has had an event (a deposit creates it).</summary>
    public bool Exists => SequenceNr > 0;

    /// <summary>The sub-accounts in the order they were created.</summary>
    public IReadOnlyList<SubAccountState> SubAccounts => _subs;

    /// <summary>Command ids currently remembered.</summary>
    public int DedupeCount => _dedupe.Count;

    /// <summary>The dedupe records in the order they were made (for snapshots).</summary>
    public IEnumerable<(string CommandId, DedupeRecord Record)> DedupeRecords
    {
        get
        {
            foreach (var id in _dedupeOrder)
            {
                yield return (id, _dedupe[id]);
            }
        }
    }

    /// <summary>The sub-account named <paramref name="name"/>, or null.</summary>
    public SubAccountState? Find(string name)
    {
        foreach (var s in _subs)
        {
            if (s.Name == name)
            {
                return s;
            }
        }
        return null;
    }

    /// <summary>The first answer to <paramref name="commandId"/>, when it was applied within the retention window.</summary>
    public bool TryGetApplied(string commandId, out DedupeRecord record) =>
        _dedupe.TryGetValue(commandId, out record);

    /// <summary>Applies <paramref name="e"/>, stored at journal sequence number <paramref name="sequenceNr"/>.</summary>
    public void Apply(IAccountEvent e, long sequenceNr)
    {
        ArgumentNullException.ThrowIfNull(e);
        switch (e)
        {
            case Deposited d:
                {
                    var s = GetOrCreate(d.SubAccount);
                    var a = AssetId(d.Asset);
                    s.Portfolio.Balances[a] += d.Units;
                    s.LedgerTotals[Ledger.AssetSlot(a, Ledger.Deposits)] += d.Units;
                    break;
                }
            case Withdrawn w:
                {
                    var s = Get(w.SubAccount);
                    var a = AssetId(w.Asset);
                    s.Portfolio.Balances[a] -= w.Units;
                    s.LedgerTotals[Ledger.AssetSlot(a, Ledger.Withdrawals)] += w.Units;
                    break;
                }
            case Transferred t:
                {
                    var from = Get(t.FromSubAccount);
                    var to = GetOrCreate(t.ToSubAccount);
                    var a = AssetId(t.Asset);
                    from.Portfolio.Balances[a] -= t.Units;
                    from.LedgerTotals[Ledger.AssetSlot(a, Ledger.TransfersOut)] += t.Units;
                    to.Portfolio.Balances[a] += t.Units;
                    to.LedgerTotals[Ledger.AssetSlot(a, Ledger.TransfersIn)] += t.Units;
                    break;
                }
            case FillApplied f:
                ApplyTrade(Get(f.SubAccount), f.Instrument, f.NewSizeLots, f.NewEntryPrice, f.RealisedPnlMicros,
                    f.PremiumMicros, f.FeeMicros, Ledger.Fees);
                break;
            case ReductionApplied r:
                ApplyTrade(Get(r.SubAccount), r.Instrument, r.NewSizeLots, r.NewEntryPrice, r.RealisedPnlMicros,
                    r.PremiumMicros, r.FeeMicros, Ledger.LiquidationFees, settleIsolated: true);
                break;
            case MarginCallIssued:
                break;
            case InsuranceReceived ins:
                {
                    var s = Get(ins.SubAccount);
                    var i = ins.Instrument.Length > 0 ? s.Portfolio.IndexOf(s.Resolve(ins.Instrument).Id) : -1;
                    if (i >= 0 && s.Portfolio[i].IsIsolated)
                    {
                        s.Portfolio[i].IsolatedMarginMicros += ins.AmountMicros;
                    }
                    else
                    {
                        s.Portfolio.Balances[0] += ins.AmountMicros;
                    }
                    s.LedgerTotals[Ledger.UsdSlot(Params.Assets.Count, Ledger.Insurance)] += ins.AmountMicros;
                    break;
                }
            case ModeChanged m:
                Get(m.SubAccount).Portfolio.Mode = m.Mode;
                break;
            case IsolatedMarginSet i:
                ApplyIsolated(Get(i.SubAccount), i.Instrument, i.MarginMicros);
                break;
            case FundingPaid fp:
                {
                    var assets = Params.Assets.Count;
                    foreach (var p in fp.Payments)
                    {
                        var s = Get(p.SubAccount);
                        s.Portfolio.Balances[0] += p.PaymentMicros;
                        s.LedgerTotals[Ledger.UsdSlot(assets, Ledger.Funding)] += p.PaymentMicros;
                    }
                    break;
                }
            default:
                throw new ArgumentException($"unknown account event {e.GetType().Name}", nameof(e));
        }
        SequenceNr = sequenceNr;
        Remember(e, sequenceNr);
    }

    /// <summary>Restores a sub-account from a snapshot (used only while recovering).</summary>
    internal SubAccountState Restore(string name) => GetOrCreate(name);

    /// <summary>Restores a dedupe record and the sequence number from a snapshot (used only while recovering).</summary>
    internal void RestoreDedupe(string commandId, DedupeRecord record)
    {
        if (_dedupe.TryAdd(commandId, record))
        {
            _dedupeOrder.Enqueue(commandId);
        }
    }

    internal void RestoreSequenceNr(long sequenceNr) => SequenceNr = sequenceNr;

    private void ApplyTrade(SubAccountState s, string instrumentName, long newSizeLots, double newEntryPrice,
        long realisedMicros, long premiumMicros, long feeMicros, int feeSlot, bool settleIsolated = false)
    {
        var instrument = s.Resolve(instrumentName);
        var portfolio = s.Portfolio;
        var i = portfolio.IndexOf(instrument.Id);
        if (i < 0)
        {
            i = portfolio.Add(new Position(instrument.Id, 0, 0));
        }
        portfolio[i].SizeLots = newSizeLots;
        portfolio[i].EntryPrice = newEntryPrice;
        // A forced reduction of an isolated position settles into its own margin: it never touches the cross pool.
        if (settleIsolated && portfolio[i].IsIsolated)
        {
            portfolio[i].IsolatedMarginMicros += realisedMicros + premiumMicros - feeMicros;
        }
        else
        {
            portfolio.Balances[0] += realisedMicros + premiumMicros - feeMicros;
        }
        var assets = Params.Assets.Count;
        s.LedgerTotals[Ledger.UsdSlot(assets, Ledger.RealisedPnl)] += realisedMicros;
        s.LedgerTotals[Ledger.UsdSlot(assets, Ledger.Premium)] += premiumMicros;
        s.LedgerTotals[Ledger.UsdSlot(assets, feeSlot)] += feeMicros;
        s.AddRealised(instrumentName, realisedMicros);
        // An isolated position keeps its slot (and its margin) at size zero until its margin is released.
        if (newSizeLots == 0 && !portfolio[i].IsIsolated)
        {
            portfolio.RemoveAt(i);
        }
    }

    private static void ApplyIsolated(SubAccountState s, string instrumentName, long marginMicros)
    {
        var instrument = s.Resolve(instrumentName);
        var portfolio = s.Portfolio;
        var i = portfolio.IndexOf(instrument.Id);
        if (i < 0)
        {
            i = portfolio.Add(new Position(instrument.Id, 0, 0));
        }
        ref var p = ref portfolio[i];
        portfolio.Balances[0] -= marginMicros - p.IsolatedMarginMicros;
        p.IsolatedMarginMicros = marginMicros;
        p.IsIsolated = marginMicros > 0;
        if (!p.IsIsolated && p.SizeLots == 0)
        {
            portfolio.RemoveAt(i);
        }
    }

    private void Remember(IAccountEvent e, long sequenceNr)
    {
        if (_dedupe.TryAdd(e.CommandId, new DedupeRecord(sequenceNr, CommandFingerprint.Of(e), e.AtMs)))
        {
            _dedupeOrder.Enqueue(e.CommandId);
        }
        var cutoff = e.AtMs - _retentionMs;
        while (_dedupeOrder.TryPeek(out var oldest) && _dedupe[oldest].AtMs < cutoff)
        {
            _dedupeOrder.Dequeue();
            _dedupe.Remove(oldest);
        }
    }

    private SubAccountState GetOrCreate(string name)
    {
        var s = Find(name);
        if (s is null)
        {
            s = new SubAccountState(name, Catalog);
            _subs.Add(s);
        }
        return s;
    }

    private SubAccountState Get(string name) =>
        Find(name) ?? throw new InvalidOperationException($"journal names sub-account {name} before it exists");

    private int AssetId(string asset)
    {
        var id = Params.AssetId(asset);
        return id >= 0 ? id : throw new InvalidOperationException($"journal names asset {asset} the parameters do not know");
    }
}

using System.Collections.Concurrent;
using Akka.Actor;
using RiskGrid.Margin.Accounts;
using RiskGrid.Node.Accounts;

namespace RiskGrid.Node.Supervision;

/// <summary>
/// An immutable copy of what the risk tier needs of one account, taken on the entity's thread after a persisted
/// change: each sub-account's margin-core portfolio (mode, balances, positions), the journal position it reflects
/// and the account's cumulative liquidation fees (what the insurance fund must have received). Shared read-only by
/// the supervisor and the liquidation stages.
/// </summary>
public sealed class AccountCopy
{
    internal AccountCopy(string accountId, long sequenceNr, string[] subNames, SubAccountPortfolio[] subs,
        long liquidationFeesMicros)
    {
        AccountId = accountId;
        SequenceNr = sequenceNr;
        SubNames = subNames;
        Subs = subs;
        LiquidationFeesMicros = liquidationFeesMicros;
    }

    /// <summary>The account.</summary>
    public string AccountId { get; }

    /// <summary>The journal sequence number the copy reflects (a plan made on it expects this number).</summary>
    public long SequenceNr { get; }

    /// <summary>Sub-account names, parallel to <see cref="Subs"/>.</summary>
    public IReadOnlyList<string> SubNames { get; }

    /// <summary>Sub-account portfolios; never mutated after the copy.</summary>
    public IReadOnlyList<SubAccountPortfolio> Subs { get; }

    /// <summary>Σ liquidation fees the account has paid, over its sub-accounts, micro-dollars.</summary>
    public long LiquidationFeesMicros { get; }

    /// <summary>Copies <paramref name="state"/>.</summary>
    public static AccountCopy Of(string accountId, AccountState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var subs = state.SubAccounts;
        var names = new string[subs.Count];
        var copies = new SubAccountPortfolio[subs.Count];
        var fees = 0L;
        var slot = Ledger.UsdSlot(state.Params.Assets.Count, Ledger.LiquidationFees);
        for (var i = 0; i < subs.Count; i++)
        {
            names[i] = subs[i].Name;
            var p = new SubAccountPortfolio(state.Params, Math.Max(1, subs[i].Portfolio.PositionCount));
            p.CopyFrom(subs[i].Portfolio);
            copies[i] = p;
            fees += subs[i].LedgerTotals[slot];
        }
        return new AccountCopy(accountId, state.SequenceNr, names, copies, fees);
    }
}

/// <summary>
/// The entities' side of the risk tier (<see cref="IAccountObserver"/>): after each persisted change it copies the
/// account (<see cref="AccountCopy"/>), keeps it as the latest, and marks it pending for the supervisor, which
/// drains the pending set on its own thread. The pending set holds at most one copy per account (conflated), and the
/// supervisor is signalled once per drain, so a burst of fills costs the supervisor one message.
/// </summary>
public sealed class RiskBookFeed : IAccountObserver
{
    private readonly ConcurrentDictionary<string, AccountCopy> _latest = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, AccountCopy> _pending = new(StringComparer.Ordinal);
    private IActorRef _supervisor = ActorRefs.Nobody;
    private int _signalled;
    private long _changes;

    /// <summary>Copies taken so far.</summary>
    public long Changes => Interlocked.Read(ref _changes);

    /// <summary>Accounts with a latest copy on this node.</summary>
    public int Count => _latest.Count;

    /// <summary>True when copies wait to be drained.</summary>
    public bool HasPending => !_pending.IsEmpty;

    /// <summary>Where the "book changed" signal goes.</summary>
    public void Attach(IActorRef supervisor) => _supervisor = supervisor;

    /// <inheritdoc />
    public void OnChanged(string accountId, AccountState state)
    {
        var copy = AccountCopy.Of(accountId, state);
        _latest.AddOrUpdate(accountId, static (_, c) => c,
            static (_, old, c) => old.SequenceNr > c.SequenceNr ? old : c, copy);
        _pending[accountId] = copy;
        Interlocked.Increment(ref _changes);
        if (Interlocked.Exchange(ref _signalled, 1) == 0)
        {
            _supervisor.Tell(BookChanged.Instance);
        }
    }

    /// <summary>The latest copy of <paramref name="accountId"/> on this node.</summary>
    public bool TryGetLatest(string accountId, out AccountCopy copy) => _latest.TryGetValue(accountId, out copy!);

    /// <summary>Every account with a latest copy (a snapshot of the keys).</summary>
    public ICollection<string> Accounts => _latest.Keys;

    /// <summary>Forgets <paramref name="accountId"/> (its shard left this node).</summary>
    public void Forget(string accountId)
    {
        _latest.TryRemove(accountId, out _);
        _pending.TryRemove(accountId, out _);
    }

    /// <summary>Takes every pending copy (on the supervisor's thread); re-arms the signal first, so a change racing
    /// with the drain signals again.</summary>
    public int Drain(List<AccountCopy> into)
    {
        Volatile.Write(ref _signalled, 0);
        var n = 0;
        // The dictionary's own enumerator takes no lock (its Keys property would lock every bucket and copy them,
        // a cost the supervisor paid on every drain); a copy that replaced the one enumerated is what TryRemove takes.
        foreach (var (key, _) in _pending)
        {
            if (_pending.TryRemove(key, out var copy))
            {
                into.Add(copy);
                n++;
            }
        }
        return n;
    }

    /// <summary>Signal that pending copies wait.</summary>
    public sealed class BookChanged
    {
        /// <summary>The one instance.</summary>
        public static readonly BookChanged Instance = new();

        private BookChanged()
        {
        }
    }
}

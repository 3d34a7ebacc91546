using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using Akka.Persistence;
using RiskGrid.Node.Accounts;

namespace RiskGrid.Node.Supervision;

/// <summary>A message for the insurance fund entity.</summary>
public interface IFundMessage;

/// <summary>A change of the fund, as stored in its journal.</summary>
public interface IFundEvent
{
    /// <summary>Grid clock, Unix milliseconds.</summary>
    long AtMs { get; }
}

/// <summary>Liquidation fees: <paramref name="CumulativeMicros"/> is everything <paramref name="AccountId"/> has ever
/// paid (its ledger's liquidation fees); the fund credits the part above what it has recorded. Sending it again, late
/// or twice credits nothing more: exactly once without a dedupe table.</summary>
public sealed record SettleFees(string AccountId, long CumulativeMicros, long AtMs) : IFundMessage;

/// <summary>The fund's answer to <see cref="SettleFees"/>: what it has recorded for the account.</summary>
public sealed record FeesAcknowledged(string AccountId, long WatermarkMicros) : IFundMessage;

/// <summary>Asks the fund to cover a liquidated sub-account's deficit. Without <paramref name="AllowBadDebt"/> it
/// grants at most its balance (the rest goes to auto-deleveraging); with it, it grants all and records what its
/// balance could not cover as bad debt. Idempotent by <paramref name="PayoutId"/>.</summary>
public sealed record CoverDeficit(string PayoutId, string AccountId, string SubAccount, string Instrument,
    long DeficitMicros, bool AllowBadDebt, long AtMs) : IFundMessage;

/// <summary>The fund's answer to <see cref="CoverDeficit"/> (the same for a repeat).</summary>
public sealed record DeficitCovered(string PayoutId, long GrantedMicros, long BadDebtMicros) : IFundMessage;

/// <summary>Tells the fund its payout reached the account (the account accepted the <see cref="ReceiveInsurance"/>).</summary>
public sealed record ConfirmPayout(string PayoutId, long AtMs) : IFundMessage;

/// <summary>Records an ADL decision (the counterparties, the lots and the bankruptcy price of one close of one
/// liquidation) the first time it is made, and answers with the recorded one ever after: a liquidation interrupted
/// after its counterparties were reduced and retried on another node reduces the same counterparties at the same price
/// (their commands are then repeats), whatever the ranking and the fund's balance say by then.</summary>
public sealed record ReserveAdl(string Key, double Price, long Lots, IReadOnlyList<Margin.Liquidation.AdlCandidate> Candidates,
    long AtMs) : IFundMessage, IFundEvent
{
    /// <inheritdoc />
    public bool Equals(ReserveAdl? other) => other is not null && Key == other.Key && Price.Equals(other.Price) &&
        Lots == other.Lots && AtMs == other.AtMs && Candidates.SequenceEqual(other.Candidates);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Key, Price, Lots, AtMs, Candidates.Count);
}

/// <summary>Asks for the fund's totals.</summary>
public sealed record GetFund : IFundMessage
{
    /// <summary>The one instance.</summary>
    public static readonly GetFund Instance = new();
}

/// <summary>The fund's totals, micro-dollars. Balance = opening + inflows − payouts (negative after bad debt).</summary>
public sealed record FundView(long BalanceMicros, long OpeningMicros, long InflowsMicros, long PayoutsMicros,
    long BadDebtMicros, int PendingPayouts, long SequenceNr) : IFundMessage;

/// <summary>The opening balance credited.</summary>
public sealed record FundSeeded(long AmountMicros, long AtMs) : IFundEvent;

/// <summary>Fees credited: <paramref name="DeltaMicros"/> above the account's previous watermark.</summary>
public sealed record FeesSettled(string AccountId, long CumulativeMicros, long DeltaMicros, long AtMs) : IFundEvent;

/// <summary>A payout granted (reserved) for a deficit; the account is credited by <see cref="ReceiveInsurance"/> with
/// the payout id as its command id.</summary>
public sealed record PayoutGranted(string PayoutId, string AccountId, string SubAccount, string Instrument,
    long RequestedMicros, long GrantedMicros, long BadDebtMicros, long AtMs) : IFundEvent;

/// <summary>A payout reached its account.</summary>
public sealed record PayoutConfirmed(string PayoutId, long AtMs) : IFundEvent;

/// <summary>
/// The insurance fund: its own persistent entity (one per cluster, hosted by sharding, so it moves when its node
/// dies). Inflows are the accounts' liquidation fees, settled by cumulative watermark per account (idempotent by
/// nature); payouts cover liquidated deficits, idempotent by payout id, and are delivered to the account at least
/// once (the account dedupes by the payout id) until confirmed, also after a restart.
/// </summary>
public sealed class InsuranceFundEntity : UntypedPersistentActor, IWithTimers
{
    /// <summary>The fund's persistence id (and entity id).</summary>
    public const string Id = "insurance-fund";

    private static readonly TimeSpan RedeliverEvery = TimeSpan.FromSeconds(5);

    private readonly IActorRef _accounts;
    private readonly long _openingMicros;
    private readonly TimeSpan _askTimeout;
    private readonly Dictionary<string, long> _watermarks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PayoutGranted> _payouts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PayoutGranted> _pending = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ReserveAdl> _adl = new(StringComparer.Ordinal);
    private long _opening;
    private long _inflows;
    private long _paid;
    private long _badDebt;
    private bool _seeded;

    public InsuranceFundEntity(IActorRef accounts, long openingMicros, TimeSpan askTimeout)
    {
        _accounts = accounts;
        _openingMicros = openingMicros;
        _askTimeout = askTimeout;
    }

    /// <inheritdoc />
    public override string PersistenceId => Id;

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props of the fund.</summary>
    public static Props Props(IActorRef accounts, long openingMicros, TimeSpan askTimeout) =>
        Akka.Actor.Props.Create(() => new InsuranceFundEntity(accounts, openingMicros, askTimeout));

    private long Balance => _opening + _inflows - _paid;

    /// <inheritdoc />
    protected override void OnRecover(object message)
    {
        switch (message)
        {
            case IFundEvent e:
                Apply(e);
                break;
            case RecoveryCompleted:
                Timers.StartPeriodicTimer("redeliver", Redeliver.Instance, RedeliverEvery);
                if (!_seeded && _openingMicros > 0)
                {
                    Persist(new FundSeeded(_openingMicros, 0), Apply);
                }
                break;
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Each command is decided on the fund's state as decided so far (events are applied when decided, in the order
    /// they are persisted) and its event persisted with <c>PersistAsync</c>: commands keep arriving while a write is
    /// in flight and their events join the next write, so the one fund does not serialize the grid's journal round
    /// trips (a crash sends it a settlement per liquidated account). Every answer leaves after the events it depends
    /// on are written (the persist handler, or <c>DeferAsync</c> for an answer from state another command decided). A
    /// write that fails stops the fund (Akka's default) and a rejected one is made to: it recovers from its journal,
    /// and the unanswered askers retry (every command is idempotent).
    /// </remarks>
    protected override void OnCommand(object message)
    {
        switch (message)
        {
            case SettleFees s:
                {
                    var sender = Sender;
                    _watermarks.TryGetValue(s.AccountId, out var mark);
                    if (s.CumulativeMicros > mark)
                    {
                        Decide(new FeesSettled(s.AccountId, s.CumulativeMicros, s.CumulativeMicros - mark, s.AtMs),
                            e => sender.Tell(new FeesAcknowledged(e.AccountId, e.CumulativeMicros)));
                    }
                    else
                    {
                        DeferAsync(mark, m => sender.Tell(new FeesAcknowledged(s.AccountId, m)));
                    }
                    break;
                }
            case CoverDeficit c:
                {
                    var sender = Sender;
                    if (_payouts.TryGetValue(c.PayoutId, out var granted))
                    {
                        DeferAsync(granted, g => sender.Tell(new DeficitCovered(g.PayoutId, g.GrantedMicros,
                            g.BadDebtMicros)));
                        break;
                    }
                    if (c.DeficitMicros <= 0)
                    {
                        sender.Tell(new DeficitCovered(c.PayoutId, 0, 0));
                        break;
                    }
                    var available = Math.Max(0, Balance);
                    var fromFund = Math.Min(available, c.DeficitMicros);
                    var grant = c.AllowBadDebt ? c.DeficitMicros : fromFund;
                    var bad = grant - fromFund;
                    if (grant == 0)
                    {
                        sender.Tell(new DeficitCovered(c.PayoutId, 0, 0));
                        break;
                    }
                    Decide(new PayoutGranted(c.PayoutId, c.AccountId, c.SubAccount, c.Instrument, c.DeficitMicros, grant,
                        bad, c.AtMs), e => sender.Tell(new DeficitCovered(e.PayoutId, e.GrantedMicros, e.BadDebtMicros)));
                    break;
                }
            case ReserveAdl r:
                {
                    var sender = Sender;
                    if (_adl.TryGetValue(r.Key, out var recorded))
                    {
                        DeferAsync(recorded, x => sender.Tell(x));
                        break;
                    }
                    Decide(r, e => sender.Tell(e));
                    break;
                }
            case ConfirmPayout p:
                if (_pending.ContainsKey(p.PayoutId))
                {
                    Decide(new PayoutConfirmed(p.PayoutId, p.AtMs), _ => { });
                }
                break;
            case GetFund:
                {
                    // After the writes in flight: the view is what the journal holds.
                    var sender = Sender;
                    DeferAsync(GetFund.Instance, _ => sender.Tell(new FundView(Balance, _opening, _inflows, _paid,
                        _badDebt, _pending.Count, LastSequenceNr)));
                    break;
                }
            case Redeliver:
                foreach (var p in _pending.Values)
                {
                    Deliver(p);
                }
                break;
            case Delivered d:
                if (_pending.ContainsKey(d.PayoutId))
                {
                    Decide(new PayoutConfirmed(d.PayoutId, d.AtMs), _ => { });
                }
                break;
            case AccountEntity.Stop:
                Context.Stop(Self);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    // Applies a decided event now (later commands decide on it) and persists it; then runs done.
    private void Decide<TEvent>(TEvent e, Action<TEvent> done)
        where TEvent : IFundEvent
    {
        Apply(e);
        PersistAsync(e, done);
    }

    /// <inheritdoc />
    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        // The event was applied when decided: the state is ahead of the journal. Start over from the journal.
        base.OnPersistRejected(cause, @event, sequenceNr);
        Context.Stop(Self);
    }

    private void Deliver(PayoutGranted p)
    {
        var self = Self;
        var log = Log;
        var command = new ReceiveInsurance(p.AccountId, p.PayoutId, p.SubAccount, p.Instrument, p.GrantedMicros, p.AtMs);
        _accounts.Ask<IAccountReply>(command, _askTimeout).ContinueWith(t =>
        {
            if (t.IsCompletedSuccessfully && t.Result is CommandAccepted or CommandRepeated)
            {
                self.Tell(new Delivered(p.PayoutId, p.AtMs));
            }
            else if (t.IsCompletedSuccessfully && t.Result is CommandRejected r)
            {
                log.Warning("Insurance payout {0} to {1}/{2} refused: {3}", p.PayoutId, p.AccountId,
                    p.SubAccount, r.Message);
            }
        }, TaskScheduler.Default);
    }

    private void Apply(IFundEvent e)
    {
        switch (e)
        {
            case FundSeeded s:
                _opening += s.AmountMicros;
                _seeded = true;
                break;
            case FeesSettled f:
                _watermarks[f.AccountId] = f.CumulativeMicros;
                _inflows += f.DeltaMicros;
                break;
            case PayoutGranted p:
                _payouts[p.PayoutId] = p;
                _pending[p.PayoutId] = p;
                _paid += p.GrantedMicros;
                _badDebt += p.BadDebtMicros;
                break;
            case PayoutConfirmed c:
                _pending.Remove(c.PayoutId);
                break;
            case ReserveAdl r:
                _adl[r.Key] = r;
                break;
        }
    }

    private sealed class Redeliver
    {
        public static readonly Redeliver Instance = new();
    }

    private sealed record Delivered(string PayoutId, long AtMs);
}

/// <summary>Hosts the fund under cluster sharding (one entity, one shard), so it survives the loss of its node.</summary>
public static class InsuranceFundSharding
{
    /// <summary>The sharding type name.</summary>
    public const string TypeName = "insurance-fund";

    /// <summary>Starts the region on a node.</summary>
    public static IActorRef Start(ActorSystem system, IActorRef accounts, SupervisorSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return Hosting.SingleEntitySharding.Start<IFundMessage>(system, TypeName, InsuranceFundEntity.Id,
            InsuranceFundEntity.Props(accounts, settings.FundInitialBalanceMicros, settings.AskTimeout));
    }
}

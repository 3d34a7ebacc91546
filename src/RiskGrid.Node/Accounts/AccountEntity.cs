using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Akka.Persistence.Journal;

namespace RiskGrid.Node.Accounts;

/// <summary>
/// One trader account: the single writer of its sub-accounts, balances, positions, modes and isolated margins.
/// A command is decided against the margin core (<see cref="AccountCommandHandler"/>), then its event is persisted,
/// then applied, then answered; a rejection persists nothing. A command id already applied gets its first answer
/// again (the dedupe record is state, so it survives restarts and shard moves). Snapshots every
/// <see cref="AccountSettings.SnapshotEvery"/> events; older snapshots are deleted once a newer one is stored. The
/// journal itself is kept: it is the account's audit trail (<c>GET /v1/accounts/{acct}/events</c>).
/// </summary>
public sealed class AccountEntity : UntypedPersistentActor
{
    /// <summary>Prefix of every account's persistence id.</summary>
    public const string PersistencePrefix = "account-";

    private readonly string _accountId;
    private readonly AccountCommandHandler _handler;
    private readonly IAccountObserver? _observer;
    private readonly AccountState _state;
    private long _persistStartedTicks;

    /// <param name="accountId">The account; null: the actor's name (how sharding names an entity: its id,
    /// URI-escaped), so one <see cref="Props"/> serves every entity of a region.</param>
    /// <param name="handler">Decides the commands.</param>
    /// <param name="observer">Hears of every persisted change (the risk tier).</param>
    public AccountEntity(string? accountId, AccountCommandHandler handler, IAccountObserver? observer)
    {
        _accountId = accountId ?? Uri.UnescapeDataString(Context.Self.Path.Name);
        _handler = handler;
        _observer = observer;
        _state = new AccountState(handler.Catalog, (long)handler.Settings.DedupeRetention.TotalMilliseconds);
        PersistenceId = PersistencePrefix + _accountId;
    }

    /// <summary>The message sharding sends to hand an entity off or passivate it.</summary>
    public sealed class Stop
    {
        /// <summary>The one instance.</summary>
        public static readonly Stop Instance = new();

        private Stop()
        {
        }
    }

    /// <inheritdoc />
    public override string PersistenceId { get; }

    /// <summary>Props of the entity for <paramref name="accountId"/> (null: the account its actor name says, as
    /// sharding names entities). Sharding shares one instance across the region: a props object per entity would cost
    /// every resident account its own props, deploy and arguments (about 200 bytes).</summary>
    public static Props Props(string? accountId, AccountCommandHandler handler, IAccountObserver? observer) =>
        Akka.Actor.Props.Create(() => new AccountEntity(accountId, handler, observer))
            .WithMailbox(CompactDequeMailbox.Id);

    /// <inheritdoc />
    protected override void OnRecover(object message)
    {
        switch (message)
        {
            case SnapshotOffer { Snapshot: AccountSnapshot snapshot }:
                AccountSnapshots.Restore(snapshot, _state);
                break;
            case IAccountEvent e:
                _state.Apply(e, LastSequenceNr);
                break;
            case RecoveryCompleted:
                if (_state.Exists)
                {
                    _observer?.OnChanged(_accountId, _state);
                }
                break;
        }
    }

    /// <inheritdoc />
    protected override void OnCommand(object message)
    {
        switch (message)
        {
            case IAccountCommand command:
                Answering(() => Handle(command));
                break;
            case CheckOrder check:
                Answering(() => Sender.Tell(_handler.CheckOrder(_state, check)));
                break;
            case GetAccount:
                Sender.Tell(_state.Exists
                    ? AccountSnapshots.View(_accountId, _state)
                    : new CommandRejected(RejectionCode.NotFound, "accountId", $"account {_accountId} does not exist"));
                break;
            case SaveSnapshotSuccess saved:
                DeleteSnapshots(new SnapshotSelectionCriteria(saved.Metadata.SequenceNr - 1));
                break;
            case SaveSnapshotFailure failed:
                Log.Warning(failed.Cause, "Snapshot failed account={AccountId} seqNr={SequenceNr}", _accountId,
                    failed.Metadata.SequenceNr);
                break;
            case DeleteSnapshotsSuccess:
                break;
            case DeleteSnapshotsFailure failed:
                Log.Warning(failed.Cause, "Deleting old snapshots failed account={AccountId}", _accountId);
                break;
            case Stop:
                Context.Stop(Self);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    /// <summary>
    /// Runs <paramref name="decide"/>; a bug that throws answers the asker with the failure at once (rather than
    /// letting it wait for its timeout) and restarts the entity, which recovers its state from the journal.
    /// </summary>
    private void Answering(Action decide)
    {
        try
        {
            decide();
        }
        catch (Exception e)
        {
            Log.Error(e, "Command failed account={AccountId}: the entity restarts from its journal", _accountId);
            Sender.Tell(new Status.Failure(e));
            throw;
        }
    }

    private void Handle(IAccountCommand command)
    {
        if (_state.TryGetApplied(command.CommandId ?? "", out var first))
        {
            Sender.Tell(CommandFingerprint.Of(command) == first.Fingerprint
                ? new CommandRepeated(command.CommandId!, first.SequenceNr)
                : new CommandRejected(RejectionCode.CommandIdReused, "commandId",
                    $"commandId {command.CommandId} was used before with another body"));
            return;
        }
        var e = _handler.Decide(_state, command, out var rejection);
        if (e is null)
        {
            Sender.Tell(rejection!);
            return;
        }
        _persistStartedTicks = System.Diagnostics.Stopwatch.GetTimestamp();
        var tag = TagOf(e);
        if (tag is null)
        {
            Persist(e, Applied);
        }
        else
        {
            // Low-rate events a venue reads across accounts (GET /v1/liquidations, /v1/margin-calls) carry a tag
            // for the read journal's EventsByTag; fills and deposits stay untagged (tags are written row by row).
            Persist(new Tagged(e, [tag]), _ => Applied(e));
        }
    }

    /// <summary>The read-journal tag of <paramref name="e"/>, or null for untagged (hot-path) events.</summary>
    public static string? TagOf(IAccountEvent e) => e switch
    {
        ReductionApplied => LiquidationTag,
        MarginCallIssued => MarginCallTag,
        InsuranceReceived => InsuranceTag,
        _ => null,
    };

    /// <summary>Tag of every <see cref="ReductionApplied"/> (liquidation and ADL closes).</summary>
    public const string LiquidationTag = "liquidation";

    /// <summary>Tag of every <see cref="MarginCallIssued"/>.</summary>
    public const string MarginCallTag = "margin-call";

    /// <summary>Tag of every <see cref="InsuranceReceived"/>.</summary>
    public const string InsuranceTag = "insurance";

    private void Applied(IAccountEvent e)
    {
        _handler.JournalWrites.RecordSince(_persistStartedTicks);
        _state.Apply(e, LastSequenceNr);
        // The risk tier sees the change before the sender hears of it: an engine that acts on the reply then reads
        // a copy at least this new.
        _observer?.OnChanged(_accountId, _state);
        Sender.Tell(new CommandAccepted(e.CommandId, LastSequenceNr, e));
        if (LastSequenceNr % _handler.Settings.SnapshotEvery == 0)
        {
            SaveSnapshot(AccountSnapshots.Take(_state));
        }
    }

    /// <inheritdoc />
    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        Log.Error(cause, "Persist failed account={AccountId} seqNr={SequenceNr}: the entity stops and recovers on its next message",
            _accountId, sequenceNr);
        base.OnPersistFailure(cause, @event, sequenceNr);
    }
}

/// <summary>
/// Told, on the entity's thread, after every persisted change and after recovery: the hook of the node's risk view
/// (the supervisor tier). Must be quick and must not keep the state it is handed: copy what it needs.
/// </summary>
public interface IAccountObserver
{
    /// <summary>The account's state changed (or was recovered).</summary>
    void OnChanged(string accountId, AccountState state);
}

using Akka.Actor;
using Akka.Persistence;

namespace RiskGrid.Node.Tests.Smoke;

internal sealed record AppendEntry(string Entry);

internal sealed record EntryAppended(string Entry);

internal sealed record EntryPersisted(long SequenceNr);

internal sealed record TakeSnapshot;

internal sealed record SnapshotTaken(long SequenceNr);

internal sealed record GetLedger;

internal sealed record LedgerSnapshot(string[] Entries);

/// <summary>What the probe holds and how it got there: the snapshot it started from and the events replayed.</summary>
internal sealed record LedgerView(string[] Entries, long? SnapshotSequenceNr, int ReplayedEvents, long LastSequenceNr);

/// <summary>
/// A minimal persistent entity in the shape the account entities will have (UntypedPersistentActor with a switch):
/// persists an event and replies after it is stored, saves a snapshot on request, and reports how it recovered.
/// </summary>
internal sealed class LedgerProbe : UntypedPersistentActor
{
    private readonly List<string> _entries = [];
    private long? _snapshotSequenceNr;
    private int _replayedEvents;
    private IActorRef _requester = ActorRefs.Nobody;

    public LedgerProbe(string persistenceId) => PersistenceId = persistenceId;

    public override string PersistenceId { get; }

    public static Props PropsFor(string persistenceId) => Props.Create(() => new LedgerProbe(persistenceId));

    protected override void OnCommand(object message)
    {
        switch (message)
        {
            case AppendEntry append:
                _requester = Sender;
                Persist(new EntryAppended(append.Entry), appended =>
                {
                    _entries.Add(appended.Entry);
                    Sender.Tell(new EntryPersisted(LastSequenceNr));
                });
                break;
            case TakeSnapshot:
                _requester = Sender;
                SaveSnapshot(new LedgerSnapshot([.. _entries]));
                break;
            case SaveSnapshotSuccess success:
                _requester.Tell(new SnapshotTaken(success.Metadata.SequenceNr));
                break;
            case SaveSnapshotFailure failure:
                _requester.Tell(new Status.Failure(failure.Cause));
                break;
            case GetLedger:
                Sender.Tell(new LedgerView([.. _entries], _snapshotSequenceNr, _replayedEvents, LastSequenceNr));
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    protected override void OnRecover(object message)
    {
        switch (message)
        {
            case SnapshotOffer { Snapshot: LedgerSnapshot snapshot } offer:
                _entries.Clear();
                _entries.AddRange(snapshot.Entries);
                _snapshotSequenceNr = offer.Metadata.SequenceNr;
                break;
            case EntryAppended appended:
                _entries.Add(appended.Entry);
                _replayedEvents++;
                break;
        }
    }

    // A failed write stops the actor; pass the cause to the asker so the test fails with the storage error, not a timeout.
    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        _requester.Tell(new Status.Failure(cause));
        base.OnPersistFailure(cause, @event, sequenceNr);
    }

    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        _requester.Tell(new Status.Failure(cause));
        base.OnPersistRejected(cause, @event, sequenceNr);
    }
}

using System.Collections.Immutable;
using Akka.Actor;
using Akka.Persistence;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;

namespace RiskGrid.Node.Accounts;

/// <summary>What <see cref="AccountImport.ImportAsync"/> did.</summary>
/// <param name="Accounts">Accounts written.</param>
/// <param name="Events">Events written.</param>
/// <param name="Refused">Accounts refused (a command refused by its check, or the account exists), with why.</param>
public sealed record ImportResult(int Accounts, long Events, IReadOnlyList<string> Refused);

/// <summary>
/// Opens many new accounts at once (a venue migrating its book, the stress lab seeding one): each account's commands
/// are decided exactly as its entity would decide them (<see cref="AccountCommandHandler.Decide"/> on a fresh
/// <see cref="AccountState"/>, in order), and the resulting events are written to the journal in batches through the
/// journal plugin (the entity's own persistence id, sequence numbers from 1). The entities are not started: each
/// recovers from those events on its first message, like any passivated account. The risk tier is told of each
/// account once its events are stored. Only accounts with no journal yet are imported; a command refused by its check
/// refuses its whole account.
/// </summary>
public sealed class AccountImport
{
    private readonly ActorSystem _system;
    private readonly AccountCommandHandler _handler;
    private readonly IAccountObserver? _observer;
    private readonly string _readJournalId;

    public AccountImport(ActorSystem system, AccountCommandHandler handler, IAccountObserver? observer,
        string readJournalId)
    {
        _system = system ?? throw new ArgumentNullException(nameof(system));
        _handler = handler ?? throw new ArgumentNullException(nameof(handler));
        _observer = observer;
        _readJournalId = readJournalId ?? throw new ArgumentNullException(nameof(readJournalId));
    }

    /// <summary>Imports <paramref name="accounts"/> (id and its commands, in order); <paramref name="progress"/> is
    /// told the number of accounts written so far after each batch.</summary>
    public async Task<ImportResult> ImportAsync(IEnumerable<(string AccountId, IReadOnlyList<IAccountCommand> Commands)> accounts,
        int batchAccounts = 1_000, Action<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(accounts);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchAccounts, 1);
        var existing = await ExistingAsync(cancellationToken).ConfigureAwait(false);
        var journal = Persistence.Instance.Apply(_system).JournalFor(null);
        var refused = new List<string>();
        var writes = new List<AtomicWrite>(batchAccounts);
        var states = new List<(string, AccountState)>(batchAccounts);
        var written = 0;
        long events = 0;
        var writerGuid = Guid.NewGuid().ToString("N");
        var retention = (long)_handler.Settings.DedupeRetention.TotalMilliseconds;
        foreach (var (accountId, commands) in accounts)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var persistenceId = AccountEntity.PersistencePrefix + accountId;
            if (existing.Contains(persistenceId))
            {
                refused.Add($"{accountId}: already has a journal");
                continue;
            }
            var state = new AccountState(_handler.Catalog, retention);
            var persistent = ImmutableList.CreateBuilder<IPersistentRepresentation>();
            string? why = null;
            foreach (var command in commands)
            {
                if (command.AccountId != accountId)
                {
                    why = $"command {command.CommandId} names account {command.AccountId}";
                    break;
                }
                var e = _handler.Decide(state, command, out var rejection);
                if (e is null)
                {
                    why = $"command {command.CommandId}: {rejection!.Message}";
                    break;
                }
                var seq = state.SequenceNr + 1;
                state.Apply(e, seq);
                persistent.Add(new Persistent(e, seq, persistenceId, string.Empty, false, ActorRefs.NoSender, writerGuid));
            }
            if (why is not null || persistent.Count == 0)
            {
                refused.Add($"{accountId}: {why ?? "no commands"}");
                continue;
            }
            existing.Add(persistenceId);
            writes.Add(new AtomicWrite(persistent.ToImmutable()));
            states.Add((accountId, state));
            events += persistent.Count;
            if (writes.Count == batchAccounts)
            {
                written += await WriteAsync(journal, writes, states, cancellationToken).ConfigureAwait(false);
                progress?.Invoke(written);
            }
        }
        if (writes.Count > 0)
        {
            written += await WriteAsync(journal, writes, states, cancellationToken).ConfigureAwait(false);
            progress?.Invoke(written);
        }
        return new ImportResult(written, events, refused);
    }

    private async Task<int> WriteAsync(IActorRef journal, List<AtomicWrite> writes,
        List<(string AccountId, AccountState State)> states, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var expected = 0;
        foreach (var w in writes)
        {
            expected += w.Size;
        }
        var receiver = _system.ActorOf(Props.Create(() => new WriteReceiver(done, expected)));
        try
        {
            journal.Tell(new WriteMessages(writes.ToArray(), receiver, 1));
            using var registration = cancellationToken.Register(() => done.TrySetCanceled(cancellationToken));
            var failure = await done.Task.WaitAsync(TimeSpan.FromMinutes(2), cancellationToken).ConfigureAwait(false);
            if (failure is not null)
            {
                throw new InvalidOperationException($"the journal refused an import batch: {failure}");
            }
        }
        finally
        {
            _system.Stop(receiver);
        }
        foreach (var (accountId, state) in states)
        {
            _observer?.OnChanged(accountId, state);
        }
        var n = writes.Count;
        writes.Clear();
        states.Clear();
        return n;
    }

    private async Task<HashSet<string>> ExistingAsync(CancellationToken cancellationToken)
    {
        var journal = PersistenceQuery.Get(_system).ReadJournalFor<SqlReadJournal>(_readJournalId);
        var ids = await journal.CurrentPersistenceIds()
            .Where(id => id.StartsWith(AccountEntity.PersistencePrefix, StringComparison.Ordinal))
            .RunWith(Sink.Seq<string>(), _system.Materializer())
            .WaitAsync(TimeSpan.FromMinutes(1), cancellationToken)
            .ConfigureAwait(false);
        return new HashSet<string>(ids, StringComparer.Ordinal);
    }

    // Collects the journal's answers to one WriteMessages: done once every event is acknowledged.
    private sealed class WriteReceiver(TaskCompletionSource<string?> done, int expected) : UntypedActor
    {
        private int _acknowledged;
        private string? _failure;

        protected override void OnReceive(object message)
        {
            switch (message)
            {
                case WriteMessageSuccess:
                    _acknowledged++;
                    break;
                case WriteMessageRejected r:
                    _failure ??= r.Cause.Message;
                    _acknowledged++;
                    break;
                case WriteMessageFailure f:
                    _failure ??= f.Cause.Message;
                    _acknowledged++;
                    break;
                case WriteMessagesSuccessful:
                    break;
                case WriteMessagesFailed f:
                    done.TrySetResult(f.Cause.Message);
                    return;
            }
            // The journal answers once per event (not per atomic write).
            if (_acknowledged >= expected)
            {
                done.TrySetResult(_failure);
            }
        }
    }
}

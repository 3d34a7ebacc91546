using Akka.Actor;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using RiskGrid.Margin.Instruments;
using RiskGrid.Node.Time;

namespace RiskGrid.Node.Accounts;

/// <summary>The node already has <see cref="AccountSettings.MaxInFlight"/> requests to accounts in flight: this one was
/// refused without being sent (nothing changed; retry later, with the same command id).</summary>
public sealed class AccountsOverloadedException : Exception
{
    public AccountsOverloadedException()
    {
    }

    public AccountsOverloadedException(string message) : base(message)
    {
    }

    public AccountsOverloadedException(string message, Exception innerException) : base(message, innerException)
    {
    }
}

/// <summary>An event of an account's journal with its sequence number.</summary>
public sealed record JournalEntry(long SequenceNr, IAccountEvent Event);

/// <summary>
/// A node's door to the account grid: asks the shard region (any account, wherever its shard lives), reads an
/// account's journal, and renders live metrics. What the API and the load harnesses use.
/// </summary>
public sealed class AccountService
{
    /// <summary>The most events one journal read returns.</summary>
    public const int MaxEventsPerRead = 1_000;

    private readonly ActorSystem _system;
    private readonly IActorRef _region;
    private readonly string? _readJournalId;
    private int _inFlight;
    private long _refused;

    public AccountService(ActorSystem system, IActorRef region, AccountCommandHandler handler, IMarketAccessor market,
        IGridClock clock, string? readJournalId)
    {
        _system = system ?? throw new ArgumentNullException(nameof(system));
        _region = region ?? throw new ArgumentNullException(nameof(region));
        ArgumentNullException.ThrowIfNull(handler);
        Catalog = handler.Catalog;
        Settings = handler.Settings;
        Clock = clock ?? throw new ArgumentNullException(nameof(clock));
        Metrics = new AccountMetrics(handler.Catalog, market);
        JournalWrites = handler.JournalWrites;
        _readJournalId = readJournalId;
    }

    /// <summary>The shard region of accounts on this node.</summary>
    public IActorRef Region => _region;

    /// <summary>Instruments.</summary>
    public InstrumentCatalog Catalog { get; }

    /// <summary>Account settings (the ask timeout among them).</summary>
    public AccountSettings Settings { get; }

    /// <summary>The grid clock commands are stamped with.</summary>
    public IGridClock Clock { get; }

    /// <summary>Live §11 metrics of sub-accounts.</summary>
    public AccountMetrics Metrics { get; }

    /// <summary>Journal write latency of the account entities hosted on this node (their handler's).</summary>
    public Supervision.LatencyRecorder JournalWrites { get; }

    /// <summary>Requests to accounts in flight now.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Requests refused because <see cref="AccountSettings.MaxInFlight"/> were in flight.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Sends <paramref name="message"/> to its account and waits for the answer (up to the ask timeout:
    /// then <see cref="TimeoutException"/>; the caller retries with the same command id).</summary>
    public async Task<IAccountReply> AskAsync(IAccountMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (Interlocked.Increment(ref _inFlight) > Settings.MaxInFlight)
        {
            Interlocked.Decrement(ref _inFlight);
            Interlocked.Increment(ref _refused);
            throw new AccountsOverloadedException(
                $"this node has {Settings.MaxInFlight} requests to accounts in flight; retry (with the same commandId)");
        }
        try
        {
            return await SendAsync(message, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private async Task<IAccountReply> SendAsync(IAccountMessage message, CancellationToken cancellationToken)
    {
        IAccountReply reply;
        try
        {
            reply = await _region.Ask<IAccountReply>(message, Settings.AskTimeout, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (AskTimeoutException e)
        {
            throw new TimeoutException($"account {message.AccountId} did not answer within {Settings.AskTimeout}", e);
        }
        if (reply is not CommandRepeated repeated)
        {
            return reply;
        }
        // A repeat: the first answer is the event stored at that sequence number.
        var stored = await ReadEventsAsync(message.AccountId, repeated.SequenceNr, 1, cancellationToken)
            .ConfigureAwait(false);
        if (stored.Count == 0 || stored[0].SequenceNr != repeated.SequenceNr ||
            stored[0].Event.CommandId != repeated.CommandId)
        {
            throw new InvalidOperationException(
                $"account {message.AccountId}: no event of command {repeated.CommandId} at {repeated.SequenceNr}");
        }
        return new CommandAccepted(repeated.CommandId, repeated.SequenceNr, stored[0].Event);
    }

    /// <summary>Events of <paramref name="accountId"/> from sequence number <paramref name="fromSequenceNr"/> on, at
    /// most <paramref name="limit"/>, in order.</summary>
    public async Task<IReadOnlyList<JournalEntry>> ReadEventsAsync(string accountId, long fromSequenceNr, int limit,
        CancellationToken cancellationToken)
    {
        if (_readJournalId is null)
        {
            throw new InvalidOperationException("this node has no read journal configured");
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var journal = PersistenceQuery.Get(_system).ReadJournalFor<SqlReadJournal>(_readJournalId);
        var events = await journal
            .CurrentEventsByPersistenceId(AccountEntity.PersistencePrefix + accountId, Math.Max(1, fromSequenceNr),
                long.MaxValue)
            .Take(Math.Min(limit, MaxEventsPerRead))
            .RunWith(Sink.Seq<EventEnvelope>(), _system.Materializer())
            .WaitAsync(Settings.AskTimeout, cancellationToken)
            .ConfigureAwait(false);
        var entries = new List<JournalEntry>(events.Count);
        foreach (var e in events)
        {
            if (e.Event is IAccountEvent accountEvent)
            {
                entries.Add(new JournalEntry(e.SequenceNr, accountEvent));
            }
        }
        return entries;
    }
}

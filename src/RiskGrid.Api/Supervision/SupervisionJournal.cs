using Akka;
using Akka.Actor;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using RiskGrid.Node.Accounts;
using RiskGrid.Node.Supervision;

namespace RiskGrid.Api.Supervision;

/// <summary>An account event read by tag: the account it belongs to, its place in the account's journal and its
/// position in the whole journal (the cursor of the next page).</summary>
public sealed record TaggedAccountEvent(string AccountId, long SequenceNr, long Offset, IAccountEvent Event);

/// <summary>A page of tagged account events: those read, and whether the limit cut the read short.</summary>
public sealed record TaggedPage(IReadOnlyList<TaggedAccountEvent> Events, bool More);

/// <summary>
/// The read side of the risk tier for the venue: tagged account events across every account (liquidations, margin
/// calls) and the insurance fund's journal, through Akka.Persistence.Sql's read journal. Every read is a bounded
/// "current" query (it ends at the journal's end as of the query) and is cut off after <c>timeout</c>
/// (<see cref="TimeoutException"/>, the stream stopped).
/// </summary>
public sealed class SupervisionJournal
{
    private readonly ActorSystem _system;
    private readonly IMaterializer _materializer;
    private readonly TimeSpan _timeout;

    public SupervisionJournal(ActorSystem system, TimeSpan timeout)
    {
        _system = system ?? throw new ArgumentNullException(nameof(system));
        _materializer = system.Materializer(namePrefix: "supervision-reads");
        _timeout = timeout;
    }

    private SqlReadJournal Journal =>
        PersistenceQuery.Get(_system).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier);

    /// <summary>
    /// Events of type <typeparamref name="T"/> tagged <paramref name="tag"/>, in journal order, after journal
    /// position <paramref name="after"/>, stamped at or after <paramref name="sinceMs"/> (grid clock, Unix ms); at
    /// most <paramref name="limit"/>.
    /// </summary>
    public async Task<TaggedPage> ReadTaggedAsync<T>(string tag, long after, long sinceMs, int limit,
        CancellationToken cancellationToken)
        where T : IAccountEvent
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var source = Journal.CurrentEventsByTag(tag, Offset.Sequence(after))
            .Where(e => e.Event is T t && t.AtMs >= sinceMs &&
                        e.PersistenceId.StartsWith(AccountEntity.PersistencePrefix, StringComparison.Ordinal))
            .Take(limit + 1L);
        var envelopes = await RunAsync(source, cancellationToken).ConfigureAwait(false);
        var count = Math.Min(envelopes.Count, limit);
        var events = new List<TaggedAccountEvent>(count);
        for (var i = 0; i < count; i++)
        {
            var e = envelopes[i];
            events.Add(new TaggedAccountEvent(e.PersistenceId[AccountEntity.PersistencePrefix.Length..], e.SequenceNr,
                OffsetOf(e), (IAccountEvent)e.Event));
        }
        return new TaggedPage(events, envelopes.Count > limit);
    }

    /// <summary>The insurance fund's whole journal, in order, with sequence numbers.</summary>
    public async Task<IReadOnlyList<(long SequenceNr, IFundEvent Event)>> ReadFundAsync(
        CancellationToken cancellationToken)
    {
        var envelopes = await RunAsync(
                Journal.CurrentEventsByPersistenceId(InsuranceFundEntity.Id, 1, long.MaxValue), cancellationToken)
            .ConfigureAwait(false);
        var events = new List<(long, IFundEvent)>(envelopes.Count);
        foreach (var e in envelopes)
        {
            if (e.Event is IFundEvent fundEvent)
            {
                events.Add((e.SequenceNr, fundEvent));
            }
        }
        return events;
    }

    private static long OffsetOf(EventEnvelope e) => e.Offset is Sequence s ? s.Value : 0;

    private async Task<IReadOnlyList<EventEnvelope>> RunAsync(Source<EventEnvelope, NotUsed> source,
        CancellationToken cancellationToken)
    {
        var (kill, done) = source
            .ViaMaterialized(KillSwitches.Single<EventEnvelope>(), Keep.Right)
            .ToMaterialized(Sink.Seq<EventEnvelope>(), Keep.Both)
            .Run(_materializer);
        try
        {
            return await done.WaitAsync(_timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            // Stops the query (and its database reads) rather than letting it run on unobserved.
            kill.Shutdown();
            throw;
        }
    }
}

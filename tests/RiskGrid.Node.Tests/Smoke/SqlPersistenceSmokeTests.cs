using Akka.Actor;
using Akka.Configuration;

namespace RiskGrid.Node.Tests.Smoke;

/// <summary>
/// The Akka.Persistence.Sql round trip every account entity relies on, run against each store we ship:
/// an event persisted by one actor system is recovered by a new system over the same store, and recovery
/// starts from a saved snapshot and replays only the events after it.
/// </summary>
public abstract class SqlPersistenceSmokeTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(20);

    /// <summary>HOCON for <c>akka.persistence</c>: journal and snapshot store of the store under test.</summary>
    protected abstract Config PersistenceConfig();

    [Fact]
    public async Task PersistedEventIsRecoveredAfterRestart()
    {
        var persistenceId = "ledger-" + Guid.NewGuid().ToString("N");

        await using (var first = new SystemUnderTest(this))
        {
            var ledger = first.System.ActorOf(LedgerProbe.PropsFor(persistenceId));
            var persisted = await ledger.Ask<EntryPersisted>(new AppendEntry("fill-1"), Generous);
            Assert.Equal(1, persisted.SequenceNr);
        }

        await using var second = new SystemUnderTest(this);
        var recovered = second.System.ActorOf(LedgerProbe.PropsFor(persistenceId));
        var view = await recovered.Ask<LedgerView>(new GetLedger(), Generous);

        Assert.Equal(["fill-1"], view.Entries);
        Assert.Equal(1, view.ReplayedEvents);
        Assert.Null(view.SnapshotSequenceNr);
        Assert.Equal(1, view.LastSequenceNr);
    }

    [Fact]
    public async Task RecoveryStartsFromSavedSnapshotAndReplaysOnlyLaterEvents()
    {
        var persistenceId = "ledger-" + Guid.NewGuid().ToString("N");

        await using (var first = new SystemUnderTest(this))
        {
            var ledger = first.System.ActorOf(LedgerProbe.PropsFor(persistenceId));
            await ledger.Ask<EntryPersisted>(new AppendEntry("fill-1"), Generous);
            await ledger.Ask<EntryPersisted>(new AppendEntry("fill-2"), Generous);
            var snapshot = await ledger.Ask<SnapshotTaken>(new TakeSnapshot(), Generous);
            Assert.Equal(2, snapshot.SequenceNr);
            await ledger.Ask<EntryPersisted>(new AppendEntry("fill-3"), Generous);
        }

        await using var second = new SystemUnderTest(this);
        var recovered = second.System.ActorOf(LedgerProbe.PropsFor(persistenceId));
        var view = await recovered.Ask<LedgerView>(new GetLedger(), Generous);

        Assert.Equal(["fill-1", "fill-2", "fill-3"], view.Entries);
        Assert.Equal(2, view.SnapshotSequenceNr);
        Assert.Equal(1, view.ReplayedEvents);
        Assert.Equal(3, view.LastSequenceNr);
    }

    /// <summary>The HOCON both stores share; only the connection and table placement differ.</summary>
    protected static Config SqlPluginConfig(string journalConnection, string snapshotConnection,
        string providerName, int parallelism, string? schemaName = null)
    {
        var schema = schemaName is null ? "null" : Quote(schemaName);
        return ConfigurationFactory.ParseString($$"""
            akka.persistence {
                journal {
                    plugin = "akka.persistence.journal.sql"
                    sql {
                        class = "Akka.Persistence.Sql.Journal.SqlWriteJournal, Akka.Persistence.Sql"
                        connection-string = {{Quote(journalConnection)}}
                        provider-name = {{Quote(providerName)}}
                        parallelism = {{parallelism}}
                        auto-initialize = on
                        default.schema-name = {{schema}}
                    }
                }
                snapshot-store {
                    plugin = "akka.persistence.snapshot-store.sql"
                    sql {
                        class = "Akka.Persistence.Sql.Snapshot.SqlSnapshotStore, Akka.Persistence.Sql"
                        connection-string = {{Quote(snapshotConnection)}}
                        provider-name = {{Quote(providerName)}}
                        auto-initialize = on
                        default.schema-name = {{schema}}
                    }
                }
            }
            """);
    }

    private static string Quote(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private sealed class SystemUnderTest(SqlPersistenceSmokeTests owner) : IAsyncDisposable
    {
        public ActorSystem System { get; } = ActorSystem.Create(
            "riskgrid-persistence-smoke",
            ConfigurationFactory.ParseString("akka.loglevel = WARNING").WithFallback(owner.PersistenceConfig()));

        public async ValueTask DisposeAsync() => await System.Terminate();
    }
}

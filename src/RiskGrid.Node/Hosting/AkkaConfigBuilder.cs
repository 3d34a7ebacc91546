using System.Data.Common;
using System.Globalization;
using System.Text;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using Akka.Persistence.Sql.Config;
using LinqToDB;

namespace RiskGrid.Node.Hosting;

/// <summary>
/// The Akka HOCON a node runs with, derived from its settings: cluster provider on dot-netty TCP, the split-brain
/// resolver (keep-majority), sharding (ddata, remember-entities off), Akka.Persistence.Sql journal, snapshot store
/// and read journal started at boot, and coordinated shutdown that leaves the cluster but never exits the process
/// itself (the host does). Falls back to the node's whole configuration, so a profile's raw <c>akka.*</c> keys
/// apply where the settings do not own them.
/// </summary>
internal static class AkkaConfigBuilder
{
    public const string JournalPluginId = "akka.persistence.journal.sql";
    public const string SnapshotPluginId = "akka.persistence.snapshot-store.sql";
    public const string ReadJournalPluginId = "akka.persistence.query.journal.sql";

    /// <summary>linq2db provider names (STACK-NOTES: name the exact one, or detection runs again and again).</summary>
    public const string SqliteProvider = "SQLite.MS";

    /// <inheritdoc cref="SqliteProvider"/>
    public const string PostgresProvider = "PostgreSQL.15";

    /// <summary>
    /// The actor system's setup: <see cref="Build"/>'s configuration and, for a SQLite journal whose
    /// <see cref="JournalSettings.SqliteSynchronous"/> is not SQLite's default, linq2db options for the journal and
    /// snapshot plugins that set <c>PRAGMA synchronous</c> on each connection they open (a per-connection setting that
    /// no connection-string keyword of Microsoft.Data.Sqlite reaches).
    /// </summary>
    public static ActorSystemSetup Setup(NodeSettings settings)
    {
        var bootstrap = BootstrapSetup.Create().WithConfig(Build(settings));
        var journal = settings.Journal;
        if (journal.Profile != JournalProfile.Sqlite || journal.SqliteSynchronous == SqliteSynchronous.Full)
        {
            return ActorSystemSetup.Create(bootstrap);
        }
        var pragma = "PRAGMA synchronous = " + journal.SqliteSynchronous.ToString().ToUpperInvariant() + ";";
        var options = new MultiDataOptionsSetup();
        options.AddDataOptions(JournalPluginId, SqliteOptions($"Data Source={journal.SqliteJournalPath}", pragma));
        options.AddDataOptions(SnapshotPluginId, SqliteOptions($"Data Source={journal.SqliteSnapshotPath}", pragma));
        return bootstrap.And(options);
    }

    private static DataOptions SqliteOptions(string connectionString, string pragma) =>
        new DataOptions()
            .UseConnectionString(SqliteProvider, connectionString)
            .UseAfterConnectionOpened(connection => Execute(connection, pragma),
                (connection, cancellationToken) => ExecuteAsync(connection, pragma, cancellationToken));

    private static void Execute(DbConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static async Task ExecuteAsync(DbConnection connection, string sql, CancellationToken cancellationToken)
    {
        var command = connection.CreateCommand();
        await using (command.ConfigureAwait(false))
        {
            command.CommandText = sql;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public static Config Build(NodeSettings settings)
    {
        var journal = settings.Journal;
        var (journalConnection, snapshotConnection, provider, schema) = journal.Profile switch
        {
            JournalProfile.Sqlite => ($"Data Source={journal.SqliteJournalPath}",
                $"Data Source={journal.SqliteSnapshotPath}", SqliteProvider, "null"),
            _ => (journal.PostgresConnectionString, journal.PostgresConnectionString, PostgresProvider,
                Quote(journal.PostgresSchema)),
        };
        // Microsoft.Data.Sqlite opens every transaction of an unspecified isolation level with BEGIN IMMEDIATE, which
        // takes the database's write lock: the plugin's reads (highest sequence numbers, replays, queries) then queue
        // behind the writer and retry by sleeping 150 ms each time. read-uncommitted opens them deferred (BEGIN); in WAL
        // mode without a shared cache a reader still sees only committed rows (its own snapshot) and never blocks the
        // writer. PostgreSQL keeps the driver's default (read committed).
        var readIsolation = journal.Profile == JournalProfile.Sqlite ? "read-uncommitted" : "unspecified";
        // Tags live in the journal row's tags column (";liquidation;"), not in the separate tag table: with linq2db 6.5
        // the plugin reads a tag-table row's tags back through GROUP_CONCAT(CASE WHEN ordering_id = row ...) over the
        // whole tag table for every row returned (events by tag, events by persistence id), a cost that grows with the
        // square of the journal. CSV tags cost no extra read, and tagged events are written in batches like the rest.
        // JournalStore adds the column to journals made by earlier versions (see there).
        const string tagMode = "Csv";
        var hocon = new StringBuilder();
        hocon.Append(CultureInfo.InvariantCulture, $$"""
            akka {
                actor.provider = cluster
                remote.dot-netty.tcp {
                    hostname = {{Quote(settings.Remote.Hostname)}}
                    port = {{settings.Remote.Port}}
                }
                cluster {
                    roles = [{{string.Join(", ", settings.Roles.Select(Quote))}}]
                    min-nr-of-members = 1
                    run-coordinated-shutdown-when-down = on
                    downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
                    split-brain-resolver {
                        active-strategy = keep-majority
                        stable-after = {{Millis(settings.SplitBrainStableAfter)}}
                    }
                    sharding {
                        state-store-mode = ddata
                        remember-entities = off
                        passivate-idle-entity-after = {{Millis(settings.Sharding.PassivateIdleAfter)}}
                    }
                }
                coordinated-shutdown {
                    exit-clr = off
                    run-by-clr-shutdown-hook = on
                }
                persistence {
                    journal {
                        plugin = {{Quote(JournalPluginId)}}
                        auto-start-journals = [{{Quote(JournalPluginId)}}]
                        sql {
                            class = "Akka.Persistence.Sql.Journal.SqlWriteJournal, Akka.Persistence.Sql"
                            connection-string = {{Quote(journalConnection)}}
                            provider-name = {{Quote(provider)}}
                            parallelism = {{journal.Parallelism}}
                            buffer-size = {{journal.BufferSize}}
                            batch-size = {{journal.BatchSize}}
                            read-isolation-level = {{readIsolation}}
                            tag-write-mode = {{tagMode}}
                            auto-initialize = on
                            default.schema-name = {{schema}}
                        }
                    }
                    snapshot-store {
                        plugin = {{Quote(SnapshotPluginId)}}
                        auto-start-snapshot-stores = [{{Quote(SnapshotPluginId)}}]
                        sql {
                            class = "Akka.Persistence.Sql.Snapshot.SqlSnapshotStore, Akka.Persistence.Sql"
                            connection-string = {{Quote(snapshotConnection)}}
                            provider-name = {{Quote(provider)}}
                            read-isolation-level = {{readIsolation}}
                            tag-write-mode = {{tagMode}}
                            auto-initialize = on
                            default.schema-name = {{schema}}
                        }
                    }
                    query.journal.sql {
                        class = "Akka.Persistence.Sql.Query.SqlReadJournalProvider, Akka.Persistence.Sql"
                        plugin-id = {{Quote(ReadJournalPluginId)}}
                        write-plugin = {{Quote(JournalPluginId)}}
                        connection-string = {{Quote(journalConnection)}}
                        provider-name = {{Quote(provider)}}
                        read-isolation-level = {{readIsolation}}
                        tag-read-mode = {{tagMode}}
                        default.schema-name = {{schema}}
                        max-buffer-size = 5000
                        journal-sequence-retrieval {
                            batch-size = 100000
                            query-delay = 100ms
                        }
                    }
                }
            }
            """);
        return ConfigurationFactory.ParseString(hocon.ToString())
            .WithFallback(Serialization.AccountSerializer.Config)
            .WithFallback(Accounts.CompactDequeMailbox.Declaration)
            .WithFallback(ManualPrices.ManualPriceSerializer.Config)
            .WithFallback(Serialization.SupervisionSerializer.Config)
            .WithFallback(Serialization.ParamsSerializer.Config)
            .WithFallback(settings.Source);
    }

    /// <summary>The Akka address of a seed endpoint.</summary>
    public static string SeedAddress(EndpointSettings seed) =>
        $"akka.tcp://{NodeSettings.ActorSystemName}@{seed.Hostname}:{seed.Port.ToString(CultureInfo.InvariantCulture)}";

    private static string Millis(TimeSpan duration) =>
        ((long)Math.Ceiling(duration.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture) + "ms";

    private static string Quote(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)
        + "\"";
}

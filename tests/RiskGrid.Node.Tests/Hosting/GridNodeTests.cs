using Akka.Cluster;
using Akka.Configuration;
using Microsoft.Data.Sqlite;
using Npgsql;
using RiskGrid.Node.Hosting;

namespace RiskGrid.Node.Tests.Hosting;

/// <summary>Real nodes on free loopback ports: SQLite in a temporary directory, and the PostgreSQL profile.</summary>
public sealed class GridNodeTests : IDisposable
{
    private const string DefaultPostgres =
        "Host=127.0.0.1;Port=5432;Username=riskgrid;Password=riskgrid;Database=riskgrid_test";

    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(20);

    private readonly string _directory = Directory.CreateTempSubdirectory("riskgrid-node-").FullName;

    [Fact]
    public async Task SqliteNodeJoinsItselfBecomesReadyAndLeavesOnStop()
    {
        await using var node = await GridNode.StartAsync(Settings(""));

        var report = await WaitReadyAsync(node);
        Assert.True(report.IsReady, report.Reason);
        Assert.Equal("127.0.0.1", node.SelfAddress.Host);
        Assert.Equal("wal", JournalMode(node.Settings.Journal.SqliteJournalPath));
        Assert.Equal("wal", JournalMode(node.Settings.Journal.SqliteSnapshotPath));
        Assert.Equal(1, node.Membership.Current.Count(MemberStatus.Up));

        await node.StopAsync();
        Assert.True(node.System.WhenTerminated.IsCompleted);
        Assert.False((await node.CheckReadyAsync(CancellationToken.None)).IsReady);
    }

    [Fact]
    public async Task SecondNodeOnARemotePortInUseRefusesToStart()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;

        var e = await Assert.ThrowsAsync<IOException>(() =>
            GridNode.StartAsync(Settings($"riskgrid.node.remote.port = {port}")));

        Assert.Contains($"127.0.0.1:{port}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NodeIsNotReadyWhileItHasNotJoined()
    {
        // A seed nobody listens on: the node keeps trying to join and never becomes a member.
        await using var node = await GridNode.StartAsync(Settings("riskgrid.node.seed-nodes = [\"127.0.0.1:9\"]"));

        await Task.Delay(500);
        var report = await node.CheckReadyAsync(CancellationToken.None);

        Assert.False(report.IsReady);
        Assert.Contains("not Up", report.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostgresProfileCreatesItsSchemaAndTheNodeBecomesReady()
    {
        var connectionString = PostgresConnectionString();
        var schema = "hosting_" + Guid.NewGuid().ToString("N");
        try
        {
            await using (var node = await GridNode.StartAsync(Settings($$"""
                riskgrid.node.journal {
                    profile = postgres
                    postgres { connection-string = "{{connectionString}}", schema = "{{schema}}" }
                }
                """)))
            {
                var report = await WaitReadyAsync(node);
                Assert.True(report.IsReady, report.Reason);
            }
            var tables = await ScalarAsync(connectionString,
                $"SELECT count(*) FROM information_schema.tables WHERE table_schema = '{schema}'");
            Assert.True(tables >= 2, $"{tables} tables in schema {schema}");
        }
        finally
        {
            await ScalarAsync(connectionString, $"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE");
        }
    }

    [Fact]
    public async Task SqliteJournalThatKeptTagsInTheTagTableGetsItsTagsColumnFilled()
    {
        // A journal as an earlier version left it: no tags column, tags in the plugin's tag table.
        var path = Path.Combine(_directory, "journal.db");
        using (var connection = new SqliteConnection($"Data Source={path}"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = """
                CREATE TABLE journal (ordering INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, created INTEGER NOT NULL,
                    deleted Bit NOT NULL, persistence_id NVarChar(255) NOT NULL, sequence_number INTEGER NOT NULL,
                    message VarBinary NOT NULL, manifest NVarChar(500) NULL, identifier INTEGER NULL,
                    writer_uuid NVarChar(128) NULL);
                CREATE TABLE tags (ordering_id INTEGER NOT NULL, tag NVarChar(64) NOT NULL, sequence_nr INTEGER NOT NULL,
                    persistence_id NVarChar(255) NOT NULL, PRIMARY KEY (ordering_id, tag));
                INSERT INTO journal (created, deleted, persistence_id, sequence_number, message)
                    VALUES (1, 0, 'account-a', 1, x'00'), (2, 0, 'account-a', 2, x'00'), (3, 0, 'account-b', 1, x'00');
                INSERT INTO tags VALUES (2, 'liquidation', 2, 'account-a'), (3, 'liquidation', 1, 'account-b'),
                    (3, 'margin-call', 1, 'account-b');
                """;
            command.ExecuteNonQuery();
        }

        await using (var node = await GridNode.StartAsync(Settings("")))
        {
            Assert.True((await WaitReadyAsync(node)).IsReady);
        }

        using var check = new SqliteConnection($"Data Source={path}");
        check.Open();
        using var read = check.CreateCommand();
        read.CommandText = "SELECT ordering, coalesce(tags, '-') FROM journal WHERE ordering <= 3 ORDER BY ordering;";
        using var reader = read.ExecuteReader();
        var tags = new List<string>();
        while (reader.Read())
        {
            tags.Add(reader.GetString(1));
        }
        Assert.Equal(["-", ";liquidation;", ";liquidation;margin-call;"], tags);
    }

    [Fact]
    public async Task PostgresJournalThatKeptTagsInTheTagTableGetsItsTagsColumnFilled()
    {
        var connectionString = PostgresConnectionString();
        var schema = "hosting_" + Guid.NewGuid().ToString("N");
        try
        {
            await ScalarAsync(connectionString, $$"""
                CREATE SCHEMA "{{schema}}";
                CREATE TABLE "{{schema}}".journal (ordering BIGSERIAL NOT NULL PRIMARY KEY, created BIGINT NOT NULL,
                    deleted BOOLEAN NOT NULL, persistence_id VARCHAR(255) NOT NULL, sequence_number BIGINT NOT NULL,
                    message BYTEA NOT NULL, manifest VARCHAR(500) NULL, identifier INTEGER NULL,
                    writer_uuid VARCHAR(128) NULL);
                CREATE TABLE "{{schema}}".tags (ordering_id BIGINT NOT NULL, tag VARCHAR(64) NOT NULL,
                    sequence_nr BIGINT NOT NULL, persistence_id VARCHAR(255) NOT NULL, PRIMARY KEY (ordering_id, tag));
                INSERT INTO "{{schema}}".journal (created, deleted, persistence_id, sequence_number, message)
                    VALUES (1, false, 'account-a', 1, '\x00'), (2, false, 'account-a', 2, '\x00');
                INSERT INTO "{{schema}}".tags VALUES (2, 'liquidation', 2, 'account-a');
                """);

            await using (var node = await GridNode.StartAsync(Settings($$"""
                riskgrid.node.journal {
                    profile = postgres
                    postgres { connection-string = "{{connectionString}}", schema = "{{schema}}" }
                }
                """)))
            {
                Assert.True((await WaitReadyAsync(node)).IsReady);
            }

            Assert.Equal(1, await ScalarAsync(connectionString,
                $"SELECT count(*) FROM \"{schema}\".journal WHERE ordering = 2 AND tags = ';liquidation;'"));
            Assert.Equal(1, await ScalarAsync(connectionString,
                $"SELECT count(*) FROM \"{schema}\".journal WHERE ordering = 1 AND tags IS NULL"));
        }
        finally
        {
            await ScalarAsync(connectionString, $"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE");
        }
    }

    [Fact]
    public async Task NodeIsNotReadyOnceItsJournalStopsAnswering()
    {
        var target = new NpgsqlConnectionStringBuilder(PostgresConnectionString());
        var address = (await System.Net.Dns.GetHostAddressesAsync(target.Host!))[0];
        var schema = "hosting_" + Guid.NewGuid().ToString("N");
        var forwarder = new TcpForwarder(new System.Net.IPEndPoint(address, target.Port));
        try
        {
            var relayed = new NpgsqlConnectionStringBuilder(target.ConnectionString)
            {
                Host = "127.0.0.1",
                Port = forwarder.Port,
                Timeout = 2,
                CommandTimeout = 2,
            };
            await using var node = await GridNode.StartAsync(Settings($$"""
                riskgrid.node.journal {
                    profile = postgres
                    postgres { connection-string = "{{relayed.ConnectionString}}", schema = "{{schema}}" }
                    readiness-timeout = 3s
                }
                """));
            Assert.True((await WaitReadyAsync(node)).IsReady);

            await forwarder.DisposeAsync();
            var report = await node.CheckReadyAsync(CancellationToken.None);

            Assert.False(report.IsReady);
            Assert.Contains("journal", report.Reason, StringComparison.Ordinal);
        }
        finally
        {
            await forwarder.DisposeAsync();
            await ScalarAsync(target.ConnectionString, $"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE");
        }
    }

    [Fact]
    public async Task PostgresProfileThatCannotReachItsDatabaseRefusesToStart()
    {
        // PostgreSQL on a port nothing listens on: the schema cannot be created, so the node refuses to start.
        var settings = Settings("""
            riskgrid.node.journal {
                profile = postgres
                postgres.connection-string = "Host=127.0.0.1;Port=9;Username=u;Password=p;Database=d;Timeout=2"
            }
            """);

        await Assert.ThrowsAsync<NpgsqlException>(() => GridNode.StartAsync(settings));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private NodeSettings Settings(string extra) =>
        NodeSettings.From(NodeConfig.Load(null, ConfigurationFactory.ParseString($$"""
            riskgrid.node {
                data-dir = "{{_directory}}"
                remote.port = 0
                http.port = 0
            }
            akka.loglevel = WARNING
            {{extra}}
            """)));

    private static string PostgresConnectionString() =>
        Environment.GetEnvironmentVariable("RISKGRID_TEST_PG") is { Length: > 0 } fromEnvironment
            ? fromEnvironment
            : DefaultPostgres;

    private static async Task<ReadinessReport> WaitReadyAsync(GridNode node)
    {
        var deadline = DateTime.UtcNow + Generous;
        while (true)
        {
            var report = await node.CheckReadyAsync(CancellationToken.None);
            if (report.IsReady || DateTime.UtcNow > deadline)
            {
                return report;
            }
            await Task.Delay(100);
        }
    }

    private static string? JournalMode(string path)
    {
        using var connection = new SqliteConnection($"Data Source={path}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";
        return (string?)command.ExecuteScalar();
    }

    private static async Task<long> ScalarAsync(string connectionString, string sql)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var command = dataSource.CreateCommand(sql);
        return await command.ExecuteScalarAsync() is long count ? count : 0;
    }
}

using Akka.Configuration;
using Microsoft.Data.Sqlite;

namespace RiskGrid.Node.Tests.Smoke;

/// <summary>
/// SQLite, the one-node default: journal and snapshots in separate files, WAL set once per file before the
/// actor system starts, and a single writer (<c>parallelism = 1</c>).
/// </summary>
public sealed class SqlitePersistenceSmokeTests : SqlPersistenceSmokeTests, IDisposable
{
    private readonly string _directory;
    private readonly string _journalPath;
    private readonly string _snapshotPath;

    public SqlitePersistenceSmokeTests()
    {
        _directory = Directory.CreateTempSubdirectory("riskgrid-sqlite-smoke-").FullName;
        _journalPath = Path.Combine(_directory, "journal.db");
        _snapshotPath = Path.Combine(_directory, "snapshots.db");
        EnableWriteAheadLog(_journalPath);
        EnableWriteAheadLog(_snapshotPath);
    }

    protected override Config PersistenceConfig() => SqlPluginConfig(
        journalConnection: $"Data Source={_journalPath}",
        snapshotConnection: $"Data Source={_snapshotPath}",
        providerName: "SQLite.MS",
        parallelism: 1);

    [Fact]
    public void EachStoreFileIsInWriteAheadLogMode()
    {
        Assert.Equal("wal", ReadJournalMode(_journalPath));
        Assert.Equal("wal", ReadJournalMode(_snapshotPath));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    // WAL is a property of the file, so setting it once before the first connection of the plugin is enough.
    private static void EnableWriteAheadLog(string path)
    {
        using var connection = new SqliteConnection($"Data Source={path}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL;";
        var mode = (string?)command.ExecuteScalar();
        if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"PRAGMA journal_mode=WAL on {path} answered '{mode}'");
        }
    }

    private static string? ReadJournalMode(string path)
    {
        using var connection = new SqliteConnection($"Data Source={path}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";
        return (string?)command.ExecuteScalar();
    }
}

using Microsoft.Data.Sqlite;
using Npgsql;

namespace RiskGrid.Node.Hosting;

/// <summary>
/// What the journal's database needs before the actor system starts. SQLite: the files' directories exist and
/// both files are in WAL mode (a property of the file, so once is enough). PostgreSQL: the schema exists (the
/// plugin creates its tables at start, not the schema they live in).
/// </summary>
internal static class JournalStore
{
    public static async Task PrepareAsync(JournalSettings journal, CancellationToken cancellationToken)
    {
        switch (journal.Profile)
        {
            case JournalProfile.Sqlite:
                EnableWriteAheadLog(journal.SqliteJournalPath);
                EnableWriteAheadLog(journal.SqliteSnapshotPath);
                break;
            case JournalProfile.Postgres:
                await CreateSchemaAsync(journal.PostgresConnectionString, journal.PostgresSchema, cancellationToken)
                    .ConfigureAwait(false);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(journal), journal.Profile, "unknown journal profile");
        }
    }

    private static void EnableWriteAheadLog(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
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

    private static async Task CreateSchemaAsync(string connectionString, string schema,
        CancellationToken cancellationToken)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        // The schema name is validated as [a-z_][a-z0-9_]* by NodeSettings, and quoted: no injection is possible.
        await using var command = dataSource.CreateCommand($"CREATE SCHEMA IF NOT EXISTS \"{schema}\"");
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UniqueViolation
                                              or PostgresErrorCodes.DuplicateSchema)
        {
            // Nodes of a cluster starting together race on IF NOT EXISTS; the loser finds the schema made.
        }
    }
}

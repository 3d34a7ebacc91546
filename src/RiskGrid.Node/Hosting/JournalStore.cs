using System.Globalization;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace RiskGrid.Node.Hosting;

/// <summary>
/// What the journal's database needs before the actor system starts. SQLite: the files' directories exist and
/// both files are in WAL mode (a property of the file, so once is enough). PostgreSQL: the schema exists (the
/// plugin creates its tables at start, not the schema they live in). Both: a journal made by a version that kept tags
/// in the plugin's tag table gets the journal's tags column, filled from that table (see
/// <see cref="AkkaConfigBuilder"/> for why tags moved), so its tagged events still read by tag.
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
                MoveSqliteTags(journal.SqliteJournalPath);
                break;
            case JournalProfile.Postgres:
                await CreateSchemaAsync(journal.PostgresConnectionString, journal.PostgresSchema, cancellationToken)
                    .ConfigureAwait(false);
                await MovePostgresTagsAsync(journal.PostgresConnectionString, journal.PostgresSchema,
                    cancellationToken).ConfigureAwait(false);
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

    // SQLite: adds journal.tags when the journal exists without it, filled as ";tag1;tag2;" from the tag table.
    private static void MoveSqliteTags(string path)
    {
        using var connection = new SqliteConnection($"Data Source={path}");
        connection.Open();
        if (!SqliteTableExists(connection, "journal") || SqliteHasColumn(connection, "journal", "tags"))
        {
            return;
        }
        using var transaction = connection.BeginTransaction();
        using var add = connection.CreateCommand();
        add.Transaction = transaction;
        add.CommandText = "ALTER TABLE journal ADD COLUMN tags NVarChar(100) NULL;";
        add.ExecuteNonQuery();
        if (SqliteTableExists(connection, "tags"))
        {
            using var fill = connection.CreateCommand();
            fill.Transaction = transaction;
            fill.CommandText = """
                UPDATE journal SET tags = ';' || (SELECT group_concat(t.tag, ';') FROM tags t
                                                  WHERE t.ordering_id = journal.ordering) || ';'
                WHERE ordering IN (SELECT ordering_id FROM tags);
                """;
            fill.ExecuteNonQuery();
        }
        transaction.Commit();
    }

    private static bool SqliteTableExists(SqliteConnection connection, string table)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = $name;";
        command.Parameters.AddWithValue("$name", table);
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) > 0;
    }

    private static bool SqliteHasColumn(SqliteConnection connection, string table, string column)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM pragma_table_info($table) WHERE name = $column;";
        command.Parameters.AddWithValue("$table", table);
        command.Parameters.AddWithValue("$column", column);
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) > 0;
    }

    // PostgreSQL: the same, in the node's schema; nodes starting together serialize on an advisory lock.
    private static async Task MovePostgresTagsAsync(string connectionString, string schema,
        CancellationToken cancellationToken)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // The schema name is validated as [a-z_][a-z0-9_]* by NodeSettings: it is safe to splice.
        var sql = $$"""
            SELECT pg_advisory_xact_lock(7310431);
            DO $$
            BEGIN
              IF to_regclass('"{{schema}}".journal') IS NOT NULL AND NOT EXISTS (
                  SELECT 1 FROM information_schema.columns
                  WHERE table_schema = '{{schema}}' AND table_name = 'journal' AND column_name = 'tags') THEN
                ALTER TABLE "{{schema}}".journal ADD COLUMN tags VARCHAR(100) NULL;
                IF to_regclass('"{{schema}}".tags') IS NOT NULL THEN
                  UPDATE "{{schema}}".journal j SET tags = ';' || t.joined || ';'
                  FROM (SELECT ordering_id, string_agg(tag, ';') AS joined
                        FROM "{{schema}}".tags GROUP BY ordering_id) t
                  WHERE t.ordering_id = j.ordering;
                END IF;
              END IF;
            END $$;
            """;
        await using (var command = new NpgsqlCommand(sql, connection, transaction))
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
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

using Akka.Configuration;
using Npgsql;

namespace RiskGrid.Node.Tests.Smoke;

/// <summary>
/// PostgreSQL, the store a multi-node cluster shares (linq2db provider <c>PostgreSQL.15</c> over Npgsql).
/// Each test gets its own schema, dropped afterwards, so reruns and parallel runs never see each other's tables.
/// The server comes from <c>cluster/postgres-up.sh</c>; <c>RISKGRID_TEST_PG</c> overrides the connection string.
/// </summary>
public sealed class PostgresPersistenceSmokeTests : SqlPersistenceSmokeTests, IAsyncLifetime
{
    private const string DefaultConnectionString =
        "Host=127.0.0.1;Port=5432;Username=riskgrid;Password=riskgrid;Database=riskgrid_test";

    private readonly string _connectionString = ConnectionString();
    private readonly string _schema = "smoke_" + Guid.NewGuid().ToString("N");

    protected override Config PersistenceConfig() => SqlPluginConfig(
        journalConnection: _connectionString,
        snapshotConnection: _connectionString,
        providerName: "PostgreSQL.15",
        parallelism: 2,
        schemaName: _schema);

    public async Task InitializeAsync() => await ExecuteAsync($"CREATE SCHEMA \"{_schema}\"");

    public async Task DisposeAsync() => await ExecuteAsync($"DROP SCHEMA IF EXISTS \"{_schema}\" CASCADE");

    private static string ConnectionString()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("RISKGRID_TEST_PG");
        return string.IsNullOrWhiteSpace(fromEnvironment) ? DefaultConnectionString : fromEnvironment;
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var dataSource = NpgsqlDataSource.Create(_connectionString);
        await using var command = dataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }
}

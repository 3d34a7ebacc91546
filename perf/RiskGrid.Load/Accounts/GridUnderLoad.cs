using Akka.Configuration;
using Microsoft.AspNetCore.Builder;
using Npgsql;
using RiskGrid.Api;
using RiskGrid.Api.Security;
using RiskGrid.Node.Accounts;
using RiskGrid.Node.Hosting;
using RiskGrid.Node.Time;

namespace RiskGrid.Load.Accounts;

/// <summary>
/// One node started in-process for a load run: a journal of its own (a fresh SQLite directory, or a fresh schema
/// in the local PostgreSQL), optionally the venue API on a free port.
/// </summary>
internal sealed class GridUnderLoad : IAsyncDisposable
{
    public const string ApiToken = "load-harness-api-token";
    private const string DefaultPostgres = "Host=127.0.0.1;Port=5432;Username=riskgrid;Password=riskgrid;Database=riskgrid";

    private readonly string? _schema;
    private readonly string _dataDir;
    private readonly bool _keep;

    private GridUnderLoad(GridNode node, WebApplication? api, string dataDir, string? schema, bool keep)
    {
        Node = node;
        Api = api;
        _dataDir = dataDir;
        _schema = schema;
        _keep = keep;
    }

    public GridNode Node { get; }
    public WebApplication? Api { get; }
    public AccountService Accounts => Node.Accounts;
    public Uri? ApiAddress => Api is null ? null : ApiHost.BoundAddress(Api);

    public static string PostgresConnection =>
        Environment.GetEnvironmentVariable("RISKGRID_LOAD_PG") is { Length: > 0 } pg ? pg : DefaultPostgres;

    /// <summary>Starts a node on <paramref name="journal"/> (sqlite or postgres). <paramref name="dataDir"/> and
    /// <paramref name="schema"/> reuse an earlier run's journal (recovery runs); null makes fresh ones.
    /// <paramref name="clock"/> is the node's grid clock (the system clock when null).</summary>
    public static async Task<GridUnderLoad> StartAsync(string journal, bool withApi, string? dataDir = null,
        string? schema = null, bool keep = false, string extraHocon = "", IGridClock? clock = null)
    {
        dataDir ??= Path.Combine(Path.GetTempPath(), "riskgrid-load-" + Guid.NewGuid().ToString("N")[..8]);
        var postgres = journal == "postgres";
        if (postgres && schema is null)
        {
            schema = "load_" + Guid.NewGuid().ToString("N")[..10];
        }
        var hocon = $$"""
            riskgrid.node {
              name = "load"
              data-dir = "{{dataDir}}"
              remote.port = 0
              http.port = 0
              journal.profile = {{journal}}
              journal.postgres.connection-string = "{{PostgresConnection}}"
              journal.postgres.schema = "{{schema ?? "riskgrid"}}"
            }
            akka.loglevel = WARNING
            {{extraHocon}}
            """;
        var settings = NodeSettings.From(NodeConfig.Load(null, ConfigurationFactory.ParseString(hocon)));
        var node = await GridNode.StartAsync(settings, clock);
        var until = DateTime.UtcNow.AddSeconds(60);
        while (!(await node.CheckReadyAsync(CancellationToken.None)).IsReady)
        {
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException("the node did not become ready in 60 s");
            }
            await Task.Delay(100);
        }
        WebApplication? api = null;
        if (withApi)
        {
            api = ApiHost.Build(node, ApiTokens.Of(ApiToken, ApiToken + "-admin"));
            await api.StartAsync();
        }
        return new GridUnderLoad(node, api, dataDir, postgres ? schema : null, keep);
    }

    /// <summary>HOCON that lets one manual source form each underlying's index (<see cref="StartPricing"/>).</summary>
    public const string ManualPricesHocon = "riskgrid.feed.oracle.expectedSources { BTC = 1, ETH = 1, SOL = 1 }";

    /// <summary>
    /// Prices every underlying at <paramref name="price"/> through the manual source now and every second after (so
    /// the index stays fresh on the wall clock), until disposed: the risk tier then evaluates every changed account
    /// as on a venue, instead of setting it aside as unpriced. Needs <see cref="ManualPricesHocon"/>.
    /// </summary>
    public IDisposable StartPricing(double price)
    {
        void Submit()
        {
            foreach (var u in Node.Catalog.Params.Underlyings)
            {
                Node.Prices.Submit("manual", u.Name, price, Node.Clock.NowMs);
            }
            Node.Prices.Evaluate();
        }
        Submit();
        return new Timer(_ => Submit(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    public string DataDir => _dataDir;
    public string? Schema => _schema;

    public async ValueTask DisposeAsync()
    {
        if (Api is not null)
        {
            await Api.StopAsync();
            await Api.DisposeAsync();
        }
        else
        {
            await Node.StopAsync();
        }
        if (_keep)
        {
            return;
        }
        if (_schema is not null)
        {
            await using var dataSource = NpgsqlDataSource.Create(PostgresConnection);
            await using var command = dataSource.CreateCommand($"DROP SCHEMA IF EXISTS \"{_schema}\" CASCADE");
            await command.ExecuteNonQueryAsync();
        }
        if (Directory.Exists(_dataDir))
        {
            Directory.Delete(_dataDir, recursive: true);
        }
    }
}

using System.Net.Http.Headers;
using Akka.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using RiskGrid.Api.Security;
using RiskGrid.Node.Hosting;

namespace RiskGrid.Api.Tests;

/// <summary>
/// One real node for the API tests, started once: the shipped configuration with a SQLite journal in a temporary
/// directory, Akka and HTTP on free loopback ports, and known tokens. Stopped (cluster left) at the end.
/// </summary>
public sealed class NodeFixture : IAsyncLifetime
{
    public const string ApiToken = "api-token-for-tests-0123456789";
    public const string AdminToken = "admin-token-for-tests-0123456789";

    private readonly string _directory = Directory.CreateTempSubdirectory("riskgrid-api-tests-").FullName;
    private WebApplication? _app;

    public GridNode Node { get; private set; } = null!;

    public Uri BaseAddress { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var overrides = ConfigurationFactory.ParseString($$"""
            riskgrid.node {
                data-dir = "{{_directory}}"
                remote.port = 0
                http.port = 0
                split-brain-resolver.stable-after = 5s
            }
            akka.loglevel = WARNING
            """);
        var settings = NodeSettings.From(NodeConfig.Load(null, overrides));
        Node = await GridNode.StartAsync(settings);
        _app = ApiHost.Build(Node, ApiTokens.Of(ApiToken, AdminToken));
        await _app.StartAsync();
        BaseAddress = ApiHost.BoundAddress(_app);
    }

    /// <summary>A client sending <paramref name="token"/> as bearer token (none when null).</summary>
    public HttpClient Client(string? token)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(20) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return client;
    }

    /// <summary>Waits until /health/ready answers 200 (the node joins itself within a second or two).</summary>
    public async Task WaitReadyAsync()
    {
        using var client = Client(null);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            using var response = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));
            if (response.IsSuccessStatusCode)
            {
                return;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"not ready: {await response.Content.ReadAsStringAsync()}");
            }
            await Task.Delay(100);
        }
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        await Node.StopAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class NodeCollection : ICollectionFixture<NodeFixture>
{
    public const string Name = "one node";
}

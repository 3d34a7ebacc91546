using System.Net;
using Npgsql;
using Xunit.Abstractions;

namespace RiskGrid.Cluster.Tests;

/// <summary>
/// Three `riskgrid node` processes on loopback ports sharing a PostgreSQL journal in a schema of their own (created
/// here, dropped at the end), seeds node1 and node2, keep-majority with stable-after 5 s. Logs stay on disk when the
/// test did not pass.
/// </summary>
internal sealed class ThreeNodeCluster : IAsyncDisposable
{
    public const string ApiToken = "cluster-test-api-token";
    public const string AdminToken = "cluster-test-admin-token";

    // Capped pool: PostgreSQL's max_connections (100) is shared by the three nodes and the test.
    private const string DefaultConnectionString =
        "Host=127.0.0.1;Port=5432;Username=riskgrid;Password=riskgrid;Database=riskgrid_test;Maximum Pool Size=25";

    private readonly ITestOutputHelper _output;

    private ThreeNodeCluster(string prefix, ITestOutputHelper output)
    {
        _output = output;
        Directory = Path.Combine(Path.GetTempPath(), prefix + Guid.NewGuid().ToString("N")[..8]);
    }

    public string ConnectionString { get; } =
        Environment.GetEnvironmentVariable("RISKGRID_TEST_PG") is { Length: > 0 } pg ? pg : DefaultConnectionString;

    public string Schema { get; } = "cluster_" + Guid.NewGuid().ToString("N")[..12];

    public string Directory { get; }

    public List<NodeProcess> Nodes { get; } = [];

    /// <summary>Set when the test passed: the logs are deleted.</summary>
    public bool Passed { get; set; }

    public static async Task<ThreeNodeCluster> CreateAsync(string prefix, ITestOutputHelper output)
    {
        var cluster = new ThreeNodeCluster(prefix, output);
        System.IO.Directory.CreateDirectory(cluster.Directory);
        await cluster.ExecuteAsync($"CREATE SCHEMA \"{cluster.Schema}\"");
        return cluster;
    }

    /// <summary>Starts the three nodes; <paramref name="extraHocon"/> is appended to every node's profile.</summary>
    public void Start(string extraHocon = "")
    {
        var akka = Enumerable.Range(0, 3).Select(_ => NodeProcess.FreePort()).ToArray();
        var httpPorts = Enumerable.Range(0, 3).Select(_ => NodeProcess.FreePort()).ToArray();
        var environment = new Dictionary<string, string>
        {
            ["RISKGRID_API_TOKEN"] = ApiToken,
            ["RISKGRID_ADMIN_TOKEN"] = AdminToken,
        };
        for (var n = 0; n < 3; n++)
        {
            var name = $"node{n + 1}";
            var profile = Path.Combine(Directory, name + ".conf");
            File.WriteAllText(profile, $$"""
                riskgrid.node {
                  name = "{{name}}"
                  data-dir = "{{Path.Combine(Directory, name)}}"
                  remote { hostname = "127.0.0.1", port = {{akka[n]}} }
                  seed-nodes = ["127.0.0.1:{{akka[0]}}", "127.0.0.1:{{akka[1]}}"]
                  http { hostname = "127.0.0.1", port = {{httpPorts[n]}} }
                  journal {
                    profile = postgres
                    postgres { connection-string = "{{ConnectionString}}", schema = "{{Schema}}" }
                    parallelism = 2
                  }
                  split-brain-resolver { stable-after = 5s }
                }
                {{extraHocon}}
                """);
            Nodes.Add(NodeProcess.Start(name, profile, httpPorts[n], Path.Combine(Directory, name + ".log"), environment));
        }
    }

    /// <summary>Waits until every node of <paramref name="nodes"/> (default: all) answers /health/ready with 200.</summary>
    public async Task WaitReadyAsync(HttpClient http, TimeSpan timeout, IEnumerable<NodeProcess>? nodes = null)
    {
        var until = DateTime.UtcNow + timeout;
        foreach (var node in nodes ?? Nodes)
        {
            while (true)
            {
                try
                {
                    using var response = await http.GetAsync(new Uri(node.Http, "/health/ready"));
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        break;
                    }
                }
                catch (HttpRequestException)
                {
                }
                Assert.False(node.HasExited, $"{node.Name} exited while starting\n{node.Tail()}");
                Assert.True(DateTime.UtcNow < until, $"{node.Name} not ready in {timeout}\n{Tails()}");
                await Task.Delay(250);
            }
        }
    }

    /// <summary>The last lines of every node's log.</summary>
    public string Tails() => string.Join('\n', Nodes.Select(n => n.Tail()));

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes)
        {
            node.Dispose();
        }
        await ExecuteAsync($"DROP SCHEMA IF EXISTS \"{Schema}\" CASCADE");
        if (Passed)
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        else
        {
            _output.WriteLine($"logs kept in {Directory}");
        }
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var dataSource = NpgsqlDataSource.Create(ConnectionString);
        await using var command = dataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }
}

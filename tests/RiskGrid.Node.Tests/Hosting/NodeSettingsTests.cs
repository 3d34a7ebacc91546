using Akka.Configuration;
using RiskGrid.Node.Hosting;

namespace RiskGrid.Node.Tests.Hosting;

public sealed class NodeSettingsTests
{
    [Fact]
    public void ShippedDefaultsDescribeAOneNodeSqliteClusterOnLoopback()
    {
        var settings = NodeSettings.From(NodeConfig.Load(null));

        Assert.Equal(new EndpointSettings("127.0.0.1", 4053), settings.Remote);
        Assert.Equal(new EndpointSettings("127.0.0.1", 8080), settings.Http);
        Assert.Empty(settings.SeedNodes);
        Assert.Equal("127.0.0.1:4053", settings.Name);
        Assert.Equal(Path.GetFullPath("data"), settings.DataDirectory);
        Assert.Equal(JournalProfile.Sqlite, settings.Journal.Profile);
        Assert.Equal(Path.Combine(settings.DataDirectory, "journal.db"), settings.Journal.SqliteJournalPath);
        Assert.Equal(Path.Combine(settings.DataDirectory, "snapshots.db"), settings.Journal.SqliteSnapshotPath);
        Assert.Equal(1, settings.Journal.Parallelism);
        Assert.Equal(SqliteSynchronous.Full, settings.Journal.SqliteSynchronous);
        Assert.Equal(30, settings.Sharding.NumberOfShards);
        Assert.Equal(TimeSpan.FromSeconds(20), settings.SplitBrainStableAfter);
        Assert.Equal(new TokenSettings(null, null), settings.Tokens);
        Assert.NotEmpty(settings.Risk.Underlyings);
    }

    [Fact]
    public void PostgresProfileByNameSwitchesTheJournalAndKeepsEveryOtherDefault()
    {
        var settings = NodeSettings.From(NodeConfig.Load("postgres"));

        Assert.Equal(JournalProfile.Postgres, settings.Journal.Profile);
        Assert.Contains("Database=riskgrid", settings.Journal.PostgresConnectionString, StringComparison.Ordinal);
        Assert.Equal("riskgrid", settings.Journal.PostgresSchema);
        Assert.Equal(4, settings.Journal.Parallelism);
        Assert.Equal(new EndpointSettings("127.0.0.1", 8080), settings.Http);
    }

    [Fact]
    public void OverridesWinOverTheProfileAndTheProfileOverTheDefaults()
    {
        var profile = Path.GetTempFileName();
        try
        {
            File.WriteAllText(profile, "riskgrid.node { http.port = 9001, remote.port = 4999 }");
            var overrides = ConfigurationFactory.ParseString("riskgrid.node.http.port = 9002");

            var settings = NodeSettings.From(NodeConfig.Load(profile, overrides));

            Assert.Equal(9002, settings.Http.Port);
            Assert.Equal(4999, settings.Remote.Port);
        }
        finally
        {
            File.Delete(profile);
        }
    }

    [Fact]
    public void ClusterProfilesShareSeedsAndPostgresAndDifferInPorts()
    {
        var nodes = Enumerable.Range(1, 3)
            .Select(n => NodeSettings.From(NodeConfig.Load(Path.Combine(RepositoryRoot(), "config", "cluster",
                $"node{n}.conf"))))
            .ToArray();

        Assert.All(nodes, s => Assert.Equal(JournalProfile.Postgres, s.Journal.Profile));
        Assert.All(nodes, s => Assert.Equal(TimeSpan.FromSeconds(5), s.SplitBrainStableAfter));
        Assert.All(nodes, s => Assert.Equal(nodes[0].SeedNodes, s.SeedNodes));
        Assert.Equal(new EndpointSettings("127.0.0.1", 4061), nodes[0].SeedNodes[0]);
        Assert.Equal(3, nodes.Select(s => s.Remote.Port).Distinct().Count());
        Assert.Equal(3, nodes.Select(s => s.Http.Port).Distinct().Count());
        Assert.Equal(3, nodes.Select(s => s.DataDirectory).Distinct().Count());
    }

    [Theory]
    [InlineData("http.port = 99999", "riskgrid.node.http.port = 99999: must be in [0, 65535]")]
    [InlineData("remote.port = abc", "riskgrid.node.remote.port = abc: not a whole number")]
    [InlineData("remote.hostname = \"\"", "riskgrid.node.remote.hostname: must not be empty")]
    [InlineData("seed-nodes = [\"127.0.0.1\"]", "riskgrid.node.seed-nodes[0] = 127.0.0.1: expected host:port")]
    [InlineData("journal.profile = mysql", "riskgrid.node.journal.profile = mysql: expected sqlite or postgres")]
    [InlineData("journal.profile = postgres",
        "riskgrid.node.journal.postgres.connection-string: required by journal.profile = postgres")]
    [InlineData("""
        journal.profile = postgres
        journal.postgres { connection-string = "Host=h;Database=d", schema = "Bad-Name" }
        """,
        "riskgrid.node.journal.postgres.schema = Bad-Name: expected a lower-case SQL identifier")]
    [InlineData("journal.sqlite.snapshot-file = journal.db", "riskgrid.node.journal.sqlite.snapshot-file = ")]
    [InlineData("journal.sqlite.synchronous = off",
        "riskgrid.node.journal.sqlite.synchronous = off: expected full or normal")]
    [InlineData("journal.batch-size = 0", "riskgrid.node.journal.batch-size = 0: must be in [1, 100000]")]
    [InlineData("sharding.number-of-shards = -3", "riskgrid.node.sharding.number-of-shards = -3: must be in")]
    [InlineData("split-brain-resolver.stable-after = soon",
        "riskgrid.node.split-brain-resolver.stable-after = soon: expected a duration")]
    [InlineData("sharding.passivate-idle-after = 0s",
        "riskgrid.node.sharding.passivate-idle-after = 0s: must be above 0")]
    [InlineData("tokens.api = short", "riskgrid.node.tokens.api: must be at least 16 characters")]
    [InlineData("tokens { api = \"the-same-long-token\", admin = \"the-same-long-token\" }",
        "riskgrid.node.tokens.admin: must differ from tokens.api")]
    [InlineData("http.prot = 1", "riskgrid.node.http.prot: unknown key")]
    [InlineData("colour = blue", "riskgrid.node.colour: unknown key")]
    [InlineData("roles = blue", "riskgrid.node.roles = blue: expected a list")]
    [InlineData("roles { blue = 1 }", "riskgrid.node.roles: expected a list of strings")]
    public void BadValueIsRefusedNamingTheKey(string hocon, string expected)
    {
        var e = Assert.Throws<NodeSettingsException>(() => Read($"riskgrid.node {{\n{hocon}\n}}"));

        Assert.Contains(e.Errors, error => error.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void EveryProblemIsReportedAtOnce()
    {
        var e = Assert.Throws<NodeSettingsException>(() =>
            Read("riskgrid.node { http.port = -1, remote.port = x }"));

        Assert.Equal(2, e.Errors.Count);
    }

    [Fact]
    public void BadRiskParametersRefuseTheNodeToo()
    {
        var e = Assert.Throws<NodeSettingsException>(() =>
            Read("riskgrid.risk.underlyings.BTC.scanRange = -0.1"));

        Assert.Contains(e.Errors,
            error => error.Contains("underlyings.BTC.scanRange = -0.1", StringComparison.Ordinal));
    }

    [Fact]
    public void MissingProfileIsRefusedNamingIt()
    {
        var e = Assert.Throws<NodeSettingsException>(() => NodeConfig.Load("no-such-profile"));

        Assert.Contains("no-such-profile", e.Message, StringComparison.Ordinal);
    }

    private static NodeSettings Read(string hocon) =>
        NodeSettings.From(NodeConfig.Load(null, ConfigurationFactory.ParseString(hocon)));

    internal static string RepositoryRoot([System.Runtime.CompilerServices.CallerFilePath] string source = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(source)!, "..", "..", ".."));
}

using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using RiskGrid.Api;
using RiskGrid.Api.Security;
using RiskGrid.Node.Hosting;

namespace RiskGrid.Cli.Tests.Deploy;

/// <summary>
/// Keeps the deployment assets honest against the metrics a node serves and against each other: the Grafana
/// dashboard (cluster/grafana), the Prometheus configuration (cluster/prometheus), the Kubernetes manifests and image
/// (cluster/k8s) and docs/deploy.md. YAML is read line by line: no YAML package is referenced.
/// </summary>
public sealed partial class DeployAssetsTests
{
    /// <summary>
    /// The contract: every <c>riskgrid_*</c> metric a node serves at GET /metrics. A metric added, renamed or removed
    /// in src/RiskGrid.Api/Monitoring changes this list, the dashboard and the table in docs/deploy.md together.
    /// </summary>
    private static readonly string[] Metrics =
    [
        "riskgrid_account_requests_in_flight",
        "riskgrid_account_requests_refused_total",
        "riskgrid_accounts_resident",
        "riskgrid_adl_passes_total",
        "riskgrid_adl_queries_total",
        "riskgrid_adl_ranking_seconds",
        "riskgrid_bad_debt_usd",
        "riskgrid_cluster_members",
        "riskgrid_cluster_unreachable_members",
        "riskgrid_feed_dropped_ticks_total",
        "riskgrid_feed_last_tick_age_seconds",
        "riskgrid_feed_sequence_gaps_total",
        "riskgrid_feed_ticks_total",
        "riskgrid_insurance_fund_usd",
        "riskgrid_journal_write_seconds",
        "riskgrid_risk_tick_to_decision_seconds",
        "riskgrid_liquidation_breach_to_first_reduction_seconds",
        "riskgrid_liquidation_breach_to_restored_seconds",
        "riskgrid_liquidation_deferred_total",
        "riskgrid_liquidation_outside_queue_seconds",
        "riskgrid_liquidation_queue_depth",
        "riskgrid_liquidation_wait_seconds",
        "riskgrid_liquidations_total",
        "riskgrid_margin_calls_total",
        "riskgrid_oracle_index_usd",
        "riskgrid_oracle_staleness_seconds",
        "riskgrid_oracle_status",
        "riskgrid_oracle_valid_sources",
        "riskgrid_params_version",
        "riskgrid_risk_evaluation_seconds",
        "riskgrid_risk_evaluations_total",
        "riskgrid_risk_tracked_subaccounts",
        "riskgrid_shards_local",
        "riskgrid_volatility_multiplier",
    ];

    private static readonly string Root = RepositoryRoot();
    private static readonly string DashboardPath = Path.Combine(Root, "cluster", "grafana", "riskgrid-dashboard.json");
    private static readonly string PrometheusPath = Path.Combine(Root, "cluster", "prometheus", "prometheus.yml");
    private static readonly string K8sDirectory = Path.Combine(Root, "cluster", "k8s");
    private static readonly string DeployGuidePath = Path.Combine(Root, "docs", "deploy.md");

    [Fact]
    public void DashboardQueriesOnlyMetricsOfTheContract()
    {
        var queries = DashboardQueries();
        Assert.NotEmpty(queries);
        var unknown = queries.SelectMany(q => MetricNamePattern().Matches(q).Select(m => m.Value))
            .Where(name => !Metrics.Contains(name, StringComparer.Ordinal))
            .Distinct(StringComparer.Ordinal)
            .ToArray();
        Assert.True(unknown.Length == 0,
            "the dashboard queries metrics no node serves: " + string.Join(", ", unknown));
    }

    [Fact]
    public void DashboardDrawsEveryMetricOfTheContract()
    {
        var used = DashboardQueries().SelectMany(q => MetricNamePattern().Matches(q).Select(m => m.Value))
            .ToHashSet(StringComparer.Ordinal);
        var missing = Metrics.Where(m => !used.Contains(m)).ToArray();
        Assert.True(missing.Length == 0, "no dashboard panel draws " + string.Join(", ", missing));
    }

    [Fact]
    public void DashboardTakesItsPrometheusAsAnImportInputAndSelectsNodesByInstance()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(DashboardPath));
        var root = dashboard.RootElement;
        Assert.Contains(root.GetProperty("__inputs").EnumerateArray(),
            i => i.GetProperty("name").GetString() == "DS_PROMETHEUS"
                 && i.GetProperty("pluginId").GetString() == "prometheus");
        Assert.Contains(root.GetProperty("templating").GetProperty("list").EnumerateArray(),
            v => v.GetProperty("name").GetString() == "instance");
        Assert.InRange(root.GetProperty("schemaVersion").GetInt32(), 36, 41);
        foreach (var panel in Panels(root).Where(p => p.GetProperty("type").GetString() != "row"))
        {
            var title = panel.GetProperty("title").GetString();
            Assert.Equal("${DS_PROMETHEUS}", panel.GetProperty("datasource").GetProperty("uid").GetString());
            foreach (var target in panel.GetProperty("targets").EnumerateArray())
            {
                var expr = target.GetProperty("expr").GetString() ?? "";
                Assert.True(expr.Contains("instance=~\"$instance\"", StringComparison.Ordinal),
                    $"panel \"{title}\" ignores the instance variable: {expr}");
            }
        }
    }

    [Fact]
    public void PrometheusScrapesTheThreeLoopbackNodes()
    {
        var active = File.ReadAllLines(PrometheusPath)
            .Where(line => !line.TrimStart().StartsWith('#'))
            .ToArray();
        var ports = active.SelectMany(line => LoopbackTargetPattern().Matches(line))
            .Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))
            .Order()
            .ToArray();
        Assert.Equal(new[] { 8081, 8082, 8083 }, ports);
        Assert.Contains(active, line => line.Trim() == "metrics_path: /metrics");
        for (var n = 1; n <= 3; n++)
        {
            // The ports are those the loopback profiles give the venue API.
            var profile = File.ReadAllText(Path.Combine(Root, "config", "cluster", $"node{n}.conf"));
            Assert.Contains($"port = {8080 + n}", profile, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void EveryKubernetesDocumentHasApiVersionKindAndName()
    {
        var documents = KubernetesDocuments();
        Assert.NotEmpty(documents);
        foreach (var doc in documents)
        {
            Assert.False(string.IsNullOrEmpty(doc.ApiVersion), $"{doc.File}: a document without apiVersion");
            Assert.False(string.IsNullOrEmpty(doc.Kind), $"{doc.File}: a document without kind");
            Assert.False(string.IsNullOrEmpty(doc.Name), $"{doc.File}: {doc.Kind} without metadata.name");
        }
        foreach (var kind in new[] { "Namespace", "ConfigMap", "Service", "StatefulSet", "Secret" })
        {
            Assert.Contains(documents, d => d.Kind == kind);
        }
    }

    [Fact]
    public void SeedNodesAreTheStableNamesOfTheStatefulSetsPods()
    {
        var documents = KubernetesDocuments();
        var statefulSet = Single(documents, "StatefulSet", "riskgrid");
        var serviceName = ChildValue(statefulSet, "spec", "serviceName");
        var replicas = int.Parse(ChildValue(statefulSet, "spec", "replicas"), CultureInfo.InvariantCulture);
        var settings = ConfigMapSettings(documents);
        var clusterDomain = EnvValue(statefulSet, "CLUSTER_DOMAIN");
        Assert.Equal(serviceName, EnvValue(statefulSet, "SERVICE_NAME"));

        Assert.NotEmpty(settings.SeedNodes);
        var seedPattern = new Regex("^" + Regex.Escape(statefulSet.Name) + @"-(\d+)\." + Regex.Escape(serviceName)
            + @"\." + Regex.Escape(statefulSet.Namespace) + @"\.svc\." + Regex.Escape(clusterDomain) + "$",
            RegexOptions.CultureInvariant);
        foreach (var seed in settings.SeedNodes)
        {
            var match = seedPattern.Match(seed.Hostname);
            Assert.True(match.Success, $"seed {seed.Hostname} is not a pod of StatefulSet {statefulSet.Name} under "
                + $"Service {serviceName} in namespace {statefulSet.Namespace}");
            Assert.InRange(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), 0, replicas - 1);
            Assert.Equal(settings.Remote.Port, seed.Port);
        }

        // The pod advertises the same name it is given as a seed, and the headless Service publishes it.
        Assert.Contains("$POD_NAME.$SERVICE_NAME.$POD_NAMESPACE.svc.$CLUSTER_DOMAIN", statefulSet.Text,
            StringComparison.Ordinal);
        var headless = Single(documents, "Service", serviceName);
        Assert.Equal(statefulSet.Namespace, headless.Namespace);
        Assert.Equal("None", ChildValue(headless, "spec", "clusterIP"));
        Assert.Equal("true", ChildValue(headless, "spec", "publishNotReadyAddresses"));
        Assert.Contains($"port: {settings.Remote.Port}", headless.Text, StringComparison.Ordinal);
        Assert.Contains($"containerPort: {settings.Remote.Port}", statefulSet.Text, StringComparison.Ordinal);
        Assert.Contains($"containerPort: {settings.Http.Port}", statefulSet.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void ConfigMapProfileIsAValidClusterNodeConfigurationOnPostgres()
    {
        var settings = ConfigMapSettings(KubernetesDocuments());
        Assert.Equal(JournalProfile.Postgres, settings.Journal.Profile);
        Assert.Contains("Host=postgres.", settings.Journal.PostgresConnectionString, StringComparison.Ordinal);
        // The password comes from PGPASSWORD (a Secret), never from the ConfigMap.
        Assert.DoesNotContain("Password", settings.Journal.PostgresConnectionString,
            StringComparison.OrdinalIgnoreCase);
        Assert.Equal("0.0.0.0", settings.Http.Hostname);
        Assert.Equal("0.0.0.0", settings.Remote.Hostname);
        Assert.Null(settings.Tokens.Api);
        Assert.Null(settings.Tokens.Admin);
    }

    [Fact]
    public void StatefulSetProbesTheHealthRoutesAndOutwaitsAGracefulLeave()
    {
        var statefulSet = Single(KubernetesDocuments(), "StatefulSet", "riskgrid");
        Assert.Contains("path: /health/ready", statefulSet.Text, StringComparison.Ordinal);
        Assert.Contains("path: /health/alive", statefulSet.Text, StringComparison.Ordinal);
        var grace = GracePattern().Match(statefulSet.Text);
        Assert.True(grace.Success, "terminationGracePeriodSeconds is not set");
        var graceSeconds = int.Parse(grace.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(graceSeconds > ApiHost.ShutdownTimeout.TotalSeconds,
            "the kubelet would kill a node before its host's shutdown timeout");
        foreach (var variable in new[] { ApiTokens.ApiTokenVariable, ApiTokens.AdminTokenVariable, "PGPASSWORD" })
        {
            Assert.Contains($"name: {variable}", statefulSet.Text, StringComparison.Ordinal);
        }

        // The start script runs the binary the image publishes.
        var dockerfile = File.ReadAllText(Path.Combine(K8sDirectory, "Dockerfile"));
        Assert.Contains("dotnet publish src/RiskGrid.Cli", dockerfile, StringComparison.Ordinal);
        Assert.Contains("ENTRYPOINT [\"/app/riskgrid\"]", dockerfile, StringComparison.Ordinal);
        Assert.Contains("exec /app/riskgrid node --config", statefulSet.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void SecretsHoldPlaceholdersOnly()
    {
        var secrets = KubernetesDocuments().Where(d => d.Kind == "Secret").ToArray();
        Assert.NotEmpty(secrets);
        foreach (var secret in secrets)
        {
            var values = BlockChildren(secret.Lines, "stringData").Where(l => !l.TrimStart().StartsWith('#'))
                .Select(l => l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim())
                .ToArray();
            Assert.NotEmpty(values);
            Assert.All(values, v => Assert.Equal("REPLACE-ME", v));
            Assert.DoesNotContain(secret.Lines, l => l.StartsWith("data:", StringComparison.Ordinal));
        }
        // kubectl apply -f cluster/k8s/ does not descend into secrets/: re-applying never overwrites real Secrets.
        Assert.DoesNotContain(KubernetesDocuments(),
            d => d.Kind == "Secret" && Path.GetDirectoryName(d.File) == K8sDirectory);
    }

    [Fact]
    public void DeployGuideDescribesEveryMetricOfTheContractAndNoOther()
    {
        var guide = File.ReadAllText(DeployGuidePath);
        var missing = Metrics.Where(m => !Regex.IsMatch(guide, @"\b" + m + @"\b", RegexOptions.CultureInvariant))
            .ToArray();
        Assert.True(missing.Length == 0, "docs/deploy.md does not describe " + string.Join(", ", missing));
        var unknown = MetricNamePattern().Matches(guide).Select(m => m.Value)
            .Where(name => !Metrics.Contains(name, StringComparer.Ordinal))
            .Distinct(StringComparer.Ordinal)
            .ToArray();
        Assert.True(unknown.Length == 0, "docs/deploy.md names metrics no node serves: " + string.Join(", ", unknown));
    }

    /// <summary>Every PromQL text of the dashboard: panel targets (rows included) and templating queries.</summary>
    private static List<string> DashboardQueries()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(DashboardPath));
        var root = dashboard.RootElement;
        var queries = new List<string>();
        foreach (var panel in Panels(root))
        {
            if (panel.TryGetProperty("targets", out var targets))
            {
                queries.AddRange(targets.EnumerateArray()
                    .Select(t => t.TryGetProperty("expr", out var e) ? e.GetString() : null)
                    .OfType<string>());
            }
        }
        foreach (var variable in root.GetProperty("templating").GetProperty("list").EnumerateArray())
        {
            if (variable.TryGetProperty("definition", out var definition))
            {
                queries.Add(definition.GetString() ?? "");
            }
            if (variable.TryGetProperty("query", out var query))
            {
                queries.Add(query.ValueKind == JsonValueKind.Object
                    ? query.GetProperty("query").GetString() ?? ""
                    : query.GetString() ?? "");
            }
        }
        return queries;
    }

    /// <summary>Top-level panels and the panels nested in collapsed rows.</summary>
    private static IEnumerable<JsonElement> Panels(JsonElement dashboard)
    {
        foreach (var panel in dashboard.GetProperty("panels").EnumerateArray())
        {
            yield return panel;
            if (panel.TryGetProperty("panels", out var nested))
            {
                foreach (var inner in nested.EnumerateArray())
                {
                    yield return inner;
                }
            }
        }
    }

    /// <summary>One YAML document of a manifest: its lines without comments and its identifying fields.</summary>
    private sealed record K8sDocument(string File, string[] Lines)
    {
        public string Text { get; } = string.Join('\n', Lines);

        public string ApiVersion => TopLevel("apiVersion");

        public string Kind => TopLevel("kind");

        public string Name => ChildValue(this, "metadata", "name");

        public string Namespace => ChildValue(this, "metadata", "namespace");

        private string TopLevel(string key) =>
            Lines.Where(l => l.StartsWith(key + ":", StringComparison.Ordinal))
                .Select(l => l[(key.Length + 1)..].Trim())
                .FirstOrDefault() ?? "";
    }

    /// <summary>Every document of every *.yaml under cluster/k8s (secrets/ included), split on <c>---</c>.</summary>
    private static List<K8sDocument> KubernetesDocuments()
    {
        var documents = new List<K8sDocument>();
        foreach (var file in Directory.GetFiles(K8sDirectory, "*.yaml", SearchOption.AllDirectories).Order())
        {
            var current = new List<string>();
            foreach (var line in File.ReadAllLines(file).Append("---"))
            {
                if (line.TrimEnd() == "---")
                {
                    if (current.Count > 0)
                    {
                        documents.Add(new K8sDocument(file, current.ToArray()));
                    }
                    current = [];
                }
                else if (line.Trim().Length > 0 && !line.TrimStart().StartsWith('#'))
                {
                    current.Add(line.TrimEnd());
                }
            }
        }
        return documents;
    }

    private static K8sDocument Single(IEnumerable<K8sDocument> documents, string kind, string name) =>
        Assert.Single(documents, d => d.Kind == kind && d.Name == name);

    /// <summary>The lines of a top-level block (<paramref name="key"/>: at column 0) up to the next top-level
    /// key.</summary>
    private static IEnumerable<string> BlockLines(string[] lines, string key) =>
        lines.SkipWhile(l => l != key + ":").Skip(1).TakeWhile(l => l.StartsWith(' '));

    /// <summary>The direct children (two spaces in) of a top-level block.</summary>
    private static IEnumerable<string> BlockChildren(string[] lines, string key) =>
        BlockLines(lines, key).Where(l => l.Length > 2 && l.StartsWith("  ", StringComparison.Ordinal) && l[2] != ' ');

    /// <summary>The scalar value of a direct child of a top-level block: <c>spec.serviceName</c>.</summary>
    private static string ChildValue(K8sDocument doc, string block, string child) =>
        BlockChildren(doc.Lines, block)
            .Where(l => l.StartsWith("  " + child + ":", StringComparison.Ordinal))
            .Select(l => l[(child.Length + 3)..].Trim().Trim('"'))
            .FirstOrDefault() ?? "";

    /// <summary>The literal value of a container environment variable (<c>- name: X</c>, then
    /// <c>value: Y</c>).</summary>
    private static string EnvValue(K8sDocument doc, string variable)
    {
        var index = Array.FindIndex(doc.Lines, l => l.Trim() == "- name: " + variable);
        Assert.True(index >= 0 && index + 1 < doc.Lines.Length, $"{doc.Name}: no environment variable {variable}");
        var next = doc.Lines[index + 1].Trim();
        Assert.StartsWith("value:", next, StringComparison.Ordinal);
        return next["value:".Length..].Trim().Trim('"');
    }

    /// <summary>
    /// The node settings of the ConfigMap's profile, read the way <c>riskgrid node --config</c> reads it (layered
    /// over the shipped defaults and validated), plus the two keys the pod's start script appends.
    /// </summary>
    private static NodeSettings ConfigMapSettings(IEnumerable<K8sDocument> documents)
    {
        var configMap = Single(documents, "ConfigMap", "riskgrid-config");
        var start = Array.FindIndex(configMap.Lines, l => l.Trim() == "riskgrid.conf: |");
        Assert.True(start >= 0, "the ConfigMap has no riskgrid.conf block");
        const string indent = "    ";
        var hocon = configMap.Lines.Skip(start + 1)
            .TakeWhile(l => l.StartsWith(indent, StringComparison.Ordinal))
            .Select(l => l[indent.Length..])
            .Append("riskgrid.node.name = \"riskgrid-0\"")
            .Append("akka.remote.dot-netty.tcp.public-hostname = \"riskgrid-0.riskgrid.riskgrid.svc.cluster.local\"");
        var path = Path.Combine(Path.GetTempPath(), $"riskgrid-k8s-profile-{Guid.NewGuid():N}.conf");
        File.WriteAllText(path, string.Join('\n', hocon) + "\n");
        try
        {
            return NodeSettings.From(NodeConfig.Load(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>The directory holding RiskGrid.sln: walked up to from the test binaries, else from this source file
    /// (builds with <c>--artifacts-path</c> put the binaries outside the repository).</summary>
    private static string RepositoryRoot([CallerFilePath] string sourceFile = "")
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(sourceFile) ?? "" })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "RiskGrid.sln")))
                {
                    return dir.FullName;
                }
            }
        }
        throw new InvalidOperationException("RiskGrid.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"\briskgrid_[a-z0-9_]+", RegexOptions.CultureInvariant)]
    private static partial Regex MetricNamePattern();

    [GeneratedRegex(@"127\.0\.0\.1:(\d+)", RegexOptions.CultureInvariant)]
    private static partial Regex LoopbackTargetPattern();

    [GeneratedRegex(@"^\s*terminationGracePeriodSeconds:\s*(\d+)\s*$",
        RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex GracePattern();
}

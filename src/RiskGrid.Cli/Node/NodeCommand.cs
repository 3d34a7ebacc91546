using System.CommandLine;
using System.Data.Common;
using System.Globalization;
using Akka.Configuration;
using Akka.Remote;
using RiskGrid.Api;
using RiskGrid.Api.Security;
using RiskGrid.Node.Hosting;

namespace RiskGrid.Cli.Node;

/// <summary>
/// <c>riskgrid node [--config PROFILE] [--http-port N] [--port N] [--data-dir DIR]</c>: starts one node (actor
/// system, cluster join, journal) and its venue API, and runs until SIGTERM or Ctrl-C, when it leaves the cluster
/// gracefully (coordinated shutdown hands its shards over). Exit status 0 after a graceful stop, 1 when the node
/// could not start (bad configuration, journal unreachable, port taken).
/// </summary>
internal static class NodeCommand
{
    public static Command Create(CliStreams streams)
    {
        var profile = new Option<string?>("--config")
        {
            Description = "Profile layered over config/node.conf: a HOCON file, or a shipped profile's name (postgres)",
            HelpName = "PROFILE",
        };
        var httpPort = new Option<int?>("--http-port")
        {
            Description = "Venue API port (riskgrid.node.http.port; default 8080)",
            HelpName = "N",
        };
        var akkaPort = new Option<int?>("--port")
        {
            Description = "Akka.Remote port (riskgrid.node.remote.port; default 4053)",
            HelpName = "N",
        };
        var dataDir = new Option<string?>("--data-dir")
        {
            Description = "Data directory: SQLite journal, generated tokens (riskgrid.node.data-dir; default data)",
            HelpName = "DIR",
        };
        var command = new Command("node", "Run a grid node and its venue API until SIGTERM or Ctrl-C")
        {
            profile,
            httpPort,
            akkaPort,
            dataDir,
        };
        // A synchronous action on purpose: the web host then owns SIGTERM/SIGINT and stops in order (the node
        // leaves the cluster first); an asynchronous one would get System.CommandLine's 2-second termination limit.
        command.SetAction(parse =>
        {
            var overrides = Overrides(parse.GetValue(httpPort), parse.GetValue(akkaPort), parse.GetValue(dataDir));
            return RunAsync(streams, parse.GetValue(profile), overrides).GetAwaiter().GetResult();
        });
        return command;
    }

    private static async Task<int> RunAsync(CliStreams streams, string? profile, Config overrides)
    {
        NodeSettings settings;
        ApiTokens tokens;
        try
        {
            settings = NodeSettings.From(NodeConfig.Load(profile, overrides));
            tokens = ApiTokens.Resolve(settings);
        }
        catch (NodeSettingsException e)
        {
            return Fail(streams, $"bad configuration:{Environment.NewLine}{e.Message}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Fail(streams, $"cannot read or write the API token file: {e.Message}");
        }

        GridNode node;
        try
        {
            node = await GridNode.StartAsync(settings).ConfigureAwait(false);
        }
        catch (Exception e) when (e is DbException or IOException or UnauthorizedAccessException
                                      or RemoteTransportException)
        {
            return Fail(streams, $"node {settings.Name} did not start: {e.Message}");
        }

        await using var app = ApiHost.Build(node, tokens);
        try
        {
            await app.StartAsync().ConfigureAwait(false);
        }
        catch (IOException e)
        {
            await node.StopAsync().ConfigureAwait(false);
            return Fail(streams,
                $"the API could not listen on {settings.Http.Hostname}:{settings.Http.Port}: {e.Message}");
        }
        streams.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"riskgrid node {settings.Name}: akka {node.SelfAddress}, api {ApiHost.BoundAddress(app)}, journal "
            + $"{settings.Journal.Profile.ToString().ToLowerInvariant()}, data {settings.DataDirectory}"));
        streams.Error.WriteLine($"riskgrid node {settings.Name}: API tokens from {tokens.Source}");
        streams.Error.Flush();

        await app.WaitForShutdownAsync().ConfigureAwait(false);
        await node.StopAsync().ConfigureAwait(false);
        streams.Error.WriteLine($"riskgrid node {settings.Name}: stopped");
        streams.Error.Flush();
        return 0;
    }

    /// <summary>The command line's settings, layered over every configuration file.</summary>
    private static Config Overrides(int? httpPort, int? akkaPort, string? dataDir)
    {
        var lines = new List<string>();
        if (httpPort is { } http)
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"riskgrid.node.http.port = {http}"));
        }
        if (akkaPort is { } akka)
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"riskgrid.node.remote.port = {akka}"));
        }
        if (dataDir is not null)
        {
            var quoted = dataDir.Replace("\\", "\\\\", StringComparison.Ordinal)
                .Replace("\"", "\\\"", StringComparison.Ordinal);
            lines.Add($"riskgrid.node.data-dir = \"{quoted}\"");
        }
        return lines.Count == 0 ? Config.Empty : ConfigurationFactory.ParseString(string.Join('\n', lines));
    }

    private static int Fail(CliStreams streams, string message)
    {
        streams.Error.WriteLine($"riskgrid node: {message}");
        streams.Error.Flush();
        return 1;
    }
}

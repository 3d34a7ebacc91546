using Akka.Configuration;
using RiskGrid.Margin.Parameters;
using RiskGrid.Node.Configuration;

namespace RiskGrid.Node.Hosting;

/// <summary>Where a node keeps its journal and snapshots.</summary>
public enum JournalProfile
{
    /// <summary>Two SQLite files under the data directory: the one-node default.</summary>
    Sqlite,

    /// <summary>A PostgreSQL database shared by every node of a cluster.</summary>
    Postgres,
}

/// <summary>A TCP endpoint: host name or address and port (0: any free port).</summary>
public sealed record EndpointSettings(string Hostname, int Port);

/// <summary>
/// The journal and snapshot store (Akka.Persistence.Sql). For <see cref="JournalProfile.Sqlite"/> the two file
/// paths are absolute and <see cref="Parallelism"/> is 1; for <see cref="JournalProfile.Postgres"/> the connection
/// string and schema are set. <see cref="SqliteSynchronous"/> is SQLite's <c>PRAGMA synchronous</c> on every journal
/// and snapshot connection.
/// </summary>
public sealed record JournalSettings(
    JournalProfile Profile,
    string SqliteJournalPath,
    string SqliteSnapshotPath,
    string PostgresConnectionString,
    string PostgresSchema,
    int BufferSize,
    int BatchSize,
    int Parallelism,
    TimeSpan ReadinessTimeout,
    SqliteSynchronous SqliteSynchronous = SqliteSynchronous.Full);

/// <summary>
/// SQLite's <c>PRAGMA synchronous</c> in WAL mode. <see cref="Full"/> syncs the log at every commit: an acknowledged
/// write survives a power loss. <see cref="Normal"/> syncs at checkpoints only: a write survives the process being
/// killed but the last commits may be lost with the machine; for scratch journals (the stress lab) it is about twice
/// as fast.
/// </summary>
public enum SqliteSynchronous
{
    /// <summary>Sync at every commit (SQLite's default).</summary>
    Full,

    /// <summary>Sync at checkpoints.</summary>
    Normal,
}

/// <summary>Cluster sharding: the fixed shard count and the idle time after which an entity is passivated.</summary>
public sealed record ShardingSettings(int NumberOfShards, TimeSpan PassivateIdleAfter);

/// <summary>Tokens of the venue API set in the configuration; null where the configuration leaves them empty.</summary>
public sealed record TokenSettings(string? Api, string? Admin);

/// <summary>
/// Everything a node needs to start, read once from HOCON (<c>riskgrid.node</c>, and the risk parameters under
/// <c>riskgrid.risk</c>) and validated: <see cref="From"/> refuses a bad configuration naming every bad key at
/// once. Paths are absolute (relative ones are resolved against the working directory at the time of the read).
/// </summary>
public sealed record NodeSettings
{
    /// <summary>The HOCON path of the node settings.</summary>
    public const string RootPath = "riskgrid.node";

    /// <summary>The actor system name every node of a cluster shares.</summary>
    public const string ActorSystemName = "riskgrid";

    /// <summary>The node's name in logs.</summary>
    public required string Name { get; init; }

    /// <summary>Absolute path of the data directory.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>The Akka.Remote endpoint.</summary>
    public required EndpointSettings Remote { get; init; }

    /// <summary>Seed nodes as endpoints; empty: the node joins itself (a one-node cluster).</summary>
    public required IReadOnlyList<EndpointSettings> SeedNodes { get; init; }

    /// <summary>Cluster roles of this node.</summary>
    public required IReadOnlyList<string> Roles { get; init; }

    /// <summary>The venue API endpoint.</summary>
    public required EndpointSettings Http { get; init; }

    /// <summary>Journal and snapshot store.</summary>
    public required JournalSettings Journal { get; init; }

    /// <summary>Cluster sharding.</summary>
    public required ShardingSettings Sharding { get; init; }

    /// <summary>How long a partition must be stable before the split-brain resolver (keep-majority) acts.</summary>
    public required TimeSpan SplitBrainStableAfter { get; init; }

    /// <summary>API tokens named by the configuration.</summary>
    public required TokenSettings Tokens { get; init; }

    /// <summary>The validated risk parameters (MARGIN.md §12).</summary>
    public required RiskParams Risk { get; init; }

    /// <summary>
    /// The whole configuration the settings were read from, for the components composed later that read their own
    /// sections (<c>riskgrid.feed</c>, <c>riskgrid.accounts</c>) and for raw <c>akka.*</c> keys of a profile.
    /// </summary>
    public required Config Source { get; init; }

    /// <summary>Reads and validates <paramref name="config"/>; throws <see cref="NodeSettingsException"/> naming
    /// every bad key.</summary>
    public static NodeSettings From(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var reader = new NodeSettingsReader(config);
        RiskParams? risk = null;
        try
        {
            risk = RiskParamsReader.Load(config);
        }
        catch (RiskParamsException e)
        {
            reader.Errors.Add($"{RiskParamsReader.RootPath}: {e.Message}");
        }
        return reader.Read(risk) ?? throw new NodeSettingsException(reader.Errors);
    }
}

/// <summary>A node configuration that cannot start a node; the message names every bad key.</summary>
public sealed class NodeSettingsException : Exception
{
    /// <summary>One problem per line, each naming its key.</summary>
    public NodeSettingsException(IReadOnlyList<string> errors)
        : base(string.Join(Environment.NewLine, errors ?? throw new ArgumentNullException(nameof(errors))))
    {
        Errors = errors;
    }

    /// <summary>Needed by serialization conventions; prefer the list constructor.</summary>
    public NodeSettingsException()
        : this(["invalid node settings"])
    {
    }

    /// <summary>A single problem.</summary>
    public NodeSettingsException(string message)
        : this([message])
    {
    }

    /// <summary>A single problem with its cause.</summary>
    public NodeSettingsException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [message];
    }

    /// <summary>Each problem, naming its key (<c>riskgrid.node.http.port = abc: not a whole number</c>).</summary>
    public IReadOnlyList<string> Errors { get; }
}

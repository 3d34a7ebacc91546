using Akka.Configuration;
using RiskGrid.Node.Configuration;

namespace RiskGrid.Node.Hosting;

/// <summary>
/// The layered HOCON of a node, first layer winning: overrides (the command line's) → the profile file → the
/// defaults <c>node.conf</c> → <c>feed.conf</c> → <c>accounts.conf</c> → <c>supervisor.conf</c> → <c>risk-params.conf</c>. Each default
/// layer is the loose copy next to the application when there is one (the build copies <c>config/*.conf</c>
/// there), else the copy embedded in RiskGrid.Node (a single-file publish); <c>feed.conf</c> and
/// <c>accounts.conf</c> are skipped where neither exists.
/// </summary>
public static class NodeConfig
{
    /// <summary>File name of the node defaults.</summary>
    public const string NodeFileName = "node.conf";

    /// <summary>The layers below the profile, in order of precedence, and whether each is required.</summary>
    private static readonly (string FileName, bool Required)[] DefaultLayers =
    [
        (NodeFileName, true),
        ("feed.conf", false),
        ("accounts.conf", false),
        ("supervisor.conf", false),
        (RiskParamsReader.DefaultFileName, true),
    ];

    /// <summary>
    /// Loads the layers. <paramref name="profile"/> is a file path (relative to the working directory) or the bare
    /// name of a shipped profile (<c>postgres</c> for <c>postgres.conf</c> next to the application or embedded);
    /// null for none. Throws <see cref="NodeSettingsException"/> for a missing profile or bad HOCON.
    /// </summary>
    public static Config Load(string? profile, Config? overrides = null)
    {
        var config = overrides ?? Config.Empty;
        if (profile is not null)
        {
            config = config.WithFallback(Parse(ReadProfile(profile), profile));
        }
        foreach (var (fileName, required) in DefaultLayers)
        {
            var text = ReadShipped(fileName);
            if (text is null && required)
            {
                throw new NodeSettingsException(
                    $"{fileName}: missing (neither next to the application nor embedded in RiskGrid.Node)");
            }
            if (text is not null)
            {
                config = config.WithFallback(Parse(text, fileName));
            }
        }
        return config;
    }

    /// <summary>Parses HOCON text, naming <paramref name="origin"/> in the error.</summary>
    public static Config Parse(string hocon, string origin)
    {
        ArgumentNullException.ThrowIfNull(hocon);
        try
        {
            return ConfigurationFactory.ParseString(hocon);
        }
        catch (Exception e) when (e is FormatException or ConfigurationException)
        {
            throw new NodeSettingsException($"{origin}: HOCON syntax: {e.Message}", e);
        }
    }

    private static string ReadProfile(string profile)
    {
        if (File.Exists(profile))
        {
            return ReadFile(profile);
        }
        var isBareName = profile.Length > 0 && profile.IndexOfAny(['/', '\\', '.']) < 0;
        var shipped = isBareName ? ReadShipped(profile + ".conf") : null;
        return shipped ?? throw new NodeSettingsException(
            $"--config {profile}: no such file{(isBareName ? $" and no shipped profile {profile}.conf" : "")}");
    }

    private static string? ReadShipped(string fileName)
    {
        var loose = Path.Combine(AppContext.BaseDirectory, fileName);
        if (File.Exists(loose))
        {
            return ReadFile(loose);
        }
        using var stream = typeof(NodeConfig).Assembly.GetManifestResourceStream("RiskGrid.Node." + fileName);
        if (stream is null)
        {
            return null;
        }
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static string ReadFile(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NodeSettingsException($"{path}: cannot read ({e.Message})", e);
        }
    }
}

using System.Globalization;
using Akka.Configuration;
using Akka.Configuration.Hocon;
using Npgsql;
using RiskGrid.Margin.Parameters;

namespace RiskGrid.Node.Hosting;

/// <summary>
/// One read of <c>riskgrid.node</c>: collects every problem as <c>riskgrid.node.key = value: problem</c> (missing
/// keys, unknown keys, wrong types, values out of range), then builds the settings or returns null.
/// </summary>
internal sealed class NodeSettingsReader
{
    private const string AkkaAddressPrefix = "akka.tcp://" + NodeSettings.ActorSystemName + "@";
    private const int MinTokenLength = 16;

    // The shape of riskgrid.node: a key maps to its children, or to null for a leaf.
    private static readonly Dictionary<string, string[]?> Shape = new(StringComparer.Ordinal)
    {
        [""] = ["name", "data-dir", "remote", "seed-nodes", "roles", "http", "journal", "sharding",
            "split-brain-resolver", "tokens"],
        ["remote"] = ["hostname", "port"],
        ["http"] = ["hostname", "port"],
        ["journal"] = ["profile", "sqlite", "postgres", "buffer-size", "batch-size", "parallelism",
            "readiness-timeout"],
        ["journal.sqlite"] = ["journal-file", "snapshot-file", "synchronous"],
        ["journal.postgres"] = ["connection-string", "schema"],
        ["sharding"] = ["number-of-shards", "passivate-idle-after"],
        ["split-brain-resolver"] = ["stable-after"],
        ["tokens"] = ["api", "admin"],
    };

    private readonly HoconObject? _root;
    private readonly Config _source;

    public NodeSettingsReader(Config config)
    {
        var value = config.IsEmpty || !config.HasPath(NodeSettings.RootPath)
            ? null
            : config.GetConfig(NodeSettings.RootPath).Root;
        if (value is null || !value.IsObject())
        {
            Errors.Add($"{NodeSettings.RootPath}: missing");
        }
        else
        {
            _root = value.GetObject();
        }
        _source = config;
    }

    public List<string> Errors { get; } = [];

    /// <summary>The settings, or null when anything (including <paramref name="risk"/>) is missing or bad.</summary>
    public NodeSettings? Read(RiskParams? risk)
    {
        if (_root is null)
        {
            return null;
        }
        CheckUnknownKeys(_root, "");
        var dataDirectory = FullPath(Text("data-dir", allowEmpty: false), "data-dir", null);
        var remote = Endpoint("remote");
        var seeds = StringList("seed-nodes").Select((s, i) => Seed(s, $"seed-nodes[{i}]")).ToArray();
        var roles = StringList("roles");
        var http = Endpoint("http");
        var journal = Journal(dataDirectory);
        var sharding = new ShardingSettings(
            (int)Int("sharding.number-of-shards", 1, 10_000),
            Duration("sharding.passivate-idle-after"));
        var stableAfter = Duration("split-brain-resolver.stable-after");
        var tokens = Tokens();
        var name = Text("name", allowEmpty: true);
        if (Errors.Count > 0 || risk is null || seeds.Any(s => s is null))
        {
            return null;
        }
        return new NodeSettings
        {
            Name = name.Length > 0 ? name : $"{remote.Hostname}:{remote.Port}",
            DataDirectory = dataDirectory,
            Remote = remote,
            SeedNodes = seeds!,
            Roles = roles,
            Http = http,
            Journal = journal,
            Sharding = sharding,
            SplitBrainStableAfter = stableAfter,
            Tokens = tokens,
            Risk = risk,
            Source = _source,
        };
    }

    private JournalSettings Journal(string dataDirectory)
    {
        var profileText = Text("journal.profile", allowEmpty: false);
        var profile = profileText switch
        {
            "sqlite" => JournalProfile.Sqlite,
            "postgres" => JournalProfile.Postgres,
            _ => Refuse(JournalProfile.Sqlite, "journal.profile", profileText, "expected sqlite or postgres"),
        };
        var journalFile = FullPath(Text("journal.sqlite.journal-file", allowEmpty: false),
            "journal.sqlite.journal-file", dataDirectory);
        var snapshotFile = FullPath(Text("journal.sqlite.snapshot-file", allowEmpty: false),
            "journal.sqlite.snapshot-file", dataDirectory);
        if (profile == JournalProfile.Sqlite && journalFile.Length > 0 && journalFile == snapshotFile)
        {
            Errors.Add($"{Key("journal.sqlite.snapshot-file")} = {snapshotFile}: must differ from journal-file "
                + "(a snapshot write under heavy journaling fails on a shared file)");
        }
        var synchronousText = Text("journal.sqlite.synchronous", allowEmpty: false);
        var synchronous = synchronousText switch
        {
            "full" => SqliteSynchronous.Full,
            "normal" => SqliteSynchronous.Normal,
            _ => Refuse(SqliteSynchronous.Full, "journal.sqlite.synchronous", synchronousText, "expected full or normal"),
        };
        var connectionString = Text("journal.postgres.connection-string", allowEmpty: true);
        var schema = Text("journal.postgres.schema", allowEmpty: false);
        if (profile == JournalProfile.Postgres)
        {
            CheckConnectionString(connectionString);
            if (schema.Length > 0 && !IsSqlIdentifier(schema))
            {
                Errors.Add($"{Key("journal.postgres.schema")} = {schema}: expected a lower-case SQL identifier "
                    + "([a-z_][a-z0-9_]*)");
            }
        }
        var parallelism = (int)Int("journal.parallelism", 1, 64);
        return new JournalSettings(profile, journalFile, snapshotFile, connectionString, schema,
            (int)Int("journal.buffer-size", 1, 1_000_000), (int)Int("journal.batch-size", 1, 100_000),
            profile == JournalProfile.Sqlite ? 1 : parallelism, Duration("journal.readiness-timeout"), synchronous);
    }

    private void CheckConnectionString(string connectionString)
    {
        const string key = "journal.postgres.connection-string";
        if (connectionString.Length == 0)
        {
            Errors.Add($"{Key(key)}: required by journal.profile = postgres");
            return;
        }
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            if (string.IsNullOrEmpty(builder.Host) || string.IsNullOrEmpty(builder.Database))
            {
                Errors.Add($"{Key(key)}: must name Host and Database");
            }
        }
        catch (ArgumentException e)
        {
            // The value may hold a password: name the key and the parser's complaint, not the text.
            Errors.Add($"{Key(key)}: not a valid Npgsql connection string ({e.Message})");
        }
    }

    private TokenSettings Tokens()
    {
        var api = Token("tokens.api");
        var admin = Token("tokens.admin");
        if (api is not null && admin is not null && string.Equals(api, admin, StringComparison.Ordinal))
        {
            Errors.Add($"{Key("tokens.admin")}: must differ from tokens.api");
        }
        return new TokenSettings(api, admin);
    }

    private string? Token(string path)
    {
        var token = Text(path, allowEmpty: true);
        if (token.Length == 0)
        {
            return null;
        }
        // Never echo a token: name the key and the rule only.
        if (token.Length < MinTokenLength || token.Any(char.IsWhiteSpace))
        {
            Errors.Add($"{Key(path)}: must be at least {MinTokenLength} characters without spaces");
            return null;
        }
        return token;
    }

    private EndpointSettings Endpoint(string path)
    {
        var host = Text($"{path}.hostname", allowEmpty: false);
        var port = (int)Int($"{path}.port", 0, 65535);
        return new EndpointSettings(host, port);
    }

    private EndpointSettings? Seed(string text, string path)
    {
        var address = text.StartsWith(AkkaAddressPrefix, StringComparison.Ordinal)
            ? text[AkkaAddressPrefix.Length..]
            : text;
        var colon = address.LastIndexOf(':');
        if (colon > 0
            && int.TryParse(address.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            && port is > 0 and <= 65535)
        {
            return new EndpointSettings(address[..colon], port);
        }
        Errors.Add($"{Key(path)} = {text}: expected host:port (port 1-65535) or {AkkaAddressPrefix}host:port");
        return null;
    }

    private string FullPath(string path, string key, string? baseDirectory)
    {
        if (path.Length == 0)
        {
            return "";
        }
        try
        {
            return baseDirectory is null ? Path.GetFullPath(path) : Path.GetFullPath(path, baseDirectory);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            Errors.Add($"{Key(key)} = {path}: not a usable path ({e.Message})");
            return "";
        }
    }

    private string Text(string path, bool allowEmpty)
    {
        var value = Scalar(path);
        if (value is null)
        {
            return "";
        }
        if (!allowEmpty && value.Trim().Length == 0)
        {
            Errors.Add($"{Key(path)}: must not be empty");
            return "";
        }
        return value;
    }

    private long Int(string path, long min, long max)
    {
        var text = Scalar(path);
        if (text is null)
        {
            return min;
        }
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v))
        {
            return Refuse(min, path, text, "not a whole number");
        }
        return v < min || v > max ? Refuse(min, path, text, $"must be in [{min}, {max}]") : v;
    }

    private TimeSpan Duration(string path)
    {
        var text = Scalar(path);
        if (text is null)
        {
            return TimeSpan.FromSeconds(1);
        }
        var trimmed = text.Trim();
        var digits = 0;
        while (digits < trimmed.Length && (char.IsAsciiDigit(trimmed[digits]) || trimmed[digits] == '.'))
        {
            digits++;
        }
        var unit = trimmed[digits..].Trim();
        double? perUnitMs = unit switch
        {
            "ms" or "millisecond" or "milliseconds" => 1,
            "s" or "second" or "seconds" => 1_000,
            "m" or "minute" or "minutes" => 60_000,
            "h" or "hour" or "hours" => 3_600_000,
            _ => null,
        };
        if (perUnitMs is null
            || !double.TryParse(trimmed.AsSpan(0, digits), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture,
                out var amount))
        {
            return Refuse(TimeSpan.FromSeconds(1), path, text, "expected a duration such as 5s or 250ms");
        }
        var ms = amount * perUnitMs.Value;
        return ms is <= 0 or > 86_400_000
            ? Refuse(TimeSpan.FromSeconds(1), path, text, "must be above 0 and at most 24h")
            : TimeSpan.FromMilliseconds(ms);
    }

    private List<string> StringList(string path)
    {
        var value = Value(path);
        if (value is null)
        {
            Errors.Add($"{Key(path)}: missing");
            return [];
        }
        if (!value.IsArray() && value.IsString() && !string.IsNullOrEmpty(value.GetString()))
        {
            // GetStringList would read a scalar as a list of one.
            Errors.Add($"{Key(path)} = {value.GetString()}: expected a list");
            return [];
        }
        if (value.IsObject())
        {
            // An object is no list (Akka's GetStringList does not say so: it throws).
            Errors.Add($"{Key(path)}: expected a list of strings, found an object");
            return [];
        }
        IList<string> list;
        try
        {
            // Akka's own reading of lists: [] parses into a value that is not IsArray() yet reads as empty.
            list = value.GetStringList();
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or ConfigurationException)
        {
            Errors.Add($"{Key(path)}: expected a list of strings");
            return [];
        }
        var items = new List<string>();
        for (var i = 0; i < list.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(list[i]))
            {
                Errors.Add($"{Key($"{path}[{i}]")}: expected a non-empty string");
            }
            else
            {
                items.Add(list[i]);
            }
        }
        return items;
    }

    private string? Scalar(string path)
    {
        var value = Value(path);
        if (value is null || (value.IsString() && value.GetString() is null))
        {
            Errors.Add($"{Key(path)}: missing");
            return null;
        }
        if (!value.IsString())
        {
            Errors.Add($"{Key(path)}: expected a single value");
            return null;
        }
        return value.GetString();
    }

    private HoconValue? Value(string path)
    {
        HoconObject? current = _root;
        HoconValue? value = null;
        foreach (var part in path.Split('.'))
        {
            value = current?.GetKey(part);
            current = value is not null && value.IsObject() ? value.GetObject() : null;
        }
        return value;
    }

    private void CheckUnknownKeys(HoconObject o, string path)
    {
        if (!Shape.TryGetValue(path, out var known) || known is null)
        {
            return;
        }
        foreach (var (key, value) in o.Items)
        {
            var child = path.Length == 0 ? key : $"{path}.{key}";
            if (Array.IndexOf(known, key) < 0)
            {
                Errors.Add($"{Key(child)}: unknown key (expected one of {string.Join(", ", known)})");
            }
            else if (Shape.ContainsKey(child))
            {
                if (value.IsObject())
                {
                    CheckUnknownKeys(value.GetObject(), child);
                }
                else
                {
                    Errors.Add($"{Key(child)}: expected an object");
                }
            }
        }
    }

    private T Refuse<T>(T fallback, string path, string text, string problem)
    {
        Errors.Add($"{Key(path)} = {text}: {problem}");
        return fallback;
    }

    private static bool IsSqlIdentifier(string name) =>
        (char.IsAsciiLetterLower(name[0]) || name[0] == '_')
        && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_');

    private static string Key(string path) => $"{NodeSettings.RootPath}.{path}";
}

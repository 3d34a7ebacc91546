using System.Globalization;
using Akka.Configuration;
using Akka.Configuration.Hocon;
using RiskGrid.Feed.Transport;

namespace RiskGrid.Node.Prices;

/// <summary>
/// The node's price-feed settings (<c>riskgrid.feed</c> in <c>config/feed.conf</c>): which endpoints to subscribe
/// to, transport high-water marks, snapshot and evaluation intervals and the sizes of the preallocated oracle
/// tables. Immutable; built once by <see cref="From"/>, which refuses a bad file naming every bad key and value.
/// </summary>
public sealed record FeedSettings
{
    /// <summary>The HOCON path of the feed settings.</summary>
    public const string RootPath = "riskgrid.feed";

    /// <summary>File name of the default settings next to the Node assembly.</summary>
    public const string DefaultFileName = "feed.conf";

    /// <summary>Logical name of the embedded copy of the default settings.</summary>
    public const string EmbeddedResourceName = "RiskGrid.Node.feed.conf";

    private static readonly string[] RootKeys =
    [
        "subscribe", "publish", "sendHighWatermark", "receiveHighWatermark", "receivePollMs", "maxFrameBytes",
        "snapshotIntervalMs", "evaluateIntervalMs", "gapLogIntervalMs", "oracle",
    ];

    private static readonly string[] OracleKeys =
        ["maxSourcesPerUnderlying", "maxSources", "maxKeys", "maxPublishers", "defaultExpectedSources", "expectedSources"];

    /// <summary>Endpoints the node subscribes to (<c>tcp://host:port</c> or <c>inproc://name</c>).</summary>
    public IReadOnlyList<string> Subscribe { get; init; } = ["tcp://127.0.0.1:5556"];

    /// <summary>Where a publisher (the replay tool) binds by default.</summary>
    public string Publish { get; init; } = "tcp://127.0.0.1:5556";

    /// <summary>Frames queued per subscriber at a publisher before PUB drops.</summary>
    public int SendHighWatermark { get; init; } = 1_000;

    /// <summary>Frames queued at a subscriber before the transport drops.</summary>
    public int ReceiveHighWatermark { get; init; } = 1_000;

    /// <summary>Longest receive wait before the receive thread checks for a stop.</summary>
    public TimeSpan ReceivePollInterval { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Largest frame accepted, bytes.</summary>
    public int MaxFrameBytes { get; init; } = 1 << 20;

    /// <summary>How often publishers send a full snapshot for late joiners.</summary>
    public TimeSpan SnapshotInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How often the price-feed actor re-evaluates every index on the grid's clock.</summary>
    public TimeSpan EvaluateInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Least time between two log lines about frame gaps of one publisher.</summary>
    public TimeSpan GapLogInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Sizes of the preallocated oracle and filter tables.</summary>
    public PriceViewOptions Oracle { get; init; } = new();

    /// <summary>Transport options for a subscriber of <paramref name="endpoint"/>.</summary>
    public TickTransportOptions SubscriberOptions(string endpoint) => new()
    {
        Endpoint = endpoint,
        ReceiveHighWatermark = ReceiveHighWatermark,
        ReceivePollInterval = ReceivePollInterval,
        MaxFrameBytes = MaxFrameBytes,
    };

    /// <summary>Transport options for a publisher binding <paramref name="endpoint"/>.</summary>
    public TickTransportOptions PublisherOptions(string endpoint) => new()
    {
        Endpoint = endpoint,
        SendHighWatermark = SendHighWatermark,
        MaxFrameBytes = MaxFrameBytes,
    };

    /// <summary>Reads <c>riskgrid.feed</c> of <paramref name="config"/>; throws <see cref="FeedSettingsException"/>
    /// listing every bad key as <c>riskgrid.feed.key = value: problem</c>.</summary>
    public static FeedSettings From(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.IsEmpty || !config.HasPath(RootPath))
        {
            throw new FeedSettingsException([$"{RootPath}: missing"]);
        }

        var root = config.GetValue(RootPath);
        if (root is null || !root.IsObject())
        {
            throw new FeedSettingsException([$"{RootPath}: expected an object"]);
        }

        var reader = new Reader();
        var settings = reader.Read(root.GetObject());
        if (reader.Errors.Count > 0)
        {
            throw new FeedSettingsException(reader.Errors);
        }

        return settings;
    }

    /// <summary>Parses HOCON text holding <c>riskgrid.feed</c>.</summary>
    public static FeedSettings Parse(string hocon)
    {
        ArgumentNullException.ThrowIfNull(hocon);
        Config config;
        try
        {
            config = ConfigurationFactory.ParseString(hocon);
        }
        catch (FormatException e)
        {
            throw new FeedSettingsException([$"HOCON syntax: {e.Message}"], e);
        }

        return From(config);
    }

    /// <summary>Reads a HOCON file holding <c>riskgrid.feed</c>.</summary>
    public static FeedSettings LoadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Parse(File.ReadAllText(path));
    }

    /// <summary>The default settings: <c>feed.conf</c> next to the application (the build copies
    /// <c>config/feed.conf</c> there), else the copy embedded in this assembly.</summary>
    public static FeedSettings LoadDefault()
    {
        var path = Path.Combine(AppContext.BaseDirectory, DefaultFileName);
        return File.Exists(path) ? LoadFile(path) : Parse(ReadEmbeddedDefault());
    }

    /// <summary>The text of the embedded default settings.</summary>
    internal static string ReadEmbeddedDefault()
    {
        using var stream = typeof(FeedSettings).Assembly.GetManifestResourceStream(EmbeddedResourceName)
            ?? throw new InvalidOperationException($"embedded resource {EmbeddedResourceName} is missing");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>One read: collects every problem.</summary>
    private sealed class Reader
    {
        public List<string> Errors { get; } = [];

        public FeedSettings Read(HoconObject root)
        {
            Unknown(root, RootPath, RootKeys);
            var defaults = new FeedSettings();
            var subscribe = Endpoints(root, "subscribe");
            var publish = Text(root, "publish", defaults.Publish);
            if (!IsEndpoint(publish))
            {
                Bad("publish", publish, "must be inproc://name or tcp://host:port");
            }

            var oracle = root.Items.TryGetValue("oracle", out var o) && o.IsObject()
                ? ReadOracle(o.GetObject())
                : Missing("oracle", defaults.Oracle);
            return new FeedSettings
            {
                Subscribe = subscribe,
                Publish = publish,
                SendHighWatermark = (int)Whole(root, "sendHighWatermark", 1, 10_000_000),
                ReceiveHighWatermark = (int)Whole(root, "receiveHighWatermark", 1, 10_000_000),
                ReceivePollInterval = TimeSpan.FromMilliseconds(Whole(root, "receivePollMs", 1, 10_000)),
                MaxFrameBytes = (int)Whole(root, "maxFrameBytes", 40, 1 << 30),
                SnapshotInterval = TimeSpan.FromMilliseconds(Whole(root, "snapshotIntervalMs", 10, 3_600_000)),
                EvaluateInterval = TimeSpan.FromMilliseconds(Whole(root, "evaluateIntervalMs", 1, 60_000)),
                GapLogInterval = TimeSpan.FromMilliseconds(Whole(root, "gapLogIntervalMs", 0, 86_400_000)),
                Oracle = oracle,
            };
        }

        private PriceViewOptions ReadOracle(HoconObject o)
        {
            const string path = "oracle";
            Unknown(o, $"{RootPath}.{path}", OracleKeys);
            var expected = new Dictionary<string, int>(StringComparer.Ordinal);
            if (o.Items.TryGetValue("expectedSources", out var e) && e.IsObject())
            {
                foreach (var (name, value) in e.GetObject().Items)
                {
                    expected[name] = (int)Whole(value, $"{path}.expectedSources.{name}", 1, 1_000);
                }
            }
            else if (e is not null)
            {
                Bad($"{path}.expectedSources", e.ToString(), "expected an object of underlying = count");
            }

            var options = new PriceViewOptions
            {
                MaxSourcesPerUnderlying = (int)Whole(o, "maxSourcesPerUnderlying", 1, 256, path),
                MaxSources = (int)Whole(o, "maxSources", 1, 65_536, path),
                MaxKeys = (int)Whole(o, "maxKeys", 1, 1 << 24, path),
                MaxPublishers = (int)Whole(o, "maxPublishers", 1, 65_536, path),
                DefaultExpectedSources = (int)Whole(o, "defaultExpectedSources", 1, 1_000, path),
                ExpectedSources = expected,
            };
            return options;
        }

        private List<string> Endpoints(HoconObject o, string key)
        {
            if (!o.Items.TryGetValue(key, out var value))
            {
                Errors.Add($"{RootPath}.{key}: missing");
                return [];
            }

            if (!value.IsArray())
            {
                Bad(key, value.ToString(), "expected a list of endpoints");
                return [];
            }

            var endpoints = new List<string>();
            var items = value.GetArray();
            for (var i = 0; i < items.Count; i++)
            {
                var text = items[i].IsString() ? items[i].GetString() : items[i].ToString();
                if (!IsEndpoint(text))
                {
                    Bad($"{key}[{i}]", text, "must be inproc://name or tcp://host:port with a port above 0");
                    continue;
                }

                endpoints.Add(text);
            }

            return endpoints;
        }

        private static bool IsEndpoint(string text)
        {
            try
            {
                var options = new TickTransportOptions { Endpoint = text };
                options.Validate();
                return options.IsInproc || !text.EndsWith(":0", StringComparison.Ordinal);
            }
            catch (ArgumentException)
            {
                return false;
            }
        }

        private string Text(HoconObject o, string key, string fallback)
        {
            if (!o.Items.TryGetValue(key, out var value))
            {
                return Missing(key, fallback);
            }

            if (!value.IsString())
            {
                Bad(key, value.ToString(), "expected a string");
                return fallback;
            }

            return value.GetString();
        }

        private long Whole(HoconObject o, string key, long min, long max, string? parent = null)
        {
            var path = parent is null ? key : $"{parent}.{key}";
            if (!o.Items.TryGetValue(key, out var value))
            {
                return Missing(path, min);
            }

            return Whole(value, path, min, max);
        }

        private long Whole(HoconValue value, string path, long min, long max)
        {
            var text = value.IsString() ? value.GetString() : value.ToString();
            if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
            {
                Bad(path, text, "not a whole number");
                return min;
            }

            if (number < min || number > max)
            {
                Bad(path, text, string.Create(CultureInfo.InvariantCulture, $"must be in [{min}, {max}]"));
                return min;
            }

            return number;
        }

        private T Missing<T>(string path, T fallback)
        {
            Errors.Add($"{RootPath}.{path}: missing");
            return fallback;
        }

        private void Bad(string path, string value, string problem) =>
            Errors.Add($"{RootPath}.{path} = {value}: {problem}");

        private void Unknown(HoconObject o, string path, string[] known)
        {
            foreach (var key in o.Items.Keys)
            {
                if (Array.IndexOf(known, key) < 0)
                {
                    Errors.Add($"{path}.{key}: unknown key");
                }
            }
        }
    }
}

/// <summary>A bad <c>riskgrid.feed</c> configuration: every problem, one per line.</summary>
public sealed class FeedSettingsException : Exception
{
    public FeedSettingsException(IReadOnlyList<string> errors, Exception? inner = null)
        : base(string.Join(Environment.NewLine, errors), inner)
    {
        Errors = errors;
    }

    public FeedSettingsException()
        : this(["riskgrid.feed: invalid"])
    {
    }

    public FeedSettingsException(string message)
        : this([message])
    {
    }

    public FeedSettingsException(string message, Exception innerException)
        : this([message], innerException)
    {
    }

    /// <summary>Each problem as <c>riskgrid.feed.key = value: problem</c>.</summary>
    public IReadOnlyList<string> Errors { get; }
}

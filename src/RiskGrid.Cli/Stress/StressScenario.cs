using Akka.Configuration;

namespace RiskGrid.Cli.Stress;

/// <summary>One variant of a scenario: its name, node overrides and book form.</summary>
internal sealed record ScenarioVariant(string Name, string NodeHocon, bool IsolateEverything);

/// <summary>
/// A stress scenario (<c>config/scenarios/NAME.conf</c>, root key <c>scenario</c>): what is replayed (the synthetic
/// crash's seed or nothing extra), an optional synthetic shock laid over the prices, node overrides (HOCON text in a
/// triple-quoted string <c>node</c>: risk parameters, supervisor settings), and optional variants run on the same book and data and compared side by side (a parameter
/// sweep). A bad value of a known key is refused naming the key; unknown keys are ignored.
/// </summary>
internal sealed record StressScenario(string Name, string Description, int? SyntheticSeed, PriceShock? Shock,
    IReadOnlyList<ScenarioVariant> Variants)
{
    /// <summary>The scenario <c>make run</c> uses: the built-in synthetic crash, no shock, one variant.</summary>
    public static StressScenario Default { get; } = new("synthetic-crash",
        "The built-in synthetic crash (three BTC sources, one wicking), the book as generated", 1, null,
        [new ScenarioVariant("as configured", "", false)]);

    /// <summary>Loads <paramref name="nameOrPath"/>: a file path, or a name under the scenarios directory.</summary>
    public static StressScenario Load(string nameOrPath, string scenariosDirectory)
    {
        var path = File.Exists(nameOrPath) ? nameOrPath : Path.Combine(scenariosDirectory, nameOrPath + ".conf");
        if (!File.Exists(path))
        {
            var known = Directory.Exists(scenariosDirectory)
                ? string.Join(", ", Directory.GetFiles(scenariosDirectory, "*.conf").Select(Path.GetFileNameWithoutExtension)
                    .Order(StringComparer.Ordinal))
                : "none";
            throw new StressException($"--scenario {nameOrPath}: no such scenario (known: {known})");
        }
        Config config;
        try
        {
            config = ConfigurationFactory.ParseString(File.ReadAllText(path));
        }
        catch (Exception e) when (e is FormatException or ConfigurationException)
        {
            throw new StressException($"{path}: HOCON syntax: {e.Message}");
        }
        if (!config.HasPath("scenario"))
        {
            throw new StressException($"{path}: missing the root key 'scenario'");
        }
        var s = config.GetConfig("scenario");
        var name = Path.GetFileNameWithoutExtension(path);
        var description = s.GetString("description", name);
        int? seed = s.HasPath("synthetic-seed") ? s.GetInt("synthetic-seed") : 1;
        if (s.HasPath("synthetic") && !s.GetBoolean("synthetic"))
        {
            seed = null;
        }
        var shock = s.HasPath("shock") ? ReadShock(s.GetConfig("shock"), path) : null;
        var variants = new List<ScenarioVariant>();
        var baseNode = s.GetString("node", "");
        var baseIsolate = s.HasPath("isolate-everything") && s.GetBoolean("isolate-everything");
        if (s.HasPath("variants"))
        {
            var i = 0;
            foreach (var v in s.GetValue("variants").GetArray())
            {
                var vc = new Config(new Akka.Configuration.Hocon.HoconRoot(v));
                var vName = vc.GetString("name", $"variant {++i}");
                var vNode = vc.GetString("node", "");
                // The variant's own settings come last, so they win over the scenario's.
                variants.Add(new ScenarioVariant(vName, baseNode + "\n" + vNode,
                    vc.HasPath("isolate-everything") ? vc.GetBoolean("isolate-everything") : baseIsolate));
            }
        }
        if (variants.Count == 0)
        {
            variants.Add(new ScenarioVariant("as configured", baseNode, baseIsolate));
        }
        return new StressScenario(name, description, seed, shock, variants);
    }

    private static PriceShock ReadShock(Config c, string path)
    {
        var kindText = c.GetString("kind", "");
        var kind = kindText switch
        {
            "instant" => ShockKind.Instant,
            "bleed" => ShockKind.Bleed,
            "wick" => ShockKind.Wick,
            "outage" => ShockKind.Outage,
            "volatility-spike" => ShockKind.VolatilitySpike,
            "decorrelation" => ShockKind.Decorrelation,
            _ => throw new StressException(
                $"{path}: scenario.shock.kind = '{kindText}': one of instant, bleed, wick, outage, volatility-spike, decorrelation"),
        };
        var magnitude = c.GetDouble("magnitude", 0);
        if (!double.IsFinite(magnitude) || magnitude is <= -1 or > 10)
        {
            throw new StressException($"{path}: scenario.shock.magnitude = {magnitude}: must be in (-1, 10]");
        }
        var at = (long)c.GetTimeSpan("at", TimeSpan.Zero).TotalMilliseconds;
        var duration = (long)c.GetTimeSpan("duration", TimeSpan.Zero).TotalMilliseconds;
        if (at < 0 || duration < 0)
        {
            throw new StressException($"{path}: scenario.shock.at and duration must be ≥ 0");
        }
        var underlyings = c.HasPath("underlyings") ? c.GetStringList("underlyings").ToArray() : [];
        var sources = c.HasPath("sources") ? c.GetStringList("sources").ToArray() : [];
        if (kind == ShockKind.Decorrelation && underlyings.Length != 2)
        {
            throw new StressException($"{path}: scenario.shock.underlyings: a decorrelation names exactly two");
        }
        return new PriceShock(kind, at, duration, magnitude, underlyings, sources);
    }
}

using System.Globalization;
using Akka.Configuration;
using Akka.Configuration.Hocon;
using RiskGrid.Margin.Parameters;

namespace RiskGrid.Node.Configuration;

/// <summary>
/// Reads the risk parameters (MARGIN.md §12, <c>config/risk-params.conf</c>) from HOCON under
/// <c>riskgrid.risk</c> into a validated <see cref="RiskParams"/>. The reader reports missing keys, unknown keys
/// and values of the wrong type; <see cref="RiskParams.Create"/> then checks ranges and consistency. Every problem
/// is reported at once, as <c>key = value: problem</c> with the full key path below <c>riskgrid.risk</c>
/// (<c>underlyings.ETH.linear.tiers[1].imr: missing</c>, <c>liquidation.cooldownMs = abc: not a number</c>), in a
/// <see cref="RiskParamsException"/>. Lot sizes are read as exact decimals.
/// </summary>
public static class RiskParamsReader
{
    /// <summary>The HOCON path of the risk parameters.</summary>
    public const string RootPath = "riskgrid.risk";

    /// <summary>File name of the default parameters next to the Node assembly.</summary>
    public const string DefaultFileName = "risk-params.conf";

    /// <summary>Logical name of the embedded copy of the default parameters.</summary>
    public const string EmbeddedResourceName = "RiskGrid.Node.risk-params.conf";

    /// <summary>Reads <c>riskgrid.risk</c> of <paramref name="config"/>.</summary>
    public static RiskParams Load(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.IsEmpty || !config.HasPath(RootPath))
        {
            throw new RiskParamsException($"{RootPath}: missing");
        }
        var root = config.GetConfig(RootPath).Root;
        if (root is null || !root.IsObject())
        {
            throw new RiskParamsException($"{RootPath}: expected an object");
        }
        return new Reader().Read(root.GetObject());
    }

    /// <summary>Parses HOCON text holding <c>riskgrid.risk</c>.</summary>
    public static RiskParams Parse(string hocon)
    {
        ArgumentNullException.ThrowIfNull(hocon);
        Config config;
        try
        {
            config = ConfigurationFactory.ParseString(hocon);
        }
        catch (FormatException e)
        {
            throw new RiskParamsException($"HOCON syntax: {e.Message}", e);
        }
        return Load(config);
    }

    /// <summary>Reads a HOCON file holding <c>riskgrid.risk</c>.</summary>
    public static RiskParams LoadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Parse(File.ReadAllText(path));
    }

    /// <summary>
    /// Reads the default parameters: <c>risk-params.conf</c> next to the application (the build copies
    /// <c>config/risk-params.conf</c> there), else the copy embedded in this assembly (a single-file publish has no
    /// loose files).
    /// </summary>
    public static RiskParams LoadDefault()
    {
        var path = Path.Combine(AppContext.BaseDirectory, DefaultFileName);
        return File.Exists(path) ? LoadFile(path) : Parse(ReadEmbeddedDefault());
    }

    /// <summary>The text of the embedded default parameters.</summary>
    internal static string ReadEmbeddedDefault()
    {
        using var stream = typeof(RiskParamsReader).Assembly.GetManifestResourceStream(EmbeddedResourceName)
            ?? throw new InvalidOperationException($"embedded resource {EmbeddedResourceName} is missing");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>One read: collects every problem, then builds or throws.</summary>
    private sealed class Reader : HoconReader
    {
        private static readonly string[] AssetKeys = ["initialWeight", "maintenanceWeight", "imf", "priceIndex", "decimals"];

        private static readonly string[] UnderlyingKeys =
        [
            "scanRange", "volShockUp", "volShockDown", "extremeMultiple", "extremeCoverage", "shortOptionMinimum",
            "refVol", "maxVolMultiplier", "linear", "options",
        ];

        private static readonly string[] RootKeys =
            ["assets", "underlyings", "instruments", "portfolio", "liquidation", "prices", "volatility"];



        public RiskParams Read(HoconObject root)
        {
            Unknown(root, "", RootKeys);
            var assets = ReadAssets(Obj(root, "assets", ""));
            var underlyings = ReadUnderlyings(Obj(root, "underlyings", ""));
            var instruments = ReadInstruments(root);
            var portfolio = ReadPortfolio(Obj(root, "portfolio", ""));
            var liquidation = ReadLiquidation(Obj(root, "liquidation", ""));
            var prices = ReadPrices(Obj(root, "prices", ""));
            var volatility = ReadVolatility(Obj(root, "volatility", ""));
            if (Errors.Count > 0)
            {
                throw new RiskParamsException(Errors);
            }
            return RiskParams.Create(assets, underlyings, portfolio, liquidation, prices, volatility, instruments);
        }

        private List<AssetParams> ReadAssets(HoconObject? o)
        {
            var assets = new List<AssetParams>();
            foreach (var (name, value) in Entries(o))
            {
                var k = $"assets.{name}";
                var a = AsObject(value, k);
                if (a is null)
                {
                    continue;
                }
                Unknown(a, k, AssetKeys);
                assets.Add(new AssetParams(name, Num(a, "initialWeight", k), Num(a, "maintenanceWeight", k),
                    Num(a, "imf", k), OptStr(a, "priceIndex", k), (int)Int(a, "decimals", k, int.MinValue, int.MaxValue)));
            }
            return assets;
        }

        private List<UnderlyingParams> ReadUnderlyings(HoconObject? o)
        {
            var underlyings = new List<UnderlyingParams>();
            foreach (var (name, value) in Entries(o))
            {
                var k = $"underlyings.{name}";
                var u = AsObject(value, k);
                if (u is null)
                {
                    continue;
                }
                Unknown(u, k, UnderlyingKeys);
                var linear = Obj(u, "linear", k);
                var options = Obj(u, "options", k);
                Unknown(linear, $"{k}.linear", ["lot", "tiers"]);
                Unknown(options, $"{k}.options", ["lot", "optionIm", "optionImFloor", "optionMm"]);
                underlyings.Add(new UnderlyingParams(name,
                    Num(u, "scanRange", k), Num(u, "volShockUp", k), Num(u, "volShockDown", k),
                    Num(u, "extremeMultiple", k), Num(u, "extremeCoverage", k), Num(u, "shortOptionMinimum", k),
                    Num(u, "refVol", k), Num(u, "maxVolMultiplier", k),
                    Dec(linear, "lot", $"{k}.linear"), Tiers(linear, $"{k}.linear"),
                    Dec(options, "lot", $"{k}.options"), Num(options, "optionIm", $"{k}.options"),
                    Num(options, "optionImFloor", $"{k}.options"), Num(options, "optionMm", $"{k}.options")));
            }
            return underlyings;
        }

        private Dictionary<string, TierTable> ReadInstruments(HoconObject root)
        {
            var tables = new Dictionary<string, TierTable>(StringComparer.Ordinal);
            var value = root.GetKey("instruments");
            if (IsAbsent(value))
            {
                return tables;
            }
            foreach (var (id, entry) in Entries(AsObject(value, "instruments")))
            {
                var k = $"instruments.{id}";
                var i = AsObject(entry, k);
                if (i is null)
                {
                    continue;
                }
                Unknown(i, k, ["tiers"]);
                tables[id] = Tiers(i, k);
            }
            return tables;
        }

        private PortfolioParams ReadPortfolio(HoconObject? o)
        {
            Unknown(o, "portfolio", ["imMultiplier", "creditPairs"]);
            var pairs = new List<CreditPair>();
            var list = List(o, "creditPairs", "portfolio");
            for (var i = 0; i < list.Count; i++)
            {
                var k = $"portfolio.creditPairs[{i}]";
                var p = AsObject(list[i], k);
                Unknown(p, k, ["first", "second", "rate"]);
                pairs.Add(new CreditPair(Str(p, "first", k), Str(p, "second", k), Num(p, "rate", k)));
            }
            return new PortfolioParams(Num(o, "imMultiplier", "portfolio"), pairs);
        }

        private LiquidationParams ReadLiquidation(HoconObject? o)
        {
            const string k = "liquidation";
            Unknown(o, k, ["targetHealth", "backstopHealth", "liquidationSlippage", "liquidationFee", "cooldownMs",
                "warnHealth"]);
            return new LiquidationParams(Num(o, "targetHealth", k), Num(o, "backstopHealth", k),
                Num(o, "liquidationSlippage", k), Num(o, "liquidationFee", k), Int(o, "cooldownMs", k),
                Num(o, "warnHealth", k));
        }

        private PriceParams ReadPrices(HoconObject? o)
        {
            const string k = "prices";
            Unknown(o, k, ["staleMs", "minSources", "jumpFraction", "jumpWindowMs", "confirmMs"]);
            int? minSources = null;
            var min = o?.GetKey("minSources");
            if (!IsAbsent(min) && !(min!.IsString() && min.GetString() == "auto"))
            {
                minSources = (int)Int(o, "minSources", k, int.MinValue, int.MaxValue);
            }
            return new PriceParams(Int(o, "staleMs", k), minSources, Num(o, "jumpFraction", k),
                Int(o, "jumpWindowMs", k), Int(o, "confirmMs", k));
        }

        private VolatilityParams ReadVolatility(HoconObject? o)
        {
            const string k = "volatility";
            Unknown(o, k, ["ewmaHalfLifeSeconds", "mmRampSeconds", "journalThreshold"]);
            return new VolatilityParams(Num(o, "ewmaHalfLifeSeconds", k), Num(o, "mmRampSeconds", k),
                Num(o, "journalThreshold", k));
        }

        /// <summary>A tier list (§5): every tier but the last has a cap; the last is open-ended and has none.</summary>
        private TierTable Tiers(HoconObject? o, string parent)
        {
            var k = $"{parent}.tiers";
            var list = List(o, "tiers", parent);
            var rows = new List<(double Cap, double Imr, double Mmr)>();
            for (var i = 0; i < list.Count; i++)
            {
                var ki = $"{k}[{i}]";
                var t = AsObject(list[i], ki);
                Unknown(t, ki, ["cap", "imr", "mmr"]);
                var last = i == list.Count - 1;
                var cap = double.PositiveInfinity;
                if (!last)
                {
                    cap = Num(t, "cap", ki);
                }
                else if (t is not null && !IsAbsent(t.GetKey("cap")))
                {
                    Errors.Add($"{ki}.cap = {Text(t.GetKey("cap"))}: the last tier is open-ended; leave its cap out");
                }
                rows.Add((cap, Num(t, "imr", ki), Num(t, "mmr", ki)));
            }
            if (o is not null && !IsAbsent(o.GetKey("tiers")) && list.Count == 0)
            {
                Errors.Add($"{k}: at least one tier is needed");
            }
            return rows.Count == 0 ? TierTable.Create([(double.PositiveInfinity, 0, 0)]) : TierTable.Create(rows);
        }

        private double Num(HoconObject? parent, string key, string parentPath)
        {
            var text = Scalar(parent, key, parentPath);
            if (text is null)
            {
                return double.NaN;
            }
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v))
            {
                return v;
            }
            Errors.Add($"{Path(parentPath, key)} = {text}: not a number");
            return double.NaN;
        }

        private long Int(HoconObject? parent, string key, string parentPath, long min = long.MinValue,
            long max = long.MaxValue)
        {
            var text = Scalar(parent, key, parentPath);
            if (text is null)
            {
                return 0;
            }
            if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v)
                && v >= min && v <= max)
            {
                return v;
            }
            var isNumber = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
            Errors.Add($"{Path(parentPath, key)} = {text}: {(isNumber ? "not a whole number" : "not a number")}");
            return 0;
        }

        private decimal Dec(HoconObject? parent, string key, string parentPath)
        {
            var text = Scalar(parent, key, parentPath);
            if (text is null)
            {
                return 0;
            }
            if (decimal.TryParse(text, NumberStyles.Number | NumberStyles.AllowExponent, CultureInfo.InvariantCulture,
                    out var v))
            {
                return v;
            }
            Errors.Add($"{Path(parentPath, key)} = {text}: not a decimal number");
            return 0;
        }

        private string Str(HoconObject? parent, string key, string parentPath) =>
            Scalar(parent, key, parentPath) ?? "";

        private string? OptStr(HoconObject parent, string key, string parentPath) =>
            IsAbsent(parent.GetKey(key)) ? null : Scalar(parent, key, parentPath);

    }
}

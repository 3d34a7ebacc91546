using System.Globalization;
using Akka.Configuration.Hocon;
using RiskGrid.Node.Configuration;

namespace RiskGrid.Node.Books;

/// <summary>
/// One read of <c>riskgrid.book</c>: collects every problem (missing, unknown, wrong type, out of range, shares not
/// summing to 1) as <c>key = value: problem</c>, then builds the <see cref="BookSpec"/> or throws
/// <see cref="BookSpecException"/>. Keys are paths below <c>riskgrid.book</c>.
/// </summary>
internal sealed class BookSpecReader : HoconReader
{
    private const double ShareTolerance = 1e-9;



    public BookSpec Read(HoconObject root)
    {
        Unknown(root, "", ["accounts", "equity", "whales", "modes", "leverage", "positions", "underlyings",
            "instruments", "collateral", "isolated", "options", "hedge", "fees", "health"]);
        var accounts = (int)Int(root, "accounts", "", 1, 10_000_000);
        var equity = ReadEquity(Obj(root, "equity", ""));
        var whales = ReadWhales(Obj(root, "whales", ""));
        var modes = ReadModes(Obj(root, "modes", ""));
        var leverage = ReadLeverage(root);
        var positions = ReadPositions(Obj(root, "positions", ""));
        var underlyings = Shares(Obj(root, "underlyings", ""), "underlyings");
        var instruments = ReadInstruments(Obj(root, "instruments", ""));
        var collateral = ReadCollateral(Obj(root, "collateral", ""));
        var isolated = ReadIsolated(Obj(root, "isolated", ""));
        var options = ReadOptions(Obj(root, "options", ""), underlyings);
        var hedge = ReadHedge(Obj(root, "hedge", ""));
        var fees = ReadFees(Obj(root, "fees", ""));
        var health = ReadHealth(Obj(root, "health", ""));
        if (Errors.Count > 0)
        {
            throw new BookSpecException(Errors);
        }
        return new BookSpec(accounts, equity, whales, modes, leverage, positions, underlyings, instruments, collateral,
            isolated, options, hedge, fees, health);
    }

    private EquitySpec ReadEquity(HoconObject? o)
    {
        const string k = "equity";
        Unknown(o, k, ["medianUsd", "sigma", "minUsd", "maxUsd"]);
        var median = Num(o, "medianUsd", k, 1, 1e9);
        var sigma = Num(o, "sigma", k, 0, 4);
        var min = Num(o, "minUsd", k, 1, 1e9);
        var max = Num(o, "maxUsd", k, 1, 1e10);
        if (min > median)
        {
            Errors.Add($"{k}.minUsd = {Show(min)}: must not exceed equity.medianUsd ({Show(median)})");
        }
        if (max < median)
        {
            Errors.Add($"{k}.maxUsd = {Show(max)}: must be at least equity.medianUsd ({Show(median)})");
        }
        return new EquitySpec(median, sigma, min, max);
    }

    private WhaleSpec ReadWhales(HoconObject? o)
    {
        const string k = "whales";
        Unknown(o, k, ["share", "minMultiple", "maxMultiple", "maxLeverage"]);
        var share = Num(o, "share", k, 0, 0.01);
        var min = Num(o, "minMultiple", k, 1, 100_000);
        var max = Num(o, "maxMultiple", k, 1, 100_000);
        if (max < min)
        {
            Errors.Add($"{k}.maxMultiple = {Show(max)}: must be at least whales.minMultiple ({Show(min)})");
        }
        return new WhaleSpec(share, min, max, Num(o, "maxLeverage", k, 1, 100));
    }

    private ModeShares ReadModes(HoconObject? o)
    {
        const string k = "modes";
        Unknown(o, k, ["standard", "isolated", "portfolio"]);
        var standard = Num(o, "standard", k, 0, 1);
        var isolated = Num(o, "isolated", k, 0, 1);
        var portfolio = Num(o, "portfolio", k, 0, 1);
        SumsToOne(k, standard + isolated + portfolio);
        return new ModeShares(standard, isolated, portfolio);
    }

    private List<LeverageLevel> ReadLeverage(HoconObject root)
    {
        var levels = new List<LeverageLevel>();
        var list = List(root, "leverage", "");
        var sum = 0.0;
        for (var i = 0; i < list.Count; i++)
        {
            var k = $"leverage[{i}]";
            var row = AsObject(list[i], k);
            Unknown(row, k, ["x", "share"]);
            var level = new LeverageLevel(Num(row, "x", k, 1, 100), Num(row, "share", k, 0, 1));
            sum += level.Share;
            levels.Add(level);
        }
        if (list.Count > 0)
        {
            SumsToOne("leverage", sum);
        }
        else if (root.GetKey("leverage") is { } value && value.IsArray())
        {
            Errors.Add("leverage: at least one level is needed");
        }
        return levels;
    }

    private PositionSpec ReadPositions(HoconObject? o)
    {
        const string k = "positions";
        Unknown(o, k, ["mean", "dispersion", "max", "longShare", "sameDirection"]);
        var mean = Num(o, "mean", k, 1, 50);
        var dispersion = Num(o, "dispersion", k, 0.05, 1000);
        var max = (int)Int(o, "max", k, 1, 64);
        if (o is not null && max >= 1 && mean > max)
        {
            Errors.Add($"{k}.max = {max}: must be at least positions.mean ({Show(mean)})");
        }
        return new PositionSpec(mean, dispersion, max, Num(o, "longShare", k, 0, 1), Num(o, "sameDirection", k, 0, 1));
    }

    private InstrumentSpec ReadInstruments(HoconObject? o)
    {
        const string k = "instruments";
        Unknown(o, k, ["perpetual", "future", "futureTenorsDays"]);
        var perpetual = Num(o, "perpetual", k, 0, 1);
        var future = Num(o, "future", k, 0, 1);
        SumsToOne(k, perpetual + future);
        return new InstrumentSpec(perpetual, future, Tenors(o, "futureTenorsDays", k));
    }

    private CollateralSpec ReadCollateral(HoconObject? o)
    {
        const string k = "collateral";
        Unknown(o, k, ["primary", "usdFraction"]);
        return new CollateralSpec(Shares(Obj(o, "primary", k), $"{k}.primary"), Num(o, "usdFraction", k, 0, 1));
    }

    private IsolatedSpec ReadIsolated(HoconObject? o)
    {
        const string k = "isolated";
        Unknown(o, k, ["marginFraction"]);
        // The rest of the USD deposit pays the opening fees before each position's margin moves out.
        return new IsolatedSpec(Num(o, "marginFraction", k, 0.01, 0.95));
    }

    private OptionBookSpec ReadOptions(HoconObject? o, List<NamedShare> underlyings)
    {
        const string k = "options";
        Unknown(o, k, ["share", "minEquityUsd", "notionalToEquity", "tenorsDays", "structures", "shortStrangleShare",
            "otm", "spreadWidth", "strikeStep"]);
        var share = Num(o, "share", k, 0, 1);
        var minEquity = Num(o, "minEquityUsd", k, 0, 1e9);
        var notional = Range(Obj(o, "notionalToEquity", k), $"{k}.notionalToEquity", 0.01, 20);
        var tenors = Tenors(o, "tenorsDays", k);
        var s = Obj(o, "structures", k);
        Unknown(s, $"{k}.structures", ["coveredCall", "strangle", "verticalSpread"]);
        var structures = new StructureShares(Num(s, "coveredCall", $"{k}.structures", 0, 1),
            Num(s, "strangle", $"{k}.structures", 0, 1), Num(s, "verticalSpread", $"{k}.structures", 0, 1));
        if (s is not null)
        {
            SumsToOne($"{k}.structures", structures.CoveredCall + structures.Strangle + structures.VerticalSpread);
        }
        var shortShare = Num(o, "shortStrangleShare", k, 0, 1);
        var otm = Range(Obj(o, "otm", k), $"{k}.otm", 0, 0.5);
        var width = Range(Obj(o, "spreadWidth", k), $"{k}.spreadWidth", 0.005, 0.5);
        if (width.Min <= 0 && !double.IsNaN(width.Min))
        {
            Errors.Add($"{k}.spreadWidth.min = {Show(width.Min)}: must be positive");
        }
        var steps = new Dictionary<string, double>(StringComparer.Ordinal);
        var stepObject = Obj(o, "strikeStep", k);
        foreach (var (name, _) in Entries(stepObject))
        {
            var step = Num(stepObject, name, $"{k}.strikeStep", 1, 1e7);
            if (step != Math.Floor(step))
            {
                Errors.Add($"{k}.strikeStep.{name} = {Show(step)}: must be a whole number of USD");
            }
            steps[name] = step;
        }
        if (stepObject is not null && share > 0)
        {
            foreach (var u in underlyings)
            {
                if (u.Share > 0 && !steps.ContainsKey(u.Name))
                {
                    Errors.Add(
                        $"{k}.strikeStep.{u.Name}: missing (every underlying with a share needs a strike grid)");
                }
            }
        }
        return new OptionBookSpec(share, minEquity, notional, tenors, structures, shortShare, otm, width, steps);
    }

    private HedgeSpec ReadHedge(HoconObject? o)
    {
        const string k = "hedge";
        Unknown(o, k, ["share", "equityFraction", "leverage"]);
        return new HedgeSpec(Num(o, "share", k, 0, 1), Num(o, "equityFraction", k, 0.01, 0.9),
            Num(o, "leverage", k, 0.1, 20));
    }

    private FeeSpec ReadFees(HoconObject? o)
    {
        const string k = "fees";
        Unknown(o, k, ["linearTakerRate", "optionTakerRate", "optionFeeCap"]);
        return new FeeSpec(Num(o, "linearTakerRate", k, 0, 0.01), Num(o, "optionTakerRate", k, 0, 0.01),
            Num(o, "optionFeeCap", k, 0, 1));
    }

    private HealthSpec ReadHealth(HoconObject? o)
    {
        const string k = "health";
        Unknown(o, k, ["maxInitialMarginUsage"]);
        return new HealthSpec(Num(o, "maxInitialMarginUsage", k, 0.05, 0.99));
    }

    /// <summary>An object of name = share entries whose shares sum to 1.</summary>
    private List<NamedShare> Shares(HoconObject? o, string path)
    {
        var shares = new List<NamedShare>();
        var sum = 0.0;
        foreach (var (name, _) in Entries(o))
        {
            var share = Num(o, name, path, 0, 1);
            sum += double.IsNaN(share) ? 0 : share;
            shares.Add(new NamedShare(name, share));
        }
        if (o is not null)
        {
            if (shares.Count == 0)
            {
                Errors.Add($"{path}: at least one entry is needed");
            }
            else
            {
                SumsToOne(path, sum);
            }
        }
        return shares;
    }

    private ValueRange Range(HoconObject? o, string path, double lowest, double highest)
    {
        Unknown(o, path, ["min", "max"]);
        var min = Num(o, "min", path, lowest, highest);
        var max = Num(o, "max", path, lowest, highest);
        if (max < min)
        {
            Errors.Add($"{path}.max = {Show(max)}: must be at least {path}.min ({Show(min)})");
        }
        return new ValueRange(min, max);
    }

    private List<int> Tenors(HoconObject? o, string key, string parent)
    {
        var tenors = new List<int>();
        var list = List(o, key, parent);
        var path = $"{parent}.{key}";
        for (var i = 0; i < list.Count; i++)
        {
            var value = list[i];
            var text = value.IsString() ? value.GetString() : null;
            if (text is null || !int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var days) ||
                days is < 1 or > 3650)
            {
                Errors.Add($"{path}[{i}] = {Text(value)}: must be a whole number of days in [1, 3650]");
                continue;
            }
            if (tenors.Contains(days))
            {
                Errors.Add($"{path}[{i}] = {days}: listed twice");
                continue;
            }
            tenors.Add(days);
        }
        if (o is not null && list.Count == 0 && o.GetKey(key) is { } v && v.IsArray())
        {
            Errors.Add($"{path}: at least one tenor is needed");
        }
        return tenors;
    }

    private void SumsToOne(string path, double sum)
    {
        if (!double.IsNaN(sum) && Math.Abs(sum - 1) > ShareTolerance)
        {
            Errors.Add($"{path}: shares sum to {Show(sum)}, must sum to 1");
        }
    }

    /// <summary>A number in [<paramref name="min"/>, <paramref name="max"/>], or NaN with an error.</summary>
    private double Num(HoconObject? parent, string key, string parentPath, double min, double max)
    {
        var text = Scalar(parent, key, parentPath);
        if (text is null)
        {
            return double.NaN;
        }
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
        {
            Errors.Add($"{Path(parentPath, key)} = {text}: not a number");
            return double.NaN;
        }
        if (v < min || v > max)
        {
            Errors.Add($"{Path(parentPath, key)} = {text}: must be in [{Show(min)}, {Show(max)}]");
            return double.NaN;
        }
        return v;
    }

    private long Int(HoconObject? parent, string key, string parentPath, long min, long max)
    {
        var text = Scalar(parent, key, parentPath);
        if (text is null)
        {
            return 0;
        }
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v))
        {
            var isNumber = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
            Errors.Add($"{Path(parentPath, key)} = {text}: {(isNumber ? "not a whole number" : "not a number")}");
            return 0;
        }
        if (v < min || v > max)
        {
            Errors.Add($"{Path(parentPath, key)} = {text}: must be in [{min}, {max}]");
            return 0;
        }
        return v;
    }

    private static string Show(double v) => v.ToString("0.##########", CultureInfo.InvariantCulture);

}

using System.Globalization;
using System.Text;
using System.Text.Json;
using RiskGrid.Margin.Parameters;

namespace RiskGrid.Node.Configuration;

/// <summary>
/// A <see cref="RiskParams"/> written out in the shape of <c>config/risk-params.conf</c> below
/// <c>riskgrid.risk</c>: as HOCON (<see cref="ToHocon"/>, what the parameter journal stores and
/// <see cref="RiskParamsReader"/> reads back to an equal set) or as JSON (<see cref="WriteJson"/>, what
/// <c>GET /v1/admin/params</c> shows), with the same keys in the same order, so every path of the JSON is a key a
/// change may set. Canonical: equal parameter sets give equal text. Doubles are written round-trip (<c>"R"</c>),
/// lot sizes as exact decimal strings, the open-ended last tier without a cap, <c>minSources</c> as <c>"auto"</c> or
/// a number.
/// </summary>
public static class RiskParamsDocument
{
    /// <summary>The parameters as HOCON text holding <c>riskgrid.risk { … }</c>.</summary>
    public static string ToHocon(RiskParams parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var text = new StringBuilder(8192);
        text.Append(RiskParamsReader.RootPath).Append(' ');
        WriteHocon(text, Tree(parameters), 0);
        text.Append('\n');
        return text.ToString();
    }

    /// <summary>Writes the parameters as one JSON object (the content of <c>riskgrid.risk</c>).</summary>
    public static void WriteJson(Utf8JsonWriter writer, RiskParams parameters)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(parameters);
        WriteTree(writer, Tree(parameters));
    }

    /// <summary>The parameters as UTF-8 JSON bytes (the content of <c>riskgrid.risk</c>).</summary>
    public static byte[] ToJson(RiskParams parameters)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(8192);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteJson(writer, parameters);
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>A HOCON scalar for a double: round-trip text, quoted when it has an exponent (HOCON's unquoted
    /// strings and numbers differ there; the reader parses the text either way).</summary>
    internal static string HoconNumber(string text) =>
        text.AsSpan().IndexOfAny('e', 'E') >= 0 ? Quote(text) : text;

    /// <summary>A HOCON (and JSON) quoted string.</summary>
    internal static string Quote(string value)
    {
        var text = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            _ = c switch
            {
                '"' => text.Append("\\\""),
                '\\' => text.Append("\\\\"),
                '\n' => text.Append("\\n"),
                '\r' => text.Append("\\r"),
                '\t' => text.Append("\\t"),
                < ' ' => text.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
                _ => text.Append(c),
            };
        }
        return text.Append('"').ToString();
    }

    private static Obj Tree(RiskParams p)
    {
        var assets = new Obj();
        foreach (var a in p.Assets)
        {
            var o = new Obj()
                .Add("initialWeight", new Num(a.InitialWeight))
                .Add("maintenanceWeight", new Num(a.MaintenanceWeight))
                .Add("imf", new Num(a.Imf));
            if (a.PriceIndex is not null)
            {
                o.Add("priceIndex", new Text(a.PriceIndex));
            }
            assets.Add(a.Name, o.Add("decimals", new Whole(a.Decimals)));
        }
        var underlyings = new Obj();
        foreach (var u in p.Underlyings)
        {
            underlyings.Add(u.Name, new Obj()
                .Add("scanRange", new Num(u.ScanRange))
                .Add("volShockUp", new Num(u.VolShockUp))
                .Add("volShockDown", new Num(u.VolShockDown))
                .Add("extremeMultiple", new Num(u.ExtremeMultiple))
                .Add("extremeCoverage", new Num(u.ExtremeCoverage))
                .Add("shortOptionMinimum", new Num(u.ShortOptionMinimum))
                .Add("refVol", new Num(u.RefVol))
                .Add("maxVolMultiplier", new Num(u.MaxVolMultiplier))
                .Add("linear", new Obj()
                    .Add("lot", new Text(u.LinearLot.ToString(CultureInfo.InvariantCulture)))
                    .Add("tiers", Tiers(u.LinearTiers)))
                .Add("options", new Obj()
                    .Add("lot", new Text(u.OptionLot.ToString(CultureInfo.InvariantCulture)))
                    .Add("optionIm", new Num(u.OptionIm))
                    .Add("optionImFloor", new Num(u.OptionImFloor))
                    .Add("optionMm", new Num(u.OptionMm))));
        }
        var instruments = new Obj();
        foreach (var (id, table) in p.InstrumentTiers.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            instruments.Add(id, new Obj().Add("tiers", Tiers(table)));
        }
        var pairs = new Arr();
        foreach (var c in p.Portfolio.CreditPairs)
        {
            pairs.Items.Add(new Obj().Add("first", new Text(c.First)).Add("second", new Text(c.Second))
                .Add("rate", new Num(c.Rate)));
        }
        var l = p.Liquidation;
        var prices = p.Prices;
        var v = p.Volatility;
        return new Obj()
            .Add("assets", assets)
            .Add("underlyings", underlyings)
            .Add("instruments", instruments)
            .Add("portfolio", new Obj()
                .Add("imMultiplier", new Num(p.Portfolio.ImMultiplier))
                .Add("creditPairs", pairs))
            .Add("liquidation", new Obj()
                .Add("targetHealth", new Num(l.TargetHealth))
                .Add("backstopHealth", new Num(l.BackstopHealth))
                .Add("liquidationSlippage", new Num(l.LiquidationSlippage))
                .Add("liquidationFee", new Num(l.LiquidationFee))
                .Add("cooldownMs", new Whole(l.CooldownMs))
                .Add("warnHealth", new Num(l.WarnHealth)))
            .Add("prices", new Obj()
                .Add("staleMs", new Whole(prices.StaleMs))
                .Add("minSources", prices.MinSources is { } m ? new Whole(m) : new Text("auto"))
                .Add("jumpFraction", new Num(prices.JumpFraction))
                .Add("jumpWindowMs", new Whole(prices.JumpWindowMs))
                .Add("confirmMs", new Whole(prices.ConfirmMs)))
            .Add("volatility", new Obj()
                .Add("ewmaHalfLifeSeconds", new Num(v.EwmaHalfLifeSeconds))
                .Add("mmRampSeconds", new Num(v.MmRampSeconds))
                .Add("journalThreshold", new Num(v.JournalThreshold)));
    }

    // §5: every tier but the last has a cap; the last is open-ended.
    private static Arr Tiers(TierTable table)
    {
        var list = new Arr();
        var tiers = table.Tiers;
        for (var i = 0; i < tiers.Length; i++)
        {
            var t = new Obj();
            if (i < tiers.Length - 1)
            {
                t.Add("cap", new Num(tiers[i].NotionalCap));
            }
            list.Items.Add(t.Add("imr", new Num(tiers[i].Imr)).Add("mmr", new Num(tiers[i].Mmr)));
        }
        return list;
    }

    private static void WriteHocon(StringBuilder text, Value value, int depth)
    {
        switch (value)
        {
            case Obj o when o.IsFlat:
                // Scalars only: one line, as the shipped file writes assets and option terms.
                text.Append("{ ");
                for (var i = 0; i < o.Fields.Count; i++)
                {
                    text.Append(i == 0 ? "" : ", ").Append(Quote(o.Fields[i].Key)).Append(" = ");
                    WriteHocon(text, o.Fields[i].Value, depth + 1);
                }
                text.Append(o.Fields.Count == 0 ? "}" : " }");
                break;
            case Obj o:
                // Fields of an object that holds objects go one per line: Akka's HOCON refuses a comma after "{…}".
                text.Append("{\n");
                foreach (var (key, field) in o.Fields)
                {
                    Indent(text, depth + 1).Append(Quote(key)).Append(" = ");
                    WriteHocon(text, field, depth + 1);
                    text.Append('\n');
                }
                Indent(text, depth).Append('}');
                break;
            case Arr a:
                text.Append("[\n");
                for (var i = 0; i < a.Items.Count; i++)
                {
                    Indent(text, depth + 1);
                    WriteHocon(text, a.Items[i], depth + 1);
                    text.Append(i < a.Items.Count - 1 ? ",\n" : "\n");
                }
                Indent(text, depth).Append(']');
                break;
            case Num n:
                text.Append(HoconNumber(n.Value.ToString("R", CultureInfo.InvariantCulture)));
                break;
            case Whole w:
                text.Append(w.Value.ToString(CultureInfo.InvariantCulture));
                break;
            case Text t:
                text.Append(Quote(t.Value));
                break;
        }
    }

    private static StringBuilder Indent(StringBuilder text, int depth) => text.Append(' ', 2 * depth);

    private static void WriteTree(Utf8JsonWriter writer, Value value)
    {
        switch (value)
        {
            case Obj o:
                writer.WriteStartObject();
                foreach (var (key, field) in o.Fields)
                {
                    writer.WritePropertyName(key);
                    WriteTree(writer, field);
                }
                writer.WriteEndObject();
                break;
            case Arr a:
                writer.WriteStartArray();
                foreach (var item in a.Items)
                {
                    WriteTree(writer, item);
                }
                writer.WriteEndArray();
                break;
            case Num n:
                writer.WriteNumberValue(n.Value);
                break;
            case Whole w:
                writer.WriteNumberValue(w.Value);
                break;
            case Text t:
                writer.WriteStringValue(t.Value);
                break;
        }
    }

    /// <summary>A node of the document, in key order.</summary>
    private abstract class Value;

    private sealed class Obj : Value
    {
        public List<KeyValuePair<string, Value>> Fields { get; } = [];

        public bool IsFlat => Fields.TrueForAll(f => f.Value is Num or Whole or Text);

        public Obj Add(string key, Value value)
        {
            Fields.Add(new KeyValuePair<string, Value>(key, value));
            return this;
        }
    }

    private sealed class Arr : Value
    {
        public List<Value> Items { get; } = [];
    }

    private sealed class Num(double value) : Value
    {
        public double Value { get; } = value;
    }

    private sealed class Whole(long value) : Value
    {
        public long Value { get; } = value;
    }

    private sealed class Text(string value) : Value
    {
        public string Value { get; } = value;
    }
}

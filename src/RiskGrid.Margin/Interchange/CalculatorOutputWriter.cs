using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text.Encodings.Web;
using System.Text.Json;
using RiskGrid.Margin.Accounts;
using RiskGrid.Margin.Evaluation;
using RiskGrid.Margin.Instruments;
using RiskGrid.Margin.Liquidation;

namespace RiskGrid.Margin.Interchange;

/// <summary>
/// Writes the calculator's answer (§11) as one JSON object on one line, ending in <c>\n</c>. Money is written as
/// a JSON number exact to the micro-dollar (<c>12345.678901</c>, no trailing zeros), rounded per §1 by the
/// evaluation; <c>health</c> is null when MM = 0; sizes are exact decimal strings on the lot. Reuses its
/// <see cref="Utf8JsonWriter"/>; not thread-safe.
/// </summary>
[SuppressMessage("Reliability", "CA1001:Types that own disposable fields should be disposable",
    Justification = "A Utf8JsonWriter over an IBufferWriter holds no unmanaged resource")]
public sealed class CalculatorOutputWriter
{
    private static readonly JsonEncodedText EquityIm = JsonEncodedText.Encode("equityIM");
    private static readonly JsonEncodedText EquityMm = JsonEncodedText.Encode("equityMM");
    private static readonly JsonEncodedText EquityRaw = JsonEncodedText.Encode("equityRaw");
    private static readonly JsonEncodedText CollateralIm = JsonEncodedText.Encode("collateralIM");
    private static readonly JsonEncodedText CollateralMm = JsonEncodedText.Encode("collateralMM");
    private static readonly JsonEncodedText UnrealizedPnl = JsonEncodedText.Encode("unrealizedPnl");
    private static readonly JsonEncodedText OptionValue = JsonEncodedText.Encode("optionValue");
    private static readonly JsonEncodedText InitialMargin = JsonEncodedText.Encode("initialMargin");
    private static readonly JsonEncodedText MaintenanceMargin = JsonEncodedText.Encode("maintenanceMargin");
    private static readonly JsonEncodedText FreeCollateral = JsonEncodedText.Encode("freeCollateral");
    private static readonly JsonEncodedText Health = JsonEncodedText.Encode("health");
    private static readonly JsonEncodedText Liquidatable = JsonEncodedText.Encode("liquidatable");
    private static readonly JsonEncodedText Bankrupt = JsonEncodedText.Encode("bankrupt");
    private static readonly JsonEncodedText Isolated = JsonEncodedText.Encode("isolated");
    private static readonly JsonEncodedText InstrumentName = JsonEncodedText.Encode("instrument");
    private static readonly JsonEncodedText Equity = JsonEncodedText.Encode("equity");
    private static readonly JsonEncodedText Groups = JsonEncodedText.Encode("groups");
    private static readonly JsonEncodedText Underlying = JsonEncodedText.Encode("underlying");
    private static readonly JsonEncodedText Scan = JsonEncodedText.Encode("scan");
    private static readonly JsonEncodedText ShortOptionMinimum = JsonEncodedText.Encode("shortOptionMinimum");
    private static readonly JsonEncodedText NetDelta = JsonEncodedText.Encode("netDelta");
    private static readonly JsonEncodedText Credit = JsonEncodedText.Encode("credit");
    private static readonly JsonEncodedText LiquidationPrice = JsonEncodedText.Encode("liquidationPrice");
    private static readonly JsonEncodedText LiquidationPlanName = JsonEncodedText.Encode("liquidationPlan");
    private static readonly JsonEncodedText ReduceSize = JsonEncodedText.Encode("reduceSize");
    private static readonly JsonEncodedText Price = JsonEncodedText.Encode("price");
    private static readonly JsonEncodedText Fee = JsonEncodedText.Encode("fee");
    private static readonly JsonEncodedText Error = JsonEncodedText.Encode("error");
    private static readonly JsonEncodedText Field = JsonEncodedText.Encode("field");

    private static readonly JsonWriterOptions Options = new()
    {
        // Messages and names are read by people; the output is never embedded in HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    private readonly InstrumentCatalog _catalog;
    private readonly JsonEncodedText[] _underlyingNames;
    private readonly bool[] _cross;
    private Utf8JsonWriter? _json;

    public CalculatorOutputWriter(InstrumentCatalog catalog)
    {
        _catalog = catalog ?? throw new ArgumentNullException(nameof(catalog));
        var underlyings = catalog.Params.Underlyings;
        _underlyingNames = new JsonEncodedText[underlyings.Count];
        for (var u = 0; u < underlyings.Count; u++)
        {
            _underlyingNames[u] = JsonEncodedText.Encode(underlyings[u].Name);
        }
        _cross = new bool[underlyings.Count];
    }

    /// <summary>
    /// Writes the metrics line of <paramref name="account"/>: the figures of <paramref name="result"/>, its isolated
    /// positions, its portfolio groups (portfolio mode), the liquidation price of every underlying of a cross-pool
    /// position (<paramref name="liquidationPrices"/> by underlying id, USD; NaN is written as null) and the closes
    /// of <paramref name="plan"/>.
    /// </summary>
    public void WriteMetrics(IBufferWriter<byte> output, SubAccountPortfolio account, MarginResult result,
        ReadOnlySpan<double> liquidationPrices, LiquidationPlan plan)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(plan);
        var w = Begin(output);
        w.WriteStartObject();
        WriteMicros(w, EquityIm, result.EquityImMicros);
        WriteMicros(w, EquityMm, result.EquityMmMicros);
        WriteMicros(w, EquityRaw, result.EquityRawMicros);
        WriteMicros(w, CollateralIm, result.CollateralImMicros);
        WriteMicros(w, CollateralMm, result.CollateralMmMicros);
        WriteMicros(w, UnrealizedPnl, result.UnrealizedPnlMicros);
        WriteMicros(w, OptionValue, result.OptionValueMicros);
        WriteMicros(w, InitialMargin, result.InitialMarginMicros);
        WriteMicros(w, MaintenanceMargin, result.MaintenanceMarginMicros);
        WriteMicros(w, FreeCollateral, result.FreeCollateralMicros);
        if (result.MaintenanceMarginMicros == 0)
        {
            w.WriteNull(Health);
        }
        else
        {
            w.WriteNumber(Health, result.Health);
        }
        // The calculator is stateless: every index counts as fresh (§11).
        w.WriteBoolean(Liquidatable, result.BelowMaintenance);
        w.WriteBoolean(Bankrupt, result.Bankrupt);
        WriteIsolated(w, account, result);
        if (account.Mode == MarginMode.Portfolio)
        {
            WriteGroups(w, result);
            WriteMicros(w, Credit, result.CreditMicros);
        }
        WriteLiquidationPrices(w, account, liquidationPrices);
        WritePlan(w, plan);
        w.WriteEndObject();
        End(w, output);
    }

    /// <summary>Writes the refusal line <c>{"error": message, "field": path}</c>.</summary>
    public void WriteError(IBufferWriter<byte> output, CalculatorInputError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var w = Begin(output);
        w.WriteStartObject();
        w.WriteString(Error, error.Message);
        if (error.Field is null)
        {
            w.WriteNull(Field);
        }
        else
        {
            w.WriteString(Field, error.Field);
        }
        w.WriteEndObject();
        End(w, output);
    }

    /// <summary>Marks every underlying of a cross-pool (non-isolated) position of <paramref name="account"/>.</summary>
    public void MarkCrossUnderlyings(SubAccountPortfolio account, Span<bool> underlyings)
    {
        ArgumentNullException.ThrowIfNull(account);
        underlyings.Clear();
        foreach (ref readonly var p in account.Positions)
        {
            if (!p.IsIsolated)
            {
                underlyings[_catalog[p.Instrument].UnderlyingId] = true;
            }
        }
    }

    private void WriteIsolated(Utf8JsonWriter w, SubAccountPortfolio account, MarginResult result)
    {
        w.WriteStartArray(Isolated);
        var positions = account.Positions;
        for (var i = 0; i < positions.Length; i++)
        {
            if (!positions[i].IsIsolated)
            {
                continue;
            }
            var equity = result.IsolatedEquityMicros[i];
            var mm = result.PositionMmMicros[i];
            w.WriteStartObject();
            w.WriteString(InstrumentName, _catalog[positions[i].Instrument].Name);
            WriteMicros(w, Equity, equity);
            WriteMicros(w, InitialMargin, result.PositionImMicros[i]);
            WriteMicros(w, MaintenanceMargin, mm);
            w.WriteBoolean(Liquidatable, mm > 0 && equity < mm);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private void WriteGroups(Utf8JsonWriter w, MarginResult result)
    {
        w.WriteStartArray(Groups);
        for (var u = 0; u < _underlyingNames.Length; u++)
        {
            if (!result.GroupPresent[u])
            {
                continue;
            }
            w.WriteStartObject();
            w.WriteString(Underlying, _underlyingNames[u]);
            WriteMicros(w, Scan, result.GroupScanMicros[u]);
            WriteMicros(w, ShortOptionMinimum, result.GroupShortOptionMinimumMicros[u]);
            // A delta is not money owed: shown to the micro-dollar, to the nearest.
            w.WriteNumber(NetDelta, Math.Round(result.GroupNetDeltaUsd[u], 6) + 0.0);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private void WriteLiquidationPrices(Utf8JsonWriter w, SubAccountPortfolio account, ReadOnlySpan<double> prices)
    {
        MarkCrossUnderlyings(account, _cross);
        w.WriteStartObject(LiquidationPrice);
        for (var u = 0; u < _cross.Length; u++)
        {
            if (!_cross[u])
            {
                continue;
            }
            var price = u < prices.Length ? prices[u] : double.NaN;
            if (double.IsFinite(price))
            {
                w.WriteNumber(_underlyingNames[u], price);
            }
            else
            {
                w.WriteNull(_underlyingNames[u]);
            }
        }
        w.WriteEndObject();
    }

    private void WritePlan(Utf8JsonWriter w, LiquidationPlan plan)
    {
        w.WriteStartArray(LiquidationPlanName);
        Span<byte> text = stackalloc byte[48];
        foreach (ref readonly var close in plan.Steps)
        {
            var ins = _catalog[close.Instrument];
            var lotDecimals = ins.LotDecimals;
            var lotUnits = (long)(ins.Lot * FixedPoint.Scale(lotDecimals));
            w.WriteStartObject();
            w.WriteString(InstrumentName, ins.Name);
            w.WriteString(ReduceSize, text[..DecimalText.FormatUnits(close.ReduceLots * lotUnits, lotDecimals, text)]);
            w.WriteNumber(Price, close.Price);
            WriteMicros(w, Fee, close.FeeMicros);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void WriteMicros(Utf8JsonWriter w, JsonEncodedText name, long micros)
    {
        Span<byte> text = stackalloc byte[48];
        w.WritePropertyName(name);
        w.WriteRawValue(text[..DecimalText.FormatUnits(micros, 6, text)], skipInputValidation: true);
    }

    private Utf8JsonWriter Begin(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (_json is null)
        {
            _json = new Utf8JsonWriter(output, Options);
        }
        else
        {
            _json.Reset(output);
        }
        return _json;
    }

    private static void End(Utf8JsonWriter w, IBufferWriter<byte> output)
    {
        w.Flush();
        output.GetSpan(1)[0] = (byte)'\n';
        output.Advance(1);
    }
}

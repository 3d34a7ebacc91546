using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using RiskGrid.Margin.Accounts;
using RiskGrid.Margin.Instruments;
using RiskGrid.Margin.Market;
using RiskGrid.Margin.Parameters;
using static RiskGrid.Margin.Interchange.JsonScalars;

namespace RiskGrid.Margin.Interchange;

/// <summary>
/// Reads one calculator document (§11) from UTF-8 JSON into a reusable <see cref="MarketState"/> and
/// <see cref="SubAccountPortfolio"/>. Balances and sizes are converted exactly (§1): a balance to units of
/// 10^-decimals of its asset, a size to whole lots of its instrument; money and sizes may be JSON numbers or strings.
/// The document is checked whole before anything is written, so a refused document leaves market and account as
/// they were. Only what changed is written to the market, so risk arrays survive a run of documents on the same
/// prices. Not thread-safe: one reader per thread, each with its own market.
/// </summary>
public sealed partial class CalculatorDocumentReader
{
    private const int MaxNameChars = 64;

    private readonly InstrumentCatalog _catalog;
    private readonly RiskParams _params;
    private readonly Dictionary<string, Instrument> _instruments = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Instrument>.AlternateLookup<ReadOnlySpan<char>> _instrumentLookup;

    private readonly double[] _price;
    private readonly double[] _vol;
    private readonly double[] _multiplier;
    private readonly bool[] _hasPrice;
    private readonly bool[] _hasVol;
    private readonly bool[] _hasMultiplier;
    private readonly long[] _balances;
    private readonly bool[] _hasBalance;
    private PendingPosition[] _pending = new PendingPosition[8];
    private int _pendingCount;
    private long _asOfMs;
    private bool _hasAsOf;
    private bool _hasAccount;
    private MarginMode _mode;

    // Implied volatilities this reader last wrote to _market, so the next document clears only those.
    private MarketState? _market;
    private double[] _appliedIv = [];
    private int[] _ivIds = new int[8];
    private int _ivCount;

    // Where the reader is, for a malformed-JSON message: a section name, or a position index (≥ 0).
    private string _location = "$";
    private int _locationPosition = -1;
    private CalculatorInputError? _error;

    public CalculatorDocumentReader(InstrumentCatalog catalog)
    {
        _catalog = catalog ?? throw new ArgumentNullException(nameof(catalog));
        _params = catalog.Params;
        _instrumentLookup = _instruments.GetAlternateLookup<ReadOnlySpan<char>>();
        var n = _params.Underlyings.Count;
        _price = new double[n];
        _vol = new double[n];
        _multiplier = new double[n];
        _hasPrice = new bool[n];
        _hasVol = new bool[n];
        _hasMultiplier = new bool[n];
        _balances = new long[_params.Assets.Count];
        _hasBalance = new bool[_params.Assets.Count];
    }

    /// <summary>The catalog instruments are resolved in.</summary>
    public InstrumentCatalog Catalog => _catalog;

    /// <summary>
    /// Reads <paramref name="utf8Json"/> into <paramref name="market"/> (valuation time, indices, volatilities,
    /// multipliers, implied volatilities of this document's options) and <paramref name="account"/> (cleared, then
    /// filled). Returns false with the field and reason when the document is refused; nothing is written then.
    /// </summary>
    public bool TryRead(ReadOnlySpan<byte> utf8Json, MarketState market, SubAccountPortfolio account,
        [NotNullWhen(false)] out CalculatorInputError? error)
    {
        ArgumentNullException.ThrowIfNull(market);
        ArgumentNullException.ThrowIfNull(account);
        if (!ReferenceEquals(market.Params, _params))
        {
            throw new ArgumentException("the market was built for other parameters than the catalog", nameof(market));
        }
        Begin();
        bool ok;
        try
        {
            ok = Parse(utf8Json) && CheckNeeds();
        }
        catch (JsonException e)
        {
            var where = e.BytePositionInLine is { } b ? $" (line {e.LineNumber + 1}, byte {b + 1})" : "";
            var field = _locationPosition >= 0 ? PositionPath(_locationPosition) : _location == "$" ? null : _location;
            ok = Fail(field, "malformed JSON: " + FirstSentence(e.Message) + where);
        }
        if (!ok)
        {
            error = _error!;
            return false;
        }
        CommitMarket(market);
        CommitAccount(account);
        error = null;
        return true;
    }

    private void Begin()
    {
        Array.Clear(_hasPrice);
        Array.Clear(_hasVol);
        Array.Clear(_hasMultiplier);
        Array.Clear(_balances);
        Array.Clear(_hasBalance);
        _pendingCount = 0;
        _hasAsOf = false;
        _hasAccount = false;
        _mode = MarginMode.Standard;
        _location = "$";
        _locationPosition = -1;
        _error = null;
    }

    private bool Parse(ReadOnlySpan<byte> json)
    {
        var r = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 16 });
        if (!r.Read() || r.TokenType != JsonTokenType.StartObject)
        {
            return Fail(null, "a calculator document must be a JSON object");
        }
        var seen = 0;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            var bit = r.ValueTextEquals("asOf"u8) ? 1
                : r.ValueTextEquals("prices"u8) ? 2
                : r.ValueTextEquals("vols"u8) ? 4
                : r.ValueTextEquals("volMultipliers"u8) ? 8
                : r.ValueTextEquals("account"u8) ? 16
                : 0;
            if (bit == 0)
            {
                return Fail(r.GetString(), "unknown field: expected asOf, prices, vols, volMultipliers or account");
            }
            var name = bit switch { 1 => "asOf", 2 => "prices", 4 => "vols", 8 => "volMultipliers", _ => "account" };
            if ((seen & bit) != 0)
            {
                return Fail(name, "given twice");
            }
            seen |= bit;
            _location = name;
            r.Read();
            var ok = bit switch
            {
                1 => ReadAsOf(ref r),
                2 => ReadUnderlyingMap(ref r, "prices", UnderlyingValue.Price, _price, _hasPrice),
                4 => ReadUnderlyingMap(ref r, "vols", UnderlyingValue.Volatility, _vol, _hasVol),
                8 => ReadUnderlyingMap(ref r, "volMultipliers", UnderlyingValue.Multiplier, _multiplier,
                    _hasMultiplier),
                _ => ReadAccount(ref r),
            };
            if (!ok)
            {
                return false;
            }
            _location = "$";
        }
        // Anything after the closing brace other than white space is malformed (the reader throws).
        while (r.Read())
        {
        }
        return true;
    }

    private bool ReadAsOf(ref Utf8JsonReader r)
    {
        const string Expected = "must be an ISO-8601 time such as 2026-11-21T00:00:00Z";
        if (r.TokenType != JsonTokenType.String || !r.TryGetDateTimeOffset(out var time))
        {
            return Fail("asOf", $"{Describe(ref r)} {Expected}");
        }
        Span<byte> scratch = stackalloc byte[MaxScalarBytes];
        if (!HasOffset(r.ValueIsEscaped ? scratch[..Unescape(ref r, scratch)] : r.ValueSpan))
        {
            // No offset given: the calculator's clock is UTC, never the machine's zone.
            time = new DateTimeOffset(time.DateTime, TimeSpan.Zero);
        }
        _asOfMs = time.ToUnixTimeMilliseconds();
        _hasAsOf = true;
        return true;
    }

    private bool ReadUnderlyingMap(ref Utf8JsonReader r, string section, UnderlyingValue kind, double[] values,
        bool[] present)
    {
        if (r.TokenType != JsonTokenType.StartObject)
        {
            return Fail(section, $"{Describe(ref r)} must be an object of underlying → number");
        }
        Span<char> name = stackalloc char[MaxNameChars];
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (!TryCopyName(ref r, name, out var length))
            {
                return Fail(section + "." + r.GetString(), UnknownUnderlying(r.GetString()!));
            }
            var u = _params.UnderlyingId(name[..length]);
            if (u < 0)
            {
                return Fail(section + "." + name[..length].ToString(), UnknownUnderlying(name[..length].ToString()));
            }
            if (present[u])
            {
                return Fail(section + "." + name[..length].ToString(), "given twice");
            }
            r.Read();
            var ok = TryReadDouble(ref r, out var v);
            var valid = kind switch
            {
                UnderlyingValue.Price => ok && v > 0,
                UnderlyingValue.Volatility => ok && v > 0,
                _ => ok && v >= 1,
            };
            if (!valid)
            {
                var what = kind switch
                {
                    UnderlyingValue.Price => "an index price must be a finite number > 0",
                    UnderlyingValue.Volatility => "a volatility must be a finite number > 0 (0.55 = 55%)",
                    _ => "a volatility multiplier must be a finite number ≥ 1",
                };
                return Fail(section + "." + name[..length].ToString(), $"{Describe(ref r)}: {what}");
            }
            values[u] = v;
            present[u] = true;
        }
        return true;
    }

    private bool ReadAccount(ref Utf8JsonReader r)
    {
        if (r.TokenType != JsonTokenType.StartObject)
        {
            return Fail("account", $"{Describe(ref r)} must be an object with mode, balances and positions");
        }
        _hasAccount = true;
        var seen = 0;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            var bit = r.ValueTextEquals("mode"u8) ? 1
                : r.ValueTextEquals("balances"u8) ? 2
                : r.ValueTextEquals("positions"u8) ? 4
                : 0;
            if (bit == 0)
            {
                return Fail("account." + r.GetString(), "unknown field: expected mode, balances or positions");
            }
            var name = bit switch { 1 => "account.mode", 2 => "account.balances", _ => "account.positions" };
            if ((seen & bit) != 0)
            {
                return Fail(name, "given twice");
            }
            seen |= bit;
            _location = name;
            r.Read();
            var ok = bit switch
            {
                1 => ReadMode(ref r),
                2 => ReadBalances(ref r),
                _ => ReadPositions(ref r),
            };
            if (!ok)
            {
                return false;
            }
        }
        return true;
    }

    private bool ReadMode(ref Utf8JsonReader r)
    {
        if (r.TokenType == JsonTokenType.String && r.ValueTextEquals("STANDARD"u8))
        {
            _mode = MarginMode.Standard;
            return true;
        }
        if (r.TokenType == JsonTokenType.String && r.ValueTextEquals("PORTFOLIO"u8))
        {
            _mode = MarginMode.Portfolio;
            return true;
        }
        return Fail("account.mode", $"unknown mode {Describe(ref r)}: expected STANDARD or PORTFOLIO");
    }

    private bool ReadBalances(ref Utf8JsonReader r)
    {
        if (r.TokenType != JsonTokenType.StartObject)
        {
            return Fail("account.balances", $"{Describe(ref r)} must be an object of asset → decimal");
        }
        Span<char> name = stackalloc char[MaxNameChars];
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            var a = TryCopyName(ref r, name, out var length) ? _params.AssetId(name[..length]) : -1;
            if (a < 0)
            {
                var asset = r.GetString()!;
                return Fail("account.balances." + asset, $"unknown asset '{asset}': configured are {AssetNames()}");
            }
            var assetParams = _params.Assets[a];
            if (_hasBalance[a])
            {
                return Fail("account.balances." + assetParams.Name, "given twice");
            }
            r.Read();
            var status = TryReadDecimal(ref r, out var mantissa, out var exponent);
            if (status == DecimalTextStatus.Ok)
            {
                status = DecimalText.TryScale(mantissa, exponent, assetParams.Decimals, out _balances[a]);
            }
            if (status != DecimalTextStatus.Ok)
            {
                return Fail("account.balances." + assetParams.Name,
                    DecimalProblem(ref r, status, $"{assetParams.Name} allows {assetParams.Decimals}"));
            }
            if (_balances[a] < 0 && a != 0)
            {
                return Fail("account.balances." + assetParams.Name, $"{Describe(ref r)}: only USD may be negative");
            }
            _hasBalance[a] = true;
        }
        return true;
    }

    private bool ReadPositions(ref Utf8JsonReader r)
    {
        if (r.TokenType != JsonTokenType.StartArray)
        {
            return Fail("account.positions", $"{Describe(ref r)} must be an array of positions");
        }
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            var index = _pendingCount;
            _locationPosition = index;
            if (r.TokenType != JsonTokenType.StartObject)
            {
                return Fail(PositionPath(index), $"{Describe(ref r)} must be an object with instrument and size");
            }
            if (_pendingCount == _pending.Length)
            {
                Array.Resize(ref _pending, _pending.Length * 2);
            }
            ref var p = ref _pending[_pendingCount++];
            p = new PendingPosition { Iv = double.NaN };
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                if (!ReadPositionField(ref r, ref p, index))
                {
                    return false;
                }
            }
            if (!CheckPosition(ref p, index))
            {
                return false;
            }
        }
        _locationPosition = -1;
        return true;
    }

    private bool ReadPositionField(ref Utf8JsonReader r, ref PendingPosition p, int index)
    {
        var field = r.ValueTextEquals("instrument"u8) ? "instrument"
            : r.ValueTextEquals("size"u8) ? "size"
            : r.ValueTextEquals("entryPrice"u8) ? "entryPrice"
            : r.ValueTextEquals("isolatedMargin"u8) ? "isolatedMargin"
            : r.ValueTextEquals("iv"u8) ? "iv"
            : null;
        if (field is null)
        {
            return Fail(PositionPath(index) + "." + r.GetString(),
                "unknown field: expected instrument, size, entryPrice, isolatedMargin or iv");
        }
        // The field path is built only for a refusal: an accepted document allocates no strings.
        var at = new FieldPath(index, field);
        var bit = field switch { "instrument" => 1, "size" => 2, "entryPrice" => 4, "isolatedMargin" => 8, _ => 16 };
        if ((p.Seen & bit) != 0)
        {
            return Fail(at, "given twice");
        }
        p.Seen |= bit;
        r.Read();
        switch (field)
        {
            case "instrument":
                return ReadInstrument(ref r, ref p, at);
            case "size":
                var status = TryReadDecimal(ref r, out p.SizeMantissa, out p.SizeExponent);
                p.HasSize = status == DecimalTextStatus.Ok;
                return p.HasSize || Fail(at, DecimalProblem(ref r, status, "sizes"));
            case "entryPrice":
                if (r.TokenType == JsonTokenType.Null)
                {
                    return true;
                }
                p.HasEntry = TryReadDouble(ref r, out p.EntryPrice) && p.EntryPrice > 0;
                return p.HasEntry || Fail(at, $"{Describe(ref r)}: an entry price must be a finite number > 0");
            case "isolatedMargin":
                if (r.TokenType == JsonTokenType.Null)
                {
                    return true;
                }
                var margin = TryReadDecimal(ref r, out var m, out var e);
                if (margin == DecimalTextStatus.Ok)
                {
                    margin = DecimalText.TryScale(m, e, 6, out p.IsolatedMicros);
                }
                if (margin != DecimalTextStatus.Ok)
                {
                    return Fail(at, DecimalProblem(ref r, margin, "USD allows 6"));
                }
                p.HasIsolated = true;
                return p.IsolatedMicros >= 0 || Fail(at, $"{Describe(ref r)}: isolated margin must not be negative");
            default:
                if (r.TokenType == JsonTokenType.Null)
                {
                    return true;
                }
                return (TryReadDouble(ref r, out p.Iv) && p.Iv > 0)
                       || Fail(at, $"{Describe(ref r)}: an implied volatility must be a finite number > 0");
        }
    }

    private bool ReadInstrument(ref Utf8JsonReader r, ref PendingPosition p, FieldPath at)
    {
        if (r.TokenType != JsonTokenType.String)
        {
            return Fail(at, $"{Describe(ref r)} must be an instrument name such as BTC-PERP");
        }
        Span<char> name = stackalloc char[MaxNameChars];
        if (TryCopyName(ref r, name, out var length) && _instrumentLookup.TryGetValue(name[..length], out var found))
        {
            p.Instrument = found;
            return true;
        }
        var text = r.GetString()!;
        if (!_catalog.TryResolve(text, out var instrument, out var problem))
        {
            return Fail(at, problem!);
        }
        _instruments[text] = instrument;
        p.Instrument = instrument;
        return true;
    }

    private bool CheckPosition(ref PendingPosition p, int index)
    {
        var path = new FieldPath(index, null);
        if (p.Instrument is not { } ins)
        {
            return Fail(path.With("instrument"), "missing");
        }
        for (var j = 0; j < index; j++)
        {
            if (ReferenceEquals(_pending[j].Instrument, ins))
            {
                return Fail(path.With("instrument"),
                    $"{ins.Name} is already held at {PositionPath(j)}: one position per instrument");
            }
        }
        if (!p.HasSize)
        {
            return Fail(path.With("size"), "missing");
        }
        if (p.SizeMantissa == 0)
        {
            return Fail(path.With("size"), "size must not be zero");
        }
        // Lots: size in units of 10^-lotDecimals, then a whole multiple of the lot in those units.
        var lotDecimals = ins.LotDecimals;
        var lotUnits = (long)(ins.Lot * FixedPoint.Scale(lotDecimals));
        var status = DecimalText.TryScale(p.SizeMantissa, p.SizeExponent, lotDecimals, out var units);
        if (status == DecimalTextStatus.OutOfRange)
        {
            return Fail(path.With("size"), $"size {SizeText(in p)} is out of range");
        }
        if (status != DecimalTextStatus.Ok || units % lotUnits != 0)
        {
            var lot = ins.Lot.ToString(CultureInfo.InvariantCulture);
            return Fail(path.With("size"), $"size {SizeText(in p)} is not a multiple of the lot {lot} of {ins.Name}");
        }
        p.SizeLots = units / lotUnits;
        if (ins.IsLinear)
        {
            if (!p.HasEntry)
            {
                return Fail(path.With("entryPrice"), $"missing: {ins.Name} is linear and needs its entry price");
            }
            if (!double.IsNaN(p.Iv))
            {
                return Fail(path.With("iv"), $"{ins.Name} is not an option: iv applies to options only");
            }
        }
        else if (p.HasIsolated)
        {
            return Fail(path.With("isolatedMargin"),
                $"{ins.Name} is an option: only linear positions can be isolated");
        }
        return true;
    }

    private static string SizeText(in PendingPosition p) => DecimalText.Format(p.SizeMantissa, p.SizeExponent);

    private bool CheckNeeds()
    {
        if (!_hasAsOf)
        {
            return Fail("asOf", "missing: the valuation time, ISO-8601 such as 2026-11-21T00:00:00Z");
        }
        if (!_hasAccount)
        {
            return Fail("account", "missing: the sub-account (mode, balances, positions)");
        }
        for (var a = 1; a < _balances.Length; a++)
        {
            var u = _params.AssetPriceIndex[a];
            if (_balances[a] != 0 && !_hasPrice[u])
            {
                var index = _params.Underlyings[u].Name;
                return Fail("prices." + index,
                    $"missing: the {_params.Assets[a].Name} balance needs the {index} index");
            }
        }
        for (var i = 0; i < _pendingCount; i++)
        {
            var ins = _pending[i].Instrument!;
            var index = ins.Underlying.Name;
            if (!_hasPrice[ins.UnderlyingId])
            {
                return Fail("prices." + index, $"missing: {PositionPath(i)} ({ins.Name}) needs the {index} index");
            }
            if (!ins.IsLinear && double.IsNaN(_pending[i].Iv) && !_hasVol[ins.UnderlyingId])
            {
                return Fail("vols." + index,
                    $"missing: {PositionPath(i)} ({ins.Name}) has no iv and needs the {index} volatility");
            }
        }
        return true;
    }

    private string UnknownUnderlying(string name)
    {
        var names = new string[_params.Underlyings.Count];
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = _params.Underlyings[i].Name;
        }
        return $"unknown underlying '{name}': configured are {string.Join(", ", names)}";
    }

    private string AssetNames()
    {
        var names = new string[_params.Assets.Count];
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = _params.Assets[i].Name;
        }
        return string.Join(", ", names);
    }

    private static string PositionPath(int index) => $"account.positions[{index}]";

    private bool Fail(string? field, string message)
    {
        _error = new CalculatorInputError(field, message);
        return false;
    }

    private bool Fail(FieldPath field, string message) => Fail(field.ToString(), message);

    // account.positions[Index].Field, turned into a string only when a refusal names it.
    private readonly record struct FieldPath(int Index, string? Field)
    {
        public FieldPath With(string field) => new(Index, field);

        public override string ToString() => Field is null ? PositionPath(Index) : PositionPath(Index) + "." + Field;
    }

    private enum UnderlyingValue : byte
    {
        Price,
        Volatility,
        Multiplier,
    }

    private struct PendingPosition
    {
        public Instrument? Instrument;
        public bool HasSize;
        public long SizeMantissa;
        public int SizeExponent;
        public long SizeLots;
        public bool HasEntry;
        public double EntryPrice;
        public bool HasIsolated;
        public long IsolatedMicros;
        public double Iv;
        public int Seen;
    }
}

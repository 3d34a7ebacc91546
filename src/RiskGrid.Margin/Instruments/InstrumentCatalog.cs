using System.Globalization;
using RiskGrid.Margin.Parameters;

namespace RiskGrid.Margin.Instruments;

/// <summary>
/// Resolves instrument names to <see cref="Instrument"/>s with small integer ids (§2). Perpetuals
/// (<c>BTC-PERP</c>), futures (<c>BTC-20261225</c>) and options (<c>BTC-20261225-60000-C</c>) exist for every
/// configured underlying; an id is assigned the first time a name is seen and never changes. Safe for concurrent
/// readers; additions and parameter changes take a lock.
/// <para><b>Run-time parameter changes.</b> <see cref="TryApply"/> swaps in a parameter set of the same structure
/// (<see cref="RiskParamsCompatibility"/>): every instrument keeps its id and identity and gets its new
/// <see cref="InstrumentTerms"/> in one write, then <see cref="Params"/> is published. An evaluation that started
/// before the swap may read some terms of the old set and some of the new; every evaluation that starts after it
/// reads only the new.</para>
/// </summary>
public sealed class InstrumentCatalog
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Instrument> _byName = new(StringComparer.Ordinal);
    private Instrument[] _byId = new Instrument[64];
    private RiskParams _params;
    private int _count;

    public InstrumentCatalog(RiskParams parameters)
    {
        _params = parameters ?? throw new ArgumentNullException(nameof(parameters));
        foreach (var u in parameters.Underlyings)
        {
            TryResolve(u.Name + "-PERP", out _, out _);
        }
    }

    /// <summary>The parameters in effect: those the catalog was built with, or the last applied.</summary>
    public RiskParams Params => Volatile.Read(ref _params);

    /// <summary>Number of instruments resolved so far; ids are 0..Count−1.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>The instruments by id, as of now (ids below <see cref="Count"/>); for hot loops that look many up.</summary>
    internal Instrument[] ById => Volatile.Read(ref _byId);

    /// <summary>The instrument with id <paramref name="id"/>.</summary>
    public Instrument this[InstrumentId id] => Volatile.Read(ref _byId)[id.Value];

    /// <summary>
    /// Finds or creates the instrument named <paramref name="name"/>. Returns false with a reason when the name is
    /// not a valid instrument of a configured underlying.
    /// </summary>
    public bool TryResolve(string name, out Instrument instrument, out string? error)
    {
        ArgumentNullException.ThrowIfNull(name);
        lock (_gate)
        {
            if (_byName.TryGetValue(name, out var found))
            {
                instrument = found;
                error = null;
                return true;
            }
            if (!TryParse(name, out var kind, out var underlying, out var expiryMs, out var strike, out var isCall,
                    out error))
            {
                instrument = null!;
                return false;
            }
            var p = _params;
            var u = p.Underlyings[underlying];
            var id = new InstrumentId(_count);
            var terms = TermsOf(p, name, kind, underlying);
            var lot = kind == InstrumentKind.Option ? u.OptionLot : u.LinearLot;
            instrument = new Instrument(id, name, kind, underlying, expiryMs, strike, isCall, lot, terms.Tiers, u);
            if (_count == _byId.Length)
            {
                var grown = new Instrument[_byId.Length * 2];
                Array.Copy(_byId, grown, _byId.Length);
                Volatile.Write(ref _byId, grown);
            }
            _byId[_count] = instrument;
            _byName[name] = instrument;
            Volatile.Write(ref _count, _count + 1);
            return true;
        }
    }

    /// <summary>True when <paramref name="next"/> could be applied (<see cref="RiskParamsCompatibility"/>); otherwise
    /// false with the offending key (below <c>riskgrid.risk</c>) and why.</summary>
    public bool CanApply(RiskParams next, out string? field, out string? error)
    {
        ArgumentNullException.ThrowIfNull(next);
        return RiskParamsCompatibility.IsCompatible(Params, next, out field, out error);
    }

    /// <summary>
    /// Puts <paramref name="next"/> in effect: each instrument's tiers and underlying parameters are rebound (ids
    /// kept), then <see cref="Params"/> is published. Refused, changing nothing, when the structure differs
    /// (<see cref="CanApply"/>).
    /// </summary>
    public bool TryApply(RiskParams next, out string? field, out string? error)
    {
        ArgumentNullException.ThrowIfNull(next);
        lock (_gate)
        {
            if (!RiskParamsCompatibility.IsCompatible(_params, next, out field, out error))
            {
                return false;
            }
            for (var i = 0; i < _count; i++)
            {
                var instrument = _byId[i];
                instrument.Rebind(TermsOf(next, instrument.Name, instrument.Kind, instrument.UnderlyingId));
            }
            Volatile.Write(ref _params, next);
            return true;
        }
    }

    /// <summary>Finds or creates an instrument; throws <see cref="ArgumentException"/> for an invalid name.</summary>
    public Instrument Resolve(string name) =>
        TryResolve(name, out var i, out var error) ? i : throw new ArgumentException(error, nameof(name));

    // A linear instrument takes its own tier override when one is configured, else its underlying's tiers.
    private static InstrumentTerms TermsOf(RiskParams p, string name, InstrumentKind kind, int underlying)
    {
        var u = p.Underlyings[underlying];
        var tiers = kind == InstrumentKind.Option
            ? null
            : p.InstrumentTiers.TryGetValue(name, out var own) ? own : u.LinearTiers;
        return new InstrumentTerms(tiers, u);
    }

    private bool TryParse(string name, out InstrumentKind kind, out int underlying, out long expiryMs,
        out double strike, out bool isCall, out string? error)
    {
        kind = InstrumentKind.Perpetual;
        underlying = -1;
        expiryMs = long.MaxValue;
        strike = 0;
        isCall = false;
        var parts = name.Split('-');
        if (parts.Length is not (2 or 4))
        {
            error = $"unknown instrument '{name}': expected UNDERLYING-PERP, UNDERLYING-YYYYMMDD or UNDERLYING-YYYYMMDD-STRIKE-C|P";
            return false;
        }
        underlying = Params.UnderlyingId(parts[0]);
        if (underlying < 0)
        {
            error = $"unknown instrument '{name}': no underlying '{parts[0]}' is configured";
            return false;
        }
        if (parts.Length == 2 && parts[1] == "PERP")
        {
            error = null;
            return true;
        }
        if (!DateTime.TryParseExact(parts[1], "yyyyMMdd", CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var date))
        {
            error = $"unknown instrument '{name}': '{parts[1]}' is neither PERP nor an expiry date YYYYMMDD";
            return false;
        }
        expiryMs = new DateTimeOffset(date.Date.AddHours(8), TimeSpan.Zero).ToUnixTimeMilliseconds();
        if (parts.Length == 2)
        {
            kind = InstrumentKind.Future;
            error = null;
            return true;
        }
        kind = InstrumentKind.Option;
        if (!double.TryParse(parts[2], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out strike)
            || !(strike > 0) || !double.IsFinite(strike))
        {
            error = $"unknown instrument '{name}': strike '{parts[2]}' must be a positive number";
            return false;
        }
        if (parts[3] is not ("C" or "P"))
        {
            error = $"unknown instrument '{name}': option type '{parts[3]}' must be C or P";
            return false;
        }
        isCall = parts[3] == "C";
        error = null;
        return true;
    }
}

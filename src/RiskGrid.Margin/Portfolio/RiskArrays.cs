using RiskGrid.Margin.Instruments;
using RiskGrid.Margin.Market;
using RiskGrid.Margin.Pricing;

namespace RiskGrid.Margin.Portfolio;

/// <summary>
/// Per-instrument values computed once per price or volatility update and shared by every account (§4, §6): the
/// mark (USD per unit), the delta ∂price/∂S, and the risk array: the PnL per unit of the 45 scenarios (15 price
/// moves s ∈ {−P, −6P/7, …, +P} × 3 volatility moves {−volShockDown, 0, +volShockUp}) and of the two extreme moves
/// ±extremeMultiple×P at σ unchanged, once with P = scanRange × v^MM (for MM) and once with v^IM (for IM).
/// Entries are recomputed lazily when the market's global version or the instrument's underlying version has moved,
/// so a change of one index recomputes only that underlying's instruments. Not thread-safe while
/// refreshing: one owner refreshes, then any number of readers evaluate.
/// </summary>
public sealed class RiskArrays
{
    /// <summary>Price points of the scan (§6).</summary>
    public const int PriceSteps = 15;

    /// <summary>Volatility points of the scan: down, unchanged, up.</summary>
    public const int VolSteps = 3;

    /// <summary>Scenarios per scan: 45.</summary>
    public const int Scenarios = PriceSteps * VolSteps;

    internal const int MarkOffset = 0;
    internal const int DeltaOffset = 1;
    internal const int MmOffset = 2;
    internal const int ImOffset = MmOffset + Scenarios + 2;
    internal const int Stride = ImOffset + Scenarios + 2;

    private readonly InstrumentCatalog _catalog;
    private double[] _values = new double[64 * Stride];
    private long[] _stamp = new long[64];
    private long[] _scanStamp = new long[64];
    private long[] _global = new long[64];
    private long[] _scanGlobal = new long[64];
    private MarketState? _market;

    public RiskArrays(InstrumentCatalog catalog)
    {
        _catalog = catalog ?? throw new ArgumentNullException(nameof(catalog));
        Array.Fill(_stamp, -1);
        Array.Fill(_scanStamp, -1);
    }

    /// <summary>The catalog whose instruments these arrays cover.</summary>
    public InstrumentCatalog Catalog => _catalog;

    /// <summary>Brings the mark and delta of <paramref name="instrument"/> up to date with <paramref name="market"/>.</summary>
    public void EnsureMark(InstrumentId instrument, MarketState market)
    {
        ArgumentNullException.ThrowIfNull(market);
        if (!ReferenceEquals(_market, market))
        {
            // Versions are per market object: another market invalidates everything.
            Array.Fill(_stamp, -1);
            Array.Fill(_scanStamp, -1);
            _market = market;
        }
        var id = instrument.Value;
        Grow(id);
        var ins = _catalog[instrument];
        var uVersion = market.UnderlyingVersion(ins.UnderlyingId);
        if (_stamp[id] == uVersion && _global[id] == market.GlobalVersion)
        {
            return;
        }
        var s = market.Index(ins.UnderlyingId);
        var row = _values.AsSpan(id * Stride, Stride);
        if (ins.IsLinear)
        {
            row[MarkOffset] = s;
            row[DeltaOffset] = 1;
        }
        else
        {
            var years = Black76.YearsToExpiry(ins.ExpiryMs, market.AsOfMs);
            row[MarkOffset] = Black76.PriceAndDelta(ins.IsCall, s, ins.Strike, market.VolatilityFor(ins), years,
                out var delta);
            row[DeltaOffset] = delta;
        }
        _stamp[id] = uVersion;
        _global[id] = market.GlobalVersion;
    }

    /// <summary>Brings mark, delta and both risk arrays of <paramref name="instrument"/> up to date.</summary>
    public void EnsureScenarios(InstrumentId instrument, MarketState market)
    {
        EnsureMark(instrument, market);
        var id = instrument.Value;
        var ins = _catalog[instrument];
        var u = ins.UnderlyingId;
        var uVersion = market.UnderlyingVersion(u);
        if (_scanStamp[id] == uVersion && _scanGlobal[id] == market.GlobalVersion)
        {
            return;
        }
        var row = _values.AsSpan(id * Stride, Stride);
        FillScan(ins, market, market.MaintenanceMultiplier(u), row[MarkOffset], row.Slice(MmOffset, Scenarios + 2));
        if (market.InitialMultiplier(u) == market.MaintenanceMultiplier(u))
        {
            // Same inputs, same array: copy rather than revalue every scenario twice.
            row.Slice(MmOffset, Scenarios + 2).CopyTo(row.Slice(ImOffset, Scenarios + 2));
        }
        else
        {
            FillScan(ins, market, market.InitialMultiplier(u), row[MarkOffset], row.Slice(ImOffset, Scenarios + 2));
        }
        _scanStamp[id] = uVersion;
        _scanGlobal[id] = market.GlobalVersion;
    }

    /// <summary>Refreshes marks (and, when <paramref name="withScenarios"/>, risk arrays) of every catalog instrument.</summary>
    public void RefreshAll(MarketState market, bool withScenarios)
    {
        var n = _catalog.Count;
        for (var i = 0; i < n; i++)
        {
            if (withScenarios)
            {
                EnsureScenarios(new InstrumentId(i), market);
            }
            else
            {
                EnsureMark(new InstrumentId(i), market);
            }
        }
    }

    /// <summary>Mark in USD per unit (index for linear, Black-76 value for options). Call EnsureMark first.</summary>
    public double Mark(InstrumentId instrument) => _values[instrument.Value * Stride + MarkOffset];

    /// <summary>∂price/∂S per unit (1 for linear). Call EnsureMark first.</summary>
    public double Delta(InstrumentId instrument) => _values[instrument.Value * Stride + DeltaOffset];

    /// <summary>
    /// The 45 scenario PnLs per unit (index volStep × 15 + priceStep) followed by the extreme down and extreme up
    /// PnLs, for MM (<paramref name="initial"/> false, v^MM) or IM (v^IM). Call EnsureScenarios first.
    /// </summary>
    public ReadOnlySpan<double> Scan(InstrumentId instrument, bool initial) =>
        _values.AsSpan(instrument.Value * Stride + (initial ? ImOffset : MmOffset), Scenarios + 2);

    /// <summary>
    /// The MM risk array (45 + 2 per unit) followed, when <paramref name="withInitial"/>, by the IM risk array: the
    /// two lie back to back. Call EnsureScenarios first.
    /// </summary>
    public ReadOnlySpan<double> ScanPair(InstrumentId instrument, bool withInitial) =>
        _values.AsSpan(instrument.Value * Stride + MmOffset, withInitial ? 2 * (Scenarios + 2) : Scenarios + 2);

    private static void FillScan(Instrument ins, MarketState market, double multiplier, double mark, Span<double> dst)
    {
        var u = ins.Underlying;
        var s = market.Index(ins.UnderlyingId);
        var range = u.ScanRange * multiplier;
        if (ins.IsLinear)
        {
            for (var v = 0; v < VolSteps; v++)
            {
                for (var p = 0; p < PriceSteps; p++)
                {
                    dst[v * PriceSteps + p] = ScenarioPrice(s, range * (p - 7) / 7.0) - s;
                }
            }
            dst[Scenarios] = ScenarioPrice(s, -u.ExtremeMultiple * range) - s;
            dst[Scenarios + 1] = ScenarioPrice(s, u.ExtremeMultiple * range) - s;
            return;
        }
        var sigma = market.VolatilityFor(ins);
        var years = Black76.YearsToExpiry(ins.ExpiryMs, market.AsOfMs);
        for (var v = 0; v < VolSteps; v++)
        {
            var shock = v == 0 ? -u.VolShockDown : v == 1 ? 0 : u.VolShockUp;
            var sig = sigma * (1 + shock);
            for (var p = 0; p < PriceSteps; p++)
            {
                var sp = ScenarioPrice(s, range * (p - 7) / 7.0);
                dst[v * PriceSteps + p] = Black76.Price(ins.IsCall, sp, ins.Strike, sig, years) - mark;
            }
        }
        dst[Scenarios] = Black76.Price(ins.IsCall, ScenarioPrice(s, -u.ExtremeMultiple * range), ins.Strike, sigma,
            years) - mark;
        dst[Scenarios + 1] = Black76.Price(ins.IsCall, ScenarioPrice(s, u.ExtremeMultiple * range), ins.Strike,
            sigma, years) - mark;
    }

    // S' = max(0, S(1 + s)) (§6).
    private static double ScenarioPrice(double s, double move) => Math.Max(0, s * (1 + move));

    private void Grow(int id)
    {
        if (id < _stamp.Length)
        {
            return;
        }
        var n = Math.Max(id + 1, _stamp.Length * 2);
        var stamp = new long[n];
        var scan = new long[n];
        Array.Fill(stamp, -1);
        Array.Fill(scan, -1);
        Array.Copy(_stamp, stamp, _stamp.Length);
        Array.Copy(_scanStamp, scan, _scanStamp.Length);
        var global = new long[n];
        var scanGlobal = new long[n];
        Array.Copy(_global, global, _global.Length);
        Array.Copy(_scanGlobal, scanGlobal, _scanGlobal.Length);
        _global = global;
        _scanGlobal = scanGlobal;
        var values = new double[n * Stride];
        Array.Copy(_values, values, _values.Length);
        _stamp = stamp;
        _scanStamp = scan;
        _values = values;
    }
}

using RiskGrid.Margin.Instruments;
using RiskGrid.Margin.Parameters;

namespace RiskGrid.Margin.Market;

/// <summary>
/// The prices an evaluation reads (§4, §7, §8): per underlying the index S (USD), the volatility σ (annualised
/// fraction) and the volatility multipliers v^IM and v^MM; per option instrument an optional implied volatility;
/// and the valuation time. <see cref="Version"/> changes on every write so that precomputed
/// <see cref="Portfolio.RiskArrays"/> know when they are out of date. One writer; readers see whole doubles.
/// The market carries the parameters it is evaluated with (<see cref="Params"/>): a run-time parameter change
/// rebinds the writer's market (<see cref="Rebind"/>) and reaches every copy through <see cref="CopyFrom"/>.
/// </summary>
public sealed class MarketState
{
    private readonly double[] _index;
    private readonly double[] _vol;
    private readonly double[] _vIm;
    private readonly double[] _vMm;
    private readonly bool[] _fresh;
    private readonly long[] _underlyingVersion;
    private double[] _impliedVol = new double[64];
    private RiskParams _params;

    public MarketState(RiskParams parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _params = parameters;
        var n = parameters.Underlyings.Count;
        _index = new double[n];
        _vol = new double[n];
        _vIm = new double[n];
        _vMm = new double[n];
        _fresh = new bool[n];
        _underlyingVersion = new long[n];
        for (var u = 0; u < n; u++)
        {
            _index[u] = double.NaN;
            _vol[u] = double.NaN;
            _vIm[u] = 1;
            _vMm[u] = 1;
        }
        Array.Fill(_impliedVol, double.NaN);
    }

    /// <summary>The parameters evaluations at this market use (weights, liquidation parameters): those it was built
    /// for, or those of the last <see cref="Rebind"/> or <see cref="CopyFrom"/>.</summary>
    public RiskParams Params => _params;

    /// <summary>Valuation time in Unix milliseconds (the grid's clock; the data's clock in a replay).</summary>
    public long AsOfMs { get; private set; }

    /// <summary>Incremented on every change.</summary>
    public long Version { get; private set; }

    /// <summary>Incremented on changes that touch every instrument (valuation time, a bulk copy).</summary>
    public long GlobalVersion { get; private set; }

    /// <summary>Incremented on every change of one underlying's prices, volatility or multipliers.</summary>
    public long UnderlyingVersion(int underlyingId) => _underlyingVersion[underlyingId];

    /// <summary>Number of underlyings.</summary>
    public int UnderlyingCount => _index.Length;

    /// <summary>Index S of underlying <paramref name="underlyingId"/> in USD (NaN when never priced).</summary>
    public double Index(int underlyingId) => _index[underlyingId];

    /// <summary>Volatility σ of an underlying (annualised fraction; NaN when unknown).</summary>
    public double Volatility(int underlyingId) => _vol[underlyingId];

    /// <summary>v^IM of an underlying (≥ 1).</summary>
    public double InitialMultiplier(int underlyingId) => _vIm[underlyingId];

    /// <summary>v^MM of an underlying (≥ 1).</summary>
    public double MaintenanceMultiplier(int underlyingId) => _vMm[underlyingId];

    /// <summary>True when the underlying's index is fresh and outside any wick-guard wait (§8).</summary>
    public bool IsFresh(int underlyingId) => _fresh[underlyingId];

    /// <summary>Price of one unit of asset <paramref name="assetId"/> in USD (1 for USD).</summary>
    public double AssetPrice(int assetId)
    {
        var u = Params.AssetPriceIndex[assetId];
        return u < 0 ? 1.0 : _index[u];
    }

    /// <summary>The volatility an option is valued at: its own implied volatility when set, else its underlying's.</summary>
    public double VolatilityFor(Instrument instrument)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        var id = instrument.Id.Value;
        var iv = id < _impliedVol.Length ? _impliedVol[id] : double.NaN;
        return double.IsNaN(iv) ? _vol[instrument.UnderlyingId] : iv;
    }

    /// <summary>Sets the valuation time.</summary>
    public void SetAsOf(long asOfMs)
    {
        if (asOfMs == AsOfMs)
        {
            return;
        }
        AsOfMs = asOfMs;
        TouchAll();
    }

    /// <summary>Sets an underlying's index (finite, ≥ 0) and whether it may be acted on (fresh, no wick wait).</summary>
    public void SetIndex(int underlyingId, double index, bool fresh = true)
    {
        if (!(index >= 0) || !double.IsFinite(index))
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, "an index must be finite and ≥ 0");
        }
        _index[underlyingId] = index;
        _fresh[underlyingId] = fresh;
        Touch(underlyingId);
    }

    /// <summary>Marks an underlying fresh or not without changing its price.</summary>
    public void SetFresh(int underlyingId, bool fresh)
    {
        _fresh[underlyingId] = fresh;
        Version++;
    }

    /// <summary>Sets an underlying's volatility σ (annualised fraction, &gt; 0).</summary>
    public void SetVolatility(int underlyingId, double sigma)
    {
        if (!(sigma > 0) || !double.IsFinite(sigma))
        {
            throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "a volatility must be finite and > 0");
        }
        _vol[underlyingId] = sigma;
        Touch(underlyingId);
    }

    /// <summary>Sets v^IM and v^MM of an underlying (each ≥ 1).</summary>
    public void SetMultipliers(int underlyingId, double initial, double maintenance)
    {
        if (!(initial >= 1) || !(maintenance >= 1) || !double.IsFinite(initial) || !double.IsFinite(maintenance))
        {
            throw new ArgumentOutOfRangeException(nameof(initial), "volatility multipliers must be finite and ≥ 1");
        }
        _vIm[underlyingId] = initial;
        _vMm[underlyingId] = maintenance;
        Touch(underlyingId);
    }

    /// <summary>Sets an option's own implied volatility (NaN clears it).</summary>
    public void SetImpliedVolatility(Instrument instrument, double sigma)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        SetImpliedVolatilityCore(instrument.Id, sigma);
        Touch(instrument.UnderlyingId);
    }

    /// <summary>Sets an option's own implied volatility (NaN clears it); refreshes every instrument's arrays.</summary>
    public void SetImpliedVolatility(InstrumentId instrument, double sigma)
    {
        SetImpliedVolatilityCore(instrument, sigma);
        TouchAll();
    }

    private void SetImpliedVolatilityCore(InstrumentId instrument, double sigma)
    {
        if (!double.IsNaN(sigma) && (!(sigma > 0) || !double.IsFinite(sigma)))
        {
            throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "an implied volatility must be finite and > 0");
        }
        var id = instrument.Value;
        if (id >= _impliedVol.Length)
        {
            var grown = new double[Math.Max(id + 1, _impliedVol.Length * 2)];
            Array.Fill(grown, double.NaN);
            Array.Copy(_impliedVol, grown, _impliedVol.Length);
            _impliedVol = grown;
        }
        _impliedVol[id] = sigma;
    }

    /// <summary>Clears every option's implied volatility.</summary>
    public void ClearImpliedVolatilities()
    {
        Array.Fill(_impliedVol, double.NaN);
        TouchAll();
    }

    /// <summary>
    /// Evaluates with <paramref name="parameters"/> from now on (a run-time parameter change): they must have the same
    /// assets and underlyings. Every precomputed value is out of date afterwards (the global version moves).
    /// </summary>
    public void Rebind(RiskParams parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        EnsureSameShape(parameters);
        _params = parameters;
        TouchAll();
    }

    /// <summary>Copies every price and setting of <paramref name="other"/> into this market, and its parameters (a
    /// set of the same shape: the copy follows a run-time parameter change).</summary>
    public void CopyFrom(MarketState other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (!ReferenceEquals(other._params, _params))
        {
            EnsureSameShape(other._params);
            _params = other._params;
        }
        Array.Copy(other._index, _index, _index.Length);
        Array.Copy(other._vol, _vol, _vol.Length);
        Array.Copy(other._vIm, _vIm, _vIm.Length);
        Array.Copy(other._vMm, _vMm, _vMm.Length);
        Array.Copy(other._fresh, _fresh, _fresh.Length);
        if (_impliedVol.Length < other._impliedVol.Length)
        {
            _impliedVol = new double[other._impliedVol.Length];
        }
        Array.Fill(_impliedVol, double.NaN);
        Array.Copy(other._impliedVol, _impliedVol, other._impliedVol.Length);
        AsOfMs = other.AsOfMs;
        TouchAll();
    }

    private void EnsureSameShape(RiskParams parameters)
    {
        if (parameters.Underlyings.Count != _index.Length || parameters.Assets.Count != _params.Assets.Count)
        {
            throw new ArgumentException("the parameters have other assets or underlyings than this market",
                nameof(parameters));
        }
    }

    private void Touch(int underlyingId)
    {
        _underlyingVersion[underlyingId]++;
        Version++;
    }

    private void TouchAll()
    {
        GlobalVersion++;
        Version++;
    }
}

namespace RiskGrid.Margin.Parameters;

/// <summary>A pair of underlyings whose opposite deltas earn a SPAN-style credit (§6), in the order listed.</summary>
public sealed record CreditPair(string First, string Second, double Rate);

/// <summary>Portfolio-mode parameters (§6).</summary>
public sealed record PortfolioParams(double ImMultiplier, IReadOnlyList<CreditPair> CreditPairs);

/// <summary>Liquidation parameters (§9). Slippage and fee are fractions of notional; times in milliseconds.</summary>
public sealed record LiquidationParams(
    double TargetHealth,
    double BackstopHealth,
    double LiquidationSlippage,
    double LiquidationFee,
    long CooldownMs,
    double WarnHealth);

/// <summary>Oracle parameters (§8). <see cref="MinSources"/> null means 2 where two or more sources are
/// configured for an underlying, else 1.</summary>
public sealed record PriceParams(
    long StaleMs,
    int? MinSources,
    double JumpFraction,
    long JumpWindowMs,
    long ConfirmMs)
{
    /// <summary>The minimum number of valid sources for an underlying with <paramref name="configuredSources"/>.</summary>
    public int MinSourcesFor(int configuredSources) => MinSources ?? (configuredSources >= 2 ? 2 : 1);
}

/// <summary>Volatility-multiplier parameters (§7).</summary>
public sealed record VolatilityParams(double EwmaHalfLifeSeconds, double MmRampSeconds, double JournalThreshold);

/// <summary>
/// Every parameter of the margin methodology, validated. Build it with <see cref="Create"/>, which refuses a
/// bad set naming the key and the problem (<c>underlyings.BTC.scanRange = -0.1: must be in (0, 1)</c>).
/// Immutable: a run-time change builds a new instance.
/// </summary>
public sealed class RiskParams
{
    private readonly Dictionary<string, int> _assetIds;
    private readonly Dictionary<string, int> _underlyingIds;

    private RiskParams(IReadOnlyList<AssetParams> assets, IReadOnlyList<UnderlyingParams> underlyings,
        PortfolioParams portfolio, LiquidationParams liquidation, PriceParams prices, VolatilityParams volatility,
        IReadOnlyDictionary<string, TierTable> instrumentTiers)
    {
        Assets = assets;
        Underlyings = underlyings;
        Portfolio = portfolio;
        Liquidation = liquidation;
        Prices = prices;
        Volatility = volatility;
        InstrumentTiers = instrumentTiers;
        _assetIds = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < assets.Count; i++)
        {
            _assetIds[assets[i].Name] = i;
        }
        _underlyingIds = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < underlyings.Count; i++)
        {
            _underlyingIds[underlyings[i].Name] = i;
        }
        AssetPriceIndex = new int[assets.Count];
        AssetInitialWeight = new double[assets.Count];
        AssetMaintenanceWeight = new double[assets.Count];
        AssetImf = new double[assets.Count];
        AssetUnitsToAmount = new double[assets.Count];
        for (var i = 0; i < assets.Count; i++)
        {
            AssetPriceIndex[i] = assets[i].PriceIndex is { } u ? _underlyingIds[u] : -1;
            AssetInitialWeight[i] = assets[i].InitialWeight;
            AssetMaintenanceWeight[i] = assets[i].MaintenanceWeight;
            AssetImf[i] = assets[i].Imf;
            AssetUnitsToAmount[i] = 1.0 / FixedPoint.Scale(assets[i].Decimals);
        }
        CreditPairIds = new (int, int, double)[portfolio.CreditPairs.Count];
        for (var i = 0; i < portfolio.CreditPairs.Count; i++)
        {
            var p = portfolio.CreditPairs[i];
            CreditPairIds[i] = (_underlyingIds[p.First], _underlyingIds[p.Second], p.Rate);
        }
    }

    /// <summary>Collateral assets; index = asset id. USD is always id 0.</summary>
    public IReadOnlyList<AssetParams> Assets { get; }

    /// <summary>Underlyings; index = underlying id.</summary>
    public IReadOnlyList<UnderlyingParams> Underlyings { get; }

    /// <summary>Portfolio-mode parameters.</summary>
    public PortfolioParams Portfolio { get; }

    /// <summary>Liquidation parameters.</summary>
    public LiquidationParams Liquidation { get; }

    /// <summary>Oracle parameters.</summary>
    public PriceParams Prices { get; }

    /// <summary>Volatility-multiplier parameters.</summary>
    public VolatilityParams Volatility { get; }

    /// <summary>Per-instrument tier tables that override the underlying's linear tiers (by instrument id).</summary>
    public IReadOnlyDictionary<string, TierTable> InstrumentTiers { get; }

    /// <summary>Per asset id: the underlying id whose index prices it, or −1 for USD.</summary>
    internal int[] AssetPriceIndex { get; }

    /// <summary>The underlying whose index prices asset <paramref name="assetId"/>, or −1 (USD).</summary>
    public int AssetUnderlyingId(int assetId) => AssetPriceIndex[assetId];

    // Flat per-asset arrays for the evaluation hot path (no interface dispatch, no record reads).
    internal double[] AssetInitialWeight { get; }

    internal double[] AssetMaintenanceWeight { get; }

    internal double[] AssetImf { get; }

    internal double[] AssetUnitsToAmount { get; }

    /// <summary>Credit pairs as (underlying id, underlying id, rate), in the order listed.</summary>
    internal (int First, int Second, double Rate)[] CreditPairIds { get; }

    /// <summary>The asset id of <paramref name="name"/>, or −1.</summary>
    public int AssetId(string name) => _assetIds.TryGetValue(name, out var id) ? id : -1;

    /// <summary>The asset id of <paramref name="name"/>, or −1 (no allocation).</summary>
    public int AssetId(ReadOnlySpan<char> name) =>
        _assetIds.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(name, out var id) ? id : -1;

    /// <summary>The underlying id of <paramref name="name"/>, or −1.</summary>
    public int UnderlyingId(string name) => _underlyingIds.TryGetValue(name, out var id) ? id : -1;

    /// <summary>The underlying id of <paramref name="name"/>, or −1 (no allocation).</summary>
    public int UnderlyingId(ReadOnlySpan<char> name) =>
        _underlyingIds.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(name, out var id) ? id : -1;

    /// <summary>
    /// Validates and builds a parameter set. Throws <see cref="RiskParamsException"/> listing every bad key as
    /// <c>path = value: problem</c>.
    /// </summary>
    public static RiskParams Create(IReadOnlyList<AssetParams> assets, IReadOnlyList<UnderlyingParams> underlyings,
        PortfolioParams portfolio, LiquidationParams liquidation, PriceParams prices, VolatilityParams volatility,
        IReadOnlyDictionary<string, TierTable>? instrumentTiers = null)
    {
        var errors = RiskParamsValidator.Validate(assets, underlyings, portfolio, liquidation, prices, volatility);
        if (instrumentTiers is not null)
        {
            RiskParamsValidator.ValidateInstrumentTiers(errors, instrumentTiers, underlyings);
        }
        if (errors.Count > 0)
        {
            throw new RiskParamsException(errors);
        }
        return new RiskParams(assets, underlyings, portfolio, liquidation, prices, volatility,
            instrumentTiers ?? new Dictionary<string, TierTable>(StringComparer.Ordinal));
    }

    /// <summary>Returns a copy with other liquidation parameters (validated).</summary>
    public RiskParams With(LiquidationParams liquidation) =>
        Create(Assets, Underlyings, Portfolio, liquidation, Prices, Volatility, InstrumentTiers);
}

/// <summary>A parameter set that fails validation; <see cref="Errors"/> name each key and its problem.</summary>
public sealed class RiskParamsException : Exception
{
    public RiskParamsException(IReadOnlyList<string> errors)
        : base("invalid risk parameters: " + string.Join("; ", errors)) => Errors = errors;

    public RiskParamsException()
        : this(Array.Empty<string>())
    {
    }

    public RiskParamsException(string message)
        : base(message) => Errors = [message];

    public RiskParamsException(string message, Exception innerException)
        : base(message, innerException) => Errors = [message];

    /// <summary>One entry per bad key: <c>path = value: problem</c>.</summary>
    public IReadOnlyList<string> Errors { get; }
}

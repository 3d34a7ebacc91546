namespace RiskGrid.Margin.Evaluation;

/// <summary>
/// The metrics of one sub-account (§4–§6, §9, §11), in micro-dollars, rounded per §1. Owned by the caller and
/// reused across evaluations: per-position and per-underlying arrays grow once and are then overwritten.
/// Per-position arrays are indexed like <see cref="Accounts.SubAccountPortfolio.Positions"/>.
/// </summary>
public sealed class MarginResult
{
    private long[] _positionIm = new long[8];
    private long[] _positionMm = new long[8];
    private long[] _positionValue = new long[8];
    private long[] _isolatedEquity = new long[8];

    public MarginResult(int underlyingCount = 3)
    {
        GroupScanMicros = new long[underlyingCount];
        GroupShortOptionMinimumMicros = new long[underlyingCount];
        GroupNetDeltaUsd = new double[underlyingCount];
        GroupPresent = new bool[underlyingCount];
    }

    /// <summary>Collateral value with initial weights (CV_IM), rounded down.</summary>
    public long CollateralImMicros { get; internal set; }

    /// <summary>Collateral value with maintenance weights (CV_MM), rounded down.</summary>
    public long CollateralMmMicros { get; internal set; }

    /// <summary>Collateral value with weight 1 for every asset, rounded down.</summary>
    public long CollateralRawMicros { get; internal set; }

    /// <summary>Σ uPnL of the cross pool's linear positions, each rounded down.</summary>
    public long UnrealizedPnlMicros { get; internal set; }

    /// <summary>Σ option values (q × price; negative when short), each rounded down.</summary>
    public long OptionValueMicros { get; internal set; }

    /// <summary>E_IM = CV_IM + uPnL + option value.</summary>
    public long EquityImMicros => CollateralImMicros + UnrealizedPnlMicros + OptionValueMicros;

    /// <summary>E_MM = CV_MM + uPnL + option value.</summary>
    public long EquityMmMicros => CollateralMmMicros + UnrealizedPnlMicros + OptionValueMicros;

    /// <summary>E_raw: every asset at weight 1; negative means bankrupt.</summary>
    public long EquityRawMicros => CollateralRawMicros + UnrealizedPnlMicros + OptionValueMicros;

    /// <summary>Initial margin of the cross pool, rounded up.</summary>
    public long InitialMarginMicros { get; internal set; }

    /// <summary>Maintenance margin of the cross pool, rounded up.</summary>
    public long MaintenanceMarginMicros { get; internal set; }

    /// <summary>Free collateral E_IM − IM (§9).</summary>
    public long FreeCollateralMicros => EquityImMicros - InitialMarginMicros;

    /// <summary>E_MM / MM; +∞ when MM = 0 (§9).</summary>
    public double Health => MaintenanceMarginMicros == 0
        ? double.PositiveInfinity
        : EquityMmMicros / (double)MaintenanceMarginMicros;

    /// <summary>MM &gt; 0 and E_MM &lt; MM (freshness of indices is the engine's to add).</summary>
    public bool BelowMaintenance => MaintenanceMarginMicros > 0 && EquityMmMicros < MaintenanceMarginMicros;

    /// <summary>E_raw &lt; 0 (§9).</summary>
    public bool Bankrupt => EquityRawMicros < 0;

    /// <summary>Portfolio mode: the inter-commodity credit (§6), rounded down; 0 in standard mode.</summary>
    public long CreditMicros { get; internal set; }

    /// <summary>Number of positions the per-position arrays describe.</summary>
    public int PositionCount { get; private set; }

    /// <summary>Per position: its IM (standard mode or isolated), rounded up; 0 for long options.</summary>
    public ReadOnlySpan<long> PositionImMicros => _positionIm.AsSpan(0, PositionCount);

    /// <summary>Per position: its MM (standard mode or isolated), rounded up; 0 for long options.</summary>
    public ReadOnlySpan<long> PositionMmMicros => _positionMm.AsSpan(0, PositionCount);

    /// <summary>Per position: uPnL (linear) or option value, rounded down.</summary>
    public ReadOnlySpan<long> PositionValueMicros => _positionValue.AsSpan(0, PositionCount);

    /// <summary>Per position: isolated equity = isolated margin + uPnL (0 for cross positions).</summary>
    public ReadOnlySpan<long> IsolatedEquityMicros => _isolatedEquity.AsSpan(0, PositionCount);

    /// <summary>Per underlying, portfolio mode: whether the sub-account has a group there.</summary>
    public bool[] GroupPresent { get; private set; }

    /// <summary>Per underlying, portfolio mode: scan_g (MM scenario loss after extreme coverage), rounded up.</summary>
    public long[] GroupScanMicros { get; private set; }

    /// <summary>Per underlying, portfolio mode: som_g, rounded up.</summary>
    public long[] GroupShortOptionMinimumMicros { get; private set; }

    /// <summary>Per underlying, portfolio mode: net delta D_g in USD.</summary>
    public double[] GroupNetDeltaUsd { get; private set; }

    internal Span<long> PositionIm => _positionIm.AsSpan(0, PositionCount);

    internal Span<long> PositionMm => _positionMm.AsSpan(0, PositionCount);

    internal Span<long> PositionValue => _positionValue.AsSpan(0, PositionCount);

    internal Span<long> IsolatedEquity => _isolatedEquity.AsSpan(0, PositionCount);

    /// <summary>Set by the portfolio calculator when it fills the group figures.</summary>
    internal bool GroupsWritten { get; set; }

    /// <summary>Resets every figure for an evaluation of <paramref name="positionCount"/> positions.</summary>
    internal void Reset(int positionCount, int underlyingCount)
    {
        if (_positionIm.Length < positionCount)
        {
            var n = Math.Max(positionCount, _positionIm.Length * 2);
            _positionIm = new long[n];
            _positionMm = new long[n];
            _positionValue = new long[n];
            _isolatedEquity = new long[n];
        }
        if (GroupPresent.Length < underlyingCount)
        {
            GroupPresent = new bool[underlyingCount];
            GroupScanMicros = new long[underlyingCount];
            GroupShortOptionMinimumMicros = new long[underlyingCount];
            GroupNetDeltaUsd = new double[underlyingCount];
        }
        // Per-position figures are written in full by the evaluator; group figures only in portfolio mode, so they
        // are cleared only when the last evaluation wrote them.
        PositionCount = positionCount;
        if (GroupsWritten)
        {
            Array.Clear(GroupPresent);
            Array.Clear(GroupScanMicros);
            Array.Clear(GroupShortOptionMinimumMicros);
            Array.Clear(GroupNetDeltaUsd);
            GroupsWritten = false;
        }
        CollateralImMicros = CollateralMmMicros = CollateralRawMicros = 0;
        UnrealizedPnlMicros = OptionValueMicros = 0;
        InitialMarginMicros = MaintenanceMarginMicros = 0;
        CreditMicros = 0;
    }
}

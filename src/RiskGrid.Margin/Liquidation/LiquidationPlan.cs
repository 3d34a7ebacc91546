using RiskGrid.Margin.Instruments;

namespace RiskGrid.Margin.Liquidation;

/// <summary>Why a plan closes what it closes (§9).</summary>
public enum LiquidationKind : byte
{
    /// <summary>Healthy: nothing to close.</summary>
    None,

    /// <summary>Below maintenance: the least that restores targetHealth.</summary>
    Partial,

    /// <summary>Health below backstopHealth: every position at once.</summary>
    Backstop,

    /// <summary>Raw equity negative: every position; the deficit goes to the insurance fund, then ADL.</summary>
    Bankrupt,
}

/// <summary>
/// One close of a liquidation plan: <see cref="ReduceLots"/> lots (positive) of the position at
/// <see cref="PositionIndex"/>, executed at <see cref="Price"/> = m × (1 − sign(q) × slippage). The fee (rounded up,
/// capped by the raw equity left) goes to the insurance fund. <see cref="UsdChangeMicros"/> is what the close adds
/// to the USD balance before the fee: for a linear position the realised PnL (the uPnL of the closed part less the
/// slippage), for an option the premium received (selling a long) or paid (buying back a short) at the price.
/// </summary>
public readonly record struct PlannedClose(
    int PositionIndex,
    InstrumentId Instrument,
    long ReduceLots,
    double Price,
    long FeeMicros,
    long SlippageMicros,
    long UsdChangeMicros);

/// <summary>A liquidation plan for the cross pool of a sub-account, reused across calls.</summary>
public sealed class LiquidationPlan
{
    private PlannedClose[] _steps = new PlannedClose[8];

    /// <summary>Partial, backstop, bankrupt or none.</summary>
    public LiquidationKind Kind { get; internal set; }

    /// <summary>Number of closes.</summary>
    public int Count { get; private set; }

    /// <summary>The closes, in execution order.</summary>
    public ReadOnlySpan<PlannedClose> Steps => _steps.AsSpan(0, Count);

    /// <summary>Σ fees in micro-dollars.</summary>
    public long TotalFeeMicros { get; private set; }

    /// <summary>Health after the plan (+∞ when nothing is left with a requirement).</summary>
    public double HealthAfter { get; internal set; }

    /// <summary>Empties the plan (a healthy account has nothing to close).</summary>
    public void Reset()
    {
        Count = 0;
        TotalFeeMicros = 0;
        Kind = LiquidationKind.None;
        HealthAfter = double.PositiveInfinity;
    }

    internal void Add(in PlannedClose close)
    {
        if (Count == _steps.Length)
        {
            Array.Resize(ref _steps, _steps.Length * 2);
        }
        _steps[Count++] = close;
        TotalFeeMicros += close.FeeMicros;
    }
}

using RiskGrid.Margin.Instruments;

namespace RiskGrid.Margin.Accounts;

/// <summary>How a sub-account is margined (§2).</summary>
public enum MarginMode : byte
{
    /// <summary>Cross margin with tiered linear requirements and per-leg option margin (§5).</summary>
    Standard,

    /// <summary>Scenario (risk-array) margin per underlying with inter-commodity credits (§6).</summary>
    Portfolio,
}

/// <summary>
/// A position held in a sub-account: a signed size in whole lots, the average entry price (USD per unit; used for
/// linear uPnL), and, for an isolated linear position, the USD collateral that backs it alone (micro-dollars).
/// </summary>
public struct Position
{
    public Position(InstrumentId instrument, long sizeLots, double entryPrice)
    {
        Instrument = instrument;
        SizeLots = sizeLots;
        EntryPrice = entryPrice;
        IsolatedMarginMicros = 0;
        IsIsolated = false;
    }

    /// <summary>The instrument.</summary>
    public InstrumentId Instrument;

    /// <summary>True when the position is margined and liquidated on its own (§2).</summary>
    /// <remarks>Declared next to <see cref="Instrument"/> so the struct packs into 32 bytes (it is held per
    /// position of every resident account).</remarks>
    public bool IsIsolated;

    /// <summary>Signed size in lots (positive long, negative short).</summary>
    public long SizeLots;

    /// <summary>Average entry price in USD per unit (linear positions).</summary>
    public double EntryPrice;

    /// <summary>USD collateral of an isolated position, micro-dollars (outside the pool's balances).</summary>
    public long IsolatedMarginMicros;
}

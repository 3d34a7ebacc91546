namespace RiskGrid.Margin.Parameters;

/// <summary>
/// An index (§2) with its portfolio scenario parameters (§6), its volatility reference (§7) and the contract
/// parameters of the linear instruments (perpetual, futures) and options written on it (§5, §12).
/// All rates and ranges are fractions.
/// </summary>
public sealed record UnderlyingParams(
    string Name,
    double ScanRange,
    double VolShockUp,
    double VolShockDown,
    double ExtremeMultiple,
    double ExtremeCoverage,
    double ShortOptionMinimum,
    double RefVol,
    double MaxVolMultiplier,
    decimal LinearLot,
    TierTable LinearTiers,
    decimal OptionLot,
    double OptionIm,
    double OptionImFloor,
    double OptionMm);

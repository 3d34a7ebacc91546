using RiskGrid.Margin.Instruments;

namespace RiskGrid.Margin.Standard;

/// <summary>
/// Per-position requirements of standard (cross) mode (§5), in USD before rounding. Linear: N × rate_k − cum_k of
/// the tier holding N, times v. Short option (units u, index S, OTM = max(0, K − S) for a call, max(0, S − K) for a
/// put): IM = u × max(optionIm·S − OTM, optionImFloor·S) × v^IM, MM = u × optionMm·S × v^MM. Long options: none.
/// </summary>
public static class StandardMargin
{
    /// <summary>Linear position at notional N (USD): (IM, MM) in USD with multipliers applied.</summary>
    public static void Linear(Instrument instrument, double notionalUsd, double vIm, double vMm, out double imUsd,
        out double mmUsd)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        ref readonly var tier = ref instrument.Tiers!.For(notionalUsd);
        imUsd = (notionalUsd * tier.Imr - tier.CumulativeIm) * vIm;
        mmUsd = (notionalUsd * tier.Mmr - tier.CumulativeMm) * vMm;
    }

    /// <summary>Short option of <paramref name="units"/> (|q|) at index S: (IM, MM) in USD with multipliers applied.</summary>
    public static void ShortOption(Instrument instrument, double units, double index, double vIm, double vMm,
        out double imUsd, out double mmUsd)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        var u = instrument.Underlying;
        var otm = instrument.IsCall ? Math.Max(0, instrument.Strike - index) : Math.Max(0, index - instrument.Strike);
        imUsd = units * Math.Max(u.OptionIm * index - otm, u.OptionImFloor * index) * vIm;
        mmUsd = units * u.OptionMm * index * vMm;
    }
}

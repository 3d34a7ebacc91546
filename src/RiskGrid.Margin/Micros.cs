using System.Runtime.CompilerServices;

namespace RiskGrid.Margin;

/// <summary>
/// Fixed-point money: one micro-dollar (1e-6 USD) per unit of a <see cref="long"/>. MARGIN.md §1: risk arithmetic
/// may run in <see cref="double"/>, but every result is rounded conservatively: requirements (IM, MM, fees,
/// losses) round up, values that help the account (collateral, equity, free collateral) round down.
/// </summary>
public static class Micros
{
    /// <summary>Micro-units per unit (1 USD = 1,000,000 micros).</summary>
    public const long PerUnit = 1_000_000;

    /// <summary>Micro-units per unit as a double, for the arithmetic that produces a rounded result.</summary>
    public const double PerUnitDouble = 1_000_000.0;

    // Products of doubles carry representation noise (1.5 * 2000 may come out a hair above 3000). A result within
    // this relative distance of a whole micro is taken to be that micro, so that exact hand-computed values do not
    // gain or lose one micro to noise; anything further away is rounded in the conservative direction.
    private const double RelativeSnap = 1e-13;
    private const double AbsoluteSnap = 1e-7;

    /// <summary>Rounds a requirement (IM, MM, fee, loss) in USD up to the next micro-dollar.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long RoundRequirementUp(double usd)
    {
        var scaled = usd * PerUnitDouble;
        var nearest = Math.Round(scaled);
        if (Math.Abs(scaled - nearest) <= AbsoluteSnap + Math.Abs(scaled) * RelativeSnap)
        {
            return checked((long)nearest);
        }
        return checked((long)Math.Ceiling(scaled));
    }

    /// <summary>Rounds a value that helps the account (collateral, equity, PnL credit) down to a micro-dollar.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long RoundValueDown(double usd)
    {
        var scaled = usd * PerUnitDouble;
        var nearest = Math.Round(scaled);
        if (Math.Abs(scaled - nearest) <= AbsoluteSnap + Math.Abs(scaled) * RelativeSnap)
        {
            return checked((long)nearest);
        }
        return checked((long)Math.Floor(scaled));
    }

    /// <summary>Micros to USD as a double, for ratios (health) and display only.</summary>
    public static double ToUsd(long micros) => micros / PerUnitDouble;

    /// <summary>Formats micros as an exact decimal string without trailing zeros ("-12.5", "3000").</summary>
    public static string Format(long micros) => FixedPoint.Format(micros, 6);
}

using System.Globalization;

namespace RiskGrid.Margin;

/// <summary>
/// Exact decimal ↔ scaled <see cref="long"/> conversion for balances (asset units at an asset's decimals) and
/// sizes (whole lots). No binary floating point touches a balance.
/// </summary>
public static class FixedPoint
{
    private static readonly long[] Pow10 = BuildPow10();

    private static long[] BuildPow10()
    {
        var p = new long[19];
        p[0] = 1;
        for (var i = 1; i < p.Length; i++)
        {
            p[i] = p[i - 1] * 10;
        }
        return p;
    }

    /// <summary>10^decimals as a long (decimals 0..18).</summary>
    public static long Scale(int decimals) => Pow10[decimals];

    /// <summary>
    /// Converts an exact decimal to units of 10^-decimals. Fails (returns false) when the value has more
    /// decimals than allowed or does not fit.
    /// </summary>
    public static bool TryToUnits(decimal value, int decimals, out long units)
    {
        units = 0;
        decimal scaled;
        try
        {
            scaled = value * Pow10[decimals];
        }
        catch (OverflowException)
        {
            return false;
        }
        if (scaled != decimal.Truncate(scaled) || scaled > long.MaxValue || scaled < long.MinValue)
        {
            return false;
        }
        units = (long)scaled;
        return true;
    }

    /// <summary>Parses an invariant decimal string ("0.5", "-12", "1e3" is refused) into units of 10^-decimals.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, int decimals, out long units)
    {
        units = 0;
        return decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint,
                   CultureInfo.InvariantCulture, out var value)
               && TryToUnits(value, decimals, out units);
    }

    /// <summary>Units of 10^-decimals as an exact decimal.</summary>
    public static decimal ToDecimal(long units, int decimals) => units / (decimal)Pow10[decimals];

    /// <summary>Formats units of 10^-decimals as an exact invariant decimal string without trailing zeros.</summary>
    public static string Format(long units, int decimals)
    {
        var d = ToDecimal(units, decimals);
        return d.ToString("0.##################", CultureInfo.InvariantCulture);
    }
}

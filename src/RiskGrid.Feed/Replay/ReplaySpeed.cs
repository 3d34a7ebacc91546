using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace RiskGrid.Feed.Replay;

/// <summary>How fast a replay runs against the data's own clock: a factor (<c>10x</c> = ten data seconds per wall
/// second) or <see cref="Max"/> (no waiting at all).</summary>
public readonly record struct ReplaySpeed
{
    private ReplaySpeed(double factor) => Factor = factor;

    /// <summary>Data time per wall time; +∞ for <see cref="Max"/>.</summary>
    public double Factor { get; }

    /// <summary>True for <see cref="Max"/>.</summary>
    public bool IsMax => double.IsPositiveInfinity(Factor);

    /// <summary>As fast as the publisher goes.</summary>
    public static ReplaySpeed Max { get; } = new(double.PositiveInfinity);

    /// <summary>The original spacing (1x).</summary>
    public static ReplaySpeed RealTime { get; } = new(1);

    /// <summary>A finite factor &gt; 0 (0.5 = half speed).</summary>
    public static ReplaySpeed Times(double factor)
    {
        if (!double.IsFinite(factor) || factor <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(factor), factor, "speed must be a finite factor > 0");
        }

        return new ReplaySpeed(factor);
    }

    /// <summary>Reads <c>max</c>, <c>10x</c>, <c>10</c> or <c>0.5x</c>; throws <see cref="FormatException"/> naming
    /// the text.</summary>
    public static ReplaySpeed Parse(string text) =>
        TryParse(text, out var speed)
            ? speed
            : throw new FormatException($"--speed '{text}': expected max or a factor > 0 such as 10x");

    /// <summary>Reads <c>max</c>, <c>10x</c>, <c>10</c> or <c>0.5x</c>.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out ReplaySpeed speed)
    {
        speed = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var span = text.AsSpan().Trim();
        if (span.Equals("max", StringComparison.OrdinalIgnoreCase))
        {
            speed = Max;
            return true;
        }

        if (span.EndsWith("x", StringComparison.OrdinalIgnoreCase))
        {
            span = span[..^1];
        }

        if (!double.TryParse(span, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var factor)
            || !double.IsFinite(factor) || factor <= 0)
        {
            return false;
        }

        speed = new ReplaySpeed(factor);
        return true;
    }

    /// <summary><c>max</c> or the factor followed by <c>x</c>.</summary>
    public override string ToString() =>
        IsMax ? "max" : Factor.ToString("0.###", CultureInfo.InvariantCulture) + "x";
}

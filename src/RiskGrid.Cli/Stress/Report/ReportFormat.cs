using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Unicode;

namespace RiskGrid.Cli.Stress.Report;

/// <summary>
/// How the report spells figures: invariant culture, thousands separators, USD from micros without going through
/// double, UTC times, and every text from the data HTML-encoded.
/// </summary>
internal static class ReportFormat
{
    private const decimal MicrosPerUsd = 1_000_000m;

    // Non-ASCII letters stay readable in the file; markup characters are always encoded.
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Text(string? text) => text is null ? string.Empty : Encoder.Encode(text);

    public static string Count(long count) => count.ToString("N0", Invariant);

    /// <summary>USD with cents, from USD micros (exact: decimal).</summary>
    public static string Usd(long micros) => (micros / MicrosPerUsd).ToString("N2", Invariant);

    public static string UsdWithUnit(long micros) => Usd(micros) + " USD";

    /// <summary>Whole USD (rounded half away from zero), from USD micros.</summary>
    public static string UsdWhole(long micros) =>
        Math.Round(micros / MicrosPerUsd, MidpointRounding.AwayFromZero).ToString("N0", Invariant);

    /// <summary>A seed as typed on the command line: no separators.</summary>
    public static string Seed(long seed) => seed.ToString(Invariant);

    /// <summary>Milliseconds with a precision that suits their size (0.25, 12.5, 1,250).</summary>
    public static string Ms(double ms) => Scaled(ms);

    /// <summary>Microseconds, from milliseconds.</summary>
    public static string Us(double ms) => Scaled(ms * 1000.0);

    public static string Price(double price) => Math.Abs(price) >= 100
        ? price.ToString("N2", Invariant)
        : price.ToString("N4", Invariant);

    public static string Fixed(double value, int decimals) =>
        value.ToString("N" + decimals.ToString(Invariant), Invariant);

    public static string Percent(long part, long whole) => whole == 0
        ? "–"
        : (100.0 * part / whole).ToString("N1", Invariant) + " %";

    public static string Utc(DateTimeOffset time) =>
        time.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", Invariant);

    public static string UtcMs(long unixMs) => Utc(DateTimeOffset.FromUnixTimeMilliseconds(unixMs));

    /// <summary>A duration in seconds as <c>1 h 02 min 05 s</c>, <c>3 min 20 s</c> or <c>12.5 s</c>.</summary>
    public static string Duration(double seconds)
    {
        if (!double.IsFinite(seconds))
        {
            return "–";
        }

        if (seconds < 60)
        {
            return seconds.ToString("0.#", Invariant) + " s";
        }

        var whole = (long)Math.Round(seconds);
        var hours = whole / 3600;
        var minutes = whole / 60 % 60;
        var rest = whole % 60;
        return hours > 0
            ? string.Create(Invariant, $"{hours} h {minutes:00} min {rest:00} s")
            : string.Create(Invariant, $"{minutes} min {rest:00} s");
    }

    /// <summary>A bucket width in milliseconds as <c>250 ms</c>, <c>10 s</c> or <c>1 min</c>.</summary>
    public static string Interval(long ms) => ms switch
    {
        < 1000 => ms.ToString(Invariant) + " ms",
        _ when ms % 60_000 == 0 => (ms / 60_000).ToString(Invariant) + " min",
        _ => (ms / 1000.0).ToString("0.###", Invariant) + " s",
    };

    private static string Scaled(double value)
    {
        if (!double.IsFinite(value))
        {
            return "–";
        }

        var abs = Math.Abs(value);
        var format = abs >= 100 ? "N0" : abs >= 10 ? "N1" : "N2";
        return value.ToString(format, Invariant);
    }
}

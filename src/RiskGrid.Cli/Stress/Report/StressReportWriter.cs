using System.Text.Json;

namespace RiskGrid.Cli.Stress.Report;

/// <summary>
/// Writes a stress report as JSON (for tools and later comparison) and as one self-contained HTML page for a risk
/// officer: inline CSS, charts as inline SVG, no script, font or network reference. The same data always gives the
/// same bytes: nothing of the moment of writing enters the page.
/// </summary>
internal static class StressReportWriter
{
    public static void WriteJson(StressReportData report, Stream output)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(output);
        JsonSerializer.Serialize(output, report, StressReportJsonContext.Default.StressReportData);
    }

    /// <summary>Reads a report written by <see cref="WriteJson"/>; a malformed file throws <see cref="JsonException"/>.
    /// </summary>
    public static StressReportData ReadJson(Stream input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return JsonSerializer.Deserialize(input, StressReportJsonContext.Default.StressReportData)
               ?? throw new JsonException("the stress report is null");
    }

    /// <summary>Writes the HTML page (UTF-8 is expected of the writer; the page declares it).</summary>
    public static void WriteHtml(StressReportData report, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(output);
        new StressReportHtml(report, output).Write();
    }
}

using System.Globalization;
using System.Text.RegularExpressions;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace RiskGrid.Cli.Stress.Report;

/// <summary>
/// The report's charts, drawn by ScottPlot 5 and returned as inline SVG elements. Every chart is rendered at a
/// fixed size and its element ids are renamed after the chart, so the same data gives the same bytes however many
/// charts the process drew before (Skia numbers clip paths with a process-wide counter).
/// </summary>
internal static partial class StressReportCharts
{
    public const int Width = 960;
    public const int Height = 380;

    private const double MsPerDay = 86_400_000.0;
    private const string FontFamily = "DejaVu Sans";
    private const string FontFallback = ", Verdana, Arial, sans-serif";

    // Room for "27,000,000" and a label on the left, for the legend on the right.
    private static readonly PixelPadding TimePlotPadding = new(left: 100, right: 220, bottom: 55, top: 12);

    private static readonly Color IndexColor = Color.FromHex("#111111");
    private static readonly Color FundColor = Color.FromHex("#2c7a4b");
    private static readonly Color HealthBeforeColor = Color.FromHex("#9e9e9e");
    private static readonly Color HealthAfterColor = Color.FromHex("#1f77b4");

    private static readonly Color[] SourceColors =
    [
        Color.FromHex("#1f77b4"), Color.FromHex("#ff7f0e"), Color.FromHex("#2ca02c"), Color.FromHex("#d62728"),
        Color.FromHex("#9467bd"), Color.FromHex("#8c564b"), Color.FromHex("#e377c2"), Color.FromHex("#17becf"),
    ];

    /// <summary>The kinds of liquidation step, bottom to top in the stacked bars.</summary>
    public static readonly IReadOnlyList<(string Name, Color Color, string Meaning)> LiquidationKinds =
    [
        ("partial", Color.FromHex("#f2b134"), "reduced until health is back at the target"),
        ("backstop", Color.FromHex("#e8702a"), "whole cross pool closed, health below the backstop"),
        ("bankrupt", Color.FromHex("#b3001b"), "backstop of a bankrupt account (equity below zero)"),
        ("ADL", Color.FromHex("#6a3d9a"), "profitable counterparty reduced by auto-deleveraging"),
    ];

    /// <summary>
    /// The index of one underlying (thick, dark) over the price of each source; null when nothing was recorded.
    /// Every time chart spans <paramref name="window"/> (the market window) with the same plot area, so the charts
    /// line up one under the other.
    /// </summary>
    public static string? Prices(UnderlyingPrices prices, TimeWindow window, string id)
    {
        ArgumentNullException.ThrowIfNull(prices);
        if (prices.Index.Count == 0 && prices.Sources.All(s => s.Points.Count == 0))
        {
            return null;
        }

        using var plot = NewPlot();
        for (var i = 0; i < prices.Sources.Count; i++)
        {
            var source = prices.Sources[i];
            AddPriceLine(plot, source.Points, source.Source, SourceColors[i % SourceColors.Length], 1.2f);
        }

        AddPriceLine(plot, prices.Index, "index", IndexColor, 2.5f);
        TimeAxis(plot, window);
        plot.YLabel("price (USD)");
        return InlineSvg(plot, id, $"{prices.Underlying}: index and source prices");
    }

    /// <summary>Liquidation steps per bucket, stacked by kind; null when there are no buckets.</summary>
    public static string? Liquidations(LiquidationTimeline timeline, TimeWindow window, string id)
    {
        ArgumentNullException.ThrowIfNull(timeline);
        if (timeline.Buckets.Count == 0 || timeline.BucketMs <= 0)
        {
            return null;
        }

        using var plot = NewPlot();
        var kinds = new List<Bar>[LiquidationKinds.Count];
        for (var k = 0; k < kinds.Length; k++)
        {
            kinds[k] = [];
        }

        var width = timeline.BucketMs / MsPerDay * 0.85;
        foreach (var bucket in timeline.Buckets)
        {
            var position = ToOADate(bucket.StartMs + (timeline.BucketMs / 2));
            long[] counts = [bucket.PartialCount, bucket.BackstopCount, bucket.BankruptCount, bucket.AdlCount];
            double stacked = 0;
            for (var k = 0; k < counts.Length; k++)
            {
                if (counts[k] <= 0)
                {
                    continue;
                }

                kinds[k].Add(new Bar
                {
                    Position = position, ValueBase = stacked, Value = stacked + counts[k], Size = width,
                    FillColor = LiquidationKinds[k].Color, LineWidth = 0,
                });
                stacked += counts[k];
            }
        }

        for (var k = 0; k < kinds.Length; k++)
        {
            var bars = plot.Add.Bars(kinds[k]);
            bars.LegendText = LiquidationKinds[k].Name;
            bars.Color = LiquidationKinds[k].Color;
        }

        plot.Axes.Margins(bottom: 0);
        TimeAxis(plot, window);
        plot.YLabel("steps per " + ReportFormat.Interval(timeline.BucketMs));
        return InlineSvg(plot, id, "liquidation steps over time, by kind");
    }

    /// <summary>The insurance fund's balance in USD; null when the series is empty.</summary>
    public static string? Fund(InsuranceFundReport fund, TimeWindow window, string id)
    {
        ArgumentNullException.ThrowIfNull(fund);
        if (fund.Balance.Count == 0)
        {
            return null;
        }

        using var plot = NewPlot();
        var xs = new double[fund.Balance.Count];
        var ys = new double[fund.Balance.Count];
        for (var i = 0; i < xs.Length; i++)
        {
            xs[i] = ToOADate(fund.Balance[i].TimeMs);
            // Display only: the figures in the tables are exact.
            ys[i] = fund.Balance[i].BalanceMicros / 1_000_000.0;
        }

        var line = plot.Add.ScatterLine(xs, ys, FundColor);
        line.LineWidth = 2f;
        line.ConnectStyle = ConnectStyle.StepHorizontal;
        line.LegendText = "balance";
        TimeAxis(plot, window);
        plot.YLabel("insurance fund (USD)");
        return InlineSvg(plot, id, "insurance fund balance over time");
    }

    /// <summary>Accounts per health bucket before and after the replay, side by side; null without buckets.</summary>
    public static string? Health(HealthComparison health, string id)
    {
        ArgumentNullException.ThrowIfNull(health);
        if (health.Buckets.Count == 0)
        {
            return null;
        }

        using var plot = NewPlot();
        var before = new List<Bar>();
        var after = new List<Bar>();
        var ticks = new NumericManual();
        for (var i = 0; i < health.Buckets.Count; i++)
        {
            var bucket = health.Buckets[i];
            before.Add(CountBar(i * 3, bucket.AccountsBefore, HealthBeforeColor));
            after.Add(CountBar((i * 3) + 1, bucket.AccountsAfter, HealthAfterColor));
            ticks.AddMajor((i * 3) + 0.5, bucket.Label);
        }

        var beforeBars = plot.Add.Bars(before);
        beforeBars.LegendText = "before";
        beforeBars.Color = HealthBeforeColor;
        var afterBars = plot.Add.Bars(after);
        afterBars.LegendText = "after";
        afterBars.Color = HealthAfterColor;

        plot.Axes.Bottom.TickGenerator = ticks;
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        plot.Grid.XAxisStyle.MajorLineStyle.Width = 0;
        plot.XLabel("health = E_MM / MM");
        plot.YLabel("accounts");
        plot.Axes.Margins(bottom: 0, top: 0.12);
        plot.ShowLegend(Edge.Right);
        return InlineSvg(plot, id, "accounts by health before and after the replay");
    }

    /// <summary>
    /// The plot as an SVG element for an HTML page: no XML declaration, ids prefixed with <paramref name="id"/> and
    /// numbered in order, a viewBox so CSS can scale it, an accessible label, and a font fallback for readers
    /// without DejaVu.
    /// </summary>
    internal static string InlineSvg(Plot plot, string id, string label)
    {
        var svg = plot.GetSvgXml(Width, Height);
        var start = svg.IndexOf("<svg", StringComparison.Ordinal);
        if (start < 0)
        {
            throw new InvalidOperationException("ScottPlot returned no <svg> element");
        }

        svg = svg[start..].TrimEnd();
        var renamed = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Match match in IdAttribute().Matches(svg))
        {
            renamed.TryAdd(match.Groups["id"].Value,
                id + "-" + (renamed.Count + 1).ToString(CultureInfo.InvariantCulture));
        }

        svg = IdReference().Replace(svg, match =>
            renamed.TryGetValue(match.Groups["id"].Value, out var name)
                ? match.Groups["lead"].Value + name
                : match.Value);
        svg = FontFamilyAttribute().Replace(svg, match =>
            "font-family=\"" + match.Groups["family"].Value + FontFallback + "\"");

        var viewBox = string.Create(CultureInfo.InvariantCulture, $"0 0 {Width} {Height}");
        return "<svg id=\"" + id + "\" class=\"plot\" viewBox=\"" + viewBox + "\" role=\"img\" aria-label=\""
            + ReportFormat.Text(label) + "\" " + svg["<svg ".Length..];
    }

    private static Plot NewPlot()
    {
        var plot = new Plot();
        plot.Font.Set(FontFamily);
        plot.Legend.FontSize = 12;
        return plot;
    }

    private static Bar CountBar(double position, long count, Color color) => new()
    {
        Position = position,
        Value = count,
        Size = 0.95,
        FillColor = color,
        LineWidth = 0,
        Label = ReportFormat.Count(count),
    };

    private static void AddPriceLine(Plot plot, IReadOnlyList<PricePoint> points, string name, Color color,
        float width)
    {
        if (points.Count == 0)
        {
            return;
        }

        var xs = new double[points.Count];
        var ys = new double[points.Count];
        for (var i = 0; i < xs.Length; i++)
        {
            xs[i] = ToOADate(points[i].TimeMs);
            ys[i] = points[i].Price;
        }

        var line = plot.Add.ScatterLine(xs, ys, color);
        line.LineWidth = width;
        line.LegendText = name;
    }

    /// <summary>
    /// A UTC time axis over the window, with labels that suit its span (seconds for a short window, dates for a long
    /// one), a fixed plot area and the legend to the right of it.
    /// </summary>
    private static void TimeAxis(Plot plot, TimeWindow window)
    {
        var (fromMs, toMs) = window;
        var span = TimeSpan.FromMilliseconds(toMs - fromMs);
        var format = span <= TimeSpan.FromMinutes(15) ? "HH:mm:ss"
            : span <= TimeSpan.FromDays(2) ? "HH:mm"
            : "MM-dd HH:mm";
        var axis = plot.Axes.DateTimeTicksBottom();
        if (axis.TickGenerator is DateTimeAutomatic automatic)
        {
            automatic.LabelFormatter = time => time.ToString(format, CultureInfo.InvariantCulture);
        }

        plot.Axes.SetLimitsX(ToOADate(fromMs), ToOADate(toMs));
        var from = DateTimeOffset.FromUnixTimeMilliseconds(fromMs);
        plot.XLabel("time (UTC) from " + from.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
        plot.ShowLegend(Edge.Right);
        plot.Layout.Fixed(TimePlotPadding);
    }

    private static double ToOADate(long unixMs) => DateTime.UnixEpoch.AddMilliseconds(unixMs).ToOADate();

    [GeneratedRegex(@"\bid=""(?<id>[^""]+)""", RegexOptions.CultureInvariant)]
    private static partial Regex IdAttribute();

    [GeneratedRegex(@"(?<lead>\bid=""|url\(#|href=""#)(?<id>[^"")]+)", RegexOptions.CultureInvariant)]
    private static partial Regex IdReference();

    [GeneratedRegex(@"font-family=""(?<family>[^""]*)""", RegexOptions.CultureInvariant)]
    private static partial Regex FontFamilyAttribute();
}

/// <summary>The span of market time a chart shows, in Unix epoch milliseconds (UTC); <c>ToMs</c> &gt; <c>FromMs</c>.
/// </summary>
internal readonly record struct TimeWindow(long FromMs, long ToMs)
{
    /// <summary>
    /// The run's market window, widened to take in every point of the report (a lab that records a little before or
    /// after the window); at least one second wide.
    /// </summary>
    public static TimeWindow Of(StressReportData report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var from = report.Run.MarketFrom.ToUnixTimeMilliseconds();
        var to = report.Run.MarketTo.ToUnixTimeMilliseconds();
        foreach (var underlying in report.Underlyings)
        {
            Extend(underlying.Index, ref from, ref to);
            foreach (var source in underlying.Sources)
            {
                Extend(source.Points, ref from, ref to);
            }
        }

        var timeline = report.Liquidations;
        if (timeline.Buckets.Count > 0)
        {
            from = Math.Min(from, timeline.Buckets[0].StartMs);
            to = Math.Max(to, timeline.Buckets[^1].StartMs + timeline.BucketMs);
        }

        foreach (var point in report.InsuranceFund.Balance)
        {
            from = Math.Min(from, point.TimeMs);
            to = Math.Max(to, point.TimeMs);
        }

        return new TimeWindow(from, Math.Max(to, from + 1000));
    }

    private static void Extend(IReadOnlyList<PricePoint> points, ref long from, ref long to)
    {
        foreach (var point in points)
        {
            from = Math.Min(from, point.TimeMs);
            to = Math.Max(to, point.TimeMs);
        }
    }
}

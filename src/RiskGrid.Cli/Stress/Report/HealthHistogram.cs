using System.Globalization;

namespace RiskGrid.Cli.Stress.Report;

/// <summary>
/// Counts account health (E_MM / MM, §9) before and after a replay into buckets bounded by ascending edges; null
/// health (MM = 0) counts as "no requirement". The standard edges are the backstop (2/3), maintenance (1), the
/// liquidation target (1.1) and 1.5, 2 and 5.
/// </summary>
internal sealed class HealthHistogram
{
    /// <summary>Edges of the standard buckets: &lt; 0.67, 0.67–1, 1–1.1, 1.1–1.5, 1.5–2, 2–5, ≥ 5.
    /// </summary>
    public static readonly IReadOnlyList<double> StandardEdges = [2.0 / 3.0, 1.0, 1.1, 1.5, 2.0, 5.0];

    private readonly double[] _edges;
    private readonly long[] _before;
    private readonly long[] _after;

    public HealthHistogram()
        : this(StandardEdges)
    {
    }

    public HealthHistogram(IReadOnlyList<double> edges)
    {
        ArgumentNullException.ThrowIfNull(edges);
        if (edges.Count == 0)
        {
            throw new ArgumentException("at least one edge is needed", nameof(edges));
        }

        for (var i = 0; i < edges.Count; i++)
        {
            if (!double.IsFinite(edges[i]) || (i > 0 && edges[i] <= edges[i - 1]))
            {
                throw new ArgumentException($"edges[{i}] = {edges[i]}: edges must be finite and ascending",
                    nameof(edges));
            }
        }

        _edges = [.. edges];
        // One bucket below the first edge, one between each pair, one above the last, one for no requirement.
        _before = new long[_edges.Length + 2];
        _after = new long[_edges.Length + 2];
    }

    /// <summary>Counts an account's health at the start of the replay (null: no requirement).</summary>
    public void AddBefore(double? health) => _before[IndexOf(health)]++;

    /// <summary>Counts an account's health at the end of the replay (null: no requirement).</summary>
    public void AddAfter(double? health) => _after[IndexOf(health)]++;

    public HealthComparison ToComparison()
    {
        var buckets = new HealthBucket[_before.Length];
        for (var i = 0; i <= _edges.Length; i++)
        {
            double? from = i == 0 ? null : _edges[i - 1];
            double? to = i == _edges.Length ? null : _edges[i];
            buckets[i] = new HealthBucket(Label(from, to), from, to, NoRequirement: false, _before[i], _after[i]);
        }

        var none = _edges.Length + 1;
        buckets[none] = new HealthBucket("no requirement", null, null, NoRequirement: true, _before[none],
            _after[none]);
        return new HealthComparison(buckets);
    }

    private int IndexOf(double? health)
    {
        if (health is not { } h)
        {
            return _edges.Length + 1;
        }

        if (double.IsNaN(h))
        {
            throw new ArgumentException("health is NaN", nameof(health));
        }

        var index = 0;
        while (index < _edges.Length && h >= _edges[index])
        {
            index++;
        }

        return index;
    }

    private static string Label(double? from, double? to) => (from, to) switch
    {
        (null, { } t) => "< " + Edge(t),
        ({ } f, null) => "≥ " + Edge(f),
        ({ } f, { } t) => Edge(f) + "–" + Edge(t),
        _ => "all",
    };

    private static string Edge(double edge) => edge.ToString("0.##", CultureInfo.InvariantCulture);
}

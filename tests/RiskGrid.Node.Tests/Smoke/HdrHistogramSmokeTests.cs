using System.Globalization;
using HdrHistogram;

namespace RiskGrid.Node.Tests.Smoke;

/// <summary>
/// HdrHistogram 2.5.0 as the load harnesses use it: coordinated-omission-corrected recording and percentile
/// output to a <see cref="TextWriter"/>. It also pins down the behaviour that forces a clamp on our side:
/// a value above the histogram's highest trackable value throws instead of saturating.
/// </summary>
public sealed class HdrHistogramSmokeTests
{
    [Fact]
    public void ExpectedIntervalBackfillsTheSamplesAStalledLoopMissed()
    {
        var histogram = new LongHistogram(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3);

        // 1000 requests expected every 100 µs: 999 answered in 50 µs, one stalled for 10 000 µs. A stall of
        // 10 000 µs hides 99 requests that would have waited 9 900, 9 800, ..., 100 µs: they are added back.
        for (var i = 0; i < 999; i++)
        {
            histogram.RecordValueWithExpectedInterval(50, expectedIntervalBetweenValueSamples: 100);
        }

        histogram.RecordValueWithExpectedInterval(10_000, expectedIntervalBetweenValueSamples: 100);

        Assert.Equal(1_000 + 99, histogram.TotalCount);
        // Uncorrected, p99 would be 50 µs; corrected, 1% of 1 099 samples (11) lie above it: 9 000 µs and up.
        Assert.InRange(histogram.GetValueAtPercentile(99), 8_900, 9_000);
        Assert.InRange(histogram.GetMaxValue(), 10_000, 10_010);
    }

    [Fact]
    public void PercentileDistributionWrittenToATextWriterContainsThe99thPercentile()
    {
        var histogram = new LongHistogram(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3);
        for (long micros = 1; micros <= 1_000; micros++)
        {
            histogram.RecordValueWithExpectedInterval(micros, expectedIntervalBetweenValueSamples: 1_000);
        }

        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        histogram.OutputPercentileDistribution(writer: writer, outputValueUnitScalingRatio: 1.0);
        var text = writer.ToString();

        // Rows are "Value Percentile TotalCount 1/(1-Percentile)". Reporting ticks are binary fractions
        // (..., 0.9890625, 0.990625, ...), so no row sits at exactly 0.99: the two rows around it bracket p99 = 990 µs.
        var rows = text.Split('\n')
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(cells => cells.Length == 4 && double.TryParse(cells[1], CultureInfo.InvariantCulture, out _))
            .Select(cells => (Value: double.Parse(cells[0], CultureInfo.InvariantCulture),
                Percentile: double.Parse(cells[1], CultureInfo.InvariantCulture)))
            .ToList();
        var below = rows.Last(row => row.Percentile <= 0.99);
        var above = rows.First(row => row.Percentile >= 0.99);
        var p99 = histogram.GetValueAtPercentile(99);

        Assert.Equal(990, p99);
        Assert.InRange(p99, below.Value, above.Value);
        Assert.True(above.Percentile - below.Percentile < 0.002, $"rows {below} and {above} are too far apart");
        Assert.Contains("#[Mean", text, StringComparison.Ordinal);
        Assert.Contains("#[Max", text, StringComparison.Ordinal);
    }

    [Fact]
    public void RecordingAboveTheHighestTrackableValueThrowsSoCallersMustClamp()
    {
        var histogram = new LongHistogram(highestTrackableValue: 1_000_000, numberOfSignificantValueDigits: 3);

        // The bound is rounded up to the bucket holding it, so "above" is tested well past it. Harnesses clamp:
        // histogram.RecordValueWithExpectedInterval(Math.Min(value, histogram.HighestTrackableValue), interval).
        Assert.ThrowsAny<IndexOutOfRangeException>(
            () => histogram.RecordValueWithExpectedInterval(1_000_000_000, expectedIntervalBetweenValueSamples: 100));

        histogram.RecordValueWithExpectedInterval(Math.Min(1_000_000_000, histogram.HighestTrackableValue), 0);
        Assert.Equal(1, histogram.TotalCount);
    }
}

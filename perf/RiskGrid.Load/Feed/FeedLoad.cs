using System.Diagnostics;
using System.Globalization;
using HdrHistogram;
using RiskGrid.Feed.Transport;
using RiskGrid.Margin.Instruments;
using RiskGrid.Margin.Parameters;
using RiskGrid.Node.Prices;
using RiskGrid.Node.Time;

namespace RiskGrid.Load.Feed;

/// <summary>What the feed harnesses share: a monotonic nanosecond clock, the node under test, endpoints, output.</summary>
internal static class FeedLoad
{
    private static readonly double NsPerTick = 1_000_000_000.0 / Stopwatch.Frequency;
    private static int _pooled;

    /// <summary>Monotonic nanoseconds (Stopwatch), for send stamps and latencies within one process.</summary>
    public static long NowNs() => (long)(Stopwatch.GetTimestamp() * NsPerTick);

    /// <summary>NetMQ message buffers from a pool, as a node runs (once per process).</summary>
    public static void UsePooledBuffers()
    {
        if (Interlocked.Exchange(ref _pooled, 1) == 0)
        {
            NetMqTickTransport.UsePooledBuffers(256L << 20, 64 << 10);
        }
    }

    /// <summary>A node's price view with the shipped risk parameters and feed table sizes.</summary>
    public static PriceView NewView(IGridClock clock)
    {
        var parameters = DefaultRiskParams.Create();
        return new PriceView(parameters, new InstrumentCatalog(parameters), clock, FeedSettings.LoadDefault().Oracle);
    }

    public static string Endpoint(string transport) => transport switch
    {
        "inproc" => "inproc://riskgrid-load-" + Guid.NewGuid().ToString("N"),
        "tcp" => "tcp://127.0.0.1:0",
        _ => throw new ArgumentException($"--transport {transport}: expected inproc or tcp", nameof(transport)),
    };

    public static void WarnIfFewCores(int needed, string why)
    {
        if (Environment.ProcessorCount < needed)
        {
            Console.Error.WriteLine(Invariant(
                $"warning: {Environment.ProcessorCount} cores, this harness wants {needed} ({why}): threads share cores and the figures include that"));
        }
    }

    public static void PrintPercentiles(LongHistogram histogram, string unit)
    {
        double Us(double percentile) => histogram.GetValueAtPercentile(percentile) / 1_000.0;
        Console.WriteLine(Invariant(
            $"  {unit}: p50 {Us(50):0.0}  p90 {Us(90):0.0}  p99 {Us(99):0.0}  p99.9 {Us(99.9):0.0}  p99.99 {Us(99.99):0.0}  max {histogram.GetMaxValue() / 1_000.0:0.0}  (n = {histogram.TotalCount:N0})"));
    }

    public static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>Waits until <paramref name="condition"/> holds or <paramref name="timeout"/> passes.</summary>
    public static bool WaitFor(Func<bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > timeout)
            {
                return false;
            }

            Thread.Sleep(5);
        }

        return true;
    }
}

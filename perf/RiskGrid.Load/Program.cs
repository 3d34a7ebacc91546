using System.CommandLine;
using RiskGrid.Load.Accounts;
using RiskGrid.Load.Feed;
using RiskGrid.Load.Supervision;

namespace RiskGrid.Load;

/// <summary>
/// Entry point of the load harnesses: open-model drivers with HdrHistogram percentiles in µs. One verb per harness,
/// named for topology and measure:
/// <list type="bullet">
/// <item><c>feed-latency</c>: tick published → node price view updated, paced (one node, inproc or tcp).</item>
/// <item><c>replay-throughput</c>: the most ticks per second one node's price view absorbs from the feed.</item>
/// <item><c>risk-load</c>: one node's risk supervisor and liquidation engine over a generated book: steady ticks, a
/// single move, a crash.</item>
/// </list>
/// </summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("RiskGrid load harnesses (run in Release)")
        {
            FeedLatencyHarness.Command(),
            ReplayThroughputHarness.Command(),
            FillLoadHarness.Command(),
            AccountMemoryHarness.Command(),
            AccountRecoveryHarness.Command(),
            RiskLoadHarness.Command(),
        };
        return root.Parse(args).Invoke();
    }
}

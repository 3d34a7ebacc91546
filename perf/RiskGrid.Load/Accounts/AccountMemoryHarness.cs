using System.CommandLine;
using System.Diagnostics;
using RiskGrid.Node.Accounts;

namespace RiskGrid.Load.Accounts;

/// <summary>
/// <c>account-memory</c> — ResidentAccountHeap: one node (SQLite), N accounts each opened with a deposit and given
/// five positions (five fills on five instruments), all resident (passivation pushed out of the way), every
/// underlying priced (so the risk tier holds its evaluated copy, trigger pairs and ADL holders, as on a venue). Reports
/// the managed heap the accounts cost (after a full blocking GC) divided by N: actor, mailbox, persistence bookkeeping,
/// state, the dedupe record of the six commands, and the risk tier's view.
/// </summary>
internal static class AccountMemoryHarness
{
    private static readonly string[] Instruments = ["BTC-PERP", "ETH-PERP", "SOL-PERP", "BTC-20261225", "ETH-20261225"];

    public static Command Command()
    {
        var accounts = new Option<int>("--accounts") { DefaultValueFactory = _ => 100_000 };
        var hold = new Option<int>("--hold-seconds")
        {
            Description = "Keep the accounts resident this long after measuring (attach dotnet-gcdump to see what they hold)",
            DefaultValueFactory = _ => 0,
        };
        var command = new Command("account-memory", "Managed heap per resident account with five positions") { accounts, hold };
        command.SetAction(async (parse, cancel) =>
        {
            var n = parse.GetValue(accounts);
            await using var grid = await GridUnderLoad.StartAsync("sqlite", withApi: false,
                extraHocon: "riskgrid.node.sharding.passivate-idle-after = 1h\n" + GridUnderLoad.ManualPricesHocon);
            // Priced, so the risk tier holds what it holds on a venue (its evaluated copy, trigger pairs, ADL holders).
            using var pricing = grid.StartPricing(1_000);
            // Warm the region and the journal with one account before the baseline.
            await FillLoadHarness.Open(grid, 1);
            var before = Heap();
            var watch = Stopwatch.StartNew();
            await FillLoadHarness.Open(grid, n);
            var now = grid.Node.Clock.NowMs;
            await Parallel.ForEachAsync(Enumerable.Range(0, n), new ParallelOptions { MaxDegreeOfParallelism = 2_000 },
                async (i, ct) =>
                {
                    for (var p = 0; p < Instruments.Length; p++)
                    {
                        var reply = await grid.Accounts.AskAsync(new ApplyFill(FillLoadHarness.AccountId(i), "pos-" + p,
                            "main", Instruments[p], 10, 1_000, 0, now), ct);
                        if (reply is not CommandAccepted)
                        {
                            throw new InvalidOperationException($"fill refused: {reply}");
                        }
                    }
                });
            var after = Heap();
            Console.WriteLine($"account-memory: {n:N0} resident accounts × 5 positions built in {watch.Elapsed.TotalSeconds:F1} s");
            Console.WriteLine($"  managed heap {before / 1048576.0:F1} MB → {after / 1048576.0:F1} MB: " +
                              $"{(after - before) / (double)n:N0} bytes per account (target ≤ 3,072)");
            if (parse.GetValue(hold) is > 0 and var seconds)
            {
                Console.WriteLine($"  holding for {seconds} s: dotnet-gcdump collect -p {Environment.ProcessId}");
                await Task.Delay(TimeSpan.FromSeconds(seconds), cancel);
            }
            return 0;
        });
        return command;
    }

    private static long Heap()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}

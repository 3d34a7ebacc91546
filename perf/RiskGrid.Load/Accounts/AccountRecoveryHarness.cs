using System.CommandLine;
using System.Diagnostics;
using RiskGrid.Node.Accounts;

namespace RiskGrid.Load.Accounts;

/// <summary>
/// <c>account-recovery</c> — NodeRestartOverLargeJournal: writes a journal of accounts × events (a deposit and fills),
/// stops the node, starts a new one over the same journal and measures the time from start to the first answered
/// request, then how long recovering a sample of accounts takes (each from its latest snapshot plus the events after).
/// </summary>
internal static class AccountRecoveryHarness
{
    public static Command Command()
    {
        var journal = new Option<string>("--journal") { DefaultValueFactory = _ => "postgres" };
        journal.AcceptOnlyFromAmong("sqlite", "postgres");
        var accounts = new Option<int>("--accounts") { DefaultValueFactory = _ => 100_000 };
        var events = new Option<int>("--events-per-account") { DefaultValueFactory = _ => 10 };
        var sample = new Option<int>("--sample") { DefaultValueFactory = _ => 10_000 };
        var command = new Command("account-recovery", "A node restarted over a large journal: time to first request")
        {
            journal, accounts, events, sample,
        };
        command.SetAction(async (parse, _) =>
        {
            var j = parse.GetValue(journal)!;
            var n = parse.GetValue(accounts);
            var perAccount = parse.GetValue(events);
            string dataDir;
            string? schema;
            var write = Stopwatch.StartNew();
            await using (var first = await GridUnderLoad.StartAsync(j, withApi: false, keep: true))
            {
                dataDir = first.DataDir;
                schema = first.Schema;
                await FillLoadHarness.Open(first, n);
                var now = first.Node.Clock.NowMs;
                await Parallel.ForEachAsync(Enumerable.Range(0, n), new ParallelOptions { MaxDegreeOfParallelism = 2_000 },
                    async (i, ct) =>
                    {
                        for (var k = 1; k < perAccount; k++)
                        {
                            var reply = await first.Accounts.AskAsync(FillLoadHarness.Fill(i, k, 0, now), ct);
                            if (reply is not CommandAccepted)
                            {
                                throw new InvalidOperationException($"fill refused: {reply}");
                            }
                        }
                    });
            }
            Console.WriteLine($"account-recovery: journal={j}: wrote {(long)n * perAccount:N0} events for {n:N0} accounts " +
                              $"in {write.Elapsed.TotalSeconds:F1} s");

            var restart = Stopwatch.StartNew();
            await using var second = await GridUnderLoad.StartAsync(j, withApi: false, dataDir, schema);
            var ready = restart.Elapsed;
            var view = await second.Accounts.AskAsync(new GetAccount(FillLoadHarness.AccountId(n / 2)), CancellationToken.None);
            var firstAnswer = restart.Elapsed;
            if (view is not AccountView { SequenceNr: var seq } || seq != perAccount)
            {
                throw new InvalidOperationException($"recovered {view}, expected sequence {perAccount}");
            }
            Console.WriteLine($"  restart: ready after {ready.TotalSeconds:F2} s, first request answered after " +
                              $"{firstAnswer.TotalSeconds:F2} s (target ≤ 10 s)");
            var s = Math.Min(parse.GetValue(sample), n);
            var sampleWatch = Stopwatch.StartNew();
            await Parallel.ForEachAsync(Enumerable.Range(0, s), new ParallelOptions { MaxDegreeOfParallelism = 500 },
                async (i, ct) => await second.Accounts.AskAsync(new GetAccount(FillLoadHarness.AccountId(i * (n / s))), ct));
            Console.WriteLine($"  recovered {s:N0} more accounts in {sampleWatch.Elapsed.TotalSeconds:F1} s " +
                              $"({s / sampleWatch.Elapsed.TotalSeconds:N0} accounts/s)");
            return 0;
        });
        return command;
    }
}

using System.Globalization;
using System.Text;
using RiskGrid.Node.Accounts;
using RiskGrid.Node.Books;
using RiskGrid.Node.Supervision;

namespace RiskGrid.Node.Tests.Supervision;

/// <summary>
/// A seeded book through a stepped crash, twice: the same liquidations, fund balance and ADL every run, and money
/// conserved exactly across every account and the insurance fund.
/// </summary>
public sealed class CrashReplayTests
{
    private const int Accounts = 160;

    [Fact]
    public async Task TheSameSeededCrashGivesTheSameLiquidationsFundAndAdlEveryRun()
    {
        var first = await RunAsync(seed: 7);
        var second = await RunAsync(seed: 7);

        Assert.True(first.Reductions > 0, "the crash must liquidate someone: " + first.Digest);
        Assert.Equal(first.Digest, second.Digest);
    }

    [Fact]
    public async Task EvaluationSplitOverThreadsGivesTheSameRunAsOneThread()
    {
        var one = await RunAsync(seed: 7, "riskgrid.supervisor { evaluation-threads = 1 }");
        var four = await RunAsync(seed: 7,
            "riskgrid.supervisor { evaluation-threads = 4, parallel-evaluation-minimum = 2 }");

        Assert.True(one.Reductions > 0, "the crash must liquidate someone: " + one.Digest);
        Assert.Equal(one.Digest, four.Digest);
    }

    [Fact]
    public async Task MoneyIsConservedAcrossEveryAccountAndTheFund()
    {
        var run = await RunAsync(seed: 11);
        Assert.True(run.Reductions > 0);
        Assert.Empty(run.Unbalanced);
        Assert.Equal(run.FeesPaid, run.Fund.InflowsMicros);
        Assert.Equal(run.InsuranceReceived, run.Fund.PayoutsMicros);
        Assert.Equal(run.Fund.OpeningMicros + run.Fund.InflowsMicros - run.Fund.PayoutsMicros, run.Fund.BalanceMicros);
        Assert.Empty(run.Unbalanced);
    }

    private sealed record RunResult(string Digest, int Reductions, long FeesPaid, long InsuranceReceived, FundView Fund,
        IReadOnlyList<string> Unbalanced);

    private static async Task<RunResult> RunAsync(long seed, string settings = "")
    {
        await using var grid = await GridUnderCrash.StartAsync(fundUsd: 2_000, extra: """
            riskgrid.supervisor { stepped = on, parallelism = 4 }

            """ + settings);
        grid.Prices(60_000, 3_000, 150);
        var spec = BookSpec.LoadFile(Path.Combine(RepoRoot(), "config", "books", "default.conf"));
        var generator = new BookGenerator(spec, grid.Node.Catalog, StartMarket.Default(grid.Clock.NowMs));
        var opened = new List<string>();
        foreach (var opening in generator.Generate(seed, 1, Accounts))
        {
            foreach (var command in opening.Commands)
            {
                var reply = await grid.SendAsync(command);
                Assert.True(reply is CommandAccepted, $"{command}: {reply}");
            }
            opened.Add(opening.AccountId);
        }
        await SteppedDriver.SettleAsync(grid.Node.Supervisor, sweep: true, TimeSpan.FromSeconds(60));

        // −1.5 % per 10 s on BTC, −1.8 % on ETH and SOL (inside the wick guard's 10 % per 60 s), 24 steps.
        double btc = 60_000, eth = 3_000, sol = 150;
        for (var step = 0; step < 24; step++)
        {
            grid.Advance(10_000);
            btc *= 0.985;
            eth *= 0.982;
            sol *= 0.982;
            grid.Prices(btc, eth, sol);
            await SteppedDriver.SettleAsync(grid.Node.Supervisor, sweep: step % 6 == 5, TimeSpan.FromSeconds(60));
        }

        var digest = new StringBuilder();
        var reductions = 0;
        long fees = 0, insurance = 0;
        var unbalanced = new List<string>();
        foreach (var id in opened)
        {
            foreach (var entry in await grid.EventsAsync(id))
            {
                switch (entry.Event)
                {
                    case ReductionApplied r:
                        reductions++;
                        fees += r.FeeMicros;
                        digest.Append(CultureInfo.InvariantCulture,
                            $"{id}/{r.SubAccount} {r.CommandId} {r.Plan} {r.Kind} {r.Instrument} {r.SizeLots} {r.Price:R} {r.FeeMicros}\n");
                        break;
                    case InsuranceReceived i:
                        insurance += i.AmountMicros;
                        digest.Append(CultureInfo.InvariantCulture, $"{id}/{i.SubAccount} {i.CommandId} {i.AmountMicros}\n");
                        break;
                }
            }
            var view = await grid.ViewAsync(id);
            var ledgerFees = view.SubAccounts.SelectMany(x => x.Ledger).Where(l => l.Name == "liquidationFees").Sum(l => l.Units);
            var eventFees = (await grid.EventsAsync(id)).Select(x => x.Event).OfType<ReductionApplied>().Sum(r => r.FeeMicros);
            if (ledgerFees != eventFees)
            {
                unbalanced.Add($"{id}: ledger liquidation fees {ledgerFees}, events {eventFees}");
            }
            foreach (var sub in view.SubAccounts)
            {
                if (Imbalance(sub) is { } why)
                {
                    unbalanced.Add($"{id}/{sub.Name}: {why}");
                }
            }
        }
        var fund = await grid.FundAsync();
        var journal = Akka.Persistence.Query.PersistenceQuery.Get(grid.Node.System)
            .ReadJournalFor<Akka.Persistence.Sql.Query.SqlReadJournal>(RiskGrid.Node.Hosting.AkkaConfigBuilder.ReadJournalPluginId);
        var fundEvents = await journal.CurrentEventsByPersistenceId(InsuranceFundEntity.Id, 0, long.MaxValue)
            .RunWith(Akka.Streams.Dsl.Sink.Seq<Akka.Persistence.Query.EventEnvelope>(), Akka.Streams.ActorMaterializer.Create(grid.Node.System));
        foreach (var g in fundEvents.Select(e => e.Event).OfType<FeesSettled>().GroupBy(f => f.AccountId))
        {
            var view = await grid.ViewAsync(g.Key);
            var ledgerFees = view.SubAccounts.SelectMany(x => x.Ledger).Where(l => l.Name == "liquidationFees").Sum(l => l.Units);
            if (g.Sum(f => f.DeltaMicros) != ledgerFees)
            {
                unbalanced.Add($"fund {g.Key}: {string.Join(",", g.Select(f => f.CumulativeMicros + "/" + f.DeltaMicros))} vs ledger {ledgerFees}");
            }
        }
        digest.Append(CultureInfo.InvariantCulture,
            $"fund {fund.BalanceMicros} in {fund.InflowsMicros} out {fund.PayoutsMicros} bad {fund.BadDebtMicros}\n");
        return new RunResult(digest.ToString(), reductions, fees, insurance, fund, unbalanced);
    }

    // balance(USD) + Σ isolated margin = deposits − withdrawals ± transfers − fees − liquidation fees + realised PnL +
    // premium + funding + insurance; other assets: deposits − withdrawals ± transfers.
    private static string? Imbalance(SubAccountView sub)
    {
        foreach (var asset in sub.Balances)
        {
            long L(string name) => sub.Ledger.Where(l => l.Name == name && l.Asset == asset.Asset).Sum(l => l.Units);
            var held = asset.Units;
            var expected = L("deposits") - L("withdrawals") + L("transfersIn") - L("transfersOut");
            if (asset.Asset == "USD")
            {
                held += sub.Positions.Sum(p => p.IsolatedMarginMicros);
                expected += -L("fees") - L("liquidationFees") + L("realisedPnl") + L("premium") + L("funding") +
                            L("insurance");
            }
            if (held != expected)
            {
                return $"{asset.Asset} held {held}, ledger {expected}";
            }
        }
        return null;
    }

    private static string RepoRoot([System.Runtime.CompilerServices.CallerFilePath] string source = "")
    {
        var dir = new DirectoryInfo(Path.GetDirectoryName(source)!);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "RiskGrid.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("RiskGrid.sln not found above the test sources");
    }
}

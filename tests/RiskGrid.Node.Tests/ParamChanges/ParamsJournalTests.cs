using System.Text.Json;
using Akka.Actor;
using RiskGrid.Node.Accounts;
using RiskGrid.Node.Configuration;
using RiskGrid.Node.ParamChanges;
using RiskGrid.Node.Tests.Supervision;

namespace RiskGrid.Node.Tests.ParamChanges;

/// <summary>
/// The parameter journal on a real node (sharding, SQLite): a change is journaled and in effect on the node before
/// the answer, a repeated command id gets its first answer and changes nothing (also after a restart), the same id
/// with another change is a conflict, a bad or structural change persists nothing, and a restarted node runs the
/// journaled parameters rather than its file. The risk tier follows: the supervisor liquidates an account that only
/// the new parameters make liquidatable, and the oracle takes a new staleness at once.
/// </summary>
public sealed class ParamsJournalTests
{
    private const string Tiers = """
        {"underlyings.BTC.linear.tiers": [{"cap":1000000,"imr":0.04,"mmr":0.02},{"imr":0.2,"mmr":0.1}]}
        """;

    [Fact]
    public async Task AChangeIsJournaledInEffectHereAndARepeatGetsTheFirstAnswer()
    {
        await using var grid = await GridUnderCrash.StartAsync();
        var service = grid.Node.RiskParams;
        var before = service.Current;
        Assert.Equal(0, service.Version);

        var first = Assert.IsType<ParamsChangeAccepted>(await ChangeAsync(grid, "p-1",
            """{"liquidation.targetHealth": 1.15, "underlyings.BTC.scanRange": 0.18}"""));
        var again = Assert.IsType<ParamsChangeAccepted>(await ChangeAsync(grid, "p-1",
            """{ "liquidation.targetHealth" : 1.15, "underlyings.BTC.scanRange" : 0.18 }"""));
        var conflict = Assert.IsType<ParamsChangeRejected>(await ChangeAsync(grid, "p-1",
            """{"liquidation.targetHealth": 1.2}"""));

        Assert.Equal(1, first.Version);
        Assert.False(first.Repeated);
        Assert.Equal(["liquidation.targetHealth", "underlyings.BTC.scanRange"], first.Changed);
        Assert.Equal(first with { Repeated = true }, again);
        Assert.Equal(ParamsRejection.Conflict, conflict.Code);
        Assert.Equal("commandId", conflict.Field);
        // In effect on this node when the answer came: catalog, instruments, price view.
        Assert.Equal(1, service.Version);
        Assert.Equal(1.15, grid.Node.Catalog.Params.Liquidation.TargetHealth);
        Assert.Equal(0.18, grid.Node.Catalog.Resolve("BTC-PERP").Underlying.ScanRange);
        Assert.Same(grid.Node.Catalog.Params, grid.Node.Prices.Parameters);
        Assert.Same(grid.Node.Catalog.Params, grid.Node.Prices.Current.Market.Params);
        Assert.Equal(before.Underlyings[1], grid.Node.Catalog.Params.Underlyings[1] with
        {
            LinearTiers = before.Underlyings[1].LinearTiers,
        });
        var journal = await service.ReadJournalAsync(CancellationToken.None);
        Assert.Equal(1, journal.Version);
        Assert.Equal(first.Document, journal.Document);
        Assert.Equal(RiskParamsDocument.ToHocon(grid.Node.Catalog.Params), journal.Document);
    }

    [Theory]
    [InlineData("""{"underlyings.BTC.scanRange": 1.5}""", "underlyings.BTC.scanRange")]
    [InlineData("""{"liquidation.warnHealth": "high"}""", "liquidation.warnHealth")]
    [InlineData("""{"assets.ETH.decimals": 9}""", "assets.ETH.decimals")]
    [InlineData("""{"underlyings.BTC.linear.lot": "0.01"}""", "underlyings.BTC.linear.lot")]
    [InlineData("""{"prices.minSources": 9}""", "prices.minSources")]
    public async Task ABadOrStructuralChangeIsRefusedAndNothingChanges(string set, string field)
    {
        await using var grid = await GridUnderCrash.StartAsync();
        var before = grid.Node.Catalog.Params;

        var rejected = Assert.IsType<ParamsChangeRejected>(await ChangeAsync(grid, "bad-1", set));

        Assert.Equal(ParamsRejection.Malformed, rejected.Code);
        Assert.Equal(field, rejected.Field);
        Assert.Same(before, grid.Node.Catalog.Params);
        Assert.Same(before, grid.Node.Prices.Parameters);
        Assert.Equal(0, grid.Node.RiskParams.Version);
        Assert.Equal(0, (await grid.Node.RiskParams.ReadJournalAsync(CancellationToken.None)).Version);
        // A refused change does not use up its command id.
        Assert.IsType<ParamsChangeAccepted>(await ChangeAsync(grid, "bad-1", """{"liquidation.cooldownMs": 6000}"""));
    }

    [Fact]
    public async Task ARestartedNodeRunsTheJournaledParametersAndRemembersItsCommandIds()
    {
        var directory = Path.Combine(Path.GetTempPath(), "riskgrid-params-" + Guid.NewGuid().ToString("N"));
        try
        {
            ParamsChangeAccepted first;
            await using (var grid = await GridUnderCrash.StartAsync(directory: directory))
            {
                first = Assert.IsType<ParamsChangeAccepted>(await ChangeAsync(grid, "p-restart", Tiers));
                Assert.IsType<ParamsChangeAccepted>(await ChangeAsync(grid, "p-restart-2",
                    """{"liquidation.targetHealth": 1.2}"""));
            }

            await using (var again = await GridUnderCrash.StartAsync(directory: directory))
            {
                // Ready means the journal's version is in effect: the journaled document wins over the file.
                Assert.Equal(2, again.Node.RiskParams.Version);
                Assert.Equal(1.2, again.Node.Catalog.Params.Liquidation.TargetHealth);
                Assert.Equal(0.02, again.Node.Catalog.Resolve("BTC-PERP").Tiers!.Tiers[0].Mmr);
                Assert.Equal(0.01, again.Node.RiskParams.Start.Underlyings[0].LinearTiers.Tiers[0].Mmr);
                var repeat = Assert.IsType<ParamsChangeAccepted>(await ChangeAsync(again, "p-restart", Tiers));
                Assert.Equal(first with { Repeated = true }, repeat);
                Assert.Equal(2, again.Node.RiskParams.Version);
                Assert.IsType<ParamsChangeRejected>(await ChangeAsync(again, "p-restart",
                    """{"liquidation.targetHealth": 1.3}"""));
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task TheSupervisorLiquidatesAnAccountThatOnlyTheNewMaintenanceRateMakesLiquidatable()
    {
        await using var grid = await GridUnderCrash.StartAsync(fundUsd: 1_000);
        grid.Prices(60_000);
        // 1 BTC long (1,000 lots) at 60,000 on 1,000 USD: N = 60,000, MM = 600 (mmr 0.01), health = 1,000 / 600 = 1.67.
        await grid.DepositAsync("lev-1", 1_000);
        await grid.FillAsync("lev-1", "BTC-PERP", 1_000, 60_000);
        await grid.Node.Supervisor.Ask<Node.Supervision.RiskReport>(new Node.Supervision.RunRiskCycle(Sweep: true),
            TimeSpan.FromSeconds(10));
        Assert.Equal(1_000, await grid.PositionLotsAsync("lev-1", "BTC-PERP"));
        Assert.Equal(0, (await grid.ReportAsync()).Liquidatable);

        // mmr 0.02: MM = 1,200 > E_MM = 1,000: health 0.83, below maintenance (above backstop 2/3): partial.
        Assert.IsType<ParamsChangeAccepted>(await ChangeAsync(grid, "mmr-up", Tiers));

        Assert.True(await GridUnderCrash.EventuallyAsync(async () =>
            await grid.PositionLotsAsync("lev-1", "BTC-PERP") < 1_000, 20), "the supervisor never liquidated");
        var events = await grid.EventsAsync("lev-1");
        var reductions = events.Select(e => e.Event).OfType<ReductionApplied>().ToList();
        Assert.Equal(ReductionKind.Liquidation, reductions[0].Kind);
        Assert.True(reductions[0].SizeLots < 0 && reductions[0].SizeLots > -1_000, $"partial: {reductions[0].SizeLots}");
        // Conservation: every liquidation fee the account paid reaches the insurance fund, once.
        var fees = reductions.Sum(r => r.FeeMicros);
        Assert.True(fees > 0);
        Assert.True(await GridUnderCrash.EventuallyAsync(async () => (await grid.FundAsync()).InflowsMicros == fees, 20),
            $"fund inflows {(await grid.FundAsync()).InflowsMicros} != fees {fees}");
    }

    [Fact]
    public async Task TheOracleTakesANewStalenessAtOnceAndKeepsItsIndex()
    {
        await using var grid = await GridUnderCrash.StartAsync();
        grid.Prices(60_000);
        grid.Advance(2_000);
        Assert.True(grid.Node.Prices.Current.Oracle(0).CanLiquidate); // age 2,000 < staleMs 3,000

        Assert.IsType<ParamsChangeAccepted>(await ChangeAsync(grid, "stale-1", """{"prices.staleMs": 1000}"""));

        var oracle = grid.Node.Prices.Current.Oracle(0);
        Assert.True(oracle.IsStale);
        Assert.Equal(60_000, oracle.Index);
        Assert.False(grid.Node.Prices.Current.Market.IsFresh(0));
    }

    private static async Task<IParamsReply> ChangeAsync(GridUnderCrash grid, string commandId, string set)
    {
        using var json = JsonDocument.Parse(set);
        Assert.True(RiskParamsChange.TryNormalize(json.RootElement, out var changes, out var problem), problem?.Message);
        return await grid.Node.RiskParams.ChangeAsync(commandId, changes, CancellationToken.None);
    }
}

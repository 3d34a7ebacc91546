using Akka.Actor;
using RiskGrid.Margin.Liquidation;
using RiskGrid.Node.Accounts;
using RiskGrid.Node.Supervision;

namespace RiskGrid.Node.Tests.Supervision;

/// <summary>
/// The supervisor and the liquidation engine against real entities on a one-node grid: partial liquidation to
/// targetHealth with the fee in the fund, no liquidation on a stale index or inside the wick guard, bankruptcy covered
/// by auto-deleveraging at the bankruptcy price, isolated positions closed without touching the cross pool, and
/// money conserved across the accounts and the fund.
/// </summary>
public sealed class LiquidationEngineTests
{
    private const string Perp = "BTC-PERP";

    [Fact]
    public async Task ABreachIsLiquidatedPartiallyToTargetHealthAndTheFeeReachesTheFund()
    {
        await using var grid = await GridUnderCrash.StartAsync();
        grid.Prices(60_000);
        await grid.DepositAsync("a1", 10_000);
        await grid.FillAsync("a1", Perp, 1_000, 60_000); // long 1 BTC: MM 600, liquidation near 50,505

        grid.Advance(61_000);
        grid.Prices(55_000);
        grid.Advance(61_000);
        grid.Prices(50_450); // health ≈ 0.89: partial

        Assert.True(await GridUnderCrash.EventuallyAsync(async () => await grid.PositionLotsAsync("a1", Perp) < 1_000));
        var events = await grid.EventsAsync("a1");
        var reductions = events.Select(e => e.Event).OfType<ReductionApplied>().ToList();
        Assert.NotEmpty(reductions);
        Assert.All(reductions, r => Assert.Equal(LiquidationKind.Partial, r.Plan));
        Assert.All(reductions, r => Assert.Equal(reductions[0].LiquidationId, r.LiquidationId));
        Assert.True(await grid.PositionLotsAsync("a1", Perp) > 0, "a partial liquidation leaves the rest open");

        var fees = reductions.Sum(r => r.FeeMicros);
        Assert.True(fees > 0);
        Assert.True(await GridUnderCrash.EventuallyAsync(async () => (await grid.FundAsync()).InflowsMicros == fees));
        var report = await grid.ReportAsync();
        Assert.Equal(0, report.Liquidatable);
    }

    [Fact]
    public async Task AwaitIdleIsAnsweredOnceNoLiquidationIsQueuedOrExecuting()
    {
        await using var grid = await GridUnderCrash.StartAsync();
        var supervisor = grid.Node.Supervisor;
        var idle = await supervisor.Ask<RiskProgress>(AwaitIdle.Instance, TimeSpan.FromSeconds(5));
        Assert.Equal(0, idle.InFlight);

        grid.Prices(60_000);
        await grid.DepositAsync("a1", 10_000);
        await grid.FillAsync("a1", Perp, 1_000, 60_000);
        grid.Advance(61_000);
        grid.Prices(55_000);
        grid.Advance(61_000);
        grid.Prices(50_450); // health ≈ 0.89: a partial liquidation
        Assert.True(await GridUnderCrash.EventuallyAsync(async () =>
            (await supervisor.Ask<RiskProgress>(GetRiskProgress.Instance, TimeSpan.FromSeconds(5))).InFlight > 0 ||
            await grid.PositionLotsAsync("a1", Perp) < 1_000));

        var settled = await supervisor.Ask<RiskProgress>(AwaitIdle.Instance, TimeSpan.FromSeconds(15));
        Assert.Equal(0, settled.InFlight);
        Assert.True(await grid.PositionLotsAsync("a1", Perp) < 1_000, "the liquidation finished before the answer");
    }

    [Fact]
    public async Task NothingIsLiquidatedOnAStaleIndexUntilAFreshTickConfirmsTheBreach()
    {
        await using var grid = await GridUnderCrash.StartAsync();
        grid.Prices(60_000);
        await grid.DepositAsync("s1", 10_000);
        grid.Advance(5_000); // staleMs 3000: the index is stale now
        // A fill from the matching engine is always applied; it leaves the account below maintenance.
        await grid.FillAsync("s1", Perp, 18_000, 60_000);

        await Task.Delay(1_500);
        Assert.Equal(18_000, await grid.PositionLotsAsync("s1", Perp));
        var report = await grid.ReportAsync();
        Assert.Equal(1, report.Blocked);

        grid.Prices(60_000); // fresh again at the same level
        Assert.True(await GridUnderCrash.EventuallyAsync(async () => await grid.PositionLotsAsync("s1", Perp) < 18_000));
    }

    [Fact]
    public async Task APositionOnAnUnderlyingNeverPricedWaitsForItsFirstPriceAndIsThenJudgedOnIt()
    {
        await using var grid = await GridUnderCrash.StartAsync();
        await grid.DepositAsync("u1", 10_000);
        await grid.FillAsync("u1", Perp, 1_000, 60_000); // long 1 BTC: liquidation near 50,505

        Assert.True(await GridUnderCrash.EventuallyAsync(async () => (await grid.ReportAsync()).Unpriced == 1));
        var waiting = await grid.ReportAsync();
        Assert.Equal(1, waiting.Tracked);
        Assert.Equal(0, waiting.Liquidatable);
        Assert.Equal(0, waiting.MarginCallsActive);

        grid.Prices(50_000); // the first price: below the liquidation price
        grid.Advance(1_500); // confirmMs: the first level held
        grid.Prices(50_000);
        Assert.True(await GridUnderCrash.EventuallyAsync(async () => await grid.PositionLotsAsync("u1", Perp) < 1_000));
        Assert.Equal(0, (await grid.ReportAsync()).Unpriced);
    }

    [Fact]
    public async Task CandidatesThatFindTheQueueFullWaitForRoomAndAreReportedSoNotAsForgotten()
    {
        await using var grid = await GridUnderCrash.StartAsync(extra: """
            riskgrid.supervisor { queue-capacity = 1, parallelism = 1 }
            """);
        grid.Prices(60_000);
        for (var i = 0; i < 8; i++)
        {
            await grid.DepositAsync("q" + i, 10_000);
            await grid.FillAsync("q" + i, Perp, 1_000, 60_000); // long 1 BTC: liquidation near 50,505
        }
        grid.Advance(61_000);
        grid.Prices(55_000);
        grid.Advance(61_000);
        grid.Prices(50_450); // all eight liquidatable (health ≈ 0.89); one queue slot, one liquidation at a time

        var sawWaiting = false;
        UnattendedReport? last = null;
        Assert.True(await GridUnderCrash.EventuallyAsync(async () =>
        {
            var u = last = await grid.Node.Supervisor.Ask<UnattendedReport>(GetUnattended.Instance, TimeSpan.FromSeconds(5));
            // None is left with nothing scheduled: each is queued or executing, cooling, retried, or waiting for room.
            Assert.Empty(u.Entries);
            Assert.Equal(u.Unattended, u.Cooling + u.RetryPending + u.WaitingForQueue);
            sawWaiting |= u.WaitingForQueue > 0;
            return sawWaiting && u.Liquidatable == 0;
        }, seconds: 30), $"saw waiting {sawWaiting}; last {last}: {string.Join(", ", last?.Entries ?? [])}");
        for (var i = 0; i < 8; i++)
        {
            Assert.True(await grid.PositionLotsAsync("q" + i, Perp) < 1_000, $"q{i} was liquidated");
        }
        // Each wait for room ended when its sub-account got in: recorded for the metric.
        Assert.True(grid.Node.RiskMetrics.OutsideQueue.Copy().TotalCount >= 6);
    }

    [Fact]
    public async Task AJumpInsideTheWickGuardWaitsForTheNewLevelToHold()
    {
        await using var grid = await GridUnderCrash.StartAsync();
        grid.Prices(60_000);
        await grid.DepositAsync("w1", 10_000);
        await grid.FillAsync("w1", Perp, 1_000, 60_000);

        grid.Advance(1_000);
        grid.Prices(50_000); // −16.7 % in a second: wick guard
        await Task.Delay(1_500);
        Assert.Equal(1_000, await grid.PositionLotsAsync("w1", Perp));

        grid.Advance(1_500); // confirmMs 1000: the level held
        grid.Prices(50_000);
        Assert.True(await GridUnderCrash.EventuallyAsync(async () => await grid.PositionLotsAsync("w1", Perp) < 1_000));
    }

    [Fact]
    public async Task ABankruptcyTheFundCannotCoverIsDeleveragedAgainstTheBestRankedOppositePosition()
    {
        await using var grid = await GridUnderCrash.StartAsync(fundUsd: 0);
        grid.Prices(60_000);
        await grid.DepositAsync("b1", 2_000);
        await grid.FillAsync("b1", Perp, 1_000, 60_000); // long 1 BTC on 2,000: bankrupt below 58,000
        await grid.DepositAsync("c1", 50_000);
        await grid.FillAsync("c1", Perp, -2_000, 60_000); // short 2 BTC, in profit when BTC falls
        await grid.DepositAsync("c2", 50_000);
        await grid.FillAsync("c2", Perp, -500, 59_000); // short, less profitable: ranked after c1

        grid.Advance(61_000);
        grid.Prices(57_000); // b1: E_raw = 2,000 − 3,000 = −1,000

        Assert.True(await GridUnderCrash.EventuallyAsync(async () => await grid.PositionLotsAsync("b1", Perp) == 0));
        var b1 = (await grid.EventsAsync("b1")).Select(e => e.Event).OfType<ReductionApplied>().ToList();
        Assert.All(b1, r => Assert.Equal(LiquidationKind.Bankrupt, r.Plan));
        Assert.True(await GridUnderCrash.EventuallyAsync(async () => await grid.PositionLotsAsync("c1", Perp) > -2_000));
        var c1 = (await grid.EventsAsync("c1")).Select(e => e.Event).OfType<ReductionApplied>().ToList();
        Assert.True(c1.Count == 1, string.Join("\n", c1) + "\nb1:\n" + string.Join("\n", (await grid.EventsAsync("b1")).Select(e => e.Event)));
        var adl = c1[0];
        Assert.Equal(ReductionKind.AutoDeleveraging, adl.Kind);
        Assert.Equal(1_000, adl.SizeLots);
        Assert.Equal(58_000, adl.Price, 3); // b1's bankruptcy price: 57,000 + 1,000 / 1
        Assert.Equal(-500, await grid.PositionLotsAsync("c2", Perp));

        // b1 ends with no deficit (at most the fund's true-up of rounding), and every account's books balance.
        var view = await grid.ViewAsync("b1");
        var usd = view.SubAccounts.Single().Balances.Single(b => b.Asset == "USD").Units;
        Assert.InRange(usd, 0, 10);
        var fund = await grid.FundAsync();
        Assert.InRange(fund.PayoutsMicros, 0, 10);
    }

    [Fact]
    public async Task AnIsolatedPositionIsLiquidatedOnItsOwnAndNeverTouchesTheCrossPool()
    {
        await using var grid = await GridUnderCrash.StartAsync(fundUsd: 1_000);
        grid.Prices(60_000);
        await grid.DepositAsync("i1", 20_000);
        await grid.FillAsync("i1", Perp, 1_000, 60_000);
        Assert.IsType<CommandAccepted>(await grid.SendAsync(new SetIsolatedMargin("i1", grid.NextId("iso"), "main", Perp,
            2_000_000_000, grid.Clock.NowMs)));
        var usdBefore = (await grid.ViewAsync("i1")).SubAccounts.Single().Balances.Single(b => b.Asset == "USD").Units;

        grid.Advance(61_000);
        grid.Prices(57_000); // isolated equity 2,000 − 3,000 < 0: bankrupt, on its own margin

        Assert.True(await GridUnderCrash.EventuallyAsync(async () => await grid.PositionLotsAsync("i1", Perp) == 0));
        await Task.Delay(500);
        var view = await grid.ViewAsync("i1");
        var sub = view.SubAccounts.Single();
        Assert.Equal(usdBefore, sub.Balances.Single(b => b.Asset == "USD").Units);
        var position = sub.Positions.Single(p => p.Instrument == Perp);
        Assert.InRange(position.IsolatedMarginMicros, 0, 10); // the fund covered the deficit into the isolated margin
        var fund = await grid.FundAsync();
        Assert.True(fund.PayoutsMicros > 0);
    }

    [Fact]
    public async Task ConcurrentAdlQueriesReserveDisjointLotsOfTheBestRankedHoldersUntilTheReservationsLapse()
    {
        await using var grid = await GridUnderCrash.StartAsync(fundUsd: 0);
        grid.Prices(60_000);
        // Shorts of different sizes, entries and leverage: their scores differ, and c3 and c4 tie on everything but
        // the account id.
        (string Account, long Usd, long Lots, double Entry)[] shorts =
        [
            ("c1", 50_000, -2_000, 61_000), ("c2", 20_000, -500, 59_000), ("c3", 30_000, -1_000, 60_500),
            ("c4", 30_000, -1_000, 60_500), ("c5", 10_000, -300, 62_000), ("c6", 80_000, -4_000, 60_000),
        ];
        foreach (var (account, usd, lots, entry) in shorts)
        {
            await grid.DepositAsync(account, usd);
            await grid.FillAsync(account, Perp, lots, entry);
        }
        var supervisor = grid.Node.Supervisor;
        Task<AdlCandidateList> Ask(FindAdlCandidates q) => supervisor.Ask<AdlCandidateList>(q, TimeSpan.FromSeconds(10));
        // Every holder, ranked, at full size (this reserves them all, until the reservations lapse).
        IReadOnlyList<AdlCandidate> all = [];
        Assert.True(await GridUnderCrash.EventuallyAsync(async () =>
            (all = (await Ask(new FindAdlCandidates(Perp, false, 100_000, "nobody"))).Candidates).Count == shorts.Length));
        Assert.Equal(all.OrderByDescending(c => c.Score).ThenBy(c => c.AccountId, StringComparer.Ordinal), all);
        Assert.Empty((await Ask(new FindAdlCandidates(Perp, false, 1, "nobody"))).Candidates);

        grid.Advance(AdlHolders<object>.ReservationLifetimeMs + 1_000);
        grid.Prices(60_000);
        FindAdlCandidates[] queries =
        [
            new(Perp, false, 1_500, "nobody"), new(Perp, false, 1_000, "c6"), new(Perp, false, 2_500, "nobody"),
            new(Perp, false, 0, "c2"), new("ETH-PERP", false, 10, "c1"), new(Perp, true, 10, "c1"),
        ];
        var passes = grid.Node.RiskMetrics.AdlPasses;
        var together = await Task.WhenAll(queries.Select(Ask));

        // One after another as they came, each over what the earlier ones left free (the margin core's model, whose
        // own property test checks it against the sorted ranking).
        var perp = queries.Take(4).Select(q => new AdlAsk(q.ExcludeAccountId, q.Lots)).ToArray();
        var expected = new AdlRanker().Reserve([.. all], perp);
        for (var i = 0; i < perp.Length; i++)
        {
            Assert.Equal(expected[i].Listed, together[i].Candidates);
        }
        Assert.Empty(together[4].Candidates);
        Assert.Empty(together[5].Candidates);
        Assert.InRange(grid.Node.RiskMetrics.AdlPasses - passes, 1, queries.Length);
        // The first query lists the best-ranked holder at full size; the second does not count on what the first
        // reserved: between them they never list more of a holder than it holds beyond the first's reservation.
        Assert.Equal(all[0], together[0].Candidates[0]);
        foreach (var h in all)
        {
            var reservedByFirst = expected[0].Reserved.Where(r => all[r.Candidate] == h).Sum(r => r.Lots);
            var seenBySecond = together[1].Candidates.Where(c => c.AccountId == h.AccountId).Sum(c => Math.Abs(c.SizeLots));
            Assert.True(reservedByFirst + seenBySecond <= Math.Abs(h.SizeLots), $"{h.AccountId} counted on twice");
        }

        // Reservations lapse: a reduction that never came does not hide a holder for good.
        grid.Advance(AdlHolders<object>.ReservationLifetimeMs + 1_000);
        grid.Prices(60_000);
        Assert.Equal(together[0].Candidates, (await Ask(queries[0])).Candidates);
    }
}

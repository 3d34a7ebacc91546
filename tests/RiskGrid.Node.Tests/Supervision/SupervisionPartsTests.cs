using RiskGrid.Node.Supervision;

namespace RiskGrid.Node.Tests.Supervision;

/// <summary>The supervisor's parts on their own: the trigger index, the bounded queue, the liquidity budget.</summary>
public sealed class SupervisionPartsTests
{
    [Fact]
    public void AMoveMakesDueExactlyTheEntriesWhoseTriggerItCrossed()
    {
        var index = new TriggerIndex(1);
        index.Add(0, slot: 1, generation: 0, down: 99.0, up: 101.0);   // band 1 %
        index.Add(0, slot: 2, generation: 0, down: 95.0, up: 105.0);   // band 5 %
        int[] generations = [0, 0, 0];
        var due = new List<int>();

        index.Crossed(0, 100.0, 99.9, generations, due); // 0.1 %: nothing crossed, nothing removed
        Assert.Empty(due);
        Assert.Equal(4, index.Pairs);

        index.Crossed(0, 99.9, 98.5, generations, due); // only slot 1's 99.0 lies in [98.5, 99.9)
        Assert.Equal([1], due);
        Assert.Equal(3, index.Pairs);
    }

    [Fact]
    public void APairOfAnOlderGenerationIsDroppedNotMadeDue()
    {
        var index = new TriggerIndex(1);
        index.Add(0, slot: 0, generation: 1, down: 99.0, up: 101.0);
        index.Add(0, slot: 0, generation: 2, down: 97.0, up: 103.0); // re-evaluated: the band widened
        int[] generations = [2];
        var due = new List<int>();

        index.Crossed(0, 100.0, 98.0, generations, due); // crosses 99.0 (generation 1) only

        Assert.Empty(due);
        Assert.Equal(3, index.Pairs); // the superseded down pair went; generation 2's pair and both ups stay

        index.Crossed(0, 98.0, 96.5, generations, due);
        Assert.Equal([0], due);
    }

    [Fact]
    public void CompactionDropsSupersededPairsASliceAtATimeAndAMoveStillDecidesTheSame()
    {
        var index = new TriggerIndex(1);
        var generations = new int[1_000];
        for (var i = 0; i < 1_000; i++)
        {
            var band = 0.002 + i * 0.00005;
            index.Add(0, i, 0, 100 * (1 - band), 100 * (1 + band));
            // Re-evaluated twice: two superseded pairs behind each current one.
            index.Add(0, i, 1, 100 * (1 - band * 1.1), 100 * (1 + band * 1.1));
            index.Add(0, i, 2, 100 * (1 - band * 1.2), 100 * (1 + band * 1.2));
            generations[i] = 2;
        }
        Assert.Equal(6_000, index.Pairs);

        var first = index.Compact(generations, budget: 500);
        Assert.InRange(first, 500, 1_500); // stops at the first bucket that takes it past the budget
        Assert.True(index.Pairs > 2_000, "one slice does not compact the whole index");
        var slices = 1;
        while (index.Pairs > 2_000 && slices < 100)
        {
            index.Compact(generations, budget: 500);
            slices++;
        }
        Assert.Equal(2_000, index.Pairs); // only the current pairs are left
        Assert.InRange(slices, 6, 30);

        var due = new List<int>();
        index.Crossed(0, 100.0, 99.5, generations, due); // −0.5 %: the current bands below 0.5/1.2 %
        var expected = Enumerable.Range(0, 1_000).Where(i => 100 * (1 - (0.002 + i * 0.00005) * 1.2) >= 99.5).ToList();
        Assert.Equal(expected, due.Order().ToList());
    }

    [Fact]
    public void ASmallMoveVisitsOnlyTheBucketsItCrossed()
    {
        var index = new TriggerIndex(1);
        for (var i = 0; i < 10_000; i++)
        {
            var band = 0.002 + i * 0.00001; // bands from 0.2 % to 10 %
            index.Add(0, i, 0, 100 * (1 - band), 100 * (1 + band));
        }
        var generations = new int[10_000];
        var due = new List<int>();
        var visited = index.Crossed(0, 100.0, 99.9, generations, due); // −0.1 %
        Assert.Equal(0, visited);
        visited = index.Crossed(0, 99.9, 99.7, generations, due);
        Assert.InRange(visited, 1, 200); // a few buckets near −0.25 %, never the whole book
    }

    [Fact]
    public async Task TheQueueIsBoundedWorstFirstAndPushesOutTheHealthiest()
    {
        var queue = new LiquidationQueue(capacity: 2);
        LiquidationCandidate C(string id, double health) => new(id, "main", health, 1, 1);

        Assert.Equal(OfferOutcome.Queued, queue.Offer(C("a", 0.9), out _));
        Assert.Equal(OfferOutcome.Queued, queue.Offer(C("b", 0.5), out _));
        Assert.Equal(OfferOutcome.Full, queue.Offer(C("c", 0.95), out _));
        Assert.Equal(OfferOutcome.QueuedEvictingHealthiest, queue.Offer(C("d", 0.3), out var evicted));
        Assert.Equal("a", evicted!.AccountId);
        Assert.Equal(OfferOutcome.Updated, queue.Offer(C("b", 0.2), out _)); // one entry per sub-account
        Assert.Equal(2, queue.Count);
        Assert.Equal("b", (await queue.TakeAsync())!.AccountId);
        Assert.Equal("d", (await queue.TakeAsync())!.AccountId);
    }

    [Fact]
    public async Task AHeldQueueGivesTheBatchInPriorityOrderOnceReleased()
    {
        var queue = new LiquidationQueue(capacity: 10);
        var first = queue.TakeAsync();
        queue.Hold();
        queue.Offer(new LiquidationCandidate("z", "main", 0.9, 1, 1), out _);
        queue.Offer(new LiquidationCandidate("y", "main", 0.1, 1, 1), out _);
        Assert.False(first.IsCompleted);
        queue.Release();
        Assert.Equal("y", (await first)!.AccountId);
    }

    [Fact]
    public void TheLiquidityBudgetRefillsOnTheGridClockAndNeverExceedsOneSecondOfBudget()
    {
        var now = 0L;
        var budget = new LiquidityBudget(_ => 1_000_000, () => now);
        Assert.Equal(1_000_000, budget.Take("BTC-PERP", 3_000_000));
        Assert.Equal(0, budget.Take("BTC-PERP", 1));
        now += 500;
        Assert.Equal(500_000, budget.Take("BTC-PERP", 3_000_000), 6);
        now += 10_000;
        Assert.Equal(1_000_000, budget.Take("BTC-PERP", 3_000_000), 6);
        Assert.Equal(1_000_000, budget.Take("ETH-PERP", 3_000_000)); // per instrument
    }
}

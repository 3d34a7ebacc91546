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
        var due = new List<int>();

        index.Crossed(0, 100.0, 99.9, (slot, _) => { return false; }); // 0.1 %: nothing crossed, nothing removed
        Assert.Equal(4, index.Pairs);

        index.Crossed(0, 99.9, 98.5, (slot, _) =>
        {
            var crossed = slot == 1; // the caller checks the exact trigger: only slot 1's 99.0 lies in (98.5, 99.9]
            if (crossed)
            {
                due.Add(slot);
            }
            return crossed;
        });
        Assert.Equal([1], due);
        Assert.Equal(3, index.Pairs);
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
        var visited = index.Crossed(0, 100.0, 99.9, (_, _) => false); // −0.1 %
        Assert.Equal(0, visited);
        visited = index.Crossed(0, 99.9, 99.7, (_, _) => false);
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

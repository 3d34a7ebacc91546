using CsCheck;
using RiskGrid.Margin.Liquidation;

namespace RiskGrid.Margin.Tests.Liquidation;

public sealed class AutoDeleveragingTests
{
    [Fact]
    public void ProfitableAndLeveragedPositionsRankFirst()
    {
        // a: +20 % PnL at 5× → 1.0; b: +50 % at 1× → 0.5; c: −10 % at 10× → −1.0
        AdlCandidate[] c =
        [
            new("c", "main", -100, AutoDeleveraging.Score(-1_000, 10_000, 9_000, 900)),
            new("b", "main", -100, AutoDeleveraging.Score(5_000, 10_000, 15_000, 15_000)),
            new("a", "main", -100, AutoDeleveraging.Score(2_000, 10_000, 12_000, 2_400)),
        ];
        AutoDeleveraging.Rank(c);
        Assert.Equal(["a", "b", "c"], c.Select(x => x.AccountId));
    }

    [Fact]
    public void TheTopOfTheRankingIsTheSortedRankingCutWhereTheLotsAreCovered()
    {
        // Scores from a small set, so ties (broken by account, then sub-account) are common; a sub-account holds one
        // position per instrument, so it appears once.
        var candidate = Gen.Select(Gen.Int[0, 40], Gen.Int[0, 2], Gen.Long[-50, 50], Gen.Int[-3, 3],
            (a, s, lots, score) => new AdlCandidate($"acct-{a:D3}", s == 0 ? "main" : $"sub{s}", lots, score * 0.5));
        Gen.Select(candidate.Array[0, 60], Gen.Long[0, 800]).Sample((drawn, lots) =>
        {
            var candidates = drawn.DistinctBy(c => (c.AccountId, c.SubAccount)).ToArray();
            var expected = SortedAndCut(candidates, lots);
            Assert.Equal(expected, AutoDeleveraging.RankTop(candidates, lots));
        });
    }

    [Fact]
    public void SeveralAsksAtOnceGetWhatEachWouldGetAloneWithoutItsOwnAccount()
    {
        var candidate = Gen.Select(Gen.Int[0, 20], Gen.Int[0, 2], Gen.Long[-50, 50], Gen.Int[-3, 3],
            (a, s, lots, score) => new AdlCandidate($"acct-{a:D3}", s == 0 ? "main" : $"sub{s}", lots, score * 0.5));
        var ask = Gen.Select(Gen.Int[0, 22], Gen.Long[-10, 600],
            (a, lots) => new AdlAsk(a == 22 ? null : $"acct-{a:D3}", lots));
        // A ranker reused from one call to the next (as the supervisor does), one per sampling thread.
        using var rankers = new ThreadLocal<AdlRanker>(() => new AdlRanker());
        Gen.Select(candidate.Array[0, 60], ask.Array[0, 8]).Sample((drawn, asks) =>
        {
            var candidates = drawn.DistinctBy(c => (c.AccountId, c.SubAccount)).ToArray();
            var together = rankers.Value!.TopEach(candidates, asks);
            Assert.Equal(asks.Length, together.Length);
            for (var i = 0; i < asks.Length; i++)
            {
                var others = candidates.Where(c => c.AccountId != asks[i].ExcludeAccountId).ToArray();
                Assert.Equal(SortedAndCut(others, asks[i].Lots), together[i]);
            }
        });
    }

    // The whole ranking, sorted, cut where the lots are covered: what the heap-based ranking must give.
    private static List<AdlCandidate> SortedAndCut(AdlCandidate[] candidates, long lots)
    {
        var sorted = candidates.ToArray();
        AutoDeleveraging.Rank(sorted);
        var expected = new List<AdlCandidate>();
        var covered = 0L;
        foreach (var c in sorted)
        {
            if (covered >= lots)
            {
                break;
            }
            expected.Add(c);
            covered += Math.Abs(c.SizeLots);
        }
        return expected;
    }

    [Fact]
    public void AllocationTakesFromTheTopUntilCovered()
    {
        AdlCandidate[] ranked = [new("a", "m", -300, 2), new("b", "m", -500, 1), new("c", "m", -900, 0.5)];
        var take = new long[3];
        var left = AutoDeleveraging.Allocate(600, ranked, take);
        Assert.Equal([300L, 300L, 0L], take);
        Assert.Equal(0, left);
        Assert.Equal(0, AutoDeleveraging.Allocate(1_700, ranked, take));
        Assert.Equal(100, AutoDeleveraging.Allocate(1_800, ranked, take));
    }

    [Fact]
    public void BankruptcyPriceZeroesRawEquity()
    {
        // long 2 BTC marked 50,000 with raw equity −1,000: closing at 50,500 recovers the deficit
        Assert.Equal(50_500, AutoDeleveraging.BankruptcyPrice(2, 50_000, Book.Usd6(-1_000)), 9);
        // short 2: at 49,500
        Assert.Equal(49_500, AutoDeleveraging.BankruptcyPrice(-2, 50_000, Book.Usd6(-1_000)), 9);
    }
}

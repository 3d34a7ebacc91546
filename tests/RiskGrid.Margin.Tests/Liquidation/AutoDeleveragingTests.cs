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
    public void AsksAnsweredTogetherReserveDisjointLotsInTheRankingsOrder()
    {
        var candidate = Gen.Select(Gen.Int[0, 20], Gen.Int[0, 2], Gen.Long[-50, 50], Gen.Int[-3, 3],
            (a, s, lots, score) => new AdlCandidate($"acct-{a:D3}", s == 0 ? "main" : $"sub{s}", lots, score * 0.5));
        var ask = Gen.Select(Gen.Int[0, 22], Gen.Long[-10, 300],
            (a, lots) => new AdlAsk(a == 22 ? null : $"acct-{a:D3}", lots));
        // A ranker reused from one call to the next (as the supervisor does), one per sampling thread.
        using var rankers = new ThreadLocal<AdlRanker>(() => new AdlRanker());
        Gen.Select(candidate.Array[0, 60], ask.Array[0, 8], Gen.Int[1, 3]).Sample((drawn, asks, standIns) =>
        {
            var candidates = drawn.DistinctBy(c => (c.AccountId, c.SubAccount)).ToArray();
            var answers = rankers.Value!.Reserve(candidates, asks, standIns);

            // The model: the asks one after another, each over the sorted ranking of what earlier asks left free.
            var free = candidates.Select(c => Math.Abs(c.SizeLots)).ToArray();
            // §9's order restated: score descending, ties by account, then sub-account (ordinal).
            var order = Enumerable.Range(0, candidates.Length).OrderByDescending(i => candidates[i].Score)
                .ThenBy(i => candidates[i].AccountId, StringComparer.Ordinal)
                .ThenBy(i => candidates[i].SubAccount, StringComparer.Ordinal).ToArray();
            for (var a = 0; a < asks.Length; a++)
            {
                var listed = new List<AdlCandidate>();
                var reserved = new List<(int, long)>();
                var listedLots = 0L;
                var toReserve = Math.Max(0, asks[a].Lots);
                foreach (var i in order)
                {
                    if (asks[a].Lots <= 0 || listedLots >= asks[a].Lots * standIns)
                    {
                        break;
                    }
                    if (free[i] <= 0 || candidates[i].AccountId == asks[a].ExcludeAccountId)
                    {
                        continue;
                    }
                    listed.Add(candidates[i] with { SizeLots = Math.Sign(candidates[i].SizeLots) * free[i] });
                    listedLots += free[i];
                    var take = Math.Min(toReserve, free[i]);
                    if (take > 0)
                    {
                        free[i] -= take;
                        toReserve -= take;
                        reserved.Add((i, take));
                    }
                }
                Assert.Equal(listed, answers[a].Listed);
                Assert.Equal(reserved, answers[a].Reserved);
            }
            // Never more reserved of a position than it holds.
            var total = new long[candidates.Length];
            foreach (var (i, lots) in answers.SelectMany(x => x.Reserved))
            {
                total[i] += lots;
            }
            Assert.All(Enumerable.Range(0, candidates.Length), i => Assert.InRange(total[i], 0, Math.Abs(candidates[i].SizeLots)));
        });
    }

    // The whole ranking, sorted, cut where the lots are covered: what the heap-based ranking must give.
    private static List<AdlCandidate> SortedAndCut(AdlCandidate[] candidates, long lots)
    {
        var sorted = candidates.ToArray();
        AutoDeleveraging.Rank(sorted);
        var expected = new List<AdlCandidate>();
        var covered = 0L;
        foreach (var c in sorted.Where(c => c.SizeLots != 0))
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

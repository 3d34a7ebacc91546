namespace RiskGrid.Margin.Liquidation;

/// <summary>A position that could take the other side of a bankrupt position (§9 auto-deleveraging).</summary>
public readonly record struct AdlCandidate(string AccountId, string SubAccount, long SizeLots, double Score);

/// <summary>A bankruptcy's ask for counterparties: <paramref name="Lots"/> to cover, from accounts other than
/// <paramref name="ExcludeAccountId"/> (the bankrupt account; null excludes none).</summary>
public readonly record struct AdlAsk(string? ExcludeAccountId, long Lots);

/// <summary>
/// Auto-deleveraging (§9): what the insurance fund cannot cover is taken from opposite positions ranked by
/// PnL% × effective leverage, profitable first, reduced at the bankrupt account's bankruptcy price.
/// PnL% = uPnL / entry notional (|q| × entry); effective leverage = notional (|q| × mark) / the account's raw
/// equity; an account with no positive equity ranks by PnL% alone times a leverage of 1e9 (it is the most levered).
/// </summary>
public static class AutoDeleveraging
{
    /// <summary>The ranking score; higher goes first.</summary>
    public static double Score(double unrealizedPnlUsd, double entryNotionalUsd, double notionalUsd,
        double accountEquityUsd)
    {
        if (!(entryNotionalUsd > 0))
        {
            return 0;
        }
        var pnlFraction = unrealizedPnlUsd / entryNotionalUsd;
        var leverage = accountEquityUsd > 0 ? notionalUsd / accountEquityUsd : 1e9;
        return pnlFraction * leverage;
    }

    /// <summary>
    /// The price at which closing a position of <paramref name="sizeUnits"/> (signed) marked at
    /// <paramref name="mark"/> leaves the account's raw equity at zero: m − E_raw / q.
    /// </summary>
    public static double BankruptcyPrice(double sizeUnits, double mark, long equityRawMicros)
    {
        if (sizeUnits == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(sizeUnits), "a position is needed");
        }
        return Math.Max(0, mark - Micros.ToUsd(equityRawMicros) / sizeUnits);
    }

    /// <summary>
    /// Sorts <paramref name="candidates"/> in place: score descending, ties by account then sub-account (ordinal),
    /// so every node ranks the same way.
    /// </summary>
    public static void Rank(Span<AdlCandidate> candidates) => candidates.Sort(RankOrder);

    /// <summary>
    /// The first candidates of <see cref="Rank"/>'s order whose sizes together reach <paramref name="lotsToCover"/>
    /// (all of them when they do not), in that order, without sorting the rest: a heap over the candidates, O(n + k
    /// log n) for the k taken. What the whole ranking followed by <see cref="Allocate"/> would use.
    /// </summary>
    public static List<AdlCandidate> RankTop(IReadOnlyCollection<AdlCandidate> candidates, long lotsToCover) =>
        RankTopEach(candidates, [new AdlAsk(null, lotsToCover)])[0];

    /// <summary>
    /// <see cref="RankTop"/> for several asks of the same instrument and side at once (a mass bankruptcy): each gets
    /// the ranking without its own account's positions, cut where its lots are covered. See <see cref="AdlRanker"/>,
    /// which keeps its heap from one call to the next.
    /// </summary>
    public static List<AdlCandidate>[] RankTopEach(IReadOnlyCollection<AdlCandidate> candidates,
        IReadOnlyList<AdlAsk> asks) => new AdlRanker().TopEach(candidates, asks);

    private static readonly Comparison<AdlCandidate> RankOrder = static (a, b) =>
    {
        var c = b.Score.CompareTo(a.Score);
        if (c != 0)
        {
            return c;
        }
        c = string.CompareOrdinal(a.AccountId, b.AccountId);
        return c != 0 ? c : string.CompareOrdinal(a.SubAccount, b.SubAccount);
    };

    // After RankOrder: static fields initialise in order.
    internal static readonly IComparer<AdlCandidate> Order = Comparer<AdlCandidate>.Create(RankOrder);

    /// <summary>
    /// Takes <paramref name="lotsToCover"/> lots (&gt; 0) from the ranked candidates in order; fills
    /// <paramref name="reduceLots"/> with the positive number of lots each gives up and returns the lots left
    /// uncovered (0 when the opposite side was deep enough).
    /// </summary>
    public static long Allocate(long lotsToCover, ReadOnlySpan<AdlCandidate> ranked, Span<long> reduceLots)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(lotsToCover);
        if (reduceLots.Length < ranked.Length)
        {
            throw new ArgumentException("one slot per candidate is needed", nameof(reduceLots));
        }
        for (var i = 0; i < ranked.Length; i++)
        {
            var take = Math.Min(lotsToCover, Math.Abs(ranked[i].SizeLots));
            reduceLots[i] = take;
            lotsToCover -= take;
        }
        return lotsToCover;
    }
}

/// <summary>
/// Answers ADL asks (<see cref="AutoDeleveraging.RankTopEach"/>) with one heap over the candidates, kept from one call
/// to the next: at 100,000 accounts a side's heap is a large-object-heap array, and a new one per bankruptcy kept the
/// background GC busy. Not thread-safe: one per caller.
/// </summary>
public sealed class AdlRanker
{
    private readonly PriorityQueue<AdlCandidate, AdlCandidate> _heap = new(AutoDeleveraging.Order);

    /// <summary>For each ask, the best-ranked candidates (§9 order) not of its excluded account whose sizes together
    /// reach its lots (all of them when they do not); the heap is popped until every ask is covered.</summary>
    public List<AdlCandidate>[] TopEach(IReadOnlyCollection<AdlCandidate> candidates, IReadOnlyList<AdlAsk> asks)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(asks);
        var answers = new List<AdlCandidate>[asks.Count];
        var covered = new long[asks.Count];
        var open = 0;
        for (var i = 0; i < answers.Length; i++)
        {
            answers[i] = [];
            if (asks[i].Lots > 0)
            {
                open++;
            }
        }
        if (open == 0 || candidates.Count == 0)
        {
            return answers;
        }
        _heap.Clear();
        // Into an empty queue EnqueueRange builds the heap in O(n), in the array it already has when that is large
        // enough.
        _heap.EnqueueRange(candidates.Select(static c => (c, c)));
        while (open > 0 && _heap.TryDequeue(out var c, out _))
        {
            for (var i = 0; i < answers.Length; i++)
            {
                var ask = asks[i];
                if (covered[i] >= ask.Lots || c.AccountId == ask.ExcludeAccountId)
                {
                    continue;
                }
                answers[i].Add(c);
                covered[i] += Math.Abs(c.SizeLots);
                if (covered[i] >= ask.Lots)
                {
                    open--;
                }
            }
        }
        _heap.Clear();
        return answers;
    }
}

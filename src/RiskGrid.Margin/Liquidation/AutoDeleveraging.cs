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
    public static List<AdlCandidate> RankTop(IReadOnlyList<AdlCandidate> candidates, long lotsToCover) =>
        new AdlRanker().Reserve(candidates, [new AdlAsk(null, lotsToCover)], standIns: 1)[0].Listed;

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

/// <summary>What one ADL ask got (<see cref="AdlRanker.Reserve"/>).</summary>
/// <param name="Listed">Candidates in §9 order, each with the lots still free of it (signed as its position) when the
/// ask was answered: first those its lots were reserved from, then stand-ins.</param>
/// <param name="Reserved">Lots reserved for the ask, by index of the candidate in the list given.</param>
public sealed record AdlReservation(List<AdlCandidate> Listed, List<(int Candidate, long Lots)> Reserved);

/// <summary>
/// Answers ADL asks from one ranking of the candidates (one heap, kept from one call to the next: at 100,000 accounts
/// a side's heap is a large-object-heap array, and a new one per bankruptcy kept the background GC busy). Not
/// thread-safe: one per caller.
/// </summary>
public sealed class AdlRanker
{
    private readonly PriorityQueue<int, AdlCandidate> _heap = new(AutoDeleveraging.Order);
    private readonly List<int> _prefix = [];
    private long[] _free = [];

    /// <summary>
    /// Answers <paramref name="asks"/> one after another, as concurrent bankruptcies on one side: each lists the
    /// best-ranked candidates (§9 order) not of its excluded account with what is still free of each (its size less
    /// what earlier asks reserved), until the listed lots reach <paramref name="standIns"/> × its lots (all there are
    /// when they do not), and reserves its lots from the first of them. A later ask therefore does not count on lots
    /// an earlier one will take; the stand-ins cover a position that moved before its reduction.
    /// </summary>
    public AdlReservation[] Reserve(IReadOnlyList<AdlCandidate> candidates, IReadOnlyList<AdlAsk> asks, int standIns = 2)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(asks);
        ArgumentOutOfRangeException.ThrowIfLessThan(standIns, 1);
        var answers = new AdlReservation[asks.Count];
        if (_free.Length < candidates.Count)
        {
            _free = new long[Math.Max(candidates.Count, 2 * _free.Length)];
        }
        for (var i = 0; i < candidates.Count; i++)
        {
            _free[i] = Math.Abs(candidates[i].SizeLots);
        }
        _heap.Clear();
        _prefix.Clear();
        // Into an empty queue EnqueueRange builds the heap in O(n), in the array it already has when that is large
        // enough; candidates are popped only as far as the asks need.
        _heap.EnqueueRange(Enumerable.Range(0, candidates.Count).Select(i => (i, candidates[i])));
        for (var a = 0; a < asks.Count; a++)
        {
            var ask = asks[a];
            var listed = new List<AdlCandidate>();
            var reserved = new List<(int, long)>();
            answers[a] = new AdlReservation(listed, reserved);
            if (ask.Lots <= 0)
            {
                continue;
            }
            var toList = ask.Lots > long.MaxValue / standIns ? long.MaxValue : ask.Lots * standIns;
            var toReserve = ask.Lots;
            var listedLots = 0L;
            for (var k = 0; listedLots < toList; k++)
            {
                if (k == _prefix.Count)
                {
                    if (!_heap.TryDequeue(out var next, out _))
                    {
                        break;
                    }
                    _prefix.Add(next);
                }
                var i = _prefix[k];
                var c = candidates[i];
                var free = _free[i];
                if (free <= 0 || c.AccountId == ask.ExcludeAccountId)
                {
                    continue;
                }
                listed.Add(c with { SizeLots = Math.Sign(c.SizeLots) * free });
                listedLots += free;
                var take = Math.Min(toReserve, free);
                if (take > 0)
                {
                    _free[i] -= take;
                    toReserve -= take;
                    reserved.Add((i, take));
                }
            }
        }
        _heap.Clear();
        return answers;
    }
}

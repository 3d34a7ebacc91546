using RiskGrid.Margin.Liquidation;

namespace RiskGrid.Node.Supervision;

/// <summary>
/// The auto-deleveraging ranking of the positions a node tracks (§9: PnL% × effective leverage, profitable first),
/// per instrument and side, kept up to date as the supervisor re-evaluates sub-accounts, so that a bankruptcy reads the
/// best candidates at once instead of scanning every account. Owned by the supervisor's thread.
/// </summary>
public sealed class AdlBook
{
    private readonly Dictionary<(int Instrument, bool Long), SortedSet<Item>> _sides = [];
    private readonly Dictionary<string, List<((int Instrument, bool Long) Side, Item Item)>> _byKey =
        new(StringComparer.Ordinal);

    /// <summary>Positions ranked.</summary>
    public int Count { get; private set; }

    /// <summary>Replaces the ranked positions of (<paramref name="accountId"/>, <paramref name="sub"/>).</summary>
    public void Set(string accountId, string sub, IReadOnlyList<(int Instrument, long SizeLots, double Score)> positions)
    {
        Remove(accountId, sub);
        if (positions.Count == 0)
        {
            return;
        }
        var key = accountId + "\u0000" + sub;
        var list = new List<((int, bool), Item)>(positions.Count);
        foreach (var (instrument, lots, score) in positions)
        {
            if (lots == 0)
            {
                continue;
            }
            var side = (instrument, lots > 0);
            if (!_sides.TryGetValue(side, out var set))
            {
                set = new SortedSet<Item>(ItemOrder.Instance);
                _sides[side] = set;
            }
            var item = new Item(score, accountId, sub, lots);
            set.Add(item);
            list.Add((side, item));
            Count++;
        }
        _byKey[key] = list;
    }

    /// <summary>Drops the ranked positions of (<paramref name="accountId"/>, <paramref name="sub"/>).</summary>
    public void Remove(string accountId, string sub)
    {
        var key = accountId + "\u0000" + sub;
        if (!_byKey.Remove(key, out var list))
        {
            return;
        }
        foreach (var (side, item) in list)
        {
            if (_sides.TryGetValue(side, out var set) && set.Remove(item))
            {
                Count--;
            }
        }
    }

    /// <summary>The best-ranked positions of <paramref name="instrument"/> on one side covering
    /// <paramref name="lots"/>, without <paramref name="excludeAccountId"/>.</summary>
    public IReadOnlyList<AdlCandidate> Top(int instrument, bool longs, long lots, string excludeAccountId)
    {
        var found = new List<AdlCandidate>();
        if (!_sides.TryGetValue((instrument, longs), out var set))
        {
            return found;
        }
        var covered = 0L;
        foreach (var item in set)
        {
            if (covered >= lots)
            {
                break;
            }
            if (item.AccountId == excludeAccountId)
            {
                continue;
            }
            found.Add(new AdlCandidate(item.AccountId, item.Sub, item.SizeLots, item.Score));
            covered += Math.Abs(item.SizeLots);
        }
        return found;
    }

    private sealed record Item(double Score, string AccountId, string Sub, long SizeLots);

    private sealed class ItemOrder : IComparer<Item>
    {
        public static readonly ItemOrder Instance = new();

        public int Compare(Item? a, Item? b)
        {
            if (ReferenceEquals(a, b))
            {
                return 0;
            }
            if (a is null || b is null)
            {
                return a is null ? -1 : 1;
            }
            var c = b.Score.CompareTo(a.Score);
            if (c != 0)
            {
                return c;
            }
            c = string.CompareOrdinal(a.AccountId, b.AccountId);
            return c != 0 ? c : string.CompareOrdinal(a.Sub, b.Sub);
        }
    }
}

namespace RiskGrid.Node.Supervision;

/// <summary>
/// Which tracked sub-accounts an index move can have brought near liquidation, without a sweep. Each evaluated
/// sub-account registers, per underlying it depends on, a down trigger S·(1 − t) and an up trigger S·(1 + t), where
/// t is its safe band (<see cref="RiskEvaluator"/>); a move of the index from S_old to S_new makes due exactly the
/// entries whose trigger lies between the two. Triggers live in buckets of log-price (width
/// <see cref="BucketWidth"/>), so a move visits the buckets it crossed and nothing else: a 0.1 % move touches about
/// two buckets per direction, whatever the number of accounts. A re-registration leaves the old pair behind (skipped
/// by its generation); when superseded pairs outnumber current ones the owner drops them a slice at a time
/// (<see cref="Compact"/>), never in one pass that would stall a price update behind it. A pair carries its
/// trigger and its owner's generation, so a move decides each pair it visits from the pair and the owner's dense
/// array of current generations, without touching the owners.
/// </summary>
public sealed class TriggerIndex
{
    /// <summary>Relative width of a bucket.</summary>
    public const double BucketWidth = 0.0005;

    private static readonly double LogWidth = Math.Log(1 + BucketWidth);

    private readonly Side[] _down;
    private readonly Side[] _up;
    private long _pairs;

    public TriggerIndex(int underlyings)
    {
        _down = new Side[underlyings];
        _up = new Side[underlyings];
        for (var u = 0; u < underlyings; u++)
        {
            _down[u] = new Side();
            _up[u] = new Side();
        }
    }

    /// <summary>Pairs stored, current and superseded.</summary>
    public long Pairs => _pairs;

    /// <summary>Registers entry <paramref name="slot"/> (generation <paramref name="generation"/>) with triggers at
    /// <paramref name="down"/> and <paramref name="up"/> on underlying <paramref name="underlying"/>; returns the
    /// pairs added.</summary>
    public int Add(int underlying, int slot, int generation, double down, double up)
    {
        var added = 0;
        if (down > 0 && double.IsFinite(down))
        {
            _down[underlying].Add(Bucket(down), new Pair(slot, generation, down));
            added++;
        }
        if (up > 0 && double.IsFinite(up))
        {
            _up[underlying].Add(Bucket(up), new Pair(slot, generation, up));
            added++;
        }
        _pairs += added;
        return added;
    }

    /// <summary>
    /// The index of <paramref name="underlying"/> moved from <paramref name="from"/> to <paramref name="to"/>: in every
    /// bucket the move crossed, a pair whose generation is no longer its slot's (<paramref name="generations"/>) is
    /// removed, a pair whose trigger the move reached (to ≤ trigger down, to ≥ trigger up) is removed and its slot
    /// added to <paramref name="due"/>, the others stay. Returns the pairs visited.
    /// </summary>
    public int Crossed(int underlying, double from, double to, ReadOnlySpan<int> generations, List<int> due)
    {
        ArgumentNullException.ThrowIfNull(due);
        if (!(from > 0) || !(to > 0) || from == to || !double.IsFinite(from) || !double.IsFinite(to))
        {
            return 0;
        }
        var down = to < from;
        var side = down ? _down[underlying] : _up[underlying];
        var lo = Bucket(Math.Min(from, to));
        var hi = Bucket(Math.Max(from, to));
        var visited = 0;
        for (var b = lo; b <= hi; b++)
        {
            visited += side.Visit(b, to, down, generations, due, ref _pairs);
        }
        return visited;
    }

    /// <summary>
    /// Drops superseded pairs (generation no longer its slot's in <paramref name="generations"/>), visiting at most
    /// about <paramref name="budget"/> pairs: a round walks every bucket once, in slices, from where the last call
    /// stopped (buckets made after a round began wait for the next round). Current pairs stay, in their order, so a
    /// move decides exactly as before. Returns the pairs visited.
    /// </summary>
    public int Compact(ReadOnlySpan<int> generations, int budget)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(budget);
        if (_round.Count == 0 || _cursor >= _round.Count)
        {
            _round.Clear();
            _cursor = 0;
            foreach (var side in _down.Concat(_up))
            {
                foreach (var bucket in side.Buckets)
                {
                    _round.Add((side, bucket));
                }
            }
        }
        var visited = 0;
        while (visited < budget && _cursor < _round.Count)
        {
            var (side, bucket) = _round[_cursor++];
            visited += side.Compact(bucket, generations, ref _pairs);
        }
        return visited;
    }

    private readonly List<(Side Side, int Bucket)> _round = [];
    private int _cursor;

    private static int Bucket(double price) => (int)Math.Floor(Math.Log(price) / LogWidth);

    private readonly record struct Pair(int Slot, int Generation, double Trigger);

    private sealed class Side
    {
        private readonly Dictionary<int, List<Pair>> _buckets = [];

        public void Add(int bucket, Pair pair)
        {
            if (!_buckets.TryGetValue(bucket, out var list))
            {
                list = [];
                _buckets[bucket] = list;
            }
            list.Add(pair);
        }

        public IEnumerable<int> Buckets => _buckets.Keys;

        // Dropping superseded pairs is a visit that makes nothing due.
        public int Compact(int bucket, ReadOnlySpan<int> generations, ref long pairs) =>
            Visit(bucket, double.NaN, down: false, generations, due: null, ref pairs);

        // due null: only superseded pairs go (a NaN trigger level reaches nothing either way).
        public int Visit(int bucket, double to, bool down, ReadOnlySpan<int> generations, List<int>? due,
            ref long pairs)
        {
            if (!_buckets.TryGetValue(bucket, out var list))
            {
                return 0;
            }
            var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list);
            var n = span.Length;
            var keep = 0;
            for (var i = 0; i < n; i++)
            {
                var p = span[i];
                if ((uint)p.Slot >= (uint)generations.Length || generations[p.Slot] != p.Generation)
                {
                    continue; // superseded: dropped
                }
                if (due is not null && (down ? to <= p.Trigger : to >= p.Trigger))
                {
                    due.Add(p.Slot);
                    continue;
                }
                span[keep++] = p;
            }
            list.RemoveRange(keep, n - keep);
            pairs -= n - keep;
            if (keep == 0)
            {
                _buckets.Remove(bucket);
            }
            return n;
        }
    }
}

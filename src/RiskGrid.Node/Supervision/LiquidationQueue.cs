namespace RiskGrid.Node.Supervision;

/// <summary>A sub-account waiting for the liquidation engine.</summary>
/// <param name="AccountId">The account.</param>
/// <param name="SubAccount">The sub-account.</param>
/// <param name="Health">Its worst health when detected (the priority: lowest first).</param>
/// <param name="BreachTicks">Stopwatch timestamp when the breach was first seen.</param>
/// <param name="EnqueuedTicks">Stopwatch timestamp when it (last) entered the queue.</param>
/// <param name="BreachAtMs">Grid clock when the breach was first seen (market time in a replay).</param>
public sealed record LiquidationCandidate(string AccountId, string SubAccount, double Health, long BreachTicks,
    long EnqueuedTicks, long BreachAtMs = 0)
{
    /// <summary>The de-duplication key.</summary>
    public string Key => AccountId + "\u0000" + SubAccount;
}

/// <summary>What <see cref="LiquidationQueue.Offer"/> did.</summary>
public enum OfferOutcome
{
    /// <summary>Queued.</summary>
    Queued,

    /// <summary>Already queued: its priority was updated.</summary>
    Updated,

    /// <summary>Queued, and the healthiest queued candidate was pushed out (it waits for the next evaluation).</summary>
    QueuedEvictingHealthiest,

    /// <summary>The queue is full of worse candidates: this one waits for the next evaluation.</summary>
    Full,
}

/// <summary>
/// The liquidation engine's queue: bounded, ordered by health (worst first), one entry per sub-account. When full,
/// a worse candidate pushes the healthiest one out (ties by sub-account key, so the order is reproducible); a pushed-out or refused candidate is not forgotten: its account
/// stays liquidatable, so the supervisor re-detects it on its next evaluation (it keeps such entries due). Safe for
/// one producer (the supervisor) and the stream that takes from it.
/// </summary>
public sealed class LiquidationQueue
{
    private readonly Lock _gate = new();
    private readonly SortedSet<(double Health, string Key, long Seq)> _order = new(OrderByHealthThenKey.Instance);
    private readonly Dictionary<string, (LiquidationCandidate Candidate, long Seq)> _byKey = new(StringComparer.Ordinal);
    private readonly int _capacity;
    private TaskCompletionSource<LiquidationCandidate?>? _waiter;
    private long _seq;
    private bool _completed;
    private bool _held;

    public LiquidationQueue(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
    }

    /// <summary>Candidates queued now.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _byKey.Count;
            }
        }
    }

    /// <summary>The bound.</summary>
    public int Capacity => _capacity;

    /// <summary>True when <paramref name="key"/> is queued.</summary>
    public bool Contains(string key)
    {
        lock (_gate)
        {
            return _byKey.ContainsKey(key);
        }
    }

    /// <summary>Offers <paramref name="candidate"/>; <paramref name="evicted"/> is the candidate pushed out, if any.</summary>
    public OfferOutcome Offer(LiquidationCandidate candidate, out LiquidationCandidate? evicted)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        evicted = null;
        TaskCompletionSource<LiquidationCandidate?>? waiter = null;
        OfferOutcome outcome;
        lock (_gate)
        {
            var key = candidate.Key;
            if (_byKey.TryGetValue(key, out var queued))
            {
                _order.Remove((queued.Candidate.Health, key, queued.Seq));
                var kept = candidate with
                {
                    BreachTicks = queued.Candidate.BreachTicks,
                    EnqueuedTicks = queued.Candidate.EnqueuedTicks,
                    BreachAtMs = queued.Candidate.BreachAtMs,
                };
                _byKey[key] = (kept, queued.Seq);
                _order.Add((kept.Health, key, queued.Seq));
                return OfferOutcome.Updated;
            }
            outcome = OfferOutcome.Queued;
            if (_byKey.Count >= _capacity)
            {
                var healthiest = _order.Max;
                if (candidate.Health >= healthiest.Health)
                {
                    return OfferOutcome.Full;
                }
                _order.Remove(healthiest);
                evicted = _byKey[healthiest.Key].Candidate;
                _byKey.Remove(healthiest.Key);
                outcome = OfferOutcome.QueuedEvictingHealthiest;
            }
            if (_waiter is not null && !_held)
            {
                waiter = _waiter;
                _waiter = null;
            }
            else
            {
                var seq = _seq++;
                _byKey[key] = (candidate, seq);
                _order.Add((candidate.Health, key, seq));
            }
        }
        waiter?.TrySetResult(candidate);
        return outcome;
    }

    /// <summary>The worst candidate, waiting for one; null once <see cref="Complete"/> was called.</summary>
    public Task<LiquidationCandidate?> TakeAsync()
    {
        lock (_gate)
        {
            if (_order.Count > 0 && !_held)
            {
                var worst = _order.Min;
                _order.Remove(worst);
                var c = _byKey[worst.Key].Candidate;
                _byKey.Remove(worst.Key);
                return Task.FromResult<LiquidationCandidate?>(c);
            }
            if (_completed)
            {
                return Task.FromResult<LiquidationCandidate?>(null);
            }
            _waiter = new TaskCompletionSource<LiquidationCandidate?>(TaskCreationOptions.RunContinuationsAsynchronously);
            return _waiter.Task;
        }
    }

    /// <summary>Holds takers while a batch of offers goes in (an evaluation cycle), so the batch is taken in
    /// priority order whatever the order it was offered in.</summary>
    public void Hold()
    {
        lock (_gate)
        {
            _held = true;
        }
    }

    /// <summary>Lets takers in again; a waiting taker gets the worst candidate.</summary>
    public void Release()
    {
        TaskCompletionSource<LiquidationCandidate?>? waiter = null;
        LiquidationCandidate? next = null;
        lock (_gate)
        {
            _held = false;
            if (_waiter is not null && _order.Count > 0)
            {
                var worst = _order.Min;
                _order.Remove(worst);
                next = _byKey[worst.Key].Candidate;
                _byKey.Remove(worst.Key);
                waiter = _waiter;
                _waiter = null;
            }
        }
        waiter?.TrySetResult(next);
    }

    /// <summary>Ends the queue: a waiting taker gets null.</summary>
    public void Complete()
    {
        TaskCompletionSource<LiquidationCandidate?>? waiter;
        lock (_gate)
        {
            _completed = true;
            waiter = _waiter;
            _waiter = null;
        }
        waiter?.TrySetResult(null);
    }

    // Worst health first; ties by key (ordinal), so the order does not depend on arrival (a replay is deterministic).
    private sealed class OrderByHealthThenKey : IComparer<(double Health, string Key, long Seq)>
    {
        public static readonly OrderByHealthThenKey Instance = new();

        public int Compare((double Health, string Key, long Seq) a, (double Health, string Key, long Seq) b)
        {
            var c = a.Health.CompareTo(b.Health);
            return c != 0 ? c : string.CompareOrdinal(a.Key, b.Key);
        }
    }
}

using RiskGrid.Margin.Parameters;

namespace RiskGrid.Margin.Oracle;

/// <summary>
/// The index of one underlying (§8): the median of its sources' latest prices, staleness and the wick guard.
/// Sources are small integer ids 0 … <see cref="SourceCount"/>−1 (the caller keeps their names). Pure and
/// allocation-free after construction: time arrives as Unix milliseconds on the grid's clock (the data's clock in
/// a replay); nothing here reads a clock. One writer.
/// <para><b>Ticks.</b> <see cref="OnTick"/> keeps per source the latest price and its time. NaN, ±∞ and prices
/// ≤ 0 are rejected, as is a tick older than the source's latest (one at the same millisecond replaces it); each
/// rejection is counted by cause and leaves the source unchanged.</para>
/// <para><b>Index.</b> <see cref="Evaluate"/> at time <c>now</c>: a source is valid when it has a price and
/// now − tickTime &lt; staleMs (a tick stamped later than <c>now</c> counts as age 0 or less, so valid). With at
/// least <see cref="MinSources"/> (= <see cref="PriceParams.MinSourcesFor"/>) valid sources the index is their
/// median (an even count takes the mean of the two middle prices) and is fresh; with fewer it is stale and the last
/// good index stands (NaN, status <see cref="OracleStatus.Unpriced"/>, if there never was one). <c>now</c> earlier
/// than a previous evaluation is taken as that previous time: the oracle's clock never runs backwards.</para>
/// <para><b>Wick guard.</b> The oracle remembers the confirmed index levels of the last jumpWindowMs (rounded up
/// to less than two 1/63 buckets, see the window note below) and always the last confirmed level; call their range
/// [lo, hi]. A fresh index x is <i>beyond</i> the window when x &gt; lo·(1 + jumpFraction) (a rise of more than
/// jumpFraction from some remembered level) or x &lt; hi·(1 − jumpFraction) (a fall of more than jumpFraction).
/// Rules, applied at each fresh evaluation:
/// <list type="number">
/// <item>The first index ever formed is confirmed as it is (there is nothing to compare it with).</item>
/// <item>x not beyond: x is confirmed (recorded in the window); any pending jump ends as reverted. Status fresh.</item>
/// <item>x beyond, and no jump pending, or a jump pending in the other direction, or x more than jumpFraction away
/// from a level seen since the pending jump began (x &gt; pLo·(1 + jumpFraction) or x &lt; pHi·(1 − jumpFraction),
/// [pLo, pHi] being the range of the levels seen since): a jump starts now (since = now, [pLo, pHi] = [x, x]).
/// </item>
/// <item>Otherwise x joins the pending range; if now − since ≥ confirmMs the jump is confirmed: the window forgets
/// every earlier level and restarts from the pending range [pLo, pHi] (x last). Status fresh. (With confirmMs = 0
/// this happens at once.)</item>
/// <item>Otherwise the status is <see cref="OracleStatus.WickGuarded"/>: the new index is published (marks and
/// checks use it) but liquidations wait.</item>
/// </list>
/// "The new level has held for confirmMs" therefore means: at every fresh evaluation from the first one beyond the
/// window until one at least confirmMs later, the index was beyond the window on the same side and within
/// jumpFraction of every level seen in between. A stale evaluation abandons a pending jump (the level was not
/// observed holding); the first fresh evaluation after it is judged against the window afresh, which still holds
/// at least the last confirmed level. Levels seen while a jump is pending are not recorded in the window.</para>
/// <para><b>Window note.</b> The window is a ring of 64 buckets of ⌈jumpWindowMs/63⌉ ms keeping the minimum and
/// maximum confirmed level of each; a level stays in it for at least jumpWindowMs and less than jumpWindowMs + two
/// buckets (60 s → at least 60.039 s, less than 60.992 s). Rounding up makes the guard slightly more eager, never
/// less.</para>
/// </summary>
public sealed class OracleIndex
{
    private readonly double[] _price;
    private readonly long[] _tickMs;
    private readonly double[] _scratch;
    private LevelWindow _window;
    private long _staleMs;
    private long _confirmMs;
    private double _jumpFraction;

    private long _nowMs = long.MinValue;
    private double _index = double.NaN;
    private long _lastGoodMs = long.MinValue;
    private int _pendingDirection;
    private long _pendingSinceMs = long.MinValue;
    private double _pendingFrom = double.NaN;
    private double _pendingLow = double.NaN;
    private double _pendingHigh = double.NaN;
    private OracleSnapshot _snapshot;

    /// <summary>Creates the oracle of one underlying with <paramref name="sourceCount"/> sources.</summary>
    /// <exception cref="ArgumentOutOfRangeException">No source, or more required sources than configured.</exception>
    public OracleIndex(int sourceCount, PriceParams prices)
    {
        ArgumentNullException.ThrowIfNull(prices);
        ArgumentOutOfRangeException.ThrowIfLessThan(sourceCount, 1);
        MinSources = prices.MinSourcesFor(sourceCount);
        if (MinSources > sourceCount)
        {
            throw new ArgumentOutOfRangeException(nameof(prices), prices.MinSources,
                $"prices.minSources = {MinSources} exceeds the {sourceCount} configured source(s): never fresh");
        }
        SourceCount = sourceCount;
        _staleMs = prices.StaleMs;
        _confirmMs = prices.ConfirmMs;
        _jumpFraction = prices.JumpFraction;
        _price = new double[sourceCount];
        _tickMs = new long[sourceCount];
        _scratch = new double[sourceCount];
        Array.Fill(_price, double.NaN);
        Array.Fill(_tickMs, long.MinValue);
        _window = new LevelWindow(prices.JumpWindowMs);
        _snapshot = new OracleSnapshot(double.NaN, OracleStatus.Unpriced, 0, long.MinValue, long.MinValue,
            long.MinValue, double.NaN);
    }

    /// <summary>Number of configured sources (ids 0 … SourceCount−1).</summary>
    public int SourceCount { get; }

    /// <summary>Valid sources needed for a fresh index.</summary>
    public int MinSources { get; private set; }

    /// <summary>Width of one wick-guard window bucket in milliseconds (⌈jumpWindowMs/63⌉).</summary>
    public long WindowBucketMs => _window.BucketMs;

    /// <summary>The state as of the last <see cref="Evaluate"/>.</summary>
    public OracleSnapshot Snapshot => _snapshot;

    /// <summary>The index in USD as of the last evaluation (last good while stale; NaN when never priced).</summary>
    public double Index => _snapshot.Index;

    /// <summary>True when the last evaluation found fewer than <see cref="MinSources"/> valid sources.</summary>
    public bool IsStale => _snapshot.IsStale;

    /// <summary>True while a jump waits for confirmation.</summary>
    public bool IsWickGuarded => _snapshot.IsWickGuarded;

    /// <summary>True when liquidations on the underlying may proceed (fresh, not guarded).</summary>
    public bool CanLiquidate => _snapshot.CanLiquidate;

    /// <summary>Valid sources at the last evaluation.</summary>
    public int ValidSourceCount => _snapshot.ValidSources;

    /// <summary>Ticks accepted.</summary>
    public long AcceptedTicks { get; private set; }

    /// <summary>Ticks rejected because the price was NaN.</summary>
    public long RejectedNotANumber { get; private set; }

    /// <summary>Ticks rejected because the price was ±∞.</summary>
    public long RejectedInfinite { get; private set; }

    /// <summary>Ticks rejected because the price was ≤ 0.</summary>
    public long RejectedNonPositive { get; private set; }

    /// <summary>Ticks rejected because they were older than the source's latest.</summary>
    public long RejectedOutOfOrder { get; private set; }

    /// <summary>All rejected ticks.</summary>
    public long RejectedTicks => RejectedNotANumber + RejectedInfinite + RejectedNonPositive + RejectedOutOfOrder;

    /// <summary>Wick-guard waits started (a jump that moves on by more than jumpFraction starts a new one).</summary>
    public long JumpsStarted { get; private set; }

    /// <summary>Jumps confirmed after holding for confirmMs (or at once with confirmMs = 0).</summary>
    public long JumpsConfirmed { get; private set; }

    /// <summary>Jumps that ended because the index came back within jumpFraction of the window.</summary>
    public long JumpsReverted { get; private set; }

    /// <summary>Latest accepted price of a source in USD (NaN when none yet).</summary>
    public double LastPrice(int sourceId) => _price[sourceId];

    /// <summary>Time of a source's latest accepted tick in Unix ms (<see cref="long.MinValue"/> when none).</summary>
    public long LastTickMs(int sourceId) => _tickMs[sourceId];

    /// <summary>Age of a source's latest tick at <paramref name="nowMs"/> in ms (<see cref="long.MaxValue"/> when
    /// it never ticked).</summary>
    public long SourceAgeMs(int sourceId, long nowMs) =>
        _tickMs[sourceId] == long.MinValue ? long.MaxValue : nowMs - _tickMs[sourceId];

    /// <summary>True when the source would count towards the index at <paramref name="nowMs"/>.</summary>
    public bool IsSourceValid(int sourceId, long nowMs) => SourceAgeMs(sourceId, nowMs) < _staleMs;

    /// <summary>
    /// Takes new oracle parameters (a run-time parameter change), keeping the sources' prices, the index, the wick
    /// guard's remembered levels and any pending jump: staleMs, minSources, jumpFraction and confirmMs apply from the
    /// next <see cref="Evaluate"/>. A new jumpWindowMs re-buckets the window, which restarts from the range of the
    /// levels it remembers now (the last confirmed level included).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">More required sources than configured.</exception>
    public void Reconfigure(PriceParams prices)
    {
        ArgumentNullException.ThrowIfNull(prices);
        var minSources = prices.MinSourcesFor(SourceCount);
        if (minSources > SourceCount)
        {
            throw new ArgumentOutOfRangeException(nameof(prices), prices.MinSources,
                $"prices.minSources = {minSources} exceeds the {SourceCount} configured source(s): never fresh");
        }
        MinSources = minSources;
        _staleMs = prices.StaleMs;
        _confirmMs = prices.ConfirmMs;
        _jumpFraction = prices.JumpFraction;
        var window = new LevelWindow(prices.JumpWindowMs);
        if (window.BucketMs != _window.BucketMs)
        {
            if (_window.HasLevel)
            {
                _window.Range(_nowMs, out var low, out var high);
                window.Restart(low, high, _window.Last, _nowMs);
            }
            _window = window;
        }
    }

    /// <summary>Offers a source's price (USD) stamped <paramref name="tsMs"/> (Unix ms).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Unknown source id (a wiring error, not bad data).</exception>
    public TickOutcome OnTick(int sourceId, double price, long tsMs)
    {
        if ((uint)sourceId >= (uint)_price.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(sourceId), sourceId, "no such source");
        }
        TickOutcome outcome;
        if (double.IsNaN(price))
        {
            outcome = TickOutcome.NotANumber;
            RejectedNotANumber++;
        }
        else if (double.IsInfinity(price))
        {
            outcome = TickOutcome.Infinite;
            RejectedInfinite++;
        }
        else if (price <= 0)
        {
            outcome = TickOutcome.NonPositive;
            RejectedNonPositive++;
        }
        else if (tsMs < _tickMs[sourceId])
        {
            outcome = TickOutcome.OutOfOrder;
            RejectedOutOfOrder++;
        }
        else
        {
            _price[sourceId] = price;
            _tickMs[sourceId] = tsMs;
            AcceptedTicks++;
            outcome = TickOutcome.Accepted;
        }
        return outcome;
    }

    /// <summary>Forms the index at <paramref name="nowMs"/> (Unix ms) and applies the wick guard.</summary>
    public OracleSnapshot Evaluate(long nowMs)
    {
        var now = Math.Max(nowMs, _nowMs);
        _nowMs = now;
        var valid = 0;
        for (var s = 0; s < _price.Length; s++)
        {
            if (_tickMs[s] != long.MinValue && now - _tickMs[s] < _staleMs)
            {
                _scratch[valid++] = _price[s];
            }
        }
        if (valid < MinSources)
        {
            // The level was not observed holding while stale: a pending jump is judged afresh on return.
            _pendingDirection = 0;
            var status = double.IsNaN(_index) ? OracleStatus.Unpriced : OracleStatus.Stale;
            return Publish(status, valid, now);
        }
        _index = Median(_scratch.AsSpan(0, valid));
        _lastGoodMs = now;
        return Publish(ApplyWickGuard(_index, now), valid, now);
    }

    private OracleStatus ApplyWickGuard(double x, long now)
    {
        if (!_window.HasLevel)
        {
            _window.Restart(x, x, x, now);
            return OracleStatus.Fresh;
        }
        _window.Range(now, out var low, out var high);
        var direction = x > low * (1 + _jumpFraction) ? 1 : x < high * (1 - _jumpFraction) ? -1 : 0;
        if (direction == 0)
        {
            if (_pendingDirection != 0)
            {
                JumpsReverted++;
                _pendingDirection = 0;
            }
            _window.Add(x, now);
            return OracleStatus.Fresh;
        }
        var moved = x > _pendingLow * (1 + _jumpFraction) || x < _pendingHigh * (1 - _jumpFraction);
        if (_pendingDirection != direction || moved)
        {
            _pendingDirection = direction;
            _pendingSinceMs = now;
            _pendingFrom = direction > 0 ? low : high;
            _pendingLow = x;
            _pendingHigh = x;
            JumpsStarted++;
        }
        else
        {
            _pendingLow = Math.Min(_pendingLow, x);
            _pendingHigh = Math.Max(_pendingHigh, x);
        }
        if (now - _pendingSinceMs >= _confirmMs)
        {
            JumpsConfirmed++;
            _pendingDirection = 0;
            _window.Restart(_pendingLow, _pendingHigh, x, now);
            return OracleStatus.Fresh;
        }
        return OracleStatus.WickGuarded;
    }

    private OracleSnapshot Publish(OracleStatus status, int valid, long now)
    {
        var guarded = status == OracleStatus.WickGuarded;
        _snapshot = new OracleSnapshot(_index, status, valid, now, _lastGoodMs,
            guarded ? _pendingSinceMs : long.MinValue, guarded ? _pendingFrom : double.NaN);
        return _snapshot;
    }

    /// <summary>Median of a non-empty span (sorted in place); an even count takes the mean of the middle two.
    /// (a + b)·0.5 of two doubles a ≤ b always lies in [a, b], so the index never leaves the sources' range.</summary>
    internal static double Median(Span<double> prices)
    {
        prices.Sort();
        var n = prices.Length;
        return (n & 1) == 1 ? prices[n / 2] : (prices[(n / 2) - 1] + prices[n / 2]) * 0.5;
    }
}

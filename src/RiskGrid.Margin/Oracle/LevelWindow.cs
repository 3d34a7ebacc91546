namespace RiskGrid.Margin.Oracle;

/// <summary>
/// The confirmed index levels of the last <c>jumpWindowMs</c> (§8 wick guard), kept as the minimum and maximum per
/// time bucket in a fixed ring, so memory is bounded whatever the tick rate.
/// <para>
/// Buckets are <see cref="BucketMs"/> = ⌈jumpWindowMs / 63⌉ ms wide (at least 1), bucket k holding times
/// [k·BucketMs, (k+1)·BucketMs). At time <c>now</c> (bucket kNow) the window is buckets kNow−63 … kNow, so a level
/// recorded at time t is remembered while now − t &lt; 63·BucketMs (always ≥ jumpWindowMs) and never once
/// now − t ≥ 64·BucketMs: the window is jumpWindowMs rounded up by less than two buckets (60 000 ms → 953 ms
/// buckets, memory 60 039 to 60 992 ms). The most recently recorded level is always part of the range, even after
/// its bucket has aged out, so the range is never empty once a level was recorded.
/// </para>
/// </summary>
internal sealed class LevelWindow
{
    /// <summary>Number of buckets in the ring.</summary>
    public const int Buckets = 64;

    private readonly long[] _bucket = new long[Buckets];
    private readonly double[] _min = new double[Buckets];
    private readonly double[] _max = new double[Buckets];
    private double _last = double.NaN;

    public LevelWindow(long jumpWindowMs)
    {
        BucketMs = Math.Max(1, (jumpWindowMs + Buckets - 2) / (Buckets - 1));
        Array.Fill(_bucket, long.MinValue);
    }

    /// <summary>Width of one bucket in milliseconds.</summary>
    public long BucketMs { get; }

    /// <summary>True once a level was recorded.</summary>
    public bool HasLevel => !double.IsNaN(_last);

    /// <summary>The most recently recorded level (NaN when none).</summary>
    public double Last => _last;

    /// <summary>Records a confirmed level at <paramref name="nowMs"/>.</summary>
    public void Add(double level, long nowMs)
    {
        var k = FloorDiv(nowMs, BucketMs);
        var slot = Slot(k);
        if (_bucket[slot] != k)
        {
            _bucket[slot] = k;
            _min[slot] = level;
            _max[slot] = level;
        }
        else
        {
            _min[slot] = Math.Min(_min[slot], level);
            _max[slot] = Math.Max(_max[slot], level);
        }
        _last = level;
    }

    /// <summary>Forgets every level and starts again from the levels [<paramref name="low"/>,
    /// <paramref name="high"/>] at <paramref name="nowMs"/>, <paramref name="last"/> (within them) the latest.</summary>
    public void Restart(double low, double high, double last, long nowMs)
    {
        Array.Fill(_bucket, long.MinValue);
        Add(low, nowMs);
        Add(high, nowMs);
        Add(last, nowMs);
    }

    /// <summary>Lowest and highest level remembered at <paramref name="nowMs"/> (the last level included).</summary>
    public void Range(long nowMs, out double low, out double high)
    {
        low = _last;
        high = _last;
        var kNow = FloorDiv(nowMs, BucketMs);
        var oldest = kNow - (Buckets - 1);
        for (var i = 0; i < Buckets; i++)
        {
            var k = _bucket[i];
            if (k >= oldest && k <= kNow)
            {
                low = Math.Min(low, _min[i]);
                high = Math.Max(high, _max[i]);
            }
        }
    }

    private static int Slot(long bucket) => (int)(((bucket % Buckets) + Buckets) % Buckets);

    private static long FloorDiv(long a, long b)
    {
        var q = a / b;
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
    }
}

using System.Diagnostics;
using HdrHistogram;
using RiskGrid.Margin.Parameters;
using RiskGrid.Margin.Volatility;
using RiskGrid.Node.Prices;
using RiskGrid.Node.Time;

namespace RiskGrid.Load.Supervision;

/// <summary>
/// Moves BTC, ETH and SOL of the node under test through <see cref="PriceView.Submit"/> from one source
/// (<see cref="Source"/>; the node expects one source per underlying, so every tick forms a fresh index at once), on
/// the node's <see cref="ManualGridClock"/>: the driver moves the grid clock itself, in step with the wall clock for
/// steady ticks, faster for the crash. One thread drives it.
/// </summary>
internal sealed class IndexDriver
{
    public const string Source = "load";

    private readonly PriceView _prices;
    private readonly ManualGridClock _clock;
    private readonly string[] _names;
    private readonly double[] _refVol;
    private readonly double[] _price;
    private readonly long[] _lastTsMs;
    private readonly Random _random;
    private long _submitted;
    private long _rejected;

    public IndexDriver(PriceView prices, ManualGridClock clock, IReadOnlyDictionary<string, double> start, int seed)
    {
        _prices = prices;
        _clock = clock;
        _names = ["BTC", "ETH", "SOL"];
        var parameters = prices.Parameters.Underlyings;
        _refVol = new double[_names.Length];
        _price = new double[_names.Length];
        _lastTsMs = new long[_names.Length];
        for (var u = 0; u < _names.Length; u++)
        {
            _refVol[u] = parameters.Single(p => p.Name == _names[u]).RefVol;
            _price[u] = start[_names[u]];
        }
        _random = new Random(seed);
    }

    public int Count => _names.Length;

    public string Name(int u) => _names[u];

    /// <summary>The last price submitted and accepted for underlying <paramref name="u"/>.</summary>
    public double Price(int u) => _price[u];

    public long Submitted => Interlocked.Read(ref _submitted);

    public long Rejected => Interlocked.Read(ref _rejected);

    public string? LastRejection { get; private set; }

    public ManualGridClock Clock => _clock;

    /// <summary>Submits <paramref name="price"/> for underlying <paramref name="u"/> stamped <paramref name="atMs"/>
    /// (grid clock), moved on to 1 ms after the underlying's previous tick when needed (the source's sequence is its
    /// timestamp); the grid clock is first brought up to the stamp.</summary>
    public void Submit(int u, double price, long atMs)
    {
        var ts = Math.Max(atMs, _lastTsMs[u] + 1);
        _clock.AdvanceTo(ts);
        _lastTsMs[u] = ts;
        var result = _prices.Submit(Source, _names[u], price, ts);
        if (result.IsAccepted)
        {
            _price[u] = price;
            Interlocked.Increment(ref _submitted);
        }
        else
        {
            Interlocked.Increment(ref _rejected);
            LastRejection = $"{_names[u]} {price}: {result.Reason}";
        }
    }

    /// <summary>Sets every index at once (the start market, or a move of every underlying).</summary>
    public void SubmitAll(Func<int, double> price, long atMs)
    {
        for (var u = 0; u < _names.Length; u++)
        {
            Submit(u, price(u), atMs);
        }
    }

    /// <summary>
    /// Open model on the wall clock: tick k (underlyings in turn) is due at start + k/rate, whatever happened to the
    /// ones before; the sender wakes about every millisecond and submits every tick due, each a log-normal step of
    /// σ = volScale · refVol · √(Δt / year) for the underlying's own Δt between ticks (so volScale 1 moves each index
    /// at its reference volatility). The grid clock follows the ticks' intended times. Records each tick's lateness
    /// (submitted − intended, µs) in <paramref name="lateness"/>.
    /// </summary>
    public void RunPaced(int rate, double seconds, double volScale, LongHistogram lateness)
    {
        var total = (long)(rate * seconds);
        var sigma = new double[_names.Length];
        for (var u = 0; u < sigma.Length; u++)
        {
            sigma[u] = volScale * _refVol[u] * Math.Sqrt(_names.Length / (double)rate / VolatilityEstimator.SecondsPerYear);
        }
        var perTick = (double)Stopwatch.Frequency / rate;
        var start = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 100;
        var marketStart = _clock.NowMs + 1;
        long k = 0;
        while (k < total)
        {
            var now = Stopwatch.GetTimestamp();
            for (; k < total; k++)
            {
                var due = start + (long)(k * perTick);
                if (due > now)
                {
                    break;
                }
                var u = (int)(k % _names.Length);
                Submit(u, _price[u] * Math.Exp(sigma[u] * Gaussian()), marketStart + (long)(k * 1000.0 / rate));
                lateness.RecordValue(Math.Max(0, (Stopwatch.GetTimestamp() - due) * 1_000_000 / Stopwatch.Frequency));
            }
            Thread.Sleep(1);
        }
    }

    private double Gaussian()
    {
        // Box–Muller; 1 − u keeps the logarithm finite.
        var u1 = 1.0 - _random.NextDouble();
        var u2 = _random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>The id of each driven underlying in the node's catalog.</summary>
    public int[] UnderlyingIds(RiskParams parameters)
    {
        var ids = new int[_names.Length];
        for (var u = 0; u < ids.Length; u++)
        {
            ids[u] = parameters.Underlyings.ToList().FindIndex(p => p.Name == _names[u]);
        }
        return ids;
    }
}

using System.Globalization;
using System.Text;

namespace RiskGrid.Feed.Replay;

/// <summary>One synthetic trade.</summary>
/// <param name="TsMs">Trade time, epoch milliseconds.</param>
/// <param name="Price">Trade price in USD.</param>
/// <param name="Size">Size in the base asset.</param>
/// <param name="IsBuy">True when the taker bought.</param>
public readonly record struct SyntheticTrade(long TsMs, double Price, double Size, bool IsBuy);

/// <summary>One (source, symbol) trade series of a <see cref="SyntheticCrash"/>.</summary>
public sealed class SyntheticSeries
{
    private readonly SyntheticTrade[] _trades;

    internal SyntheticSeries(string source, string symbol, string baseAsset, double drawdown, SyntheticTrade[] trades)
    {
        Source = source;
        Symbol = symbol;
        BaseAsset = baseAsset;
        Drawdown = drawdown;
        _trades = trades;
    }

    /// <summary>Source name (<c>synth_a</c>, <c>synth_b</c>, <c>synth_c</c>).</summary>
    public string Source { get; }

    /// <summary>Symbol (<c>BTCUSD</c>, <c>ETHUSD</c>, <c>SOLUSD</c>).</summary>
    public string Symbol { get; }

    /// <summary>Underlying (<c>BTC</c>).</summary>
    public string BaseAsset { get; }

    /// <summary>Depth of the underlying's cascade in the model, as a fraction (0.25 = −25 %), before noise.</summary>
    public double Drawdown { get; }

    /// <summary>The trades, time-ordered.</summary>
    public IReadOnlyList<SyntheticTrade> Trades => _trades;

    /// <summary>The shared layout's file name: <c>&lt;source&gt;-&lt;symbol&gt;-trades.csv</c>.</summary>
    public string FileName => $"{Source}-{Symbol}-trades.csv";

    /// <summary>The trades as a tick source for a merge.</summary>
    public IRecordedTickSource OpenTicks(int fileIndex) => new TradeTicks(_trades, fileIndex);

    private sealed class TradeTicks(SyntheticTrade[] trades, int fileIndex) : IRecordedTickSource
    {
        private int _next;

        public bool TryRead(out RecordedTick tick)
        {
            if (_next == trades.Length)
            {
                tick = default;
                return false;
            }

            var trade = trades[_next++];
            tick = new RecordedTick(trade.TsMs, trade.Price, fileIndex);
            return true;
        }
    }
}

/// <summary>
/// A small seeded synthetic crash, for tests and demos where the recorded crash data (shared/data/market) is
/// absent, and the crash <c>riskgrid stress</c> replays when no data is given (docs/stress.md). Deterministic per
/// seed: its own SplitMix64 generator (not <see cref="Random"/>, whose algorithm may change between runtimes) drives
/// every draw.
/// </summary>
/// <remarks>
/// Model, 30 minutes of trades from <see cref="StartMs"/> (minutes from the start: calm 0–10, cascade 10–15, bottom
/// at 15, recovery 15–30):
/// <list type="bullet">
/// <item>Underlyings BTC (~100,000 USD), ETH (~3,500), SOL (~180), each start price drawn per seed within ±5 %.
/// Each mid price is flat (but for the noise) for 10 minutes, falls by its drawdown d over the next 5 minutes on an
/// accelerating curve (d·x², x the fraction of the 5 minutes: half the fall comes in the last 1.5 minutes), bottoms
/// at <see cref="BottomMs"/>, then recovers 40 % of the fall with a 200 s time constant (at the end of the window,
/// 15 minutes later, it stands about 0.6·d below the start). d is drawn per seed from [0.22, 0.26] (BTC),
/// [0.23, 0.27] (ETH), [0.24, 0.28] (SOL); a mean-reverting log noise per second (w' = 0.98·w + N(0, 0.0005²),
/// stationary σ about 0.25 %, one path per underlying, shared by BTC's three sources) keeps the observed
/// peak-to-trough within 20–30 %.</item>
/// <item>Three BTC sources: <c>synth_a</c> (at the mid), <c>synth_b</c> (+4 bp) which wicks to half the mid
/// (−50 %) for 4 s around the bottom (<see cref="WickStartMs"/>–<see cref="WickEndMs"/>), and <c>synth_c</c>
/// (−4 bp) which is silent for 30 s in mid-cascade, minutes 12:30–13:00 (<see cref="SilenceStartMs"/>–
/// <see cref="SilenceEndMs"/>). The wick and the silence never overlap, so the median of three (or, during the
/// silence, the mean of two) never follows the wick. ETH and SOL trade on <c>synth_a</c> only.</item>
/// <item>Trades arrive at random per series (exponential gaps, mean 400 ms calm, 100 ms in the cascade, 250 ms in
/// the recovery: about 8,000 trades per series, 40,000 in all), with 2 bp of independent price noise per trade,
/// takers 70 % sellers in the cascade (50 % otherwise), sizes exponential with a mean worth 5,000 USD at the start
/// price; prices rounded to 0.01 (SOL 0.001).</item>
/// </list>
/// The shape, depth, timing, noise and trade rates are assumptions chosen to look like a crash to the feed, the
/// oracle and the liquidation engine, not parameters fitted to a recorded crash; docs/stress.md compares them with
/// published figures of real ones.
/// </remarks>
public sealed class SyntheticCrash
{
    /// <summary>2026-01-01T00:00:00Z, the default start.</summary>
    public const long DefaultStartMs = 1_767_225_600_000;

    private const long DurationMs = 30 * 60_000;
    private const long CascadeOffsetMs = 10 * 60_000;
    private const long CascadeLengthMs = 5 * 60_000;

    private SyntheticSeries[] _series = [];

    private SyntheticCrash(int seed, long startMs)
    {
        Seed = seed;
        StartMs = startMs;
    }

    /// <summary>The seed it was generated from.</summary>
    public int Seed { get; }

    /// <summary>First possible trade time (epoch ms).</summary>
    public long StartMs { get; }

    /// <summary>End of the window (exclusive).</summary>
    public long EndMs => StartMs + DurationMs;

    /// <summary>Start of the cascade.</summary>
    public long CascadeStartMs => StartMs + CascadeOffsetMs;

    /// <summary>Bottom of the cascade.</summary>
    public long BottomMs => CascadeStartMs + CascadeLengthMs;

    /// <summary>Start of <c>synth_b</c>'s −50 % BTC wick.</summary>
    public long WickStartMs => BottomMs - 2_000;

    /// <summary>End of the wick (exclusive).</summary>
    public long WickEndMs => BottomMs + 2_000;

    /// <summary>Start of <c>synth_c</c>'s BTC silence.</summary>
    public long SilenceStartMs => CascadeStartMs + 150_000;

    /// <summary>End of the silence (exclusive).</summary>
    public long SilenceEndMs => SilenceStartMs + 30_000;

    /// <summary>BTC on synth_a, synth_b, synth_c, then ETH and SOL on synth_a.</summary>
    public IReadOnlyList<SyntheticSeries> Series => _series;

    /// <summary>Generates the crash for <paramref name="seed"/>, starting at <paramref name="startMs"/>.</summary>
    public static SyntheticCrash Generate(int seed, long startMs = DefaultStartMs)
    {
        var shape = new SplitMix64(seed, 0);
        var btc = new Underlying("BTC", 100_000 * (0.95 + (0.1 * shape.NextDouble())), 0.22 + (0.04 * shape.NextDouble()), 2);
        var eth = new Underlying("ETH", 3_500 * (0.95 + (0.1 * shape.NextDouble())), 0.23 + (0.04 * shape.NextDouble()), 2);
        var sol = new Underlying("SOL", 180 * (0.95 + (0.1 * shape.NextDouble())), 0.24 + (0.04 * shape.NextDouble()), 3);
        var crash = new SyntheticCrash(seed, startMs);
        var btcNoise = MidNoise(seed, 1);
        crash._series =
        [
            crash.Trades(seed, 10, "synth_a", btc, btcNoise, basis: 0, wick: false, silent: false),
            crash.Trades(seed, 11, "synth_b", btc, btcNoise, basis: 0.0004, wick: true, silent: false),
            crash.Trades(seed, 12, "synth_c", btc, btcNoise, basis: -0.0004, wick: false, silent: true),
            crash.Trades(seed, 13, "synth_a", eth, MidNoise(seed, 2), basis: 0, wick: false, silent: false),
            crash.Trades(seed, 14, "synth_a", sol, MidNoise(seed, 3), basis: 0, wick: false, silent: false),
        ];
        return crash;
    }

    /// <summary>Writes every series to <paramref name="directory"/> in the shared trades layout
    /// (<c>ts_ms,price,size,side</c>) under its <see cref="SyntheticSeries.FileName"/>; returns the paths.</summary>
    public IReadOnlyList<string> WriteCsv(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        Directory.CreateDirectory(directory);
        var paths = new List<string>();
        foreach (var series in Series)
        {
            var path = Path.Combine(directory, series.FileName);
            using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false)) { NewLine = "\n" };
            writer.WriteLine("ts_ms,price,size,side");
            foreach (var trade in series.Trades)
            {
                writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{trade.TsMs},{trade.Price},{trade.Size},{(trade.IsBuy ? "buy" : "sell")}"));
            }

            paths.Add(path);
        }

        return paths;
    }

    private SyntheticSeries Trades(
        int seed, int stream, string source, Underlying underlying, double[] noise, double basis, bool wick, bool silent)
    {
        var random = new SplitMix64(seed, stream);
        var trades = new List<SyntheticTrade>();
        var sizeMean = 5_000 / underlying.StartPrice;
        var timeMs = (double)StartMs;
        while (true)
        {
            var phaseMs = (long)timeMs - StartMs;
            var meanGapMs = phaseMs < CascadeOffsetMs ? 400.0
                : phaseMs < CascadeOffsetMs + CascadeLengthMs ? 100.0 : 250.0;
            timeMs += -meanGapMs * Math.Log(1 - random.NextDouble());
            var tsMs = (long)timeMs;
            if (tsMs >= EndMs)
            {
                break;
            }

            var inCascade = tsMs >= CascadeStartMs && tsMs < BottomMs;
            var isBuy = random.NextDouble() >= (inCascade ? 0.7 : 0.5);
            var size = Math.Max(1e-6, Math.Round(-sizeMean * Math.Log(1 - random.NextDouble()), 6));
            var price = Mid(underlying, noise, tsMs) * (1 + basis + (0.0002 * random.NextGaussian()));
            if (silent && tsMs >= SilenceStartMs && tsMs < SilenceEndMs)
            {
                continue;
            }

            if (wick && tsMs >= WickStartMs && tsMs < WickEndMs)
            {
                price *= 0.5;
            }

            trades.Add(new SyntheticTrade(tsMs, Math.Round(price, underlying.Decimals), size, isBuy));
        }

        return new SyntheticSeries(source, underlying.Name + "USD", underlying.Name, underlying.Drawdown, [.. trades]);
    }

    private double Mid(Underlying underlying, double[] noise, long tsMs)
    {
        var seconds = (tsMs - StartMs) / 1_000.0;
        var cascadeStart = CascadeOffsetMs / 1_000.0;
        var bottom = (CascadeOffsetMs + CascadeLengthMs) / 1_000.0;
        double fall;
        if (seconds < cascadeStart)
        {
            fall = 0;
        }
        else if (seconds < bottom)
        {
            var x = (seconds - cascadeStart) / (bottom - cascadeStart);
            fall = underlying.Drawdown * x * x;
        }
        else
        {
            fall = underlying.Drawdown * (1 - (0.4 * (1 - Math.Exp(-(seconds - bottom) / 200))));
        }

        return underlying.StartPrice * (1 - fall) * Math.Exp(noise[(int)seconds]);
    }

    /// <summary>Mean-reverting log-price noise per second: w' = 0.98·w + N(0, 0.0005²), stationary σ ≈ 0.25 %.</summary>
    private static double[] MidNoise(int seed, int stream)
    {
        var random = new SplitMix64(seed, 100 + stream);
        var noise = new double[(DurationMs / 1_000) + 1];
        for (var i = 1; i < noise.Length; i++)
        {
            noise[i] = (0.98 * noise[i - 1]) + (0.0005 * random.NextGaussian());
        }

        return noise;
    }

    private sealed record Underlying(string Name, double StartPrice, double Drawdown, int Decimals);

    /// <summary>SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, the same numbers on every runtime.</summary>
    private struct SplitMix64(int seed, int stream)
    {
        private ulong _state = ((ulong)(uint)seed << 32) ^ ((ulong)(uint)stream * 0x9E37_79B9_7F4A_7C15);

        public ulong NextUInt64()
        {
            var z = _state += 0x9E37_79B9_7F4A_7C15;
            z = (z ^ (z >> 30)) * 0xBF58_476D_1CE4_E5B9;
            z = (z ^ (z >> 27)) * 0x94D0_49BB_1331_11EB;
            return z ^ (z >> 31);
        }

        /// <summary>Uniform in [0, 1).</summary>
        public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

        /// <summary>Standard normal (Box–Muller).</summary>
        public double NextGaussian()
        {
            var u = 1 - NextDouble();
            var v = NextDouble();
            return Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * v);
        }
    }
}

namespace RiskGrid.Node.Books;

/// <summary>
/// The book generator's pseudo-random numbers: xoshiro256** (Blackman and Vigna) seeded through SplitMix64, so a
/// seed gives the same stream on every platform and every .NET version (unlike <see cref="System.Random"/>, whose
/// algorithm is an implementation detail). Each account gets its own stream, derived from the book's seed and the
/// account's number: account 17 is the same whether the book has 1,000 accounts or 100,000, and accounts can be
/// generated in any order. The continuous draws use Math.Log, Math.Exp and friends,
/// which are deterministic on one platform and runtime; the integer stream is deterministic everywhere.
/// </summary>
internal sealed class BookRandom
{
    private ulong _s0;
    private ulong _s1;
    private ulong _s2;
    private ulong _s3;

    public BookRandom(ulong seed)
    {
        var sm = seed;
        _s0 = SplitMix64(ref sm);
        _s1 = SplitMix64(ref sm);
        _s2 = SplitMix64(ref sm);
        _s3 = SplitMix64(ref sm);
    }

    /// <summary>The stream of account <paramref name="number"/> of the book seeded with
    /// <paramref name="seed"/>.</summary>
    public static BookRandom ForAccount(long seed, int number)
    {
        var sm = unchecked((ulong)seed);
        var bookKey = SplitMix64(ref sm);
        var am = unchecked((ulong)number * 0xD1B54A32D192ED03UL) ^ bookKey;
        return new BookRandom(SplitMix64(ref am));
    }

    /// <summary>64 random bits.</summary>
    public ulong NextULong()
    {
        var result = RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1), 53 bits.</summary>
    public double NextDouble() => (NextULong() >> 11) * (1.0 / (1UL << 53));

    /// <summary>True with probability <paramref name="p"/>.</summary>
    public bool Chance(double p) => NextDouble() < p;

    /// <summary>Uniform in [<paramref name="min"/>, <paramref name="max"/>).</summary>
    public double Uniform(double min, double max) => min + (max - min) * NextDouble();

    /// <summary>Log-uniform in [<paramref name="min"/>, <paramref name="max"/>) (both &gt; 0).</summary>
    public double LogUniform(double min, double max) => min * Math.Exp(Math.Log(max / min) * NextDouble());

    /// <summary>Uniform integer in [0, <paramref name="n"/>).</summary>
    public int Below(int n) => (int)((NextULong() >> 33) * (ulong)n >> 31);

    /// <summary>Standard normal (Box–Muller, one value per call so the stream stays easy to reason about).</summary>
    public double Gaussian()
    {
        var u1 = 1.0 - NextDouble(); // (0, 1]: the log is finite
        var u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>Exponential with mean 1.</summary>
    public double Exponential() => -Math.Log(1.0 - NextDouble());

    /// <summary>Gamma(<paramref name="shape"/>, 1) by Marsaglia and Tsang (2000); shape &gt; 0.</summary>
    public double Gamma(double shape)
    {
        if (shape < 1)
        {
            // Boost: Gamma(a) = Gamma(a + 1) × U^(1/a).
            return Gamma(shape + 1) * Math.Pow(1.0 - NextDouble(), 1.0 / shape);
        }
        var d = shape - 1.0 / 3.0;
        var c = 1.0 / Math.Sqrt(9.0 * d);
        while (true)
        {
            double x, v;
            do
            {
                x = Gaussian();
                v = 1.0 + c * x;
            }
            while (v <= 0);
            v = v * v * v;
            var u = 1.0 - NextDouble();
            if (Math.Log(u) < 0.5 * x * x + d - d * v + d * Math.Log(v))
            {
                return d * v;
            }
        }
    }

    /// <summary>Poisson(<paramref name="lambda"/>): Knuth's product method up to λ = 30, a rounded normal above
    /// (the generator caps counts far below where the approximation matters).</summary>
    public int Poisson(double lambda)
    {
        if (lambda <= 0)
        {
            return 0;
        }
        if (lambda > 30)
        {
            return (int)Math.Max(0, Math.Round(lambda + Math.Sqrt(lambda) * Gaussian()));
        }
        var limit = Math.Exp(-lambda);
        var k = 0;
        var p = 1.0 - NextDouble();
        while (p > limit)
        {
            k++;
            p *= 1.0 - NextDouble();
        }
        return k;
    }

    /// <summary>Negative binomial with mean <paramref name="mean"/> and dispersion r (variance mean + mean²/r), as a
    /// gamma–Poisson mixture.</summary>
    public int NegativeBinomial(double mean, double dispersion) =>
        mean <= 0 ? 0 : Poisson(Gamma(dispersion) * mean / dispersion);

    /// <summary>An index drawn with probability proportional to <paramref name="weights"/> (non-negative, not all
    /// zero).</summary>
    public int Pick(ReadOnlySpan<double> weights)
    {
        var total = 0.0;
        foreach (var w in weights)
        {
            total += w;
        }
        var x = NextDouble() * total;
        var last = -1;
        for (var i = 0; i < weights.Length; i++)
        {
            if (weights[i] <= 0)
            {
                continue;
            }
            last = i;
            x -= weights[i];
            if (x < 0)
            {
                return i;
            }
        }
        return last; // rounding left x a hair above zero: the last positive weight
    }

    private static ulong SplitMix64(ref ulong state)
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));
}

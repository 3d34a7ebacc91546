namespace RiskGrid.Cli.Stress;

/// <summary>The kinds of synthetic shock a scenario lays over the replayed prices.</summary>
internal enum ShockKind
{
    /// <summary>From <c>at</c> on, every price of the chosen underlyings is multiplied by 1 + magnitude.</summary>
    Instant,

    /// <summary>From <c>at</c>, prices drift linearly to 1 + magnitude over <c>duration</c>, then stay there.</summary>
    Bleed,

    /// <summary>One source's prices dip by magnitude for <c>duration</c> from <c>at</c> (a V-shaped wick), the
    /// other sources unchanged.</summary>
    Wick,

    /// <summary>The chosen sources send nothing for <c>duration</c> from <c>at</c> (an oracle outage).</summary>
    Outage,

    /// <summary>From <c>at</c> for <c>duration</c>, prices swing ±magnitude on a 10 s cycle: realised volatility
    /// jumps and the volatility multiplier ramps (§7).</summary>
    VolatilitySpike,

    /// <summary>From <c>at</c>, the first underlying drifts to 1 + magnitude and the second to 1 − magnitude over
    /// <c>duration</c> (a BTC/ETH decorrelation).</summary>
    Decorrelation,
}

/// <summary>A synthetic shock (<c>config/scenarios/*.conf</c>, key <c>scenario.shock</c>).</summary>
/// <param name="Kind">What it does.</param>
/// <param name="AtOffsetMs">When, from the start of the data.</param>
/// <param name="DurationMs">How long (where the kind has a duration).</param>
/// <param name="Magnitude">Relative size (−0.30 = −30 %).</param>
/// <param name="Underlyings">Underlyings it applies to (empty: all).</param>
/// <param name="Sources">Sources it applies to (empty: all).</param>
internal sealed record PriceShock(ShockKind Kind, long AtOffsetMs, long DurationMs, double Magnitude,
    IReadOnlyList<string> Underlyings, IReadOnlyList<string> Sources)
{
    /// <summary>The price at <paramref name="tsMs"/> after the shock, or null when the tick is dropped.</summary>
    public double? Apply(long startMs, long tsMs, string source, string underlying, double price)
    {
        var t = tsMs - startMs - AtOffsetMs;
        var hitsUnderlying = Underlyings.Count == 0 || Underlyings.Contains(underlying);
        var hitsSource = Sources.Count == 0 || Sources.Contains(source);
        if (t < 0 || !hitsUnderlying || !hitsSource)
        {
            return price;
        }
        var inWindow = t < DurationMs;
        var ramp = DurationMs > 0 ? Math.Min(1.0, (double)t / DurationMs) : 1.0;
        return Kind switch
        {
            ShockKind.Instant => price * (1 + Magnitude),
            ShockKind.Bleed => price * (1 + Magnitude * ramp),
            ShockKind.Wick => inWindow ? price * (1 + Magnitude * (1 - Math.Abs(2 * ramp - 1))) : price,
            ShockKind.Outage => inWindow ? null : price,
            ShockKind.VolatilitySpike => inWindow ? price * (1 + Magnitude * Math.Sin(2 * Math.PI * t / 10_000.0)) : price,
            ShockKind.Decorrelation => price * (1 + (Underlyings.Count > 0 && underlying == Underlyings[0] ? 1 : -1) *
                Magnitude * ramp),
            _ => price,
        };
    }
}

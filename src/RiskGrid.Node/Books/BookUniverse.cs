using System.Globalization;
using RiskGrid.Margin.Instruments;
using RiskGrid.Margin.Parameters;
using RiskGrid.Margin.Pricing;

namespace RiskGrid.Node.Books;

/// <summary>
/// A <see cref="BookSpec"/> resolved against the risk parameters and the start market, once per generator: ids of
/// the underlyings and collateral assets, the linear instruments with their draw weights, expiry dates, prices.
/// Immutable after construction (option instruments are resolved through the thread-safe catalog as they are met).
/// </summary>
internal sealed class BookUniverse
{
    /// <summary>An option whose Black-76 value is below this (USD per unit) has no market: its strike moves a step
    /// toward the money.</summary>
    private const double MinOptionPriceUsd = 1e-4;

    public BookUniverse(BookSpec spec, InstrumentCatalog catalog, StartMarket start)
    {
        Spec = spec;
        Catalog = catalog;
        Start = start;
        var p = catalog.Params;
        var errors = new List<string>();
        var underlyingCount = p.Underlyings.Count;
        Index = new double[underlyingCount];
        Volatility = new double[underlyingCount];
        Array.Fill(Index, double.NaN);
        Array.Fill(Volatility, double.NaN);

        UnderlyingIds = new int[spec.Underlyings.Count];
        UnderlyingShares = new double[spec.Underlyings.Count];
        for (var i = 0; i < spec.Underlyings.Count; i++)
        {
            var (name, share) = spec.Underlyings[i];
            var u = p.UnderlyingId(name);
            if (u < 0)
            {
                errors.Add($"underlyings.{name}: no such underlying in the risk parameters");
                continue;
            }
            UnderlyingIds[i] = u;
            UnderlyingShares[i] = share;
            Price(u, $"underlyings.{name}");
        }

        AssetIds = new int[spec.Collateral.Primary.Count];
        AssetShares = new double[spec.Collateral.Primary.Count];
        for (var i = 0; i < spec.Collateral.Primary.Count; i++)
        {
            var (name, share) = spec.Collateral.Primary[i];
            var a = p.AssetId(name);
            if (a < 0)
            {
                errors.Add($"collateral.primary.{name}: no such asset in the risk parameters");
                continue;
            }
            AssetIds[i] = a;
            AssetShares[i] = share;
            if (p.Assets[a].PriceIndex is { } index && p.UnderlyingId(index) is var u and >= 0)
            {
                Price(u, $"collateral.primary.{name}");
            }
        }

        StrikeStep = new double[underlyingCount];
        foreach (var (name, step) in spec.Options.StrikeStep)
        {
            var u = p.UnderlyingId(name);
            if (u < 0)
            {
                errors.Add($"options.strikeStep.{name}: no such underlying in the risk parameters");
            }
            else
            {
                StrikeStep[u] = step;
            }
        }
        if (spec.Options.Share > 0)
        {
            foreach (var u in UnderlyingIds)
            {
                if (StrikeStep[u] > 0.05 * Index[u])
                {
                    errors.Add($"options.strikeStep.{p.Underlyings[u].Name} = {StrikeStep[u]}: more than 5 % of the " +
                               $"start index ({Index[u]}); strikes would not bracket the money");
                }
            }
        }
        if (errors.Count > 0)
        {
            throw new BookSpecException(errors);
        }

        Perpetual = new Instrument[underlyingCount];
        CoverRatio = new long[underlyingCount];
        foreach (var u in UnderlyingIds)
        {
            var up = p.Underlyings[u];
            Perpetual[u] = catalog.Resolve(up.Name + "-PERP");
            CoverRatio[u] = Math.Max(1, (long)decimal.Round(up.OptionLot / up.LinearLot));
        }
        (LinearInstruments, LinearWeights) = BuildLinear(spec, catalog, start.AtMs);
        OptionExpiries = spec.Options.TenorsDays.Select(d => ExpiryCalendar.OptionExpiry(start.AtMs, d)).ToArray();

        LeverageValues = spec.Leverage.Select(l => l.Leverage).ToArray();
        LeverageShares = spec.Leverage.Select(l => l.Share).ToArray();
        ModeShares = [spec.Modes.Standard, spec.Modes.Isolated, spec.Modes.Portfolio];
        StructureShares = [spec.Options.Structures.CoveredCall, spec.Options.Structures.Strangle,
            spec.Options.Structures.VerticalSpread];

        void Price(int u, string key)
        {
            if (!double.IsNaN(Index[u]))
            {
                return;
            }
            var name = p.Underlyings[u].Name;
            if (!start.Indices.TryGetValue(name, out var s) || !(s > 0) || !double.IsFinite(s))
            {
                errors.Add($"{key}: the start market has no positive index for {name}");
                return;
            }
            Index[u] = s;
            var sigma = p.Underlyings[u].RefVol;
            if (start.Volatilities is { } vols && vols.TryGetValue(name, out var v))
            {
                if (!(v > 0) || !double.IsFinite(v))
                {
                    errors.Add($"{key}: the start market's volatility for {name} must be positive");
                    return;
                }
                sigma = v;
            }
            Volatility[u] = sigma;
        }
    }

    public BookSpec Spec { get; }

    public InstrumentCatalog Catalog { get; }

    public StartMarket Start { get; }

    /// <summary>Index per underlying id (NaN where the book does not need one).</summary>
    public double[] Index { get; }

    /// <summary>Volatility per underlying id.</summary>
    public double[] Volatility { get; }

    /// <summary>The spec's underlyings, as ids, with their shares.</summary>
    public int[] UnderlyingIds { get; }

    public double[] UnderlyingShares { get; }

    /// <summary>The spec's primary collateral assets, as ids, with their shares.</summary>
    public int[] AssetIds { get; }

    public double[] AssetShares { get; }

    /// <summary>Strike grid per underlying id (USD; 0 when none).</summary>
    public double[] StrikeStep { get; }

    /// <summary>The perpetual of each underlying id the book uses.</summary>
    public Instrument[] Perpetual { get; }

    /// <summary>Linear lots per option lot (the covered call's cover; the nearest whole number, at least 1).</summary>
    public long[] CoverRatio { get; }

    /// <summary>Perpetuals and futures a position can be drawn in, with the probability of each draw.</summary>
    public Instrument[] LinearInstruments { get; }

    public double[] LinearWeights { get; }

    /// <summary>Option expiries, one per tenor: the date in the instrument name and the expiry in Unix ms.</summary>
    public (string Date, long ExpiryMs)[] OptionExpiries { get; }

    public double[] LeverageValues { get; }

    public double[] LeverageShares { get; }

    /// <summary>Standard, isolated, portfolio.</summary>
    public double[] ModeShares { get; }

    /// <summary>Covered call, strangle, vertical spread.</summary>
    public double[] StructureShares { get; }

    /// <summary>The option on underlying <paramref name="u"/> at the expiry of tenor <paramref name="tenor"/>, its
    /// strike moved toward the money (not onto <paramref name="avoidStrike"/>) until it has a price; with its price
    /// at the start market (Black-76, the catalog's valuation).</summary>
    public (Instrument Option, double Price) Option(int u, int tenor, double strike, bool isCall, double avoidStrike)
    {
        var (date, expiryMs) = OptionExpiries[tenor];
        var step = StrikeStep[u];
        var years = Black76.YearsToExpiry(expiryMs, Start.AtMs);
        var price = Black76.PriceAndDelta(isCall, Index[u], strike, Volatility[u], years, out _);
        while (price < MinOptionPriceUsd)
        {
            var next = isCall ? strike - step : strike + step;
            if (next <= 0 || next == avoidStrike || (isCall ? next < Index[u] - step : next > Index[u] + step))
            {
                break;
            }
            strike = next;
            price = Black76.PriceAndDelta(isCall, Index[u], strike, Volatility[u], years, out _);
        }
        if (!(price > 0))
        {
            throw new InvalidOperationException(
                $"no priced {Catalog.Params.Underlyings[u].Name} option near strike {strike} for expiry {date}");
        }
        var name = string.Create(CultureInfo.InvariantCulture,
            $"{Catalog.Params.Underlyings[u].Name}-{date}-{strike:0}-{(isCall ? 'C' : 'P')}");
        return (Catalog.Resolve(name), price);
    }

    /// <summary>Strike grid rounding: up, down (at least one step), nearest (at least one step).</summary>
    public double StrikeUp(int u, double x) => Math.Max(StrikeStep[u], Math.Ceiling(x / StrikeStep[u]) * StrikeStep[u]);

    public double StrikeDown(int u, double x) => Math.Max(StrikeStep[u], Math.Floor(x / StrikeStep[u]) * StrikeStep[u]);

    public double StrikeNear(int u, double x) => Math.Max(StrikeStep[u], Math.Round(x / StrikeStep[u]) * StrikeStep[u]);

    private static (Instrument[], double[]) BuildLinear(BookSpec spec, InstrumentCatalog catalog, long atMs)
    {
        var instruments = new List<Instrument>();
        var weights = new List<double>();
        var tenors = spec.Instruments.FutureTenorsDays;
        foreach (var (name, share) in spec.Underlyings)
        {
            Add(catalog.Resolve(name + "-PERP"), share * spec.Instruments.PerpetualShare);
            foreach (var days in tenors)
            {
                var (date, _) = ExpiryCalendar.FutureExpiry(atMs, days);
                Add(catalog.Resolve($"{name}-{date}"),
                    share * spec.Instruments.FutureShare / tenors.Count);
            }
        }
        return (instruments.ToArray(), weights.ToArray());

        void Add(Instrument instrument, double weight)
        {
            if (weight <= 0)
            {
                return;
            }
            // Two tenors can land on the same expiry: one instrument, both weights.
            var i = instruments.IndexOf(instrument);
            if (i >= 0)
            {
                weights[i] += weight;
                return;
            }
            instruments.Add(instrument);
            weights.Add(weight);
        }
    }
}

/// <summary>Expiry dates of the book's dated instruments, at 08:00 UTC (MARGIN.md §2).</summary>
internal static class ExpiryCalendar
{
    /// <summary>Options: the first Friday on or after <paramref name="days"/> days after the start (weeklies and
    /// monthlies expire on Fridays).</summary>
    public static (string Date, long ExpiryMs) OptionExpiry(long atMs, int days)
    {
        var date = DateTimeOffset.FromUnixTimeMilliseconds(atMs).UtcDateTime.Date.AddDays(days);
        while (date.DayOfWeek != DayOfWeek.Friday)
        {
            date = date.AddDays(1);
        }
        return Of(date);
    }

    /// <summary>Futures: the last Friday of the month <paramref name="days"/> days after the start, or of the next
    /// month when that one is less than a day away.</summary>
    public static (string Date, long ExpiryMs) FutureExpiry(long atMs, int days)
    {
        var target = DateTimeOffset.FromUnixTimeMilliseconds(atMs).UtcDateTime.Date.AddDays(days);
        var date = LastFriday(target.Year, target.Month);
        if (Of(date).ExpiryMs <= atMs + 86_400_000L)
        {
            var next = target.AddMonths(1);
            date = LastFriday(next.Year, next.Month);
        }
        return Of(date);
    }

    private static DateTime LastFriday(int year, int month)
    {
        var date = new DateTime(year, month, DateTime.DaysInMonth(year, month), 0, 0, 0, DateTimeKind.Utc);
        while (date.DayOfWeek != DayOfWeek.Friday)
        {
            date = date.AddDays(-1);
        }
        return date;
    }

    private static (string Date, long ExpiryMs) Of(DateTime date) =>
        (date.ToString("yyyyMMdd", CultureInfo.InvariantCulture),
            new DateTimeOffset(date.AddHours(8), TimeSpan.Zero).ToUnixTimeMilliseconds());
}

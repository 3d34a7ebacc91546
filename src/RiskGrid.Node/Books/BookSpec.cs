using Akka.Configuration;

namespace RiskGrid.Node.Books;

/// <summary>
/// The distributions a synthetic book of accounts is drawn from (<c>config/books/*.conf</c>, HOCON under
/// <c>riskgrid.book</c>; <c>docs/books.md</c> explains every one and why). Immutable and validated once by
/// <see cref="Load"/>: a bad file is refused naming the key and the value. Money is USD, shares and rates are
/// fractions (0.15 = 15 %), leverage is notional over equity.
/// </summary>
public sealed record BookSpec(
    int Accounts,
    EquitySpec Equity,
    WhaleSpec Whales,
    ModeShares Modes,
    IReadOnlyList<LeverageLevel> Leverage,
    PositionSpec Positions,
    IReadOnlyList<NamedShare> Underlyings,
    InstrumentSpec Instruments,
    CollateralSpec Collateral,
    IsolatedSpec Isolated,
    OptionBookSpec Options,
    HedgeSpec Hedge,
    FeeSpec Fees,
    HealthSpec Health)
{
    /// <summary>The HOCON path of a book spec.</summary>
    public const string RootPath = "riskgrid.book";

    /// <summary>Reads and validates <c>riskgrid.book</c> of <paramref name="config"/>. Every key is required and
    /// unknown keys are refused; throws <see cref="BookSpecException"/> listing every problem as
    /// <c>key = value: problem</c> (keys below <c>riskgrid.book</c>).</summary>
    public static BookSpec Load(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.IsEmpty || !config.HasPath(RootPath))
        {
            throw new BookSpecException($"{RootPath}: missing");
        }
        var root = config.GetConfig(RootPath).Root;
        if (root is null || !root.IsObject())
        {
            throw new BookSpecException($"{RootPath}: expected an object");
        }
        return new BookSpecReader().Read(root.GetObject());
    }

    /// <summary>Parses HOCON text holding <c>riskgrid.book</c>.</summary>
    public static BookSpec Parse(string hocon)
    {
        ArgumentNullException.ThrowIfNull(hocon);
        Config config;
        try
        {
            config = ConfigurationFactory.ParseString(hocon);
        }
        catch (FormatException e)
        {
            throw new BookSpecException($"HOCON syntax: {e.Message}", e);
        }
        return Load(config);
    }

    /// <summary>Reads a HOCON file holding <c>riskgrid.book</c> (each file under <c>config/books</c> is
    /// complete).</summary>
    public static BookSpec LoadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Parse(File.ReadAllText(path));
    }
}

/// <summary>Account equity (USD value of the deposits at the start market): lognormal with the given median and σ
/// of its logarithm, clamped to [<see cref="MinUsd"/>, <see cref="MaxUsd"/>].</summary>
public sealed record EquitySpec(double MedianUsd, double Sigma, double MinUsd, double MaxUsd);

/// <summary>Whales: with probability <see cref="Share"/> an account's equity is the median times a log-uniform
/// multiple in [<see cref="MinMultiple"/>, <see cref="MaxMultiple"/>], and its leverage at most
/// <see cref="MaxLeverage"/>.</summary>
public sealed record WhaleSpec(double Share, double MinMultiple, double MaxMultiple, double MaxLeverage);

/// <summary>Shares of accounts by how their main sub-account is margined: cross (STANDARD), every linear position
/// isolated, or PORTFOLIO. They sum to 1.</summary>
public sealed record ModeShares(double Standard, double Isolated, double Portfolio);

/// <summary>One row of the target effective leverage table (gross linear notional over equity).</summary>
public readonly record struct LeverageLevel(double Leverage, double Share);

/// <summary>A named share (an underlying, a collateral asset).</summary>
public readonly record struct NamedShare(string Name, double Share);

/// <summary>Positions per account: 1 + a negative binomial of mean <see cref="Mean"/> − 1 and dispersion
/// <see cref="Dispersion"/>, capped at <see cref="Max"/> (and at the instruments available). The first linear
/// position is long with probability <see cref="LongShare"/>; each further one takes the first one's direction with
/// probability <see cref="SameDirection"/>, else draws its own (so every position is long with probability
/// <see cref="LongShare"/>, but books lean one way).</summary>
public sealed record PositionSpec(double Mean, double Dispersion, int Max, double LongShare, double SameDirection);

/// <summary>Linear instrument kinds: perpetual or dated future (the tenor drawn uniformly from
/// <see cref="FutureTenorsDays"/>; the expiry is the last Friday of the month that many days after the
/// start).</summary>
public sealed record InstrumentSpec(double PerpetualShare, double FutureShare, IReadOnlyList<int> FutureTenorsDays);

/// <summary>Collateral: the account's primary asset by share; an account whose primary asset is not USD also holds
/// <see cref="UsdFraction"/> of its equity in USD.</summary>
public sealed record CollateralSpec(IReadOnlyList<NamedShare> Primary, double UsdFraction);

/// <summary>Isolated accounts move <see cref="MarginFraction"/> of their USD deposit into their isolated positions
/// (half of it when the account also holds options, which stay in the cross pool).</summary>
public sealed record IsolatedSpec(double MarginFraction);

/// <summary>A closed range of values.</summary>
public readonly record struct ValueRange(double Min, double Max);

/// <summary>Shares of option structures among option-holding accounts; they sum to 1.</summary>
public sealed record StructureShares(double CoveredCall, double Strangle, double VerticalSpread);

/// <summary>Option books: the share of accounts holding one structure, its size as underlying notional over equity,
/// tenors (expiry: the first Friday that many days after the start), moneyness, spread width and the strike grid
/// per underlying (USD).</summary>
public sealed record OptionBookSpec(double Share, double MinEquityUsd, ValueRange NotionalToEquity,
    IReadOnlyList<int> TenorsDays, StructureShares Structures, double ShortStrangleShare, ValueRange Otm,
    ValueRange SpreadWidth, IReadOnlyDictionary<string, double> StrikeStep);

/// <summary>A second sub-account, <c>hedge</c>: with probability <see cref="Share"/> it takes
/// <see cref="EquityFraction"/> of the equity and holds one perpetual against the main book at
/// <see cref="Leverage"/>.</summary>
public sealed record HedgeSpec(double Share, double EquityFraction, double Leverage);

/// <summary>Taker fees on the opening fills: linear, a rate of notional; options, a rate of the underlying notional
/// capped at <see cref="OptionFeeCap"/> of the premium.</summary>
public sealed record FeeSpec(double LinearTakerRate, double OptionTakerRate, double OptionFeeCap);

/// <summary>Every account opens with its initial margin at most <see cref="MaxInitialMarginUsage"/> of its
/// initial-weighted equity (and every isolated position likewise of its margin); larger targets are scaled
/// down.</summary>
public sealed record HealthSpec(double MaxInitialMarginUsage);

/// <summary>A book spec that fails validation; <see cref="Errors"/> name each key and its problem.</summary>
public sealed class BookSpecException : Exception
{
    public BookSpecException(IReadOnlyList<string> errors)
        : base("invalid book spec: " + string.Join("; ", errors)) => Errors = errors;

    public BookSpecException()
        : this(Array.Empty<string>())
    {
    }

    public BookSpecException(string message)
        : base("invalid book spec: " + message) => Errors = [message];

    public BookSpecException(string message, Exception innerException)
        : base("invalid book spec: " + message, innerException) => Errors = [message];

    /// <summary>One entry per bad key: <c>key = value: problem</c>.</summary>
    public IReadOnlyList<string> Errors { get; }
}

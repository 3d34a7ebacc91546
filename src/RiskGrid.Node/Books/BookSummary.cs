using System.Globalization;
using System.Text;
using RiskGrid.Margin;

namespace RiskGrid.Node.Books;

/// <summary>
/// Counts of a generated book for the stress report: accounts by mode, collateral and option structure, whales,
/// hedge sub-accounts, positions by kind and direction, equity and gross linear notional, and how many accounts the
/// generator had to scale down or top up to open healthy. Fed one <see cref="AccountOpening"/> at a time, so it can
/// ride along the stream that sends the commands.
/// </summary>
public sealed class BookSummary
{
    private readonly int[] _modes = new int[Enum.GetValues<BookMode>().Length];
    private readonly int[] _structures = new int[Enum.GetValues<OptionStructure>().Length];
    private readonly SortedDictionary<string, int> _collateral = new(StringComparer.Ordinal);

    /// <summary>Accounts added.</summary>
    public int Accounts { get; private set; }

    /// <summary>Accounts drawn as whales.</summary>
    public int Whales { get; private set; }

    /// <summary>Accounts with a second sub-account.</summary>
    public int Hedged { get; private set; }

    /// <summary>Accounts whose drawn sizes were scaled down to open within the IM headroom.</summary>
    public int ScaledDown { get; private set; }

    /// <summary>Accounts whose USD deposit was raised because one lot already asked too much.</summary>
    public int ToppedUp { get; private set; }

    /// <summary>Commands in all.</summary>
    public long Commands { get; private set; }

    /// <summary>Positions in all (every sub-account).</summary>
    public long Positions { get; private set; }

    public long Perpetuals { get; private set; }

    public long Futures { get; private set; }

    public long OptionLegs { get; private set; }

    public long IsolatedPositions { get; private set; }

    /// <summary>Linear positions long and short.</summary>
    public long LongLinear { get; private set; }

    public long ShortLinear { get; private set; }

    /// <summary>Most positions in one account.</summary>
    public int MaxPositions { get; private set; }

    /// <summary>Σ equity at the start market, USD micros.</summary>
    public long EquityMicros { get; private set; }

    /// <summary>Σ gross linear notional at the start market, USD micros.</summary>
    public long GrossLinearNotionalMicros { get; private set; }

    /// <summary>The dated futures' part of <see cref="GrossLinearNotionalMicros"/>.</summary>
    public long FutureNotionalMicros { get; private set; }

    /// <summary>Accounts holding an option structure.</summary>
    public int OptionAccounts => Accounts - _structures[(int)OptionStructure.None];

    /// <summary>Mean positions per account.</summary>
    public double AveragePositions => Accounts == 0 ? 0 : Positions / (double)Accounts;

    /// <summary>Accounts whose main sub-account is margined <paramref name="mode"/>.</summary>
    public int AccountsIn(BookMode mode) => _modes[(int)mode];

    /// <summary>Accounts holding <paramref name="structure"/>.</summary>
    public int AccountsWith(OptionStructure structure) => _structures[(int)structure];

    /// <summary>Accounts whose primary collateral is <paramref name="asset"/>.</summary>
    public int AccountsCollateralisedIn(string asset) => _collateral.GetValueOrDefault(asset);

    /// <summary>Summarises <paramref name="openings"/>.</summary>
    public static BookSummary Of(IEnumerable<AccountOpening> openings)
    {
        ArgumentNullException.ThrowIfNull(openings);
        var summary = new BookSummary();
        foreach (var opening in openings)
        {
            summary.Add(opening);
        }
        return summary;
    }

    /// <summary>Counts one account.</summary>
    public void Add(AccountOpening opening)
    {
        ArgumentNullException.ThrowIfNull(opening);
        var p = opening.Profile;
        Accounts++;
        _modes[(int)p.Mode]++;
        _structures[(int)p.Structure]++;
        _collateral[p.PrimaryCollateral] = _collateral.GetValueOrDefault(p.PrimaryCollateral) + 1;
        Whales += p.Whale ? 1 : 0;
        Hedged += p.Hedged ? 1 : 0;
        ScaledDown += p.ScaledDown ? 1 : 0;
        ToppedUp += p.ToppedUp ? 1 : 0;
        Commands += opening.Commands.Count;
        Positions += p.Positions;
        Perpetuals += p.Perpetuals;
        Futures += p.Futures;
        OptionLegs += p.OptionLegs;
        IsolatedPositions += p.IsolatedPositions;
        LongLinear += p.LongLinear;
        ShortLinear += p.ShortLinear;
        MaxPositions = Math.Max(MaxPositions, p.Positions);
        EquityMicros += p.EquityMicros;
        GrossLinearNotionalMicros += p.GrossLinearNotionalMicros;
        FutureNotionalMicros += p.FutureNotionalMicros;
    }

    /// <summary>The summary as report lines.</summary>
    public override string ToString()
    {
        var n = Math.Max(1, Accounts);
        var sb = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        sb.AppendLine(c, $"accounts {Accounts}: standard {AccountsIn(BookMode.Standard)}, " +
                         $"isolated {AccountsIn(BookMode.Isolated)}, portfolio {AccountsIn(BookMode.Portfolio)}; " +
                         $"whales {Whales}, hedge sub-accounts {Hedged}");
        sb.Append("primary collateral:");
        foreach (var (asset, count) in _collateral)
        {
            sb.Append(c, $" {asset} {count} ({100.0 * count / n:0.0} %)");
        }
        sb.AppendLine();
        sb.AppendLine(c, $"positions {Positions} (mean {AveragePositions:0.00}, max {MaxPositions}): perpetuals " +
                         $"{Perpetuals}, futures {Futures}, option legs {OptionLegs}, isolated {IsolatedPositions}; " +
                         $"linear long {LongLinear}, short {ShortLinear}");
        sb.AppendLine(c, $"option accounts {OptionAccounts}: covered calls " +
                         $"{AccountsWith(OptionStructure.CoveredCall)}, " +
                         $"short strangles {AccountsWith(OptionStructure.ShortStrangle)}, long strangles " +
                         $"{AccountsWith(OptionStructure.LongStrangle)}, bull call spreads " +
                         $"{AccountsWith(OptionStructure.BullCallSpread)}, bear put spreads " +
                         $"{AccountsWith(OptionStructure.BearPutSpread)}");
        var equity = Micros.ToUsd(EquityMicros);
        var gross = Micros.ToUsd(GrossLinearNotionalMicros);
        var futures = gross > 0 ? 100 * Micros.ToUsd(FutureNotionalMicros) / gross : 0;
        sb.AppendLine(c, $"equity {equity:0} USD, gross linear notional {gross:0} USD, {futures:0.0} % of it in " +
                         $"futures (book leverage {(equity > 0 ? gross / equity : 0):0.00}x); commands {Commands}; " +
                         $"scaled down {ScaledDown}, topped up {ToppedUp}");
        return sb.ToString();
    }
}

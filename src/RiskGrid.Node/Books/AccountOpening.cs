using RiskGrid.Node.Accounts;

namespace RiskGrid.Node.Books;

/// <summary>How an account's main sub-account is margined.</summary>
public enum BookMode : byte
{
    /// <summary>Cross margin, STANDARD mode (MARGIN.md §5).</summary>
    Standard,

    /// <summary>STANDARD mode with every linear position isolated (§2); options stay in the cross pool.</summary>
    Isolated,

    /// <summary>PORTFOLIO mode (§6).</summary>
    Portfolio,
}

/// <summary>The option structure an account holds, if any.</summary>
public enum OptionStructure : byte
{
    /// <summary>No options.</summary>
    None,

    /// <summary>Long perpetual and a short out-of-the-money call of the same size.</summary>
    CoveredCall,

    /// <summary>Short out-of-the-money call and put.</summary>
    ShortStrangle,

    /// <summary>Long out-of-the-money call and put.</summary>
    LongStrangle,

    /// <summary>Long call near the money, short call further out.</summary>
    BullCallSpread,

    /// <summary>Long put near the money, short put further out.</summary>
    BearPutSpread,
}

/// <summary>
/// What the generator drew for one account, for reports: its mode, equity (USD micros of the deposits at the start
/// market, every sub-account), target leverage, collateral, option structure, position counts and gross linear
/// notional (USD micros at the start marks; futures' part of it apart), and whether the drawn sizes had to be scaled
/// down or the USD deposit topped up to open healthy. The commands are the truth; this is their description.
/// </summary>
public sealed record AccountProfile(
    int Number,
    BookMode Mode,
    bool Whale,
    string PrimaryCollateral,
    long EquityMicros,
    double TargetLeverage,
    OptionStructure Structure,
    bool Hedged,
    int Perpetuals,
    int Futures,
    int OptionLegs,
    int IsolatedPositions,
    int LongLinear,
    int ShortLinear,
    long GrossLinearNotionalMicros,
    long FutureNotionalMicros,
    bool ScaledDown,
    bool ToppedUp)
{
    /// <summary>Positions in every sub-account.</summary>
    public int Positions => Perpetuals + Futures + OptionLegs;
}

/// <summary>One account of a book: its id and the commands that open it, in order (a deposit first).</summary>
public sealed record AccountOpening(string AccountId, AccountProfile Profile, IReadOnlyList<IAccountCommand> Commands);

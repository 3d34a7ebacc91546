using RiskGrid.Margin.Liquidation;
using RiskGrid.Margin.Accounts;

namespace RiskGrid.Node.Accounts;

/// <summary>A message the account shard region routes by <see cref="AccountId"/>.</summary>
public interface IAccountMessage
{
    /// <summary>The account (the sharded entity) the message is for.</summary>
    string AccountId { get; }
}

/// <summary>
/// A command that may change the account. <see cref="CommandId"/> makes it idempotent: a repeat gets the first answer
/// and changes nothing. <see cref="AtMs"/> is the grid clock when the command entered the grid (event timestamps and
/// the dedupe retention window are measured on it); it is not part of the command's body, so a retry with a later
/// timestamp is still the same command.
/// </summary>
public interface IAccountCommand : IAccountMessage
{
    /// <summary>Unique per account; the venue's id of the request (for a fill, the fill id).</summary>
    string CommandId { get; }

    /// <summary>Grid clock, Unix milliseconds.</summary>
    long AtMs { get; }
}

/// <summary>A query: answered from state, never persisted, needs no command id.</summary>
public interface IAccountQuery : IAccountMessage;

/// <summary>A reply of the account entity.</summary>
public interface IAccountReply;

/// <summary>Credits <see cref="Units"/> of <see cref="Asset"/> (in the asset's own decimals) to a sub-account,
/// creating the account and the sub-account when they do not exist yet.</summary>
public sealed record Deposit(string AccountId, string CommandId, string SubAccount, string Asset, long Units,
    long AtMs) : IAccountCommand;

/// <summary>Debits collateral if §10 allows it (E_IM − IM ≥ 0 afterwards, fresh indices).</summary>
public sealed record Withdraw(string AccountId, string CommandId, string SubAccount, string Asset, long Units,
    long AtMs) : IAccountCommand;

/// <summary>Moves collateral between two sub-accounts of the account, checked like a withdrawal on the source.</summary>
public sealed record Transfer(string AccountId, string CommandId, string FromSubAccount, string ToSubAccount,
    string Asset, long Units, long AtMs) : IAccountCommand;

/// <summary>A fill from the matching engine: always applied (it already happened). <see cref="SizeLots"/> is signed
/// (+ buy, − sell) in the instrument's lots; <see cref="FeeMicros"/> is charged in USD.</summary>
public sealed record ApplyFill(string AccountId, string CommandId, string SubAccount, string Instrument,
    long SizeLots, double Price, long FeeMicros, long AtMs) : IAccountCommand;

/// <summary>Switches a sub-account's margin mode if the new mode's IM is met.</summary>
public sealed record SetMode(string AccountId, string CommandId, string SubAccount, MarginMode Mode, long AtMs)
    : IAccountCommand;

/// <summary>Isolates a position (or changes its isolated margin) to <see cref="MarginMicros"/> USD in total, moving
/// the difference between the cross pool and the position. Zero returns the position to the cross pool.</summary>
public sealed record SetIsolatedMargin(string AccountId, string CommandId, string SubAccount, string Instrument,
    long MarginMicros, long AtMs) : IAccountCommand;

/// <summary>A funding settlement of perpetual <see cref="Instrument"/> (§10): every sub-account holding it pays or
/// receives −q × mark × rate, rounded down; the caller books the rounding residue to the insurance fund.</summary>
public sealed record PayFunding(string AccountId, string CommandId, string Instrument, double Rate, double Mark,
    long AtMs) : IAccountCommand;

/// <summary>What kind of forced reduction <see cref="ApplyReduction"/> is.</summary>
public enum ReductionKind : byte
{
    /// <summary>A liquidation close (§9); its fee goes to the insurance fund.</summary>
    Liquidation = 1,

    /// <summary>An auto-deleveraging close against a bankrupt account (§9); no fee.</summary>
    AutoDeleveraging = 2,
}

/// <summary>A forced reduction decided by the liquidation engine: <see cref="SizeLots"/> signed like a fill (it must
/// reduce the position), at <see cref="Price"/>, with <see cref="FeeMicros"/> to the insurance fund. The command id is
/// the step's id; <see cref="LiquidationId"/> groups the steps of one plan and <see cref="Plan"/> says why it closes.
/// <see cref="ExpectedSequenceNr"/> &gt; 0 makes the entity refuse (<see cref="RejectionCode.Conflict"/>) when its
/// journal has moved on since the plan was made, so a plan made on an old state is never applied. A reduction of an
/// isolated position settles into that position's isolated margin, never into the cross pool.</summary>
public sealed record ApplyReduction(string AccountId, string CommandId, string SubAccount, string Instrument,
    ReductionKind Kind, long SizeLots, double Price, long FeeMicros, long AtMs, string LiquidationId = "",
    LiquidationKind Plan = LiquidationKind.None, long ExpectedSequenceNr = 0) : IAccountCommand;

/// <summary>The risk supervisor's margin call (health below warnHealth): journaled so a venue can read it
/// (<c>GET /v1/margin-calls</c>, the account's events). Changes no money.</summary>
public sealed record IssueMarginCall(string AccountId, string CommandId, string SubAccount, double Health,
    long EquityMmMicros, long MaintenanceMicros, long AtMs) : IAccountCommand;

/// <summary>The insurance fund's cover of a liquidated sub-account's deficit: credited to the USD balance, or to
/// the isolated margin of <see cref="Instrument"/> when it names an isolated position ("" = the cross pool). The
/// command id is the fund's payout id.</summary>
public sealed record ReceiveInsurance(string AccountId, string CommandId, string SubAccount, string Instrument,
    long AmountMicros, long AtMs) : IAccountCommand;

/// <summary>What-if of an order (§10): accepted or refused, with IM before and after. Changes nothing.</summary>
public sealed record CheckOrder(string AccountId, string SubAccount, string Instrument, long SizeLots, double Price)
    : IAccountQuery;

/// <summary>Asks for the account's state.</summary>
public sealed record GetAccount(string AccountId) : IAccountQuery;

/// <summary>Why a command or query was refused; the HTTP status follows from it.</summary>
public enum RejectionCode : byte
{
    /// <summary>Malformed (400).</summary>
    Malformed = 1,

    /// <summary>Unknown account, sub-account or instrument (404).</summary>
    NotFound = 2,

    /// <summary>The command id was used before with another body (409).</summary>
    CommandIdReused = 3,

    /// <summary>Refused by a margin check (422).</summary>
    Refused = 4,

    /// <summary>The account's journal moved on since the command was planned (409); re-plan on the new state.</summary>
    Conflict = 5,
}

/// <summary>A command that was applied: its event and the journal sequence number it was stored at. A repeat of the
/// command gets this same answer.</summary>
public sealed record CommandAccepted(string CommandId, long SequenceNr, IAccountEvent Event) : IAccountReply;

/// <summary>The answer to a repeat of an applied command: its event is the one stored at <see cref="SequenceNr"/>
/// (the entity keeps only the record of the command, not the event; <see cref="AccountService"/> reads the event
/// back from the journal and answers exactly what the first time answered).</summary>
public sealed record CommandRepeated(string CommandId, long SequenceNr) : IAccountReply;

/// <summary>A refused command or query: nothing changed. <see cref="Field"/> names the input at fault;
/// <see cref="Check"/> carries the margin figures when a margin check refused.</summary>
public sealed record CommandRejected(RejectionCode Code, string Field, string Message, CheckFigures? Check = null)
    : IAccountReply;

/// <summary>The figures of a margin check, in micro-dollars.</summary>
public sealed record CheckFigures(string Outcome, long FreeCollateralBeforeMicros, long FreeCollateralAfterMicros,
    long InitialMarginBeforeMicros, long InitialMarginAfterMicros, long MaintenanceBeforeMicros,
    long MaintenanceAfterMicros);

/// <summary>The answer to <see cref="CheckOrder"/>.</summary>
public sealed record OrderChecked(bool Accepted, CheckFigures Check) : IAccountReply;

/// <summary>The answer to <see cref="GetAccount"/>: the state as of journal sequence number
/// <see cref="SequenceNr"/>.</summary>
public sealed record AccountView(string AccountId, long SequenceNr, IReadOnlyList<SubAccountView> SubAccounts)
    : IAccountReply;

/// <summary>One sub-account: mode, balances by asset (asset units), positions, and its money ledger.</summary>
public sealed record SubAccountView(string Name, MarginMode Mode, IReadOnlyList<AssetAmount> Balances,
    IReadOnlyList<PositionView> Positions, IReadOnlyList<LedgerEntry> Ledger);

/// <summary>An amount of an asset in its own decimals.</summary>
public sealed record AssetAmount(string Asset, long Units);

/// <summary>A position: signed size in lots, average entry, realised PnL (USD micros, cumulative for the instrument
/// in this sub-account), and its isolated margin when isolated.</summary>
public sealed record PositionView(string Instrument, long SizeLots, double EntryPrice, long RealisedPnlMicros,
    bool Isolated, long IsolatedMarginMicros);

/// <summary>A ledger total of the sub-account (see <see cref="Ledger"/> for the names).</summary>
public sealed record LedgerEntry(string Name, string Asset, long Units);

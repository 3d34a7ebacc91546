using RiskGrid.Margin.Accounts;
using RiskGrid.Margin.Liquidation;

namespace RiskGrid.Node.Accounts;

/// <summary>
/// A change of an account, as stored in its journal. Events carry names (assets, instruments), never the node-local
/// small integer ids, and every figure the change produced, so that replaying an old journal never depends on how a
/// later version would compute it.
/// </summary>
public interface IAccountEvent
{
    /// <summary>The command that caused the event.</summary>
    string CommandId { get; }

    /// <summary>Grid clock when the command was accepted, Unix milliseconds.</summary>
    long AtMs { get; }
}

/// <summary>Collateral credited.</summary>
public sealed record Deposited(string CommandId, string SubAccount, string Asset, long Units, long AtMs)
    : IAccountEvent;

/// <summary>Collateral debited after the §10 check passed.</summary>
public sealed record Withdrawn(string CommandId, string SubAccount, string Asset, long Units, long AtMs)
    : IAccountEvent;

/// <summary>Collateral moved between two sub-accounts.</summary>
public sealed record Transferred(string CommandId, string FromSubAccount, string ToSubAccount, string Asset,
    long Units, long AtMs) : IAccountEvent;

/// <summary>A fill applied: the fill (signed lots, price, fee) and what it did (realised PnL, option premium, the
/// position's new size and average entry).</summary>
public sealed record FillApplied(string CommandId, string SubAccount, string Instrument, long SizeLots, double Price,
    long FeeMicros, long RealisedPnlMicros, long PremiumMicros, long NewSizeLots, double NewEntryPrice, long AtMs)
    : IAccountEvent;

/// <summary>The margin mode of a sub-account changed.</summary>
public sealed record ModeChanged(string CommandId, string SubAccount, MarginMode Mode, long AtMs) : IAccountEvent;

/// <summary>A position's isolated margin set to <see cref="MarginMicros"/> (0: back in the cross pool); the
/// difference moved between the cross pool's USD and the position.</summary>
public sealed record IsolatedMarginSet(string CommandId, string SubAccount, string Instrument, long MarginMicros,
    long AtMs) : IAccountEvent;

/// <summary>One sub-account's funding payment (+ received, − paid), USD micros.</summary>
public sealed record FundingPayment(string SubAccount, long PaymentMicros);

/// <summary>A funding settlement of a perpetual at a rate and mark, with each sub-account's payment.</summary>
public sealed record FundingPaid(string CommandId, string Instrument, double Rate, double Mark,
    IReadOnlyList<FundingPayment> Payments, long AtMs) : IAccountEvent
{
    /// <summary>Σ payments; the insurance fund books its negation (§10: the sum over accounts and fund is zero).</summary>
    public long TotalMicros
    {
        get
        {
            long sum = 0;
            foreach (var p in Payments)
            {
                sum += p.PaymentMicros;
            }
            return sum;
        }
    }

    /// <inheritdoc />
    public bool Equals(FundingPaid? other) =>
        other is not null && CommandId == other.CommandId && Instrument == other.Instrument &&
        Rate.Equals(other.Rate) && Mark.Equals(other.Mark) && AtMs == other.AtMs &&
        Payments.SequenceEqual(other.Payments);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(CommandId, Instrument, Rate, Mark, AtMs, Payments.Count);
}

/// <summary>A forced reduction (liquidation or ADL) applied, with its fee to the insurance fund and what it did.
/// <see cref="LiquidationId"/> and <see cref="Plan"/> are empty/None in events written before layout 2. When the
/// position is isolated, the realised PnL, premium and fee settle into its isolated margin.</summary>
public sealed record ReductionApplied(string CommandId, string SubAccount, string Instrument, ReductionKind Kind,
    long SizeLots, double Price, long FeeMicros, long RealisedPnlMicros, long PremiumMicros, long NewSizeLots,
    double NewEntryPrice, long AtMs, string LiquidationId = "", LiquidationKind Plan = LiquidationKind.None)
    : IAccountEvent;

/// <summary>A margin call issued by the risk supervisor (health below warnHealth); no money moves.</summary>
public sealed record MarginCallIssued(string CommandId, string SubAccount, double Health, long EquityMmMicros,
    long MaintenanceMicros, long AtMs) : IAccountEvent;

/// <summary>The insurance fund covered a deficit: <see cref="AmountMicros"/> credited to the USD balance (or to the
/// isolated margin of <see cref="Instrument"/>).</summary>
public sealed record InsuranceReceived(string CommandId, string SubAccount, string Instrument, long AmountMicros,
    long AtMs) : IAccountEvent;

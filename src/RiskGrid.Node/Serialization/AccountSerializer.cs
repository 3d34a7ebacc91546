using RiskGrid.Margin.Liquidation;
using Akka.Actor;
using Akka.Configuration;
using Akka.Serialization;
using RiskGrid.Margin.Accounts;
using RiskGrid.Node.Accounts;

namespace RiskGrid.Node.Serialization;

/// <summary>
/// The serializer of every account command, query, event, snapshot and reply: a compact fixed-order binary layout
/// (<see cref="WireWriter"/>) under stable short manifests that name the message and its layout version. Bound
/// explicitly in <see cref="Config"/>; no reflection over types. A layout never changes once released: a new field
/// means a new manifest (<c>fill.2</c>) and this class keeps reading the old one. Golden files under
/// <c>tests/RiskGrid.Node.Tests/Serialization/golden</c> hold that promise.
/// </summary>
public sealed class AccountSerializer : SerializerWithStringManifest
{
    /// <summary>The serializer id (above Akka's reserved range, unique in the system).</summary>
    public const int SerializerId = 4101;

    /// <summary>The HOCON that binds this serializer to every account message type.</summary>
    public static readonly Config Config = ConfigurationFactory.ParseString("""
        akka.actor {
          serializers.riskgrid-accounts = "RiskGrid.Node.Serialization.AccountSerializer, RiskGrid.Node"
          serialization-identifiers { "RiskGrid.Node.Serialization.AccountSerializer, RiskGrid.Node" = 4101 }
          serialization-bindings {
            "RiskGrid.Node.Accounts.IAccountMessage, RiskGrid.Node" = riskgrid-accounts
            "RiskGrid.Node.Accounts.IAccountEvent, RiskGrid.Node" = riskgrid-accounts
            "RiskGrid.Node.Accounts.IAccountReply, RiskGrid.Node" = riskgrid-accounts
            "RiskGrid.Node.Accounts.AccountSnapshot, RiskGrid.Node" = riskgrid-accounts
            "RiskGrid.Node.Accounts.AccountEntity+Stop, RiskGrid.Node" = riskgrid-accounts
          }
        }
        """);

    [ThreadStatic] private static WireWriter? t_writer;

    public AccountSerializer(ExtendedActorSystem system) : base(system)
    {
    }

    /// <inheritdoc />
    public override int Identifier => SerializerId;

    /// <summary>Every manifest this serializer reads, with an example message of it (for tests and golden files).</summary>
    public static IReadOnlyList<string> Manifests { get; } =
    [
        "dep.1", "wdr.1", "xfr.1", "fill.1", "mode.1", "iso.1", "fund.1", "red.1", "red.2", "mc.1", "ins.1",
        "Deposit.1", "Withdraw.1", "Transfer.1", "ApplyFill.1", "SetMode.1", "SetIsolatedMargin.1", "PayFunding.1",
        "ApplyReduction.1", "ApplyReduction.2", "IssueMarginCall.1", "ReceiveInsurance.1", "CheckOrder.1",
        "GetAccount.1",
        "accepted.1", "repeated.1", "rejected.1", "checked.1", "view.1", "snapshot.1", "snapshot.2", "snapshot.3",
        "stop.1",
    ];

    /// <inheritdoc />
    public override string Manifest(object o) => o switch
    {
        Deposited => "dep.1",
        Withdrawn => "wdr.1",
        Transferred => "xfr.1",
        FillApplied => "fill.1",
        ModeChanged => "mode.1",
        IsolatedMarginSet => "iso.1",
        FundingPaid => "fund.1",
        ReductionApplied => "red.2",
        MarginCallIssued => "mc.1",
        InsuranceReceived => "ins.1",
        Deposit => "Deposit.1",
        Withdraw => "Withdraw.1",
        Transfer => "Transfer.1",
        ApplyFill => "ApplyFill.1",
        SetMode => "SetMode.1",
        SetIsolatedMargin => "SetIsolatedMargin.1",
        PayFunding => "PayFunding.1",
        ApplyReduction => "ApplyReduction.2",
        IssueMarginCall => "IssueMarginCall.1",
        ReceiveInsurance => "ReceiveInsurance.1",
        CheckOrder => "CheckOrder.1",
        GetAccount => "GetAccount.1",
        CommandAccepted => "accepted.1",
        CommandRepeated => "repeated.1",
        CommandRejected => "rejected.1",
        OrderChecked => "checked.1",
        AccountView => "view.1",
        AccountSnapshot => "snapshot.3",
        AccountEntity.Stop => "stop.1",
        _ => throw new ArgumentException($"{o.GetType().FullName} is not an account message", nameof(o)),
    };

    /// <inheritdoc />
    public override byte[] ToBinary(object obj)
    {
        var w = t_writer ??= new WireWriter(256);
        w.Reset();
        Write(w, obj);
        return w.ToArray();
    }

    /// <inheritdoc />
    public override object FromBinary(byte[] bytes, string manifest)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var r = new WireReader(bytes);
        var o = Read(ref r, manifest);
        r.End();
        return o;
    }

    /// <summary>Writes <paramref name="obj"/>'s fields (not its manifest).</summary>
    public static void Write(WireWriter w, object obj)
    {
        ArgumentNullException.ThrowIfNull(w);
        switch (obj)
        {
            case Deposited e:
                w.String(e.CommandId); w.String(e.SubAccount); w.String(e.Asset); w.Long(e.Units); w.Long(e.AtMs);
                break;
            case Withdrawn e:
                w.String(e.CommandId); w.String(e.SubAccount); w.String(e.Asset); w.Long(e.Units); w.Long(e.AtMs);
                break;
            case Transferred e:
                w.String(e.CommandId); w.String(e.FromSubAccount); w.String(e.ToSubAccount); w.String(e.Asset);
                w.Long(e.Units); w.Long(e.AtMs);
                break;
            case FillApplied e:
                w.String(e.CommandId); w.String(e.SubAccount); w.String(e.Instrument); w.Long(e.SizeLots);
                w.Double(e.Price); w.Long(e.FeeMicros); w.Long(e.RealisedPnlMicros); w.Long(e.PremiumMicros);
                w.Long(e.NewSizeLots); w.Double(e.NewEntryPrice); w.Long(e.AtMs);
                break;
            case ModeChanged e:
                w.String(e.CommandId); w.String(e.SubAccount); w.Byte((byte)e.Mode); w.Long(e.AtMs);
                break;
            case IsolatedMarginSet e:
                w.String(e.CommandId); w.String(e.SubAccount); w.String(e.Instrument); w.Long(e.MarginMicros);
                w.Long(e.AtMs);
                break;
            case FundingPaid e:
                w.String(e.CommandId); w.String(e.Instrument); w.Double(e.Rate); w.Double(e.Mark);
                w.Count(e.Payments.Count);
                foreach (var p in e.Payments)
                {
                    w.String(p.SubAccount); w.Long(p.PaymentMicros);
                }
                w.Long(e.AtMs);
                break;
            case ReductionApplied e:
                w.String(e.CommandId); w.String(e.SubAccount); w.String(e.Instrument); w.Byte((byte)e.Kind);
                w.Long(e.SizeLots); w.Double(e.Price); w.Long(e.FeeMicros); w.Long(e.RealisedPnlMicros);
                w.Long(e.PremiumMicros); w.Long(e.NewSizeLots); w.Double(e.NewEntryPrice); w.Long(e.AtMs);
                w.String(e.LiquidationId); w.Byte((byte)e.Plan);
                break;
            case MarginCallIssued e:
                w.String(e.CommandId); w.String(e.SubAccount); w.Double(e.Health); w.Long(e.EquityMmMicros);
                w.Long(e.MaintenanceMicros); w.Long(e.AtMs);
                break;
            case InsuranceReceived e:
                w.String(e.CommandId); w.String(e.SubAccount); w.String(e.Instrument); w.Long(e.AmountMicros);
                w.Long(e.AtMs);
                break;
            case Deposit c:
                w.String(c.AccountId); w.String(c.CommandId); w.String(c.SubAccount); w.String(c.Asset);
                w.Long(c.Units); w.Long(c.AtMs);
                break;
            case Withdraw c:
                w.String(c.AccountId); w.String(c.CommandId); w.String(c.SubAccount); w.String(c.Asset);
                w.Long(c.Units); w.Long(c.AtMs);
                break;
            case Transfer c:
                w.String(c.AccountId); w.String(c.CommandId); w.String(c.FromSubAccount); w.String(c.ToSubAccount);
                w.String(c.Asset); w.Long(c.Units); w.Long(c.AtMs);
                break;
            case ApplyFill c:
                w.String(c.AccountId); w.String(c.CommandId); w.String(c.SubAccount); w.String(c.Instrument);
                w.Long(c.SizeLots); w.Double(c.Price); w.Long(c.FeeMicros); w.Long(c.AtMs);
                break;
            case SetMode c:
                w.String(c.AccountId); w.String(c.CommandId); w.String(c.SubAccount); w.Byte((byte)c.Mode);
                w.Long(c.AtMs);
                break;
            case SetIsolatedMargin c:
                w.String(c.AccountId); w.String(c.CommandId); w.String(c.SubAccount); w.String(c.Instrument);
                w.Long(c.MarginMicros); w.Long(c.AtMs);
                break;
            case PayFunding c:
                w.String(c.AccountId); w.String(c.CommandId); w.String(c.Instrument); w.Double(c.Rate);
                w.Double(c.Mark); w.Long(c.AtMs);
                break;
            case ApplyReduction c:
                w.String(c.AccountId); w.String(c.CommandId); w.String(c.SubAccount); w.String(c.Instrument);
                w.Byte((byte)c.Kind); w.Long(c.SizeLots); w.Double(c.Price); w.Long(c.FeeMicros); w.Long(c.AtMs);
                w.String(c.LiquidationId); w.Byte((byte)c.Plan); w.Long(c.ExpectedSequenceNr);
                break;
            case IssueMarginCall c:
                w.String(c.AccountId); w.String(c.CommandId); w.String(c.SubAccount); w.Double(c.Health);
                w.Long(c.EquityMmMicros); w.Long(c.MaintenanceMicros); w.Long(c.AtMs);
                break;
            case ReceiveInsurance c:
                w.String(c.AccountId); w.String(c.CommandId); w.String(c.SubAccount); w.String(c.Instrument);
                w.Long(c.AmountMicros); w.Long(c.AtMs);
                break;
            case CheckOrder q:
                w.String(q.AccountId); w.String(q.SubAccount); w.String(q.Instrument); w.Long(q.SizeLots);
                w.Double(q.Price);
                break;
            case GetAccount q:
                w.String(q.AccountId);
                break;
            case CommandAccepted a:
                w.String(a.CommandId); w.Long(a.SequenceNr); Nested(w, a.Event);
                break;
            case CommandRepeated a:
                w.String(a.CommandId); w.Long(a.SequenceNr);
                break;
            case CommandRejected r:
                w.Byte((byte)r.Code); w.String(r.Field); w.String(r.Message); w.Bool(r.Check is not null);
                if (r.Check is not null)
                {
                    Figures(w, r.Check);
                }
                break;
            case OrderChecked c:
                w.Bool(c.Accepted); Figures(w, c.Check);
                break;
            case AccountView v:
                WriteView(w, v);
                break;
            case AccountSnapshot s:
                WriteSnapshot(w, s);
                break;
            case AccountEntity.Stop:
                break;
            default:
                throw new ArgumentException($"{obj?.GetType().FullName} is not an account message", nameof(obj));
        }
    }

    /// <summary>Reads a message of <paramref name="manifest"/>.</summary>
    public static object Read(ref WireReader r, string manifest) => manifest switch
    {
        "dep.1" => new Deposited(r.String(), r.String(), r.String(), r.Long(), r.Long()),
        "wdr.1" => new Withdrawn(r.String(), r.String(), r.String(), r.Long(), r.Long()),
        "xfr.1" => new Transferred(r.String(), r.String(), r.String(), r.String(), r.Long(), r.Long()),
        "fill.1" => new FillApplied(r.String(), r.String(), r.String(), r.Long(), r.Double(), r.Long(), r.Long(),
            r.Long(), r.Long(), r.Double(), r.Long()),
        "mode.1" => new ModeChanged(r.String(), r.String(), Mode(r.Byte()), r.Long()),
        "iso.1" => new IsolatedMarginSet(r.String(), r.String(), r.String(), r.Long(), r.Long()),
        "fund.1" => ReadFunding(ref r),
        "red.1" => new ReductionApplied(r.String(), r.String(), r.String(), Kind(r.Byte()), r.Long(), r.Double(),
            r.Long(), r.Long(), r.Long(), r.Long(), r.Double(), r.Long()),
        "red.2" => new ReductionApplied(r.String(), r.String(), r.String(), Kind(r.Byte()), r.Long(), r.Double(),
            r.Long(), r.Long(), r.Long(), r.Long(), r.Double(), r.Long(), r.String(), Plan(r.Byte())),
        "mc.1" => new MarginCallIssued(r.String(), r.String(), r.Double(), r.Long(), r.Long(), r.Long()),
        "ins.1" => new InsuranceReceived(r.String(), r.String(), r.String(), r.Long(), r.Long()),
        "Deposit.1" => new Deposit(r.String(), r.String(), r.String(), r.String(), r.Long(), r.Long()),
        "Withdraw.1" => new Withdraw(r.String(), r.String(), r.String(), r.String(), r.Long(), r.Long()),
        "Transfer.1" => new Transfer(r.String(), r.String(), r.String(), r.String(), r.String(), r.Long(), r.Long()),
        "ApplyFill.1" => new ApplyFill(r.String(), r.String(), r.String(), r.String(), r.Long(), r.Double(), r.Long(),
            r.Long()),
        "SetMode.1" => new SetMode(r.String(), r.String(), r.String(), Mode(r.Byte()), r.Long()),
        "SetIsolatedMargin.1" => new SetIsolatedMargin(r.String(), r.String(), r.String(), r.String(), r.Long(),
            r.Long()),
        "PayFunding.1" => new PayFunding(r.String(), r.String(), r.String(), r.Double(), r.Double(), r.Long()),
        "ApplyReduction.1" => new ApplyReduction(r.String(), r.String(), r.String(), r.String(), Kind(r.Byte()),
            r.Long(), r.Double(), r.Long(), r.Long()),
        "ApplyReduction.2" => new ApplyReduction(r.String(), r.String(), r.String(), r.String(), Kind(r.Byte()),
            r.Long(), r.Double(), r.Long(), r.Long(), r.String(), Plan(r.Byte()), r.Long()),
        "IssueMarginCall.1" => new IssueMarginCall(r.String(), r.String(), r.String(), r.Double(), r.Long(), r.Long(),
            r.Long()),
        "ReceiveInsurance.1" => new ReceiveInsurance(r.String(), r.String(), r.String(), r.String(), r.Long(),
            r.Long()),
        "CheckOrder.1" => new CheckOrder(r.String(), r.String(), r.String(), r.Long(), r.Double()),
        "GetAccount.1" => new GetAccount(r.String()),
        "accepted.1" => new CommandAccepted(r.String(), r.Long(), (IAccountEvent)ReadNested(ref r)),
        "repeated.1" => new CommandRepeated(r.String(), r.Long()),
        "rejected.1" => ReadRejected(ref r),
        "checked.1" => new OrderChecked(r.Bool(), ReadFigures(ref r)),
        "view.1" => ReadView(ref r),
        "snapshot.1" => ReadSnapshot(ref r, version: 1),
        "snapshot.2" => ReadSnapshot(ref r, version: 2),
        "snapshot.3" => ReadSnapshot(ref r, version: 3),
        "stop.1" => AccountEntity.Stop.Instance,
        _ => throw new System.Runtime.Serialization.SerializationException($"unknown account manifest '{manifest}'"),
    };

    private static void Nested(WireWriter w, object o)
    {
        w.String(ManifestOf(o));
        Write(w, o);
    }

    private static object ReadNested(ref WireReader r) => Read(ref r, r.String());

    private static string ManifestOf(object o) => o switch
    {
        Deposited => "dep.1",
        Withdrawn => "wdr.1",
        Transferred => "xfr.1",
        FillApplied => "fill.1",
        ModeChanged => "mode.1",
        IsolatedMarginSet => "iso.1",
        FundingPaid => "fund.1",
        ReductionApplied => "red.2",
        MarginCallIssued => "mc.1",
        InsuranceReceived => "ins.1",
        _ => throw new ArgumentException($"{o.GetType().FullName} is not an account event", nameof(o)),
    };

    private static FundingPaid ReadFunding(ref WireReader r)
    {
        var id = r.String();
        var instrument = r.String();
        var rate = r.Double();
        var mark = r.Double();
        var n = r.Count();
        var payments = new FundingPayment[n];
        for (var i = 0; i < n; i++)
        {
            payments[i] = new FundingPayment(r.String(), r.Long());
        }
        return new FundingPaid(id, instrument, rate, mark, payments, r.Long());
    }

    private static CommandRejected ReadRejected(ref WireReader r)
    {
        var code = r.Byte();
        if (code is < (byte)RejectionCode.Malformed or > (byte)RejectionCode.Conflict)
        {
            throw new FormatException($"rejection code {code}");
        }
        var field = r.String();
        var message = r.String();
        var check = r.Bool() ? ReadFigures(ref r) : null;
        return new CommandRejected((RejectionCode)code, field, message, check);
    }

    private static void Figures(WireWriter w, CheckFigures f)
    {
        w.String(f.Outcome); w.Long(f.FreeCollateralBeforeMicros); w.Long(f.FreeCollateralAfterMicros);
        w.Long(f.InitialMarginBeforeMicros); w.Long(f.InitialMarginAfterMicros); w.Long(f.MaintenanceBeforeMicros);
        w.Long(f.MaintenanceAfterMicros);
    }

    private static CheckFigures ReadFigures(ref WireReader r) =>
        new(r.String(), r.Long(), r.Long(), r.Long(), r.Long(), r.Long(), r.Long());

    private static void WriteView(WireWriter w, AccountView v)
    {
        w.String(v.AccountId); w.Long(v.SequenceNr); w.Count(v.SubAccounts.Count);
        foreach (var s in v.SubAccounts)
        {
            w.String(s.Name); w.Byte((byte)s.Mode);
            w.Count(s.Balances.Count);
            foreach (var b in s.Balances)
            {
                w.String(b.Asset); w.Long(b.Units);
            }
            w.Count(s.Positions.Count);
            foreach (var p in s.Positions)
            {
                w.String(p.Instrument); w.Long(p.SizeLots); w.Double(p.EntryPrice); w.Long(p.RealisedPnlMicros);
                w.Bool(p.Isolated); w.Long(p.IsolatedMarginMicros);
            }
            w.Count(s.Ledger.Count);
            foreach (var l in s.Ledger)
            {
                w.String(l.Name); w.String(l.Asset); w.Long(l.Units);
            }
        }
    }

    private static AccountView ReadView(ref WireReader r)
    {
        var id = r.String();
        var seq = r.Long();
        var subs = new SubAccountView[r.Count()];
        for (var i = 0; i < subs.Length; i++)
        {
            var name = r.String();
            var mode = Mode(r.Byte());
            var balances = new AssetAmount[r.Count()];
            for (var j = 0; j < balances.Length; j++)
            {
                balances[j] = new AssetAmount(r.String(), r.Long());
            }
            var positions = new PositionView[r.Count()];
            for (var j = 0; j < positions.Length; j++)
            {
                positions[j] = new PositionView(r.String(), r.Long(), r.Double(), r.Long(), r.Bool(), r.Long());
            }
            var ledger = new LedgerEntry[r.Count()];
            for (var j = 0; j < ledger.Length; j++)
            {
                ledger[j] = new LedgerEntry(r.String(), r.String(), r.Long());
            }
            subs[i] = new SubAccountView(name, mode, balances, positions, ledger);
        }
        return new AccountView(id, seq, subs);
    }

    private static void WriteSnapshot(WireWriter w, AccountSnapshot s)
    {
        w.Long(s.SequenceNr); w.Count(s.SubAccounts.Count);
        foreach (var sub in s.SubAccounts)
        {
            w.String(sub.Name); w.Byte((byte)sub.Mode);
            w.Count(sub.Assets.Count);
            foreach (var a in sub.Assets)
            {
                w.String(a.Asset); w.Long(a.Balance); w.Long(a.Deposits); w.Long(a.Withdrawals); w.Long(a.TransfersIn);
                w.Long(a.TransfersOut);
            }
            w.Long(sub.Usd.Fees); w.Long(sub.Usd.LiquidationFees); w.Long(sub.Usd.RealisedPnl); w.Long(sub.Usd.Premium);
            w.Long(sub.Usd.Funding); w.Long(sub.Usd.Insurance);
            w.Count(sub.Positions.Count);
            foreach (var p in sub.Positions)
            {
                w.String(p.Instrument); w.Long(p.SizeLots); w.Double(p.EntryPrice); w.Bool(p.Isolated);
                w.Long(p.IsolatedMarginMicros);
            }
            w.Count(sub.Realised.Count);
            foreach (var x in sub.Realised)
            {
                w.String(x.Instrument); w.Long(x.Micros);
            }
        }
        w.Count(s.Dedupe.Count);
        foreach (var d in s.Dedupe)
        {
            w.String(d.CommandId); w.Long(d.SequenceNr); w.Long(d.Fingerprint); w.Long(d.AtMs);
        }
    }

    /// <summary>Version 1 kept each remembered command's event; version 2 keeps its fingerprint and time, which
    /// version 1's events give back.</summary>
    private static AccountSnapshot ReadSnapshot(ref WireReader r, int version)
    {
        var seq = r.Long();
        var subs = new SubAccountSnapshot[r.Count()];
        for (var i = 0; i < subs.Length; i++)
        {
            var name = r.String();
            var mode = Mode(r.Byte());
            var assets = new AssetSnapshot[r.Count()];
            for (var j = 0; j < assets.Length; j++)
            {
                assets[j] = new AssetSnapshot(r.String(), r.Long(), r.Long(), r.Long(), r.Long(), r.Long());
            }
            var usd = new UsdTotalsSnapshot(r.Long(), r.Long(), r.Long(), r.Long(), r.Long(),
                version >= 3 ? r.Long() : 0);
            var positions = new PositionSnapshot[r.Count()];
            for (var j = 0; j < positions.Length; j++)
            {
                positions[j] = new PositionSnapshot(r.String(), r.Long(), r.Double(), r.Bool(), r.Long());
            }
            var realised = new RealisedSnapshot[r.Count()];
            for (var j = 0; j < realised.Length; j++)
            {
                realised[j] = new RealisedSnapshot(r.String(), r.Long());
            }
            subs[i] = new SubAccountSnapshot(name, mode, assets, usd, positions, realised);
        }
        var dedupe = new DedupeSnapshot[r.Count()];
        for (var i = 0; i < dedupe.Length; i++)
        {
            var id = r.String();
            var at = r.Long();
            if (version == 1)
            {
                var e = (IAccountEvent)ReadNested(ref r);
                dedupe[i] = new DedupeSnapshot(id, at, CommandFingerprint.Of(e), e.AtMs);
            }
            else
            {
                dedupe[i] = new DedupeSnapshot(id, at, r.Long(), r.Long());
            }
        }
        return new AccountSnapshot(seq, subs, dedupe);
    }

    private static MarginMode Mode(byte b) => b switch
    {
        (byte)MarginMode.Standard => MarginMode.Standard,
        (byte)MarginMode.Portfolio => MarginMode.Portfolio,
        _ => throw new FormatException($"margin mode byte {b}"),
    };

    private static LiquidationKind Plan(byte b) => b switch
    {
        (byte)LiquidationKind.None => LiquidationKind.None,
        (byte)LiquidationKind.Partial => LiquidationKind.Partial,
        (byte)LiquidationKind.Backstop => LiquidationKind.Backstop,
        (byte)LiquidationKind.Bankrupt => LiquidationKind.Bankrupt,
        _ => throw new System.Runtime.Serialization.SerializationException($"unknown liquidation plan kind {b}"),
    };

    private static ReductionKind Kind(byte b) => b switch
    {
        (byte)ReductionKind.Liquidation => ReductionKind.Liquidation,
        (byte)ReductionKind.AutoDeleveraging => ReductionKind.AutoDeleveraging,
        _ => throw new FormatException($"reduction kind byte {b}"),
    };
}

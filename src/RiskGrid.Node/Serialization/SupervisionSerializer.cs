using Akka.Actor;
using Akka.Configuration;
using Akka.Serialization;
using RiskGrid.Margin.Liquidation;
using RiskGrid.Node.Supervision;

namespace RiskGrid.Node.Serialization;

/// <summary>
/// The serializer of the insurance fund's commands, events and replies and of the ADL ranking queries between nodes:
/// the same fixed-order binary layout as <see cref="AccountSerializer"/>, under versioned manifests. Bound to the
/// marker interfaces and the two ADL records in <see cref="Config"/>.
/// </summary>
public sealed class SupervisionSerializer : SerializerWithStringManifest
{
    /// <summary>Serializer id.</summary>
    public const int SerializerId = 4103;

    /// <summary>The binding.</summary>
    public static readonly Config Config = ConfigurationFactory.ParseString("""
        akka.actor {
          serializers.riskgrid-supervision = "RiskGrid.Node.Serialization.SupervisionSerializer, RiskGrid.Node"
          serialization-identifiers { "RiskGrid.Node.Serialization.SupervisionSerializer, RiskGrid.Node" = 4103 }
          serialization-bindings {
            "RiskGrid.Node.Supervision.IFundMessage, RiskGrid.Node" = riskgrid-supervision
            "RiskGrid.Node.Supervision.IFundEvent, RiskGrid.Node" = riskgrid-supervision
            "RiskGrid.Node.Supervision.FindAdlCandidates, RiskGrid.Node" = riskgrid-supervision
            "RiskGrid.Node.Supervision.AdlCandidateList, RiskGrid.Node" = riskgrid-supervision
          }
        }
        """);

    [ThreadStatic]
    private static WireWriter? t_writer;

    public SupervisionSerializer(ExtendedActorSystem system) : base(system)
    {
    }

    /// <summary>Every manifest this serializer reads.</summary>
    public static IReadOnlyList<string> Manifests { get; } =
    [
        "fseed.1", "fsettled.1", "fgranted.1", "fconfirmed.1",
        "SettleFees.1", "FeesAcknowledged.1", "CoverDeficit.1", "DeficitCovered.1", "ConfirmPayout.1", "GetFund.1",
        "FundView.1", "FindAdl.1", "AdlList.1", "ReserveAdl.1",
    ];

    /// <inheritdoc />
    public override int Identifier => SerializerId;

    /// <inheritdoc />
    public override string Manifest(object o) => o switch
    {
        FundSeeded => "fseed.1",
        FeesSettled => "fsettled.1",
        PayoutGranted => "fgranted.1",
        PayoutConfirmed => "fconfirmed.1",
        SettleFees => "SettleFees.1",
        FeesAcknowledged => "FeesAcknowledged.1",
        CoverDeficit => "CoverDeficit.1",
        DeficitCovered => "DeficitCovered.1",
        ConfirmPayout => "ConfirmPayout.1",
        GetFund => "GetFund.1",
        FundView => "FundView.1",
        FindAdlCandidates => "FindAdl.1",
        AdlCandidateList => "AdlList.1",
        ReserveAdl => "ReserveAdl.1",
        _ => throw new ArgumentException($"{o?.GetType().FullName} is not a supervision message", nameof(o)),
    };

    /// <inheritdoc />
    public override byte[] ToBinary(object obj)
    {
        var w = t_writer ??= new WireWriter(256);
        w.Reset();
        switch (obj)
        {
            case FundSeeded e:
                w.Long(e.AmountMicros); w.Long(e.AtMs);
                break;
            case FeesSettled e:
                w.String(e.AccountId); w.Long(e.CumulativeMicros); w.Long(e.DeltaMicros); w.Long(e.AtMs);
                break;
            case PayoutGranted e:
                w.String(e.PayoutId); w.String(e.AccountId); w.String(e.SubAccount); w.String(e.Instrument);
                w.Long(e.RequestedMicros); w.Long(e.GrantedMicros); w.Long(e.BadDebtMicros); w.Long(e.AtMs);
                break;
            case PayoutConfirmed e:
                w.String(e.PayoutId); w.Long(e.AtMs);
                break;
            case SettleFees c:
                w.String(c.AccountId); w.Long(c.CumulativeMicros); w.Long(c.AtMs);
                break;
            case FeesAcknowledged c:
                w.String(c.AccountId); w.Long(c.WatermarkMicros);
                break;
            case CoverDeficit c:
                w.String(c.PayoutId); w.String(c.AccountId); w.String(c.SubAccount); w.String(c.Instrument);
                w.Long(c.DeficitMicros); w.Bool(c.AllowBadDebt); w.Long(c.AtMs);
                break;
            case DeficitCovered c:
                w.String(c.PayoutId); w.Long(c.GrantedMicros); w.Long(c.BadDebtMicros);
                break;
            case ConfirmPayout c:
                w.String(c.PayoutId); w.Long(c.AtMs);
                break;
            case GetFund:
                break;
            case FundView v:
                w.Long(v.BalanceMicros); w.Long(v.OpeningMicros); w.Long(v.InflowsMicros); w.Long(v.PayoutsMicros);
                w.Long(v.BadDebtMicros); w.Count(v.PendingPayouts); w.Long(v.SequenceNr);
                break;
            case FindAdlCandidates q:
                w.String(q.Instrument); w.Bool(q.Longs); w.Long(q.Lots); w.String(q.ExcludeAccountId);
                break;
            case AdlCandidateList l:
                WriteCandidates(w, l.Candidates);
                break;
            case ReserveAdl r:
                w.String(r.Key); w.Double(r.Price); w.Long(r.Lots); WriteCandidates(w, r.Candidates); w.Long(r.AtMs);
                break;
            default:
                throw new ArgumentException($"{obj?.GetType().FullName} is not a supervision message", nameof(obj));
        }
        return w.ToArray();
    }

    /// <inheritdoc />
    public override object FromBinary(byte[] bytes, string manifest)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var r = new WireReader(bytes);
        object o = manifest switch
        {
            "fseed.1" => new FundSeeded(r.Long(), r.Long()),
            "fsettled.1" => new FeesSettled(r.String(), r.Long(), r.Long(), r.Long()),
            "fgranted.1" => new PayoutGranted(r.String(), r.String(), r.String(), r.String(), r.Long(), r.Long(),
                r.Long(), r.Long()),
            "fconfirmed.1" => new PayoutConfirmed(r.String(), r.Long()),
            "SettleFees.1" => new SettleFees(r.String(), r.Long(), r.Long()),
            "FeesAcknowledged.1" => new FeesAcknowledged(r.String(), r.Long()),
            "CoverDeficit.1" => new CoverDeficit(r.String(), r.String(), r.String(), r.String(), r.Long(), r.Bool(),
                r.Long()),
            "DeficitCovered.1" => new DeficitCovered(r.String(), r.Long(), r.Long()),
            "ConfirmPayout.1" => new ConfirmPayout(r.String(), r.Long()),
            "GetFund.1" => GetFund.Instance,
            "FundView.1" => new FundView(r.Long(), r.Long(), r.Long(), r.Long(), r.Long(), r.Count(), r.Long()),
            "FindAdl.1" => new FindAdlCandidates(r.String(), r.Bool(), r.Long(), r.String()),
            "AdlList.1" => new AdlCandidateList(ReadCandidates(ref r)),
            "ReserveAdl.1" => new ReserveAdl(r.String(), r.Double(), r.Long(), ReadCandidates(ref r), r.Long()),
            _ => throw new System.Runtime.Serialization.SerializationException(
                $"unknown supervision manifest '{manifest}'"),
        };
        r.End();
        return o;
    }

    private static AdlCandidate[] ReadCandidates(ref WireReader r)
    {
        var list = new AdlCandidate[r.Count()];
        for (var i = 0; i < list.Length; i++)
        {
            list[i] = new AdlCandidate(r.String(), r.String(), r.Long(), r.Double());
        }
        return list;
    }

    private static void WriteCandidates(WireWriter w, IReadOnlyList<AdlCandidate> candidates)
    {
        w.Count(candidates.Count);
        foreach (var c in candidates)
        {
            w.String(c.AccountId); w.String(c.SubAccount); w.Long(c.SizeLots); w.Double(c.Score);
        }
    }
}

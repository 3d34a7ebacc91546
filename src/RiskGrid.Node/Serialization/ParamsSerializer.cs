using Akka.Actor;
using Akka.Configuration;
using Akka.Serialization;
using RiskGrid.Node.ParamChanges;

namespace RiskGrid.Node.Serialization;

/// <summary>
/// The serializer of the parameter journal's commands, event and replies: the same fixed-order binary layout as
/// <see cref="AccountSerializer"/>, under versioned manifests. Bound to the marker interfaces in <see cref="Config"/>.
/// A layout never changes once released: a new field means a new manifest, and golden files under
/// <c>tests/RiskGrid.Node.Tests/Serialization/golden</c> keep the old ones read.
/// </summary>
public sealed class ParamsSerializer : SerializerWithStringManifest
{
    /// <summary>Serializer id.</summary>
    public const int SerializerId = 4104;

    /// <summary>The binding.</summary>
    public static readonly Config Config = ConfigurationFactory.ParseString("""
        akka.actor {
          serializers.riskgrid-params = "RiskGrid.Node.Serialization.ParamsSerializer, RiskGrid.Node"
          serialization-identifiers { "RiskGrid.Node.Serialization.ParamsSerializer, RiskGrid.Node" = 4104 }
          serialization-bindings {
            "RiskGrid.Node.ParamChanges.IParamsMessage, RiskGrid.Node" = riskgrid-params
            "RiskGrid.Node.ParamChanges.IParamsEvent, RiskGrid.Node" = riskgrid-params
          }
        }
        """);

    [ThreadStatic]
    private static WireWriter? t_writer;

    public ParamsSerializer(ExtendedActorSystem system) : base(system)
    {
    }

    /// <summary>Every manifest this serializer reads.</summary>
    public static IReadOnlyList<string> Manifests { get; } =
    [
        "pchanged.1", "ChangeParams.1", "GetParams.1", "ParamsState.1", "ParamsAccepted.1", "ParamsRejected.1",
    ];

    /// <inheritdoc />
    public override int Identifier => SerializerId;

    /// <inheritdoc />
    public override string Manifest(object o) => o switch
    {
        ParamsChanged => "pchanged.1",
        ChangeParams => "ChangeParams.1",
        GetParams => "GetParams.1",
        ParamsState => "ParamsState.1",
        ParamsChangeAccepted => "ParamsAccepted.1",
        ParamsChangeRejected => "ParamsRejected.1",
        _ => throw new ArgumentException($"{o?.GetType().FullName} is not a parameter journal message", nameof(o)),
    };

    /// <inheritdoc />
    public override byte[] ToBinary(object obj)
    {
        var w = t_writer ??= new WireWriter(4096);
        w.Reset();
        switch (obj)
        {
            case ParamsChanged e:
                w.Long(e.Version); w.String(e.CommandId); w.Long(e.Fingerprint); w.String(e.Changes);
                w.String(e.Document); w.Long(e.AtMs);
                break;
            case ChangeParams c:
                w.String(c.CommandId); w.String(c.Changes); w.String(c.BaseDocument); w.Long(c.AtMs);
                break;
            case GetParams:
                break;
            case ParamsState s:
                w.Long(s.Version); w.String(s.Document);
                break;
            case ParamsChangeAccepted a:
                w.Long(a.Version); w.String(a.CommandId); w.String(a.Changes); w.String(a.Document);
                w.Bool(a.Repeated);
                break;
            case ParamsChangeRejected r:
                w.Byte((byte)r.Code); w.String(r.Field); w.String(r.Message);
                break;
            default:
                throw new ArgumentException($"{obj?.GetType().FullName} is not a parameter journal message",
                    nameof(obj));
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
            "pchanged.1" => new ParamsChanged(r.Long(), r.String(), r.Long(), r.String(), r.String(), r.Long()),
            "ChangeParams.1" => new ChangeParams(r.String(), r.String(), r.String(), r.Long()),
            "GetParams.1" => GetParams.Instance,
            "ParamsState.1" => new ParamsState(r.Long(), r.String()),
            "ParamsAccepted.1" => new ParamsChangeAccepted(r.Long(), r.String(), r.String(), r.String(), r.Bool()),
            "ParamsRejected.1" => new ParamsChangeRejected(Rejection(r.Byte()), r.String(), r.String()),
            _ => throw new System.Runtime.Serialization.SerializationException(
                $"unknown parameter journal manifest '{manifest}'"),
        };
        r.End();
        return o;
    }

    private static ParamsRejection Rejection(byte code) => code switch
    {
        (byte)ParamsRejection.Malformed => ParamsRejection.Malformed,
        (byte)ParamsRejection.Conflict => ParamsRejection.Conflict,
        _ => throw new FormatException($"unknown rejection code {code}"),
    };
}

using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Configuration;
using Akka.Event;
using Akka.Serialization;
using RiskGrid.Node.Prices;
using RiskGrid.Node.Serialization;

namespace RiskGrid.Node.ManualPrices;

/// <summary>A price of the manual oracle source (<c>POST /v1/admin/prices</c>), relayed to every node.
/// <see cref="Origin"/> is the node that accepted it from the API (and applied it already).</summary>
public sealed record ManualPrice(string Source, string Underlying, double Price, long TsMs, string Origin);

/// <summary>
/// Makes a manual price a cluster-wide oracle source: the node that receives <c>POST /v1/admin/prices</c> applies it
/// to its own <see cref="PriceView"/> (answering the caller with the view's verdict) and publishes it; this actor,
/// on every node, applies what other nodes published through the same path a feed tick takes. Admin prices are
/// rare, so cluster pub-sub (not the tick data plane) carries them.
/// </summary>
public sealed class ManualPriceRelay : ReceiveActor
{
    /// <summary>The pub-sub topic.</summary>
    public const string Topic = "riskgrid-manual-prices";

    private readonly ILoggingAdapter _log = Context.GetLogger();

    public ManualPriceRelay(PriceView view, string self)
    {
        DistributedPubSub.Get(Context.System).Mediator.Tell(new Subscribe(Topic, Self));
        Receive<SubscribeAck>(_ => { });
        Receive<ManualPrice>(p =>
        {
            if (p.Origin == self)
            {
                return;
            }
            var result = view.Submit(p.Source, p.Underlying, p.Price, p.TsMs);
            if (result.IsAccepted)
            {
                _log.Info("Manual price applied source={Source} underlying={Underlying} price={Price} from={Origin}",
                    p.Source, p.Underlying, p.Price, p.Origin);
            }
            else
            {
                _log.Warning("Manual price refused here source={Source} underlying={Underlying} field={Field}: {Reason}",
                    p.Source, p.Underlying, result.Field, result.Reason);
            }
        });
    }

    /// <summary>Props of the relay of a node whose address is <paramref name="self"/>.</summary>
    public static Props Props(PriceView view, string self) => Akka.Actor.Props.Create(() => new ManualPriceRelay(view, self));

    /// <summary>Publishes <paramref name="price"/> to every node's relay.</summary>
    public static void Publish(ActorSystem system, ManualPrice price)
    {
        ArgumentNullException.ThrowIfNull(system);
        DistributedPubSub.Get(system).Mediator.Tell(new Publish(Topic, price));
    }
}

/// <summary>The serializer of <see cref="ManualPrice"/> (manifest <c>price.1</c>), bound in <see cref="Config"/>.</summary>
public sealed class ManualPriceSerializer : SerializerWithStringManifest
{
    /// <summary>Serializer id.</summary>
    public const int SerializerId = 4102;

    /// <summary>The binding.</summary>
    public static readonly Config Config = ConfigurationFactory.ParseString("""
        akka.actor {
          serializers.riskgrid-manual-prices = "RiskGrid.Node.ManualPrices.ManualPriceSerializer, RiskGrid.Node"
          serialization-identifiers { "RiskGrid.Node.ManualPrices.ManualPriceSerializer, RiskGrid.Node" = 4102 }
          serialization-bindings {
            "RiskGrid.Node.ManualPrices.ManualPrice, RiskGrid.Node" = riskgrid-manual-prices
          }
        }
        """);

    public ManualPriceSerializer(ExtendedActorSystem system) : base(system)
    {
    }

    /// <inheritdoc />
    public override int Identifier => SerializerId;

    /// <inheritdoc />
    public override string Manifest(object o) => o is ManualPrice
        ? "price.1"
        : throw new ArgumentException($"{o?.GetType().FullName} is not a manual price", nameof(o));

    /// <inheritdoc />
    public override byte[] ToBinary(object obj)
    {
        if (obj is not ManualPrice p)
        {
            throw new ArgumentException($"{obj?.GetType().FullName} is not a manual price", nameof(obj));
        }
        var w = new WireWriter(64);
        w.String(p.Source);
        w.String(p.Underlying);
        w.Double(p.Price);
        w.Long(p.TsMs);
        w.String(p.Origin);
        return w.ToArray();
    }

    /// <inheritdoc />
    public override object FromBinary(byte[] bytes, string manifest)
    {
        if (manifest != "price.1")
        {
            throw new System.Runtime.Serialization.SerializationException($"unknown manual price manifest '{manifest}'");
        }
        var r = new WireReader(bytes);
        var p = new ManualPrice(r.String(), r.String(), r.Double(), r.Long(), r.String());
        r.End();
        return p;
    }
}

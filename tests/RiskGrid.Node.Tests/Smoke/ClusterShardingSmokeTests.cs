using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Akka.Configuration;
using Xunit.Abstractions;

namespace RiskGrid.Node.Tests.Smoke;

/// <summary>
/// Proves the sharding stack the account entities will sit on: a one-node cluster over dot-netty TCP on
/// 127.0.0.1, coordinator state in distributed data (not in our journal), remember-entities off, and a
/// <see cref="HashCodeMessageExtractor"/> routing an envelope to the entity it names.
/// </summary>
public sealed class ClusterShardingSmokeTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(20);

    private static readonly Config ClusterConfig = ConfigurationFactory.ParseString("""
        akka {
            loglevel = WARNING
            actor.provider = cluster
            remote.dot-netty.tcp {
                hostname = "127.0.0.1"
                port = 0
            }
            cluster {
                min-nr-of-members = 1
                sharding {
                    state-store-mode = ddata
                    remember-entities = off
                }
            }
        }
        """);

    public ClusterShardingSmokeTests(ITestOutputHelper output)
        : base(ClusterConfig, "riskgrid-smoke", output)
    {
    }

    [Fact]
    public async Task MessageSentThroughShardRegionReachesItsEntityAndTheReplyComesBack()
    {
        var cluster = Cluster.Get(Sys);
        Assert.Equal("127.0.0.1", cluster.SelfAddress.Host);
        Assert.NotEqual(0, cluster.SelfAddress.Port);

        var joined = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        cluster.RegisterOnMemberUp(() => joined.TrySetResult());
        cluster.Join(cluster.SelfAddress);
        await joined.Task.WaitAsync(Generous);

        // The extension injects sharding's reference config: get it before reading the settings.
        var sharding = ClusterSharding.Get(Sys);
        var settings = ClusterShardingSettings.Create(Sys);
        Assert.Equal(StateStoreMode.DData, settings.StateStoreMode);
        Assert.False(settings.RememberEntities);

        var region = await sharding.StartAsync(
            typeName: "echo",
            entityProps: Props.Create(() => new EchoEntity()),
            settings: settings,
            messageExtractor: new EchoMessageExtractor(maxNumberOfShards: 10));

        region.Tell(new ShardEnvelope("account-42", "ping"), TestActor);
        var first = await ExpectMsgAsync<Echoed>(Generous);
        Assert.Equal(new Echoed("account-42", "ping"), first);

        region.Tell(new ShardEnvelope("account-7", "pong"), TestActor);
        var second = await ExpectMsgAsync<Echoed>(Generous);
        Assert.Equal(new Echoed("account-7", "pong"), second);
    }

    private sealed record ShardEnvelope(string EntityId, string Payload);

    private sealed record Echoed(string EntityId, string Payload);

    private sealed class EchoMessageExtractor(int maxNumberOfShards) : HashCodeMessageExtractor(maxNumberOfShards)
    {
        public override string EntityId(object message) =>
            message is ShardEnvelope envelope ? envelope.EntityId : null!;

        public override object EntityMessage(object message) =>
            message is ShardEnvelope envelope ? envelope.Payload : message;
    }

    private sealed class EchoEntity : ReceiveActor
    {
        public EchoEntity()
        {
            // The entity's name is its id: the reply names it so the test sees the routing, not only a reply.
            Receive<string>(payload => Sender.Tell(new Echoed(Self.Path.Name, payload)));
        }
    }
}

using System.Globalization;
using System.Text.Json;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Configuration;
using Microsoft.Data.Sqlite;
using RiskGrid.Node.Configuration;
using RiskGrid.Node.Hosting;
using RiskGrid.Node.ParamChanges;

namespace RiskGrid.Node.Tests.ParamChanges;

/// <summary>
/// Two nodes of one cluster in this process: a change made through either node takes effect on the other through the
/// parameter entity's broadcast (the poll is set to an hour, so only the broadcast can carry it in time), and both
/// end on the same version and document.
/// </summary>
public sealed class ParamsPropagationTests : IAsyncLifetime
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    private readonly string _directory = Directory.CreateTempSubdirectory("riskgrid-params-2n-").FullName;
    private GridNode? _first;
    private GridNode? _second;

    public async Task InitializeAsync()
    {
        _first = await GridNode.StartAsync(Settings("a", ""));
        await WaitReadyAsync(_first);
        var port = _first.SelfAddress.Port!.Value.ToString(CultureInfo.InvariantCulture);
        _second = await GridNode.StartAsync(Settings("b", $"riskgrid.node.seed-nodes = [\"127.0.0.1:{port}\"]"));
        await WaitReadyAsync(_second);
    }

    [Fact]
    public async Task AChangeMadeThroughOneNodeTakesEffectOnTheOther()
    {
        var (a, b) = (_first!, _second!);
        Assert.Equal(2, a.Membership.Current.Count(MemberStatus.Up));
        await GossipedAsync(a, b);
        await GossipedAsync(b, a);

        var viaB = Assert.IsType<ParamsChangeAccepted>(await ChangeAsync(b, "two-1",
            """{"liquidation.targetHealth": 1.2, "underlyings.ETH.linear.tiers": [{"imr":0.05,"mmr":0.03}]}"""));
        Assert.Equal(1, viaB.Version);
        Assert.True(await EventuallyAsync(() => a.RiskParams.Version == 1), "node a never took version 1");
        Assert.Equal(1.2, a.Catalog.Params.Liquidation.TargetHealth);
        Assert.Equal(0.03, a.Catalog.Resolve("ETH-PERP").Tiers!.Tiers[0].Mmr);

        var viaA = Assert.IsType<ParamsChangeAccepted>(await ChangeAsync(a, "two-2", """{"prices.staleMs": 4500}"""));
        Assert.Equal(2, viaA.Version);
        Assert.True(await EventuallyAsync(() => b.RiskParams.Version == 2), "node b never took version 2");
        Assert.Equal(4500, b.Prices.Parameters.Prices.StaleMs);
        Assert.Equal(1.2, b.Catalog.Params.Liquidation.TargetHealth);
        Assert.Equal(RiskParamsDocument.ToHocon(a.Catalog.Params), RiskParamsDocument.ToHocon(b.Catalog.Params));
        Assert.Equal(viaA.Document, RiskParamsDocument.ToHocon(b.Catalog.Params));
    }

    public async Task DisposeAsync()
    {
        if (_second is not null)
        {
            await _second.StopAsync();
        }
        if (_first is not null)
        {
            await _first.StopAsync();
        }
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private NodeSettings Settings(string name, string extra) =>
        NodeSettings.From(NodeConfig.Load(null, ConfigurationFactory.ParseString($$"""
            riskgrid.node {
                data-dir = "{{Path.Combine(_directory, name)}}"
                remote.port = 0
                http.port = 0
                split-brain-resolver.stable-after = 5s
            }
            riskgrid.params.poll-interval = 1h
            akka.loglevel = WARNING
            {{extra}}
            """)));

    private static async Task<IParamsReply> ChangeAsync(GridNode node, string commandId, string set)
    {
        using var json = JsonDocument.Parse(set);
        Assert.True(RiskParamsChange.TryNormalize(json.RootElement, out var changes, out var problem), problem?.Message);
        return await node.RiskParams.ChangeAsync(commandId, changes, CancellationToken.None);
    }

    // Pub-sub subscriptions reach the other node by gossip (about a second), a node's in the order it made them:
    // once a marker subscribed on `to` after its follower receives what `from` publishes, `from` knows the follower
    // too. So the broadcast, not a poll, is what is tested.
    private static async Task GossipedAsync(GridNode from, GridNode to)
    {
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var topic = "params-test-marker-" + Guid.NewGuid().ToString("N");
        var marker = to.System.ActorOf(Props.Create(() => new Marker(topic, received)));
        var mediator = DistributedPubSub.Get(from.System).Mediator;
        try
        {
            Assert.True(await EventuallyAsync(() =>
            {
                mediator.Tell(new Publish(topic, "ping"));
                return received.Task.IsCompleted;
            }), "the subscriptions never spread");
        }
        finally
        {
            to.System.Stop(marker);
        }
    }

    private sealed class Marker : ReceiveActor
    {
        public Marker(string topic, TaskCompletionSource received)
        {
            DistributedPubSub.Get(Context.System).Mediator.Tell(new Subscribe(topic, Self));
            Receive<SubscribeAck>(_ => { });
            Receive<string>(_ => received.TrySetResult());
        }
    }

    private static async Task WaitReadyAsync(GridNode node)
    {
        var deadline = DateTime.UtcNow + Generous;
        while (true)
        {
            var report = await node.CheckReadyAsync(CancellationToken.None);
            if (report.IsReady)
            {
                return;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"node not ready: {report.Reason}");
            }
            await Task.Delay(100);
        }
    }

    private static Task<bool> EventuallyAsync(Func<bool> condition) => EventuallyAsync(() => Task.FromResult(condition()));

    private static async Task<bool> EventuallyAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + Generous;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return true;
            }
            await Task.Delay(100);
        }
        return await condition();
    }
}

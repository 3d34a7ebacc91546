using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Configuration;
using Akka.TestKit;
using RiskGrid.Margin.Instruments;
using RiskGrid.Node.Configuration;
using RiskGrid.Node.ParamChanges;
using RiskGrid.Node.Prices;
using RiskGrid.Node.Supervision;
using RiskGrid.Node.Time;
using Xunit.Abstractions;

namespace RiskGrid.Node.Tests.ParamChanges;

/// <summary>
/// A node's follower of the parameter journal, with a probe standing in for the parameter entity and another for
/// the risk supervisor: it reads the journal before the node counts as synced, applies what the entity broadcasts
/// over cluster pub-sub and what its poll finds (a missed broadcast), only ever moves forward, asks the supervisor
/// for a sweep after each change, and keeps a node it cannot run the journal on unsynced.
/// </summary>
public sealed class ParamsFollowerTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static readonly Config ClusterConfig = ConfigurationFactory.ParseString("""
        akka {
            loglevel = WARNING
            actor.provider = cluster
            remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
            cluster.min-nr-of-members = 1
        }
        """);

    private readonly RiskParamsSwitch _switch;
    private readonly TestProbe _journal;
    private readonly TestProbe _supervisor;

    public ParamsFollowerTests(ITestOutputHelper output)
        : base(ClusterConfig, "params-follower", output)
    {
        var start = RiskParamsReader.LoadDefault();
        var catalog = new InstrumentCatalog(start);
        var prices = new PriceView(start, catalog, new ManualGridClock(1_795_000_000_000));
        _switch = new RiskParamsSwitch(catalog, prices, start);
        _journal = CreateTestProbe();
        _supervisor = CreateTestProbe();
        var cluster = Cluster.Get(Sys);
        cluster.Join(cluster.SelfAddress);
        AwaitCondition(() => cluster.SelfMember.Status == MemberStatus.Up, Wait);
    }

    [Fact]
    public async Task ItIsSyncedOnceTheJournalAnsweredAndAppliesWhatTheEntityBroadcasts()
    {
        var follower = Follow(TimeSpan.FromHours(1));
        await _journal.ExpectMsgAsync<GetParams>(Wait);
        Assert.False(_switch.IsSynced);
        _journal.Reply(new ParamsState(0, ""));
        await AwaitConditionAsync(() => Task.FromResult(_switch.IsSynced), Wait);
        Assert.Equal(0, _switch.Version);

        var doc = Document("""{"liquidation.targetHealth": 1.25}""");
        await PublishWhenSubscribedAsync(new ParamsChanged(1, "p-1", 1, "{}", doc, 1));

        await AwaitConditionAsync(() => Task.FromResult(_switch.Version == 1), Wait);
        Assert.Equal(1.25, _switch.Current.Liquidation.TargetHealth);
        Assert.Equal(new RunRiskCycle(Sweep: true), await _supervisor.ExpectMsgAsync<RunRiskCycle>(Wait));
        _supervisor.Reply(new RiskReport(0, 0, 0, 0, 0, 0, 0, 0));

        // An older version (a late or repeated broadcast) changes nothing.
        follower.Tell(new ParamsChanged(1, "p-1", 1, "{}", Document("""{"liquidation.targetHealth": 1.4}"""), 1));
        var applied = await follower.Ask<ParamsApplied>(new ApplyParams(1, doc), Wait);
        Assert.Equal(1, applied.Version);
        Assert.Equal(1.25, _switch.Current.Liquidation.TargetHealth);
        await _supervisor.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task ThePollCatchesUpOnAChangeWhoseBroadcastWasMissed()
    {
        Follow(TimeSpan.FromMilliseconds(200));
        await _journal.ExpectMsgAsync<GetParams>(Wait);
        _journal.Reply(new ParamsState(0, ""));

        await _journal.ExpectMsgAsync<GetParams>(Wait);
        _journal.Reply(new ParamsState(2, Document("""{"underlyings.ETH.scanRange": 0.3}""")));

        await AwaitConditionAsync(() => Task.FromResult(_switch.Version == 2), Wait);
        Assert.Equal(0.3, _switch.Current.Underlyings[1].ScanRange);
        await _supervisor.ExpectMsgAsync<RunRiskCycle>(Wait);
        // It keeps polling.
        await _journal.ExpectMsgAsync<GetParams>(Wait);
    }

    [Fact]
    public async Task AtStartTheJournaledVersionIsInEffectBeforeTheNodeIsSynced()
    {
        Follow(TimeSpan.FromHours(1));
        await _journal.ExpectMsgAsync<GetParams>(Wait);
        // No answer in time: it asks again (the entity may still be starting).
        await _journal.ExpectMsgAsync<GetParams>(TimeSpan.FromSeconds(15));
        Assert.False(_switch.IsSynced);

        _journal.Reply(new ParamsState(3, Document("""{"prices.staleMs": 4000}""")));

        await AwaitConditionAsync(() => Task.FromResult(_switch.IsSynced), Wait);
        Assert.Equal(3, _switch.Version);
        Assert.Equal(4000, _switch.Current.Prices.StaleMs);
    }

    [Fact]
    public async Task ANodeThatCannotRunTheJournaledParametersStaysUnsynced()
    {
        Follow(TimeSpan.FromHours(1));
        await _journal.ExpectMsgAsync<GetParams>(Wait);
        var other = RiskParamsDocument.ToHocon(_switch.Start).Replace("\"decimals\" = 8", "\"decimals\" = 7",
            StringComparison.Ordinal);

        _journal.Reply(new ParamsState(1, other));

        await AwaitConditionAsync(() => Task.FromResult(_switch.Problem is not null), Wait);
        Assert.False(_switch.IsSynced);
        Assert.Contains("assets.BTC.decimals", _switch.Problem, StringComparison.Ordinal);
        Assert.Equal(0, _switch.Version);
    }

    private IActorRef Follow(TimeSpan pollInterval) =>
        Sys.ActorOf(ParamsFollower.Props(_switch, _journal, _supervisor,
            new ParamsSettings(pollInterval, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1))));

    private string Document(string set)
    {
        using var json = System.Text.Json.JsonDocument.Parse(set);
        Assert.True(RiskParamsChange.TryNormalize(json.RootElement, out var changes, out _));
        Assert.True(RiskParamsChange.TryApply(RiskParamsDocument.ToHocon(_switch.Current), changes, out _,
            out var document, out var problem), problem?.Message);
        return document!;
    }

    // The follower subscribes when it starts; publish once the mediator has its subscription.
    private async Task PublishWhenSubscribedAsync(ParamsChanged e)
    {
        var mediator = DistributedPubSub.Get(Sys).Mediator;
        await AwaitConditionAsync(async () =>
            await mediator.Ask<int>(new Akka.Cluster.Tools.PublishSubscribe.Internal.CountSubscribers(ParamsEntity.Topic),
                Wait) == 1, Wait);
        mediator.Tell(new Publish(ParamsEntity.Topic, e));
    }
}

using Akka.Actor;
using Akka.Configuration;
using RiskGrid.Node.Accounts;
using RiskGrid.Node.Serialization;

namespace RiskGrid.Node.Tests.Accounts;

/// <summary>
/// The entity over Akka's in-memory journal with every message serialized (so the serializer binding is exercised
/// on every send): persist-then-answer, idempotent command ids across restarts, rejections that persist nothing,
/// recovery from snapshots.
/// </summary>
public sealed class AccountEntityTests : Akka.TestKit.Xunit2.TestKit
{
    private const long Usd = 1_000_000;
    private static readonly Config TestConfig = ConfigurationFactory.ParseString("""
        akka.loglevel = WARNING
        akka.actor.serialize-messages = on
        akka.persistence.journal.plugin = "akka.persistence.journal.inmem"
        akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
        """).WithFallback(AccountSerializer.Config).WithFallback(CompactDequeMailbox.Declaration);

    private readonly TestMarket _market = new();
    private readonly AccountCommandHandler _handler;
    private readonly string _account = "acct-" + Guid.NewGuid().ToString("N")[..8];

    public AccountEntityTests() : base(TestConfig)
    {
        _handler = _market.Handler(AccountSettings.Default with { SnapshotEvery = 3 });
    }

    [Fact]
    public async Task ARepeatedCommandGetsTheFirstAnswerAndChangesNothing()
    {
        var entity = Spawn();
        var first = await Ask<CommandAccepted>(entity, new Deposit(_account, "d1", "main", "USD", 100 * Usd, 1));

        var again = await Ask<CommandRepeated>(entity, new Deposit(_account, "d1", "main", "USD", 100 * Usd, 2));
        var view = await Ask<AccountView>(entity, new GetAccount(_account));

        Assert.Equal((first.CommandId, first.SequenceNr), (again.CommandId, again.SequenceNr));
        Assert.Equal(1, view.SequenceNr);
        Assert.Equal(100 * Usd, view.SubAccounts[0].Balances[0].Units);
    }

    [Fact]
    public async Task TheSameCommandIdWithAnotherBodyIsAConflict()
    {
        var entity = Spawn();
        await Ask<CommandAccepted>(entity, new Deposit(_account, "d1", "main", "USD", 100 * Usd, 1));

        var conflict = await Ask<CommandRejected>(entity, new Deposit(_account, "d1", "main", "USD", 200 * Usd, 1));

        Assert.Equal((RejectionCode.CommandIdReused, "commandId"), (conflict.Code, conflict.Field));
        Assert.Equal(1, (await Ask<AccountView>(entity, new GetAccount(_account))).SequenceNr);
    }

    [Fact]
    public async Task ARefusedWithdrawalPersistsNothing()
    {
        var entity = Spawn();
        await Ask<CommandAccepted>(entity, new Deposit(_account, "d1", "main", "USD", 100 * Usd, 1));

        var refused = await Ask<CommandRejected>(entity, new Withdraw(_account, "w1", "main", "USD", 101 * Usd, 2));
        await Restart(entity);
        var view = await Ask<AccountView>(Spawn(), new GetAccount(_account));

        Assert.Equal(RejectionCode.Refused, refused.Code);
        Assert.Equal(1, view.SequenceNr);
        Assert.Equal(100 * Usd, view.SubAccounts[0].Balances[0].Units);
    }

    [Fact]
    public async Task StateAndDedupeSurviveARestartThroughSnapshotsAndEvents()
    {
        var entity = Spawn();
        await Ask<CommandAccepted>(entity, new Deposit(_account, "d1", "main", "USD", 10_000 * Usd, 1));
        for (var i = 0; i < 6; i++)
        {
            await Ask<CommandAccepted>(entity, new ApplyFill(_account, "f" + i, "main", "BTC-PERP", i % 2 == 0 ? 100 : -50,
                60_000 + i * 10, Usd, 2 + i));
        }
        var before = await Ask<AccountView>(entity, new GetAccount(_account));

        await Restart(entity);
        var recovered = Spawn();
        var after = await Ask<AccountView>(recovered, new GetAccount(_account));
        var repeat = await Ask<CommandRepeated>(recovered,
            new ApplyFill(_account, "f0", "main", "BTC-PERP", 100, 60_000, Usd, 99));

        Assert.Equal(7, after.SequenceNr);
        Assert.Equal(Bytes(before), Bytes(after));
        Assert.Equal(2, repeat.SequenceNr);
    }

    [Fact]
    public async Task AnUnknownAccountIsNotFoundAndNotCreatedByAsking()
    {
        var entity = Spawn();

        var get = await Ask<CommandRejected>(entity, new GetAccount(_account));
        var fill = await Ask<CommandRejected>(entity, new ApplyFill(_account, "f1", "main", "BTC-PERP", 1, 60_000, 0, 1));

        Assert.Equal(RejectionCode.NotFound, get.Code);
        Assert.Equal(("accountId", RejectionCode.NotFound), (fill.Field, fill.Code));
    }

    [Fact]
    public async Task OrderCheckAnswersWithoutChangingAnything()
    {
        var entity = Spawn();
        await Ask<CommandAccepted>(entity, new Deposit(_account, "d1", "main", "USD", 1_000 * Usd, 1));

        // 1 BTC at 60,000 needs 1,200 of IM (2%): refused with 1,000; 0.01 BTC needs 12: accepted.
        var big = await Ask<OrderChecked>(entity, new CheckOrder(_account, "main", "BTC-PERP", 1_000, 60_000));
        var small = await Ask<OrderChecked>(entity, new CheckOrder(_account, "main", "BTC-PERP", 10, 60_000));

        Assert.False(big.Accepted);
        Assert.Equal("BREAKS_INITIAL_MARGIN", big.Check.Outcome);
        Assert.True(small.Accepted);
        Assert.Equal(12 * Usd, small.Check.InitialMarginAfterMicros);
        Assert.Equal(1, (await Ask<AccountView>(entity, new GetAccount(_account))).SequenceNr);
    }

    private IActorRef Spawn() => Sys.ActorOf(AccountEntity.Props(_account, _handler, null));

    private async Task Restart(IActorRef entity)
    {
        Watch(entity);
        entity.Tell(AccountEntity.Stop.Instance);
        ExpectTerminated(entity);
        await Task.CompletedTask;
    }

    private static async Task<T> Ask<T>(IActorRef entity, object message)
    {
        var reply = await entity.Ask<object>(message, TimeSpan.FromSeconds(5));
        return Assert.IsType<T>(reply);
    }

    private string Bytes(object message) =>
        Convert.ToHexString(Sys.Serialization.FindSerializerFor(message).ToBinary(message));
}

using RiskGrid.Node.Accounts;
using RiskGrid.Node.Time;

namespace RiskGrid.Node.Tests.Accounts;

/// <summary>The node's door to the accounts keeps the work in flight bounded: beyond max-in-flight a request is
/// refused at once, sent nowhere and counted, and the door opens again as answers come back.</summary>
public sealed class AccountServiceTests : Akka.TestKit.Xunit2.TestKit
{
    [Fact]
    public async Task BeyondMaxInFlightARequestIsRefusedAtOnceAndCounted()
    {
        var market = new TestMarket();
        var handler = market.Handler(AccountSettings.Default with { MaxInFlight = 1 });
        var region = CreateTestProbe();
        var service = new AccountService(Sys, region.Ref, handler, market, new ManualGridClock(TestMarket.AsOfMs), null);

        var first = service.AskAsync(new GetAccount("a"), CancellationToken.None);
        region.ExpectMsg<GetAccount>();
        var firstAsker = region.LastSender;
        await Assert.ThrowsAsync<AccountsOverloadedException>(() =>
            service.AskAsync(new GetAccount("b"), CancellationToken.None));
        region.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        firstAsker.Tell(new CommandRejected(RejectionCode.NotFound, "accountId", "no such account"), region.Ref);
        var answer = await first;
        var third = service.AskAsync(new GetAccount("c"), CancellationToken.None);
        region.ExpectMsg<GetAccount>();
        region.Reply(new CommandRejected(RejectionCode.NotFound, "accountId", "no such account"));
        await third;

        Assert.IsType<CommandRejected>(answer);
        Assert.Equal(1, service.Refused);
        Assert.Equal(0, service.InFlight);
    }
}

using RiskGrid.Node.Accounts;
using RiskGrid.Node.Tests.Supervision;

namespace RiskGrid.Node.Tests.Accounts;

/// <summary>
/// Sharding gives every account entity one shared props: each entity reads its account id from its actor name
/// (the id, URI-escaped). An id with every character the API allows still answers, journals and reads back under
/// its own name.
/// </summary>
public sealed class ShardedEntityTests
{
    [Fact]
    public async Task AnEntityStartedBySharingOnePropsKnowsItsAccountIdEvenWithCharactersThatAreEscapedInActorNames()
    {
        await using var grid = await GridUnderCrash.StartAsync();
        const string odd = "desk:7.a_B-c";
        const string plain = "plain";
        await grid.DepositAsync(odd, 100);
        await grid.DepositAsync(plain, 200);

        var view = await grid.ViewAsync(odd);
        Assert.Equal(odd, view.AccountId);
        Assert.Equal(plain, (await grid.ViewAsync(plain)).AccountId);
        var events = await grid.EventsAsync(odd);
        var deposit = Assert.IsType<Deposited>(Assert.Single(events).Event);
        Assert.Equal(100_000_000, deposit.Units);
        Assert.Equal(200_000_000, Assert.IsType<Deposited>(Assert.Single(await grid.EventsAsync(plain)).Event).Units);
    }
}

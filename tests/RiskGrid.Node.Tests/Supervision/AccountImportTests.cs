using RiskGrid.Node.Accounts;

namespace RiskGrid.Node.Tests.Supervision;

/// <summary>Bulk opening straight into the journal: decided as the entity would, recovered by the entity, watched by
/// the supervisor, refused whole when a command is refused or the account exists.</summary>
public sealed class AccountImportTests
{
    [Fact]
    public async Task ImportedAccountsRecoverInTheirEntitiesAndAreLiquidatedLikeAnyOther()
    {
        await using var grid = await GridUnderCrash.StartAsync();
        grid.Prices(60_000);
        var now = grid.Clock.NowMs;
        IReadOnlyList<IAccountCommand> Open(string id, long usd, long lots) =>
        [
            new Deposit(id, "d1", "main", "USD", usd * 1_000_000, now),
            new ApplyFill(id, "f1", "main", "BTC-PERP", lots, 60_000, 0, now),
        ];
        var result = await grid.Node.Import.ImportAsync(
        [
            ("m1", Open("m1", 10_000, 1_000)),
            ("m2", Open("m2", 50_000, -1_000)),
            ("bad", [new Withdraw("bad", "w1", "main", "USD", 1, now)]),
        ]);

        Assert.Equal(2, result.Accounts);
        Assert.Equal(4, result.Events);
        Assert.Single(result.Refused);
        Assert.Equal(1_000, await grid.PositionLotsAsync("m1", "BTC-PERP"));
        Assert.Equal(2, (await grid.ViewAsync("m1")).SequenceNr);
        // The imported command ids are remembered: a repeat gets the first answer (event 1) and changes nothing.
        var repeat = Assert.IsType<CommandAccepted>(await grid.SendAsync(new Deposit("m1", "d1", "main", "USD",
            10_000_000_000, now)));
        Assert.Equal(1, repeat.SequenceNr);
        Assert.Equal(2, (await grid.ViewAsync("m1")).SequenceNr);
        Assert.IsType<CommandRejected>(await grid.SendAsync(new GetAccount("bad")));

        var again = await grid.Node.Import.ImportAsync([("m2", Open("m2", 1, 1))]);
        Assert.Equal(0, again.Accounts);
        Assert.Contains("already has a journal", again.Refused.Single());

        grid.Advance(61_000);
        grid.Prices(55_000);
        grid.Advance(61_000);
        grid.Prices(50_450);
        Assert.True(await GridUnderCrash.EventuallyAsync(async () => await grid.PositionLotsAsync("m1", "BTC-PERP") < 1_000));
    }
}

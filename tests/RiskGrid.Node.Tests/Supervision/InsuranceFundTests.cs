using Akka.Actor;
using RiskGrid.Node.Accounts;
using RiskGrid.Node.Supervision;

namespace RiskGrid.Node.Tests.Supervision;

/// <summary>The insurance fund entity: fees credited exactly once by watermark, payouts idempotent by id and delivered
/// to the account, bad debt booked when the balance cannot cover a deficit.</summary>
public sealed class InsuranceFundTests
{
    private static readonly TimeSpan Ask = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task FeesAreCreditedOnceWhateverTheOrderAndRepeatsOfTheReports()
    {
        await using var grid = await GridUnderCrash.StartAsync(fundUsd: 100);
        var fund = grid.Node.InsuranceFund;
        await fund.Ask<FeesAcknowledged>(new SettleFees("f1", 5_000_000, 1), Ask);
        await fund.Ask<FeesAcknowledged>(new SettleFees("f1", 5_000_000, 2), Ask);  // repeat
        await fund.Ask<FeesAcknowledged>(new SettleFees("f1", 3_000_000, 3), Ask);  // late, lower
        var ack = await fund.Ask<FeesAcknowledged>(new SettleFees("f1", 7_000_000, 4), Ask);
        await fund.Ask<FeesAcknowledged>(new SettleFees("f2", 1_000_000, 5), Ask);

        var view = await grid.FundAsync();
        Assert.Equal(7_000_000, ack.WatermarkMicros);
        Assert.Equal(8_000_000, view.InflowsMicros);
        Assert.Equal(100_000_000 + 8_000_000, view.BalanceMicros);
    }

    [Fact]
    public async Task APayoutIsGrantedOnceDeliveredToTheAccountAndBadDebtIsBookedBeyondTheBalance()
    {
        await using var grid = await GridUnderCrash.StartAsync(fundUsd: 100);
        await grid.DepositAsync("p1", 1_000);
        var fund = grid.Node.InsuranceFund;

        // Without bad debt allowed the fund grants at most its balance (the rest is for ADL).
        var partial = await fund.Ask<DeficitCovered>(new CoverDeficit("cov-a", "p1", "main", "", 150_000_000, false, 1), Ask);
        Assert.Equal(100_000_000, partial.GrantedMicros);
        Assert.Equal(0, partial.BadDebtMicros);
        var again = await fund.Ask<DeficitCovered>(new CoverDeficit("cov-a", "p1", "main", "", 150_000_000, false, 1), Ask);
        Assert.Equal(partial, again);

        // With bad debt allowed it grants all and books what its balance could not pay.
        var full = await fund.Ask<DeficitCovered>(new CoverDeficit("cov-b", "p1", "main", "", 30_000_000, true, 2), Ask);
        Assert.Equal(30_000_000, full.GrantedMicros);
        Assert.Equal(30_000_000, full.BadDebtMicros);

        var view = await grid.FundAsync();
        Assert.Equal(130_000_000, view.PayoutsMicros);
        Assert.Equal(30_000_000, view.BadDebtMicros);
        Assert.Equal(-30_000_000, view.BalanceMicros);

        // The fund delivers its payouts itself until the account has them (the account dedupes by payout id).
        Assert.True(await GridUnderCrash.EventuallyAsync(async () =>
            (await grid.EventsAsync("p1")).Select(e => e.Event).OfType<InsuranceReceived>().Count() == 2, 20));
        var received = (await grid.EventsAsync("p1")).Select(e => e.Event).OfType<InsuranceReceived>()
            .Sum(i => i.AmountMicros);
        Assert.Equal(130_000_000, received);
        Assert.True(await GridUnderCrash.EventuallyAsync(async () => (await grid.FundAsync()).PendingPayouts == 0, 20));
    }
}

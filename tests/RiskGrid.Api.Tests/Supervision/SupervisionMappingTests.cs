using RiskGrid.Api.Supervision;
using RiskGrid.Margin.Liquidation;
using RiskGrid.Node.Accounts;
using RiskGrid.Node.Supervision;

namespace RiskGrid.Api.Tests.Supervision;

/// <summary>How journal events become the JSON of the supervision routes (no HTTP).</summary>
[Collection(NodeCollection.Name)]
public sealed class SupervisionMappingTests(NodeFixture node)
{
    [Fact]
    public void StepsOfOneLiquidationFormOneItemWithItsAdlCounterpartiesAndTheFeesSummed()
    {
        const string liq = "liq:0011223344556677";
        TaggedAccountEvent[] events =
        [
            new("bob", 7, 101, Reduction(liq + ":0", "main", ReductionKind.Liquidation, -500, 1_000_000, 1000)),
            new("other", 3, 102, Reduction("liq:ffff:0", "x", ReductionKind.Liquidation, 10, 0, 1001,
                LiquidationKind.Partial)),
            new("carol", 12, 103, Reduction("adl:1", "hedge", ReductionKind.AutoDeleveraging, 200, 0, 1002)),
            new("bob", 8, 104, Reduction(liq + ":1", "main", ReductionKind.Liquidation, -300, 2_500_000, 1003)),
        ];

        var items = SupervisionEndpoints.Group(events, node.Node.Catalog);

        Assert.Equal(2, items.Count);
        var bob = items[0];
        Assert.Equal(liq, bob.LiquidationId);
        Assert.Equal(("bob", "main"), (bob.AccountId, bob.SubAccount));
        Assert.Equal(("BANKRUPT", "LIQUIDATION"), (bob.Plan, bob.Kind));
        // 1 + 2.5 USD of fees; the ADL close pays none
        Assert.Equal("3.5", bob.Fees);
        Assert.Equal((1000, 1003), (bob.FirstAtMs, bob.LastAtMs));
        Assert.Equal(["bob", "carol", "bob"], bob.Steps.Select(s => s.AccountId));
        Assert.Equal(["LIQUIDATION", "AUTO_DELEVERAGING", "LIQUIDATION"], bob.Steps.Select(s => s.Kind));
        // BTC lots of 0.001: −500 lots = −0.5 BTC, the position 1 − 0.5 = 0.5
        Assert.Equal(("-0.5", "0.5"), (bob.Steps[0].Size, bob.Steps[0].NewSize));
        Assert.Equal(7, bob.Steps[0].SequenceNr);
        Assert.Equal(("PARTIAL", "0"), (items[1].Plan, items[1].Fees));
    }

    [Fact]
    public void AnAnswerWithOnlyAdlStepsOfALiquidationNamesNoLiquidatedAccount()
    {
        TaggedAccountEvent[] events = [new("carol", 1, 5, Reduction("adl:1", "main", ReductionKind.AutoDeleveraging, 1, 0, 9))];

        var item = Assert.Single(SupervisionEndpoints.Group(events, node.Node.Catalog));

        Assert.Null(item.AccountId);
        Assert.Equal("AUTO_DELEVERAGING", item.Kind);
    }

    [Fact]
    public void FundHistoryCarriesTheRunningBalanceWhateverThePage()
    {
        (long, IFundEvent)[] history =
        [
            (1, new FundSeeded(1_000_000_000, 0)),
            (2, new FeesSettled("bob", 3_500_000, 3_500_000, 100)),
            (3, new PayoutGranted("cov:1", "dan", "main", "", 500_000_000, 500_000_000, 0, 200)),
            (4, new PayoutConfirmed("cov:1", 201)),
            (5, new FeesSettled("bob", 4_000_000, 500_000, 300)),
        ];
        var view = new FundView(504_000_000, 1_000_000_000, 4_000_000, 500_000_000, 0, 0, 5);

        var page = SupervisionEndpoints.Fund(view, history, new PageQuery(100, 1, 2));

        Assert.Equal("504", page.Balance);
        Assert.True(page.More);
        Assert.Equal(3, page.Next);
        Assert.Equal([2L, 3L], page.History.Select(h => h.SequenceNr));
        // 1000 + 3.5 = 1003.5; 1003.5 − 500 = 503.5
        Assert.Equal(("FEES_SETTLED", "3.5", "1003.5"), (page.History[0].Type, page.History[0].Amount,
            page.History[0].Balance));
        Assert.Equal(("PAYOUT_GRANTED", "-500", "503.5"), (page.History[1].Type, page.History[1].Amount,
            page.History[1].Balance));
        Assert.Null(page.History[1].Instrument);

        var rest = SupervisionEndpoints.Fund(view, history, new PageQuery(0, page.Next, 10));

        Assert.False(rest.More);
        Assert.Equal(["PAYOUT_CONFIRMED", "FEES_SETTLED"], rest.History.Select(h => h.Type));
        // the last balance is the fund's: 503.5 + 0.5 = 504
        Assert.Equal("504", rest.History[^1].Balance);
    }

    private static ReductionApplied Reduction(string commandId, string sub, ReductionKind kind, long lots,
        long feeMicros, long atMs, LiquidationKind plan = LiquidationKind.Bankrupt)
    {
        var liquidationId = commandId.StartsWith("liq:", StringComparison.Ordinal)
            ? commandId[..commandId.LastIndexOf(':')]
            : "liq:0011223344556677";
        return new ReductionApplied(commandId, sub, "BTC-PERP", kind, lots, 60_000, feeMicros, 0, 0, 1000 + lots, 60_000,
            atMs, liquidationId, plan);
    }
}

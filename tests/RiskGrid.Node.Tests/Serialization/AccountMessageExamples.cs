using RiskGrid.Margin.Accounts;
using RiskGrid.Margin.Liquidation;
using RiskGrid.Node.Accounts;

namespace RiskGrid.Node.Tests.Serialization;

/// <summary>One example of every message the account serializer carries, with every field set to something
/// distinctive (negative numbers, non-ASCII text, doubles that are not round).</summary>
internal static class AccountMessageExamples
{
    private const long At = 1_795_000_000_123;

    public static readonly Deposited Deposited = new("dep-1", "main", "BTC", 12_345_678, At);
    public static readonly FillApplied Fill = new("fill-ü", "main", "BTC-PERP", -1_500, 60_123.456789, 30_000_000,
        -1_234_567, 0, -500, 59_999.125, At);

    /// <summary>Manifests the serializer still reads but no longer writes, each with the message it reads to.</summary>
    public static readonly IReadOnlySet<string> Legacy = new HashSet<string> { "snapshot.1", "snapshot.2", "red.1", "ApplyReduction.1" };

    private static AccountSnapshot Snapshot(IReadOnlyList<SubAccountSnapshot> subs, IReadOnlyList<DedupeSnapshot> dedupe) =>
        new(9, subs, dedupe);

    public static IReadOnlyList<(string Manifest, object Message)> All { get; } =
    [
        ("dep.1", Deposited),
        ("wdr.1", new Withdrawn("wdr-1", "main", "USD", 5_000_000_000, At)),
        ("xfr.1", new Transferred("xfr-1", "main", "hedge", "ETH", 250_000_000, At)),
        ("fill.1", Fill),
        ("mode.1", new ModeChanged("mode-1", "main", MarginMode.Portfolio, At)),
        ("iso.1", new IsolatedMarginSet("iso-1", "main", "ETH-PERP", 2_000_000_000, At)),
        ("fund.1", new FundingPaid("fund-1", "BTC-PERP", 0.0001, 60_000.5,
            [new FundingPayment("main", -6_000_050), new FundingPayment("hedge", 3_000_025)], At)),
        ("red.1", new ReductionApplied("liq-1", "main", "BTC-PERP", ReductionKind.Liquidation, -400, 59_000.5, 12_000_000,
            -400_200_000, 0, 600, 60_000, At)),
        ("red.2", new ReductionApplied("liq-1:0", "main", "BTC-PERP", ReductionKind.Liquidation, -400, 59_000.5,
            12_000_000, -400_200_000, 0, 600, 60_000, At, "liq-acct-1-main-7", LiquidationKind.Backstop)),
        ("mc.1", new MarginCallIssued("mc-main-7", "main", 1.0625, 1_062_500_000, 1_000_000_000, At)),
        ("ins.1", new InsuranceReceived("cover-ü", "main", "ETH-PERP", 123_456_789, At)),
        ("Deposit.1", new Deposit("acct-1", "dep-1", "main", "USD", 10_000_000_000, At)),
        ("Withdraw.1", new Withdraw("acct-1", "wdr-1", "main", "BTC", 1, At)),
        ("Transfer.1", new Transfer("acct-1", "xfr-1", "main", "hedge", "SOL", 3, At)),
        ("ApplyFill.1", new ApplyFill("acct-1", "fill-1", "main", "BTC-20261225-60000-C", -20, 2_500.25, 1_500_000, At)),
        ("SetMode.1", new SetMode("acct-1", "mode-1", "main", MarginMode.Standard, At)),
        ("SetIsolatedMargin.1", new SetIsolatedMargin("acct-1", "iso-1", "main", "SOL-PERP", 0, At)),
        ("PayFunding.1", new PayFunding("acct-1", "fund-1", "ETH-PERP", -0.00025, 3_001.75, At)),
        ("ApplyReduction.1", new ApplyReduction("acct-1", "adl-1", "main", "ETH-PERP", ReductionKind.AutoDeleveraging,
            100, 2_999.5, 0, At)),
        ("ApplyReduction.2", new ApplyReduction("acct-1", "liq-1:2", "main", "ETH-PERP", ReductionKind.Liquidation,
            100, 2_999.5, 1_499_750, At, "liq-acct-1-main-7", LiquidationKind.Partial, 9)),
        ("IssueMarginCall.1", new IssueMarginCall("acct-1", "mc-main-7", "main", 1.2, 1_200_000_000, 1_000_000_000, At)),
        ("ReceiveInsurance.1", new ReceiveInsurance("acct-1", "cover-1", "main", "", 5_000_000, At)),
        ("CheckOrder.1", new CheckOrder("acct-1", "main", "BTC-PERP", 2_000, 61_000)),
        ("GetAccount.1", new GetAccount("acct-1")),
        ("accepted.1", new CommandAccepted("fill-ü", 42, Fill)),
        ("repeated.1", new CommandRepeated("fill-ü", 42)),
        ("rejected.1", new CommandRejected(RejectionCode.Refused, "amount", "would break IM",
            new CheckFigures("BREAKS_INITIAL_MARGIN", 100, -5, 1_200_000_000, 1_300_000_000, 600_000_000, 650_000_000))),
        ("checked.1", new OrderChecked(true,
            new CheckFigures("ACCEPTED", 8_800_000_000, 7_600_000_000, 1_200_000_000, 2_400_000_000, 600, 1_200))),
        ("view.1", new AccountView("acct-1", 7,
        [
            new SubAccountView("main", MarginMode.Portfolio, [new AssetAmount("USD", -5), new AssetAmount("BTC", 50_000_000)],
                [new PositionView("BTC-PERP", -500, 59_999.125, -1_234_567, true, 2_000_000_000)],
                [new LedgerEntry("deposits", "USD", 10), new LedgerEntry("fees", "USD", 30)]),
        ])),
        ("snapshot.3", Snapshot(
        [
            new SubAccountSnapshot("main", MarginMode.Standard,
                [new AssetSnapshot("USD", 8_005_000_000, 10_000_000_000, 0, 0, 2_000_000_000),
                 new AssetSnapshot("BTC", 50_000_000, 50_000_000, 0, 0, 0)],
                new UsdTotalsSnapshot(30_000_000, 12_000_000, -1_234_567, -2_500_000, 3_000_025, 5_000_000),
                [new PositionSnapshot("ETH-PERP", -100, 3_000.5, true, 500_000_000)],
                [new RealisedSnapshot("BTC-PERP", -1_234_567)]),
        ],
        [new DedupeSnapshot("dep-1", 1, CommandFingerprint.Of(Deposited), Deposited.AtMs),
         new DedupeSnapshot("fill-ü", 2, CommandFingerprint.Of(Fill), Fill.AtMs)])),
        ("snapshot.2", Snapshot(
        [
            new SubAccountSnapshot("main", MarginMode.Standard,
                [new AssetSnapshot("USD", 8_000_000_000, 10_000_000_000, 0, 0, 2_000_000_000),
                 new AssetSnapshot("BTC", 50_000_000, 50_000_000, 0, 0, 0)],
                new UsdTotalsSnapshot(30_000_000, 12_000_000, -1_234_567, -2_500_000, 3_000_025),
                [new PositionSnapshot("ETH-PERP", -100, 3_000.5, true, 500_000_000)],
                [new RealisedSnapshot("BTC-PERP", -1_234_567)]),
        ],
        [new DedupeSnapshot("dep-1", 1, CommandFingerprint.Of(Deposited), Deposited.AtMs),
         new DedupeSnapshot("fill-ü", 2, CommandFingerprint.Of(Fill), Fill.AtMs)])),
        // The first release's layout kept the events; it reads to the same snapshot.
        ("snapshot.1", Snapshot(
        [
            new SubAccountSnapshot("main", MarginMode.Standard,
                [new AssetSnapshot("USD", 8_000_000_000, 10_000_000_000, 0, 0, 2_000_000_000),
                 new AssetSnapshot("BTC", 50_000_000, 50_000_000, 0, 0, 0)],
                new UsdTotalsSnapshot(30_000_000, 12_000_000, -1_234_567, -2_500_000, 3_000_025),
                [new PositionSnapshot("ETH-PERP", -100, 3_000.5, true, 500_000_000)],
                [new RealisedSnapshot("BTC-PERP", -1_234_567)]),
        ],
        [new DedupeSnapshot("dep-1", 1, CommandFingerprint.Of(Deposited), Deposited.AtMs),
         new DedupeSnapshot("fill-ü", 2, CommandFingerprint.Of(Fill), Fill.AtMs)])),
        ("stop.1", AccountEntity.Stop.Instance),
    ];
}

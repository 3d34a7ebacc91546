using RiskGrid.Margin.Oracle;
using RiskGrid.Margin.Parameters;

namespace RiskGrid.Margin.Tests.Oracle;

/// <summary>§8 wick guard with the defaults: jumpFraction 0.10, jumpWindowMs 60 000 (buckets of ⌈60 000/63⌉ = 953 ms:
/// a level is remembered while younger than 63 × 953 = 60 039 ms, never at 64 × 953 = 60 992 ms or older),
/// confirmMs 1 000.</summary>
public sealed class WickGuardTests
{
    private static readonly PriceParams Prices = DefaultRiskParams.Create().Prices;

    /// <summary>All three sources print <paramref name="price"/> at <paramref name="tMs"/>, then evaluate.</summary>
    private static OracleSnapshot At(OracleIndex o, long tMs, double price)
    {
        for (var s = 0; s < o.SourceCount; s++)
        {
            o.OnTick(s, price, tMs);
        }
        return o.Evaluate(tMs);
    }

    private static OracleIndex Oracle(PriceParams? prices = null) => new(3, prices ?? Prices);

    [Fact]
    public void WindowBucketsAreJumpWindowOverSixtyThreeRoundedUp()
    {
        Assert.Equal(953, Oracle().WindowBucketMs); // ⌈60 000 / 63⌉ = ⌈952.38⌉
    }

    [Fact]
    public void ATwelvePercentMoveHeldForConfirmMsAllowsLiquidationAfterwards()
    {
        var o = Oracle();
        At(o, 0, 100);

        // 112 > 100 × 1.10 = 110: a jump starts at 10 000
        var start = At(o, 10_000, 112);
        Assert.Equal(OracleStatus.WickGuarded, start.Status);
        Assert.Equal(112, start.Index); // the new index is published; only liquidation waits
        Assert.Equal(10_000, start.GuardSinceMs);
        Assert.Equal(100, start.GuardFrom);
        Assert.False(start.CanLiquidate);

        Assert.False(At(o, 10_500, 112).CanLiquidate);
        Assert.False(At(o, 10_999, 112).CanLiquidate); // held 999 ms < 1 000
        var confirmed = At(o, 11_000, 112);            // held 1 000 ms ≥ 1 000

        Assert.Equal(OracleStatus.Fresh, confirmed.Status);
        Assert.True(confirmed.CanLiquidate);
        Assert.Equal((1, 1, 0), (o.JumpsStarted, o.JumpsConfirmed, o.JumpsReverted));
    }

    [Fact]
    public void AWickThatRevertsWithinConfirmMsNeverAllowsLiquidationDuringIt()
    {
        var o = Oracle();
        At(o, 0, 60_000);
        var during = new List<bool>();

        // 52 000 < 60 000 × 0.90 = 54 000: a fall of 13.3 %, guarded from 5 000
        for (var t = 5_000L; t < 5_800; t += 100)
        {
            during.Add(At(o, t, 52_000).CanLiquidate);
        }
        // back to 59 500 ≥ 54 000 and ≤ 66 000: within 10 % of the window {60 000}, the wick reverted
        var after = At(o, 5_800, 59_500);

        Assert.All(during, Assert.False);
        Assert.True(after.CanLiquidate);
        Assert.Equal((1, 0, 1), (o.JumpsStarted, o.JumpsConfirmed, o.JumpsReverted));
    }

    [Fact]
    public void ALevelExactlyJumpFractionAwayIsNotAJump()
    {
        var o = Oracle(Prices with { JumpFraction = 0.25 });
        At(o, 0, 100);

        // 125 > 100 × 1.25 = 125 is false (a move of more than jumpFraction is needed); 75 < 100 × 0.75 is false
        Assert.True(At(o, 1_000, 125).CanLiquidate);
        Assert.True(At(o, 2_000, 100).CanLiquidate);
        Assert.True(At(o, 3_000, 93.75).CanLiquidate); // 125 × 0.75 = 93.75: exactly 25 % below the window high
        Assert.Equal(0, o.JumpsStarted);
    }

    [Fact]
    public void ASlowBleedOfThirtyPercentInHalfPercentStepsEveryTenSecondsNeverTriggersTheGuard()
    {
        var o = Oracle();
        var price = 100.0;
        var guarded = 0;
        // 72 steps of −0.5 % every 10 s: 100 × 0.995^72 = 69.70 after 720 s, evaluated every second. The window
        // remembers less than 60 992 ms, so at most the six previous steps: x ≥ high × 0.995^6 = high × 0.9704,
        // a fall of at most 2.96 % < 10 %.
        for (var t = 0L; t <= 720_000; t += 1_000)
        {
            if (t > 0 && t % 10_000 == 0)
            {
                price *= 0.995;
            }
            guarded += At(o, t, price).CanLiquidate ? 0 : 1;
        }

        Assert.Equal(0, guarded);
        Assert.Equal(0, o.JumpsStarted);
        Assert.Equal(69.70466, o.Index, 5);
    }

    [Fact]
    public void FourFallsOfThreePercentWithinFortySecondsTriggerTheGuard()
    {
        var o = Oracle();
        At(o, 0, 100);

        // 100 × 0.97^3 = 91.27 ≥ 90: no jump yet; 100 × 0.97^4 = 88.53 < 100 × 0.9 = 90: a jump from the window high
        Assert.True(At(o, 10_000, 97).CanLiquidate);
        Assert.True(At(o, 20_000, 94.09).CanLiquidate);
        Assert.True(At(o, 30_000, 91.2673).CanLiquidate);
        var s = At(o, 40_000, 88.529281);

        Assert.True(s.IsWickGuarded);
        Assert.Equal(100, s.GuardFrom);
    }

    [Fact]
    public void ALevelOlderThanTheWindowIsForgotten()
    {
        var early = Oracle();
        var late = Oracle();
        foreach (var o in new[] { early, late })
        {
            At(o, 0, 100);
            At(o, 30_000, 109); // 109 ≤ 110: confirmed, the window holds {100, 109}
        }

        // 119 ≤ 109 × 1.1 = 119.9 but > 100 × 1.1 = 110: a jump while 100 is remembered (59 000 < 60 039 ms old),
        // none once it is forgotten (61 000 ≥ 60 992 ms old)
        Assert.True(At(early, 59_000, 119).IsWickGuarded);
        Assert.True(At(late, 61_000, 119).CanLiquidate);
    }

    [Fact]
    public void AConfirmedJumpRestartsTheWindowFromTheNewLevel()
    {
        var o = Oracle();
        At(o, 0, 100);
        At(o, 1_000, 112);
        Assert.True(At(o, 2_000, 112).CanLiquidate); // confirmed; the window is {112}

        // back to 100: 100 < 112 × 0.9 = 100.8, a jump of its own
        Assert.True(At(o, 3_000, 100).IsWickGuarded);
    }

    [Fact]
    public void AJumpToTheOtherSideRestartsTheWait()
    {
        var o = Oracle();
        At(o, 0, 100);
        Assert.True(At(o, 10_000, 115).IsWickGuarded); // up: 115 > 110

        var down = At(o, 10_500, 85);                  // down: 85 < 100 × 0.9 = 90, a new jump since 10 500
        Assert.Equal(10_500, down.GuardSinceMs);
        Assert.Equal(100, down.GuardFrom);
        Assert.True(At(o, 11_000, 85).IsWickGuarded);  // held 500 ms only
        Assert.True(At(o, 11_500, 85).CanLiquidate);   // held 1 000 ms
        Assert.Equal(2, o.JumpsStarted);
    }

    [Fact]
    public void AJumpThatKeepsMovingRestartsItsWait()
    {
        var o = Oracle();
        At(o, 0, 100);
        Assert.True(At(o, 10_000, 112).IsWickGuarded);  // since 10 000

        // 125 > 112 × 1.1 = 123.2: the level moved again by more than 10 %, the wait restarts at 10 600
        var moved = At(o, 10_600, 125);
        Assert.Equal(10_600, moved.GuardSinceMs);
        Assert.True(At(o, 11_000, 125).IsWickGuarded);  // 400 ms of 125 only
        Assert.True(At(o, 11_600, 125).CanLiquidate);
        Assert.Equal((2, 1), (o.JumpsStarted, o.JumpsConfirmed));
    }

    [Fact]
    public void AJumpThatWandersWithinJumpFractionKeepsItsWaitAndIsRememberedWhole()
    {
        var o = Oracle();
        At(o, 0, 100);
        At(o, 10_000, 112);                             // since 10 000
        Assert.Equal(10_000, At(o, 10_500, 118).GuardSinceMs); // 118 ≤ 112 × 1.1 = 123.2: same jump
        Assert.True(At(o, 11_000, 115).CanLiquidate);   // confirmed; the window restarts from {112 … 118}

        // 105 ≥ 112 × 0.9 = 100.8 but < 118 × 0.9 = 106.2: a fall of more than 10 % from 118, seen 1 s ago
        Assert.True(At(o, 12_000, 105).IsWickGuarded);
    }

    [Fact]
    public void AJumpInterruptedByStalenessIsJudgedAfreshOnReturn()
    {
        var o = Oracle();
        At(o, 0, 100);
        At(o, 10_000, 120);                   // jump since 10 000

        var stale = o.Evaluate(13_000);       // every source 3 000 ms old
        Assert.Equal(OracleStatus.Stale, stale.Status);
        Assert.False(stale.IsWickGuarded);
        Assert.False(stale.CanLiquidate);

        var back = At(o, 13_500, 120);        // still beyond {100}: a new jump since 13 500
        Assert.Equal(13_500, back.GuardSinceMs);
        Assert.False(At(o, 14_000, 120).CanLiquidate);
        Assert.True(At(o, 14_500, 120).CanLiquidate);
    }

    [Fact]
    public void ZeroConfirmMsNeverHoldsLiquidations()
    {
        var o = Oracle(Prices with { ConfirmMs = 0 });
        At(o, 0, 100);

        Assert.True(At(o, 1, 150).CanLiquidate);
        Assert.Equal((1, 1), (o.JumpsStarted, o.JumpsConfirmed));
    }

    [Fact]
    public void TheFirstIndexIsTakenAsConfirmed()
    {
        Assert.True(At(Oracle(), 0, 100).CanLiquidate);
    }
}

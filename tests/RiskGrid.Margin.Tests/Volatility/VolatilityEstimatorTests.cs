using RiskGrid.Margin.Parameters;
using RiskGrid.Margin.Volatility;

namespace RiskGrid.Margin.Tests.Volatility;

/// <summary>
/// §7 with the BTC defaults: refVol 0.60, maxVolMultiplier 3, ewmaHalfLifeSeconds 600, mmRampSeconds 900,
/// journalThreshold 0.01. Shared arithmetic:
/// λ = 2^(−1/600) = 0.998845421738, 1 − λ = 0.001154578262;
/// initial variance v0 = 0.6² / 31 536 000 = 1.1415525114e-8 per second.
/// A +0.5 % one-second move: r = ln 1.005 = 0.004987541511, r² = 2.487557032e-5;
/// var = λ·v0 + (1 − λ)·r² = 1.140235e-8 + 2.872079e-8 = 4.012313775e-8; σ² = var × 31 536 000 = 1.265323272,
/// σ = 1.124865891, v = σ / 0.6 = 1.874776484.
/// </summary>
public sealed class VolatilityEstimatorTests
{
    private const double Lambda = 0.9988454217380301;
    private const double V0 = 0.36 / 31_536_000;
    private const double SpikeV = 1.8747764844612773;

    private static readonly RiskParams Params = DefaultRiskParams.Create();

    private static VolatilityEstimator Btc() => new(Params.Underlyings[0], Params.Volatility);

    /// <summary>100 at second 0, 100.5 at second 1, committed at 2 000 ms: v = 1.8748, ramp starts at 2 000.</summary>
    private static VolatilityEstimator Spiked()
    {
        var e = Btc();
        e.Update(100, 0);
        e.Update(100.5, 1_000);
        e.AdvanceTo(2_000);
        return e;
    }

    [Fact]
    public void StartsAtTheReferenceVolatilityWithBothMultipliersAtOne()
    {
        var e = Btc();

        Assert.Equal(Lambda, e.DecayPerSecond, 15);
        Assert.Equal(V0, e.VariancePerSecond, V0 * 1e-15);
        Assert.Equal(0.60, e.AnnualisedVolatility, 12);
        Assert.Equal((1.0, 1.0), (e.InitialMultiplier, e.MaintenanceMultiplier));
        Assert.False(e.ShouldReport);
        Assert.Null(e.LastSampleSecond);
    }

    [Fact]
    public void AHalfPercentMoveInOneSecondRaisesVImAtOnceAndVMmNotYet()
    {
        var e = Spiked();

        Assert.Equal(4.012313774759116e-8, e.VariancePerSecond, 1e-20);
        Assert.Equal(1.1248658906767663, e.AnnualisedVolatility, 10);
        Assert.Equal(SpikeV, e.InitialMultiplier, 10);
        Assert.Equal(1.0, e.MaintenanceMultiplier); // the ramp starts now
        Assert.Equal(1, e.LastSampleSecond);
    }

    [Fact]
    public void VMmIsHalfwayUpTheRampAfterHalfOfMmRampSeconds()
    {
        var e = Spiked();

        // 450 s after the rise at 2 000 ms: 1 + (1.874776 − 1) × 450 / 900 = 1.437388
        e.AdvanceTo(452_000);
        Assert.Equal(1.4373882422306385, e.MaintenanceMultiplier, 10);
        Assert.Equal(SpikeV, e.InitialMultiplier, 10);

        // 900 s after: v^MM has caught up, and stays there
        e.AdvanceTo(902_000);
        Assert.Equal(e.InitialMultiplier, e.MaintenanceMultiplier);
        e.AdvanceTo(2_000_000);
        Assert.Equal(e.InitialMultiplier, e.MaintenanceMultiplier);
    }

    [Fact]
    public void AFallOfVIsFollowedAtOnceByBothMultipliers()
    {
        var e = Spiked();
        e.AdvanceTo(902_000);

        // the next sample, flat, 3 600 s after the last: var × λ^3600 = var × 2^−6, v = 1.8748 / 8 = 0.234 → 1
        e.Update(100.5, 3_601_000);
        e.AdvanceTo(3_602_000);

        Assert.Equal(4.012313774759116e-8 / 64, e.VariancePerSecond, 1e-21);
        Assert.Equal((1.0, 1.0), (e.InitialMultiplier, e.MaintenanceMultiplier));
    }

    [Fact]
    public void AFallBelowTheRampMidwayCapsVMmAtV()
    {
        var e = Spiked();
        e.AdvanceTo(452_000); // v^MM = 1.4374 on the ramp

        // flat sample 1 200 s after the spike sample: var × λ^1200 = var / 4, v = 1.8748 / 2 = 0.937 → 1
        e.Update(100.5, 1_201_000);
        e.AdvanceTo(1_202_000);

        Assert.Equal(1.0, e.InitialMultiplier);
        Assert.Equal(1.0, e.MaintenanceMultiplier);
    }

    [Fact]
    public void EachRiseStartsANewLinearRampFromTheCurrentVMm()
    {
        var e = Spiked();                        // v1 = 1.8748, ramp 1 → v1 from 2 000 ms
        e.Update(100.5, 2_000);                  // flat seconds 2 and 3: v falls a little, stays above the ramp
        e.Update(100.5, 3_000);
        e.Update(101.5, 4_000);
        var before = e.MaintenanceMultiplier;    // at 4 000: 1 + (v1 − 1) × 2 000 / 900 000
        Assert.Equal(1 + ((SpikeV - 1) * 2_000 / 900_000), before, 10);

        e.AdvanceTo(5_000);                      // commits +0.995 % in second 4: v rises to v2 at 5 000
        var v2 = e.InitialMultiplier;
        var from = 1 + ((SpikeV - 1) * 3_000 / 900_000);
        Assert.True(v2 > SpikeV);
        Assert.Equal(from, e.MaintenanceMultiplier, 10);

        // halfway along the new ramp: from + (v2 − from) / 2; at its end: v2
        e.AdvanceTo(455_000);
        Assert.Equal(from + ((v2 - from) / 2), e.MaintenanceMultiplier, 10);
        e.AdvanceTo(905_000);
        Assert.Equal(v2, e.MaintenanceMultiplier, 12);
    }

    [Fact]
    public void AConstantPriceDecaysVToOneAndNeverBelow()
    {
        var e = Spiked();
        var previous = e.InitialMultiplier;
        // v reaches 1 when var·λ^n ≤ v0: n ≥ 600 × log2(4.0123e-8 / 1.1416e-8) = 600 × 1.81343 = 1 088.06 flat
        // seconds after the spike sample (second 1): n = 1 089, at the commit of second 1 090, which happens when the
        // index of second 1 091 arrives
        for (var s = 2L; s <= 1_200; s++)
        {
            e.Update(100.5, s * 1_000);
            e.AdvanceTo((s * 1_000) + 999);
            Assert.True(e.InitialMultiplier <= previous);
            Assert.True(e.InitialMultiplier >= 1);
            Assert.True(e.MaintenanceMultiplier <= e.InitialMultiplier);
            previous = e.InitialMultiplier;
            if (s == 1_090)
            {
                Assert.True(e.InitialMultiplier > 1); // n = 1 088: var/v0 = 3.51483 × 2^(−1 088/600) = 1.00007
            }
            if (s == 1_091)
            {
                Assert.Equal(1.0, e.InitialMultiplier);
            }
        }
        Assert.Equal(1.0, e.InitialMultiplier);
        Assert.Equal(1.0, e.MaintenanceMultiplier);
    }

    [Fact]
    public void AConstantPriceFromTheStartKeepsVAtOneWhileTheVarianceDecays()
    {
        var e = Btc();
        for (var s = 0L; s <= 600; s++)
        {
            e.Update(60_000, s * 1_000);
        }
        e.AdvanceTo(601_000);

        // 600 zero returns after the first sample: v0 × λ^600 = v0 / 2, σ = 0.6 / √2 = 0.4243 < refVol
        Assert.Equal(V0 / 2, e.VariancePerSecond, 1e-21);
        Assert.Equal(0.6 / Math.Sqrt(2), e.AnnualisedVolatility, 10);
        Assert.Equal((1.0, 1.0), (e.InitialMultiplier, e.MaintenanceMultiplier));
    }

    [Fact]
    public void VIsClampedAtMaxVolMultiplier()
    {
        var e = Btc();
        e.Update(100, 0);
        e.Update(110, 1_000);
        e.AdvanceTo(2_000);

        // r = ln 1.1 = 0.09531; var = λ·v0 + (1 − λ)·0.009085 = 1.0501e-5; σ = √(331.2) = 18.20; σ/0.6 = 30.3 → 3
        Assert.Equal(18.196599, e.AnnualisedVolatility, 5);
        Assert.Equal(3.0, e.InitialMultiplier);
        e.AdvanceTo(902_000);
        Assert.Equal(3.0, e.MaintenanceMultiplier);
    }

    [Fact]
    public void AGapOfNSecondsCountsTheReturnAsNSecondsOfEqualVariance()
    {
        var e = Btc();
        e.Update(100, 0);
        e.Update(100.5, 5_000);
        e.AdvanceTo(6_000);

        // n = 5: λ^5 = 0.994240424, var = λ^5·v0 + (1 − λ^5)·r²/5 = 1.134978e-8 + 0.0057595762 × 4.975114e-6
        // = 1.134978e-8 + 2.865455e-8 = 4.000433e-8; σ = √(1.2615764) = 1.1231992, v = 1.8719986
        Assert.Equal(4.000432500059318e-8, e.VariancePerSecond, 1e-20);
        Assert.Equal(1.8719986298210698, e.InitialMultiplier, 10);
    }

    [Fact]
    public void TheSampleOfASecondIsItsLastIndex()
    {
        var e = Btc();
        e.Update(100, 0);
        e.Update(100, 999);
        e.Update(103, 1_000);
        e.Update(100.5, 1_999); // the last index of second 1
        e.AdvanceTo(2_000);

        Assert.Equal(SpikeV, e.InitialMultiplier, 10); // as if 100.5 were the only index of second 1
    }

    [Fact]
    public void NothingIsCommittedUntilTheSecondIsOver()
    {
        var e = Btc();
        e.Update(100, 0);
        e.Update(110, 1_000);

        Assert.False(e.AdvanceTo(1_999));
        Assert.Equal(1.0, e.InitialMultiplier);
        Assert.True(e.AdvanceTo(2_000));
        Assert.Equal(3.0, e.InitialMultiplier);
    }

    [Fact]
    public void AnIndexForACommittedSecondIsIgnored()
    {
        var e = Spiked();
        var variance = e.VariancePerSecond;

        e.Update(50, 1_500); // second 1 was committed at 2 000
        e.AdvanceTo(3_000);

        Assert.Equal(variance, e.VariancePerSecond);
    }

    [Fact]
    public void ChangesBeyondOnePercentOfTheReportedValuesAreReported()
    {
        var e = Spiked();
        Assert.True(e.ShouldReport); // v^IM 1 → 1.8748
        e.MarkReported();
        Assert.False(e.ShouldReport);

        // v^MM climbs (1.8748 − 1) / 900 = 0.000972 per second: 1 % of 1 after 10.29 s
        Assert.False(e.AdvanceTo(12_000)); // 10 s: 1.00972
        Assert.True(e.AdvanceTo(13_000));  // 11 s: 1.01069
        e.MarkReported();
        Assert.Equal(e.MaintenanceMultiplier, e.ReportedMaintenanceMultiplier);
        Assert.False(e.ShouldReport);
    }

    [Fact]
    public void ABadIndexIsAWiringError()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Btc().Update(double.NaN, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Btc().Update(0, 0));
    }

    [Fact]
    public void UpdatesAllocateNothing()
    {
        var e = Btc();
        Run(e, 0, 1_000);
        var before = GC.GetAllocatedBytesForCurrentThread();
        Run(e, 1_000, 100_000);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);

        static void Run(VolatilityEstimator e, int from, int to)
        {
            for (var t = from; t < to; t++)
            {
                e.Update(100 + (t % 13 * 0.01), t * 250L);
                e.AdvanceTo((t * 250L) + 100);
                e.MarkReported();
            }
        }
    }
}

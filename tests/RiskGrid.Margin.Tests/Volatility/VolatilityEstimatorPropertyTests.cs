using CsCheck;
using RiskGrid.Margin.Parameters;
using RiskGrid.Margin.Volatility;

namespace RiskGrid.Margin.Tests.Volatility;

/// <summary>Invariants of the §7 multipliers over arbitrary index paths.</summary>
public sealed class VolatilityEstimatorPropertyTests
{
    private static readonly RiskParams Params = DefaultRiskParams.Create();

    /// <summary>A path step: time advance in ms (often sub-second, sometimes long gaps) and a log move of the index
    /// (mostly small, sometimes a jump).</summary>
    private static readonly Gen<(int StepMs, double LogMove)> Step = Gen.Select(
        Gen.Frequency((20, Gen.Int[0, 1_500]), (2, Gen.Int[1_500, 60_000]), (1, Gen.Int[60_000, 2_000_000])),
        Gen.Frequency((20, Gen.Double[-0.002, 0.002]), (2, Gen.Double[-0.05, 0.05]), (1, Gen.Double[-0.5, 0.5])));

    private static readonly Gen<int> Underlying = Gen.Int[0, 2];

    [Fact]
    public void VMmNeverExceedsVImAndBothStayWithinOneAndTheMaximum()
    {
        Gen.Select(Underlying, Step.List[1, 300]).Sample((u, steps) =>
        {
            var e = new VolatilityEstimator(Params.Underlyings[u], Params.Volatility);
            var max = Params.Underlyings[u].MaxVolMultiplier;
            Walk(e, steps, (_, _) =>
            {
                Assert.InRange(e.InitialMultiplier, 1, max);
                Assert.InRange(e.MaintenanceMultiplier, 1, e.InitialMultiplier);
            });
        });
    }

    [Fact]
    public void VMmRisesNoFasterThanMaxMinusOnePerMmRamp()
    {
        Gen.Select(Underlying, Step.List[1, 300]).Sample((u, steps) =>
        {
            var e = new VolatilityEstimator(Params.Underlyings[u], Params.Volatility);
            var slopePerMs = (Params.Underlyings[u].MaxVolMultiplier - 1) / (Params.Volatility.MmRampSeconds * 1_000);
            var lastMm = e.MaintenanceMultiplier;
            var lastMs = 0L;
            Walk(e, steps, (t, _) =>
            {
                Assert.True(e.MaintenanceMultiplier - lastMm <= (slopePerMs * (t - lastMs)) + 1e-12);
                lastMm = e.MaintenanceMultiplier;
                lastMs = t;
            });
        });
    }

    [Fact]
    public void VMmCatchesUpWithVImMmRampSecondsAfterTheLastSample()
    {
        Gen.Select(Underlying, Step.List[1, 300]).Sample((u, steps) =>
        {
            var e = new VolatilityEstimator(Params.Underlyings[u], Params.Volatility);
            var end = Walk(e, steps, (_, _) => { });
            e.AdvanceTo(end + 1_000); // commit the last second
            e.AdvanceTo(end + 1_000 + (long)(Params.Volatility.MmRampSeconds * 1_000));
            Assert.Equal(e.InitialMultiplier, e.MaintenanceMultiplier);
        });
    }

    [Fact]
    public void AConstantIndexNeverRaisesV()
    {
        Gen.Select(Underlying, Step.List[1, 300]).Sample((u, steps) =>
        {
            var e = new VolatilityEstimator(Params.Underlyings[u], Params.Volatility);
            var variance = e.VariancePerSecond;
            var flat = steps.Select(s => (s.StepMs, 0.0)).ToList();
            Walk(e, flat, (_, _) =>
            {
                Assert.True(e.VariancePerSecond <= variance);
                Assert.Equal(1.0, e.InitialMultiplier);
                variance = e.VariancePerSecond;
            });
        });
    }

    [Fact]
    public void ShouldReportIsExactlyAMoveBeyondTheThresholdFromTheReportedValues()
    {
        Gen.Select(Step.List[1, 300], Gen.Bool.Array[300]).Sample((steps, marks) =>
        {
            var e = new VolatilityEstimator(Params.Underlyings[0], Params.Volatility);
            var i = 0;
            Walk(e, steps, (_, reported) =>
            {
                var im = Math.Abs(e.InitialMultiplier - e.ReportedInitialMultiplier) / e.ReportedInitialMultiplier;
                var mm = Math.Abs(e.MaintenanceMultiplier - e.ReportedMaintenanceMultiplier)
                    / e.ReportedMaintenanceMultiplier;
                Assert.Equal(im > 0.01 || mm > 0.01, reported);
                if (marks[i++ % marks.Length])
                {
                    e.MarkReported();
                }
            });
        });
    }

    /// <summary>Feeds the path from index 100 at time 0; calls <paramref name="check"/> with the time and the
    /// update's report flag after each step. Returns the last time.</summary>
    private static long Walk(VolatilityEstimator e, IEnumerable<(int StepMs, double LogMove)> steps,
        Action<long, bool> check)
    {
        var t = 0L;
        var logPrice = Math.Log(100);
        check(t, e.Update(100, t));
        foreach (var (stepMs, move) in steps)
        {
            t += stepMs;
            logPrice += move;
            check(t, e.Update(Math.Exp(logPrice), t));
        }
        return t;
    }
}

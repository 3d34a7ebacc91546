using RiskGrid.Margin.Oracle;
using RiskGrid.Margin.Parameters;

namespace RiskGrid.Margin.Tests.Oracle;

/// <summary>§8 index: median, staleness, minimum sources, rejected ticks. Defaults: staleMs 3000, minSources 2
/// for two or more sources.</summary>
public sealed class OracleIndexTests
{
    private static readonly PriceParams Prices = DefaultRiskParams.Create().Prices;

    private static OracleIndex Oracle(int sources, PriceParams? prices = null) => new(sources, prices ?? Prices);

    [Fact]
    public void MedianOfThreeSourcesIsTheMiddlePrice()
    {
        var o = Oracle(3);
        o.OnTick(0, 60_100, 0);
        o.OnTick(1, 59_900, 0);
        o.OnTick(2, 60_000, 0);

        var s = o.Evaluate(10);

        // sorted 59 900, 60 000, 60 100 → the middle one
        Assert.Equal(60_000, s.Index);
        Assert.Equal(OracleStatus.Fresh, s.Status);
        Assert.Equal(3, s.ValidSources);
        Assert.True(s.CanLiquidate);
    }

    [Fact]
    public void MedianOfTwoSourcesIsTheMeanOfBoth()
    {
        var o = Oracle(2);
        o.OnTick(0, 3_000, 0);
        o.OnTick(1, 3_001, 0);

        // (3 000 + 3 001) / 2 = 3 000.5
        Assert.Equal(3_000.5, o.Evaluate(0).Index);
    }

    [Fact]
    public void MedianOfFourSourcesIsTheMeanOfTheMiddleTwo()
    {
        var o = Oracle(4);
        o.OnTick(0, 100, 0);
        o.OnTick(1, 104, 0);
        o.OnTick(2, 101, 0);
        o.OnTick(3, 150, 0);

        // sorted 100, 101, 104, 150 → (101 + 104) / 2 = 102.5
        Assert.Equal(102.5, o.Evaluate(0).Index);
    }

    [Fact]
    public void IndexGoesStaleWhenFewerThanTwoSourcesAreYoungerThanStaleMs()
    {
        var o = Oracle(3);
        o.OnTick(0, 100, 0);
        o.OnTick(1, 101, 0);
        o.OnTick(2, 102, 1_000);

        // at 2 999 every age is < 3 000: median of 100, 101, 102 = 101
        Assert.Equal(101, o.Evaluate(2_999).Index);

        // at 3 000 sources 0 and 1 are 3 000 ms old (not < 3 000): one valid source < minSources 2
        o.OnTick(2, 130, 3_000);
        var s = o.Evaluate(3_000);
        Assert.Equal(OracleStatus.Stale, s.Status);
        Assert.True(s.IsStale);
        Assert.False(s.CanLiquidate);
        Assert.Equal(1, s.ValidSources);
        Assert.Equal(101, s.Index); // the last good index stands, not 130
        Assert.Equal(2_999, s.LastGoodMs);
    }

    [Fact]
    public void IndexIsFreshAgainWhenASourceReturns()
    {
        var o = Oracle(3);
        o.OnTick(0, 100, 0);
        o.OnTick(1, 101, 0);
        o.OnTick(2, 102, 0);
        o.Evaluate(0);
        o.OnTick(0, 100, 3_000);
        Assert.True(o.Evaluate(4_000).IsStale); // only source 0 (age 1 000) is valid

        o.OnTick(1, 100.4, 4_500);
        var s = o.Evaluate(5_000);

        // sources 0 (100, age 2 000) and 1 (100.4, age 500) are valid: (100 + 100.4) / 2 = 100.2
        Assert.Equal(OracleStatus.Fresh, s.Status);
        Assert.Equal(2, s.ValidSources);
        Assert.Equal(100.2, s.Index, 12);
        Assert.Equal(5_000, s.LastGoodMs);
    }

    [Fact]
    public void IndexIsUnpricedUntilEnoughSourcesHaveTicked()
    {
        var o = Oracle(3);
        o.OnTick(0, 100, 0);

        var s = o.Evaluate(0);

        Assert.Equal(OracleStatus.Unpriced, s.Status);
        Assert.True(s.IsStale);
        Assert.True(double.IsNaN(s.Index));
        Assert.Equal(long.MinValue, s.LastGoodMs);
    }

    [Fact]
    public void ASingleConfiguredSourceNeedsOnlyItself()
    {
        var o = Oracle(1);
        o.OnTick(0, 150, 0);

        Assert.Equal(1, o.MinSources);
        Assert.Equal(150, o.Evaluate(2_999).Index);
        Assert.True(o.Evaluate(3_000).IsStale);
    }

    [Fact]
    public void AnExplicitMinSourcesOverridesTheRule()
    {
        var o = Oracle(3, Prices with { MinSources = 3 });
        o.OnTick(0, 100, 0);
        o.OnTick(1, 101, 0);

        Assert.Equal(3, o.MinSources);
        Assert.Equal(OracleStatus.Unpriced, o.Evaluate(0).Status); // 2 valid < 3
        o.OnTick(2, 102, 0);
        Assert.Equal(101, o.Evaluate(0).Index);
    }

    [Fact]
    public void MoreRequiredSourcesThanConfiguredIsRefusedAtConstruction()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Oracle(2, Prices with { MinSources = 3 }));
    }

    [Fact]
    public void NaNInfiniteZeroAndNegativePricesAreRejectedAndCounted()
    {
        var o = Oracle(2);
        o.OnTick(0, 100, 0);
        o.OnTick(1, 101, 0);

        Assert.Equal(TickOutcome.NotANumber, o.OnTick(0, double.NaN, 10));
        Assert.Equal(TickOutcome.Infinite, o.OnTick(0, double.PositiveInfinity, 10));
        Assert.Equal(TickOutcome.Infinite, o.OnTick(1, double.NegativeInfinity, 10));
        Assert.Equal(TickOutcome.NonPositive, o.OnTick(0, 0, 10));
        Assert.Equal(TickOutcome.NonPositive, o.OnTick(1, -5, 10));

        Assert.Equal(1, o.RejectedNotANumber);
        Assert.Equal(2, o.RejectedInfinite);
        Assert.Equal(2, o.RejectedNonPositive);
        Assert.Equal(5, o.RejectedTicks);
        Assert.Equal(2, o.AcceptedTicks);
        // the sources keep their last good price and time
        Assert.Equal(100, o.LastPrice(0));
        Assert.Equal(0, o.LastTickMs(0));
        Assert.Equal(100.5, o.Evaluate(10).Index);
    }

    [Fact]
    public void ATickOlderThanTheSourcesLatestIsIgnoredAndCounted()
    {
        var o = Oracle(2);
        o.OnTick(0, 100, 1_000);
        o.OnTick(1, 100, 1_000);

        Assert.Equal(TickOutcome.OutOfOrder, o.OnTick(0, 90, 999));
        Assert.Equal(TickOutcome.Accepted, o.OnTick(0, 102, 1_000)); // same millisecond replaces

        Assert.Equal(1, o.RejectedOutOfOrder);
        Assert.Equal(102, o.LastPrice(0));
        Assert.Equal(101, o.Evaluate(1_000).Index); // (102 + 100) / 2
    }

    [Fact]
    public void AnUnknownSourceIdIsAWiringError()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Oracle(2).OnTick(2, 100, 0));
    }

    [Fact]
    public void PerSourceAgeAndValidityAreReported()
    {
        var o = Oracle(2);
        o.OnTick(0, 100, 1_000);

        Assert.Equal(1_500, o.SourceAgeMs(0, 2_500));
        Assert.True(o.IsSourceValid(0, 3_999));   // age 2 999 < 3 000
        Assert.False(o.IsSourceValid(0, 4_000));  // age 3 000
        Assert.Equal(long.MaxValue, o.SourceAgeMs(1, 2_500));
        Assert.False(o.IsSourceValid(1, 2_500));
        Assert.True(double.IsNaN(o.LastPrice(1)));
    }

    [Fact]
    public void ASingleSourcePrintingAFiftyPercentWickAmongThreeMovesTheIndexByNothing()
    {
        var o = Oracle(3);
        o.OnTick(0, 59_990, 0);
        o.OnTick(1, 60_000, 0);
        o.OnTick(2, 60_010, 0);
        Assert.Equal(60_000, o.Evaluate(0).Index);

        // source 2 prints 90 015 (+50 %): sorted 59 990, 60 000, 90 015 → still 60 000
        o.OnTick(2, 90_015, 100);
        var up = o.Evaluate(100);
        // then 30 005 (−50 %): sorted 30 005, 59 990, 60 000 → 59 990; the wick moved the index by nothing but the
        // honest neighbour it displaced (at most the spread of the honest sources)
        o.OnTick(2, 30_005, 200);
        var down = o.Evaluate(200);

        Assert.Equal(60_000, up.Index);
        Assert.Equal(59_990, down.Index);
        Assert.True(up.CanLiquidate && down.CanLiquidate);
        Assert.Equal(0, o.JumpsStarted);
    }

    [Fact]
    public void TimeNeverRunsBackwards()
    {
        var o = Oracle(2);
        o.OnTick(0, 100, 0);
        o.OnTick(1, 100, 0);
        o.Evaluate(3_000);

        // an evaluation "at 1 000" after one at 3 000 is taken at 3 000: both sources are 3 000 ms old, stale
        var s = o.Evaluate(1_000);

        Assert.Equal(3_000, s.AsOfMs);
        Assert.True(s.IsStale);
    }

    [Fact]
    public void TicksAndEvaluationsAllocateNothing()
    {
        var o = Oracle(5);
        Run(o, 0, 1_000); // warm up
        var before = GC.GetAllocatedBytesForCurrentThread();
        Run(o, 1_000, 100_000);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);

        static void Run(OracleIndex o, int from, int to)
        {
            for (var t = from; t < to; t++)
            {
                o.OnTick(t % 5, 100 + (t % 7), t);
                o.Evaluate(t);
            }
        }
    }
}

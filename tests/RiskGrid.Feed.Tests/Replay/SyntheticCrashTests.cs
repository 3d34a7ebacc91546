using RiskGrid.Feed.Replay;

namespace RiskGrid.Feed.Tests.Replay;

public sealed class SyntheticCrashTests
{
    [Fact]
    public void TheSameSeedGivesTheSameCrashAndAnotherSeedAnotherOne()
    {
        var a = SyntheticCrash.Generate(42);
        var b = SyntheticCrash.Generate(42);
        var c = SyntheticCrash.Generate(43);

        Assert.Equal(a.Series.Select(s => s.FileName), b.Series.Select(s => s.FileName));
        for (var i = 0; i < a.Series.Count; i++)
        {
            Assert.Equal(a.Series[i].Trades, b.Series[i].Trades);
            Assert.NotEqual(a.Series[i].Trades, c.Series[i].Trades);
        }
    }

    [Fact]
    public void ItHasThreeBtcSourcesAndEthAndSol()
    {
        var crash = SyntheticCrash.Generate(1);
        Assert.Equal(
            ["synth_a-BTCUSD-trades.csv", "synth_b-BTCUSD-trades.csv", "synth_c-BTCUSD-trades.csv",
             "synth_a-ETHUSD-trades.csv", "synth_a-SOLUSD-trades.csv"],
            crash.Series.Select(s => s.FileName));
        Assert.All(crash.Series, s => Assert.InRange(s.Trades.Count, 3_000, 20_000));
        Assert.All(crash.Series, s => Assert.True(s.Trades.Zip(s.Trades.Skip(1)).All(p => p.First.TsMs <= p.Second.TsMs)));
        Assert.All(crash.Series, s => Assert.All(s.Trades, t => Assert.InRange(t.TsMs, crash.StartMs, crash.EndMs - 1)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(1234)]
    [InlineData(-7)]
    public void EveryUnderlyingFallsTwentyToThirtyPercentPeakToTrough(int seed)
    {
        var crash = SyntheticCrash.Generate(seed);
        foreach (var series in crash.Series.Where(s => s.Source == "synth_a"))
        {
            var peak = series.Trades.Where(t => t.TsMs < crash.CascadeStartMs).Max(t => t.Price);
            var trough = series.Trades.Where(t => t.TsMs >= crash.CascadeStartMs).Min(t => t.Price);
            Assert.InRange(1 - (trough / peak), 0.20, 0.30);
            Assert.InRange(series.Drawdown, 0.22, 0.28);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(99)]
    public void OneBtcSourceWicksMinusFiftyPercentForAFewSeconds(int seed)
    {
        var crash = SyntheticCrash.Generate(seed);
        var reference = crash.Series[0].Trades;
        var wicking = crash.Series[1].Trades;
        var inWick = wicking.Where(t => t.TsMs >= crash.WickStartMs && t.TsMs < crash.WickEndMs).ToList();
        Assert.NotEmpty(inWick);
        var referenceLow = reference.Where(t => t.TsMs >= crash.WickStartMs - 5_000 && t.TsMs < crash.WickEndMs + 5_000)
            .Average(t => t.Price);
        Assert.All(inWick, t => Assert.InRange(t.Price / referenceLow, 0.47, 0.53));
        Assert.Equal(4_000, crash.WickEndMs - crash.WickStartMs);
        var outside = wicking.Where(t => t.TsMs < crash.WickStartMs || t.TsMs >= crash.WickEndMs);
        Assert.All(outside, t => Assert.True(t.Price > 0.6 * referenceLow));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(99)]
    public void OneBtcSourceGoesSilentForThirtySecondsMidCascade(int seed)
    {
        var crash = SyntheticCrash.Generate(seed);
        var silent = crash.Series[2].Trades;
        Assert.DoesNotContain(silent, t => t.TsMs >= crash.SilenceStartMs && t.TsMs < crash.SilenceEndMs);
        var longestGap = silent.Zip(silent.Skip(1), (a, b) => b.TsMs - a.TsMs).Max();
        Assert.InRange(longestGap, 30_000, 35_000);
        Assert.InRange(crash.SilenceStartMs, crash.CascadeStartMs, crash.BottomMs);
    }

    [Fact]
    public void WrittenCsvFilesReadBackExactlyThroughTheSharedLayoutReader()
    {
        var crash = SyntheticCrash.Generate(5);
        var folder = Path.Combine(Path.GetTempPath(), "riskgrid-synthetic-" + Guid.NewGuid().ToString("N"));
        try
        {
            var paths = crash.WriteCsv(folder);
            for (var i = 0; i < paths.Count; i++)
            {
                var file = MarketDataFile.Parse(paths[i]);
                Assert.Equal((crash.Series[i].Source, crash.Series[i].BaseAsset, MarketDataKind.Trades),
                    (file.Source, file.BaseAsset, file.Kind));
                using var reader = RecordedTickReader.Open(file, i);
                var fromCsv = new List<RecordedTick>();
                while (reader.TryRead(out var tick))
                {
                    fromCsv.Add(tick);
                }

                var inMemory = crash.Series[i].OpenTicks(i);
                var expected = new List<RecordedTick>();
                while (inMemory.TryRead(out var tick))
                {
                    expected.Add(tick);
                }

                Assert.Equal(RecordedLayout.SharedTrades, reader.Layout);
                Assert.Equal(expected, fromCsv);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}

using System.Globalization;
using RiskGrid.Feed.Replay;

namespace RiskGrid.Feed.Tests.Replay;

/// <summary>The readers against the real recorded crash files and the facts of their README table.</summary>
public sealed class RecordedMarketDataTests
{
    private static List<RecordedTick> ReadAll(string fileName, out RecordedTickReader reader)
    {
        var file = MarketDataFile.Parse(Path.Combine(MarketData.Crash20251010, fileName));
        reader = RecordedTickReader.Open(file, 0);
        var ticks = new List<RecordedTick>();
        while (reader.TryRead(out var tick))
        {
            ticks.Add(tick);
        }

        reader.Dispose();
        return ticks;
    }

    private static string Utc(long ms, string format = "yyyy-MM-dd HH:mm:ss") =>
        DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime.ToString(format, CultureInfo.InvariantCulture);

    [MarketDataFact]
    public void GeminiBtcTradesMatchTheReadmeTable()
    {
        var ticks = ReadAll("gemini-BTCUSD-trades.csv", out var reader);

        Assert.Equal(24_706, reader.RowsRead);
        Assert.Equal(24_706, ticks.Count);
        Assert.Equal(0, reader.TimestampRegressions);
        Assert.Equal("2025-10-10 00:00:06", Utc(ticks[0].TsMs));
        Assert.Equal("2025-10-10 23:59:59", Utc(ticks[^1].TsMs));
        var min = ticks.MinBy(t => t.Price);
        var max = ticks.MaxBy(t => t.Price);
        Assert.Equal((107_000.0, "21:26:24"), (min.Price, Utc(min.TsMs, "HH:mm:ss")));
        Assert.Equal((122_590.34, "13:41:12"), (max.Price, Utc(max.TsMs, "HH:mm:ss")));
    }

    [MarketDataFact]
    public void GeminiBtcIsSilentThroughTheWorstMinutes()
    {
        var ticks = ReadAll("gemini-BTCUSD-trades.csv", out _);
        var gaps = ticks.Zip(ticks.Skip(1), (a, b) => (From: a.TsMs, To: b.TsMs))
            .OrderByDescending(g => g.To - g.From).Take(2)
            .Select(g => $"{Utc(g.From, "HH:mm:ss")}-{Utc(g.To, "HH:mm:ss")}").Order(StringComparer.Ordinal);
        Assert.Equal(["20:54:26-21:08:06", "21:13:57-21:20:46"], gaps);
    }

    [MarketDataFact]
    public void BinanceCoinMarginedMarkOneMinuteBarsAreMinuteBarsInDirectionOrder() =>
        AssertBars("binancecm_mark-BTCUSD-1m.csv", 60_000, 2_880, 102_497.48513403, 123_748.77906633);

    [MarketDataFact]
    public void BinanceUsdMarginedFiveMinuteBarsAreFiveMinuteBarsInDirectionOrder() =>
        AssertBars("binanceum_markidx-BTCUSDT-5m.csv", 300_000, 576, 101_877.68981743, 123_706.6);

    private static void AssertBars(string fileName, long barMs, int rows, double min, double max)
    {
        var path = Path.Combine(MarketData.Crash20251010, fileName);
        Assert.Equal(barMs, MarketDataFile.Parse(path).BarLengthMs);
        var ticks = ReadAll(fileName, out var reader);
        Assert.Equal(rows, reader.RowsRead);
        Assert.Equal(4 * rows, ticks.Count);
        Assert.Equal((min, max), (ticks.Min(t => t.Price), ticks.Max(t => t.Price)));

        // Against a naive parse of the same rows: open, then low/high or high/low by direction, then close.
        var bars = File.ReadLines(path).Skip(1).Select(line => line.Split(',')).ToList();
        for (var i = 0; i < bars.Count; i++)
        {
            var openMs = long.Parse(bars[i][0], CultureInfo.InvariantCulture);
            var (open, high, low, close) = (P(bars[i][1]), P(bars[i][2]), P(bars[i][3]), P(bars[i][4]));
            var expected = close >= open ? new[] { open, low, high, close } : [open, high, low, close];
            var bar = ticks.GetRange(4 * i, 4);
            Assert.Equal(expected, bar.Select(t => t.Price));
            Assert.Equal([openMs, openMs + (barMs / 3), openMs + (2 * barMs / 3), openMs + barMs - 1],
                bar.Select(t => t.TsMs));
        }

        static double P(string text) => double.Parse(text, CultureInfo.InvariantCulture);
    }

    [MarketDataFact]
    public void AllFiveFilesMergeIntoOneTimeOrderedStream()
    {
        var files = MarketData.CrashFilesOrSynthetic();
        var readers = files.Select((f, i) => RecordedTickReader.Open(f, i)).ToList();
        var merger = new RecordedTickMerger(readers);
        var perFile = new int[files.Count];
        var previous = long.MinValue;
        while (merger.TryRead(out var tick))
        {
            Assert.True(tick.TsMs >= previous);
            previous = tick.TsMs;
            perFile[tick.FileIndex]++;
        }

        readers.ForEach(r => r.Dispose());
        // 2,880 and 576 bars × 4 ticks; 24,706 + 22,320 + 12,764 trades (files in name order).
        Assert.Equal([11_520, 2_304, 24_706, 22_320, 12_764], perFile);
    }
}

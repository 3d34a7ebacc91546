using System.Text;
using RiskGrid.Feed.Replay;

namespace RiskGrid.Feed.Tests.Replay;

public sealed class RecordedTickReaderTests
{
    private static List<RecordedTick> ReadAll(string csv, MarketDataKind kind, long barLengthMs = 0,
        RecordedLayout layout = RecordedLayout.Auto, Action<RecordedTickReader>? inspect = null)
    {
        using var reader = new RecordedTickReader(new MemoryStream(Encoding.UTF8.GetBytes(csv)), kind, barLengthMs,
            fileIndex: 3, name: "sample.csv", layout);
        var ticks = new List<RecordedTick>();
        while (reader.TryRead(out var tick))
        {
            ticks.Add(tick);
        }

        inspect?.Invoke(reader);
        return ticks;
    }

    [Fact]
    public void SharedTradesKeepEveryRecordedDigitAndTheFileIndex()
    {
        const string csv = "ts_ms,price,size,side\n1760054406843,121758.75,0.01428928,buy\n"
            + "1760054406843,112722,0.5,sell\n1760054422514,102497.48513403,0.00476285,buy\n";
        var ticks = ReadAll(csv, MarketDataKind.Trades, inspect: r =>
        {
            Assert.Equal(RecordedLayout.SharedTrades, r.Layout);
            Assert.Equal(3, r.RowsRead);
        });

        Assert.Equal(
        [
            new RecordedTick(1_760_054_406_843, 121_758.75, 3),
            new RecordedTick(1_760_054_406_843, 112_722, 3),
            new RecordedTick(1_760_054_422_514, 102_497.48513403, 3),
        ], ticks);
    }

    [Fact]
    public void AnUpBarBecomesOpenLowHighCloseSpreadOverTheBar()
    {
        // Up bar (close 105 ≥ open 100), 60,000 ms: ticks at +0, +20,000, +40,000 and the close time +59,999.
        var ticks = ReadAll("ts_ms,open,high,low,close,volume\n60000,100,110,95,105,0\n", MarketDataKind.Bars, 60_000);
        Assert.Equal(
        [
            new RecordedTick(60_000, 100, 3), new RecordedTick(80_000, 95, 3),
            new RecordedTick(100_000, 110, 3), new RecordedTick(119_999, 105, 3),
        ], ticks);
    }

    [Fact]
    public void ADownBarBecomesOpenHighLowClose()
    {
        // Down bar (close 96 < open 100), 300,000 ms: +0, +100,000, +200,000, +299,999.
        var ticks = ReadAll("ts_ms,open,high,low,close,volume\n0,100,110,95,96,0\n", MarketDataKind.Bars, 300_000);
        Assert.Equal([100.0, 110, 95, 96], ticks.Select(t => t.Price));
        Assert.Equal([0L, 100_000, 200_000, 299_999], ticks.Select(t => t.TsMs));
    }

    private const string KlineRow =
        "1759968000000,123277.83064680,123326.10000000,123274.87146947,123310.10000000,0,1759968059999,0,60,0,0,0";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void BinanceKlinesReadWithOrWithoutAHeader(bool header)
    {
        var csv = (header
            ? "open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,"
              + "taker_buy_quote_volume,ignore\n"
            : string.Empty) + KlineRow + "\n";
        var ticks = ReadAll(csv, MarketDataKind.Bars, 60_000,
            inspect: r => Assert.Equal(RecordedLayout.BinanceKlines, r.Layout));

        Assert.Equal([123_277.83064680, 123_274.87146947, 123_326.10000000, 123_310.10000000], ticks.Select(t => t.Price));
        Assert.Equal([1_759_968_000_000L, 1_759_968_020_000, 1_759_968_040_000, 1_759_968_059_999],
            ticks.Select(t => t.TsMs));
    }

    [Fact]
    public void BinanceKlinesInMicrosecondsAreConvertedToMilliseconds()
    {
        const string row =
            "1759968000000000,100,110,95,105,0,1759968059999999,0,60,0,0,0";
        var ticks = ReadAll(row + "\n", MarketDataKind.Bars, 60_000);
        Assert.Equal([1_759_968_000_000L, 1_759_968_020_000, 1_759_968_040_000, 1_759_968_059_999],
            ticks.Select(t => t.TsMs));
    }

    [Fact]
    public void AKlineWhoseCloseTimeContradictsTheGranularityIsRejectedNamingFileAndLine()
    {
        var error = Assert.Throws<InvalidDataException>(() => ReadAll(KlineRow + "\n", MarketDataKind.Bars, 300_000));
        Assert.StartsWith("sample.csv:1: close_time − open_time = 59999 ms", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("3520937210,122400.10,0.002,5282018473,5282018473,1760054400012,true\n")]
    [InlineData("3520937210,122400.10,0.002,5282018473,5282018473,1760054400012,true,true\n")]
    [InlineData("agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker\n"
        + "3520937210,122400.10,0.002,5282018473,5282018473,1760054400012000,false\n")]
    public void BinanceAggTradesReadWithSevenOrEightColumnsAndMillisecondsOrMicroseconds(string csv)
    {
        var tick = Assert.Single(ReadAll(csv, MarketDataKind.Trades,
            inspect: r => Assert.Equal(RecordedLayout.BinanceAggTrades, r.Layout)));
        Assert.Equal(new RecordedTick(1_760_054_400_012, 122_400.10, 3), tick);
    }

    [Fact]
    public void CrLfLineEndsAByteOrderMarkAndAMissingFinalNewlineAreAccepted()
    {
        var ticks = ReadAll("\uFEFFts_ms,price,size,side\r\n1,2.5,1,buy\r\n\r\n3,4.5,1,sell", MarketDataKind.Trades);
        Assert.Equal([new RecordedTick(1, 2.5, 3), new RecordedTick(3, 4.5, 3)], ticks);
    }

    [Theory]
    [InlineData("ts_ms,price,size,side\n1,abc,1,buy\n", "sample.csv:2: price 'abc' is not a number")]
    [InlineData("ts_ms,price,size,side\n1,2,1,buy\nx,2,1,buy\n", "sample.csv:3: ts_ms 'x' is not a number")]
    [InlineData("1,2,3\n", "sample.csv:1: 3 columns fit no Trades layout")]
    [InlineData("time,price\n1,2\n", "sample.csv:1: header does not start with")]
    [InlineData("open_time,open,high,low,close,volume\n", "sample.csv:1: the file looks like BinanceKlines")]
    public void UnreadableRowsStopTheReplayNamingFileLineAndValue(string csv, string message)
    {
        var error = Assert.Throws<InvalidDataException>(() => ReadAll(csv, MarketDataKind.Trades));
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ADeclaredLayoutMustMatchTheFile()
    {
        Assert.Throws<ArgumentException>(() => ReadAll("", MarketDataKind.Trades, layout: RecordedLayout.SharedBars));
        var error = Assert.Throws<InvalidDataException>(() =>
            ReadAll(KlineRow + "\n", MarketDataKind.Bars, 60_000, RecordedLayout.SharedBars));
        Assert.Contains("looks like BinanceKlines", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TimestampRegressionsAreCounted()
    {
        ReadAll("ts_ms,price,size,side\n5,1,1,buy\n4,1,1,buy\n6,1,1,buy\n", MarketDataKind.Trades,
            inspect: r => Assert.Equal(1, r.TimestampRegressions));
    }

    [Fact]
    public void ReadingRowsAllocatesNothingPerRow()
    {
        var csv = new StringBuilder("ts_ms,price,size,side\n");
        for (var i = 0; i < 50_000; i++)
        {
            csv.Append(1_760_054_406_843L + i).Append(",121758.").Append(i % 100).Append(",0.01428928,buy\n");
        }

        var bytes = Encoding.UTF8.GetBytes(csv.ToString());
        using var reader = new RecordedTickReader(new MemoryStream(bytes), MarketDataKind.Trades, 0, 0, "big.csv");
        reader.TryRead(out _);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var rows = 1;
        while (reader.TryRead(out _))
        {
            rows++;
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(50_000, rows);
        // One allocation per row, even a 24-byte one, would be 1.2 MB here; the runtime's own one-off
        // allocations (tiering) stay in the low kilobytes.
        Assert.True(allocated < 32 * 1_024, $"{allocated} bytes allocated for {rows} rows");
    }
}

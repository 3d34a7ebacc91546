using RiskGrid.Feed.Replay;

namespace RiskGrid.Feed.Tests.Replay;

public sealed class MarketDataFileTests
{
    [Theory]
    [InlineData("2025-10-10/gemini-BTCUSD-trades.csv", "gemini", "BTCUSD", "BTC", "USD", MarketDataKind.Trades, 0)]
    [InlineData("binancecm_mark-BTCUSD-1m.csv", "binancecm_mark", "BTCUSD", "BTC", "USD", MarketDataKind.Bars, 60_000)]
    [InlineData("binanceum_markidx-BTCUSDT-5m.csv", "binanceum_markidx", "BTCUSDT", "BTC", "USDT", MarketDataKind.Bars, 300_000)]
    [InlineData("x-SOLUSDC-1s.csv", "x", "SOLUSDC", "SOL", "USDC", MarketDataKind.Bars, 1_000)]
    [InlineData("x-ETHFDUSD-1h.csv", "x", "ETHFDUSD", "ETH", "FDUSD", MarketDataKind.Bars, 3_600_000)]
    [InlineData("kraken-BTCEUR-1d.csv", "kraken", "BTCEUR", "BTC", "EUR", MarketDataKind.Bars, 86_400_000)]
    public void SharedNamesGiveSourceSymbolBaseQuoteAndBarLength(
        string path, string source, string symbol, string baseAsset, string quote, MarketDataKind kind, long barMs)
    {
        var file = MarketDataFile.Parse(path);
        Assert.Equal((path, source, symbol, baseAsset, quote, kind, barMs),
            (file.Path, file.Source, file.Symbol, file.BaseAsset, file.QuoteAsset, file.Kind, file.BarLengthMs));
    }

    [Theory]
    [InlineData("BTCUSDT-1m-2025-10-09.csv", "BTCUSDT", "BTC", MarketDataKind.Bars, 60_000)]
    [InlineData("BTCUSDT-aggTrades-2025-10-10.csv", "BTCUSDT", "BTC", MarketDataKind.Trades, 0)]
    [InlineData("BTCUSD_PERP-5m-2025-10-10.csv", "BTCUSD_PERP", "BTC", MarketDataKind.Bars, 300_000)]
    public void BinanceArchiveNamesAreReadWithBinanceAsTheDefaultSource(
        string path, string symbol, string baseAsset, MarketDataKind kind, long barMs)
    {
        var file = MarketDataFile.Parse(path);
        Assert.Equal(("binance", symbol, baseAsset, kind, barMs),
            (file.Source, file.Symbol, file.BaseAsset, file.Kind, file.BarLengthMs));
        Assert.Equal("binancecm_mark", MarketDataFile.Parse(path, source: "binancecm_mark").Source);
    }

    [Theory]
    [InlineData("gemini-BTCUSD-trades.txt", "not a .csv")]
    [InlineData("gemini-BTCUSD.csv", "neither")]
    [InlineData("gem-ini-BTCUSD-trades.csv", "neither")]
    [InlineData("gemini-BTCXYZ-trades.csv", "known quote")]
    [InlineData("gemini-USD-trades.csv", "known quote")]
    [InlineData("gemini-BTCUSD-1M.csv", "granularity")]
    [InlineData("gemini-BTCUSD-0m.csv", "granularity")]
    [InlineData("gemini-BTCUSD-ticks.csv", "granularity")]
    [InlineData("gem ini-BTCUSD-trades.csv", "source")]
    public void MalformedNamesAreRejectedSayingWhy(string path, string reason)
    {
        var error = Assert.Throws<FormatException>(() => MarketDataFile.Parse(path));
        Assert.StartsWith(path + ": ", error.Message, StringComparison.Ordinal);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }
}

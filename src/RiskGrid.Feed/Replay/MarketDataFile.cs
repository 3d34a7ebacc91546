using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace RiskGrid.Feed.Replay;

/// <summary>Whether a recorded file holds trades (one price per row) or bars (open, high, low, close).</summary>
public enum MarketDataKind
{
    /// <summary>One trade per row.</summary>
    Trades,

    /// <summary>One bar per row, of <see cref="MarketDataFile.BarLengthMs"/>.</summary>
    Bars,
}

/// <summary>
/// A recorded market-data file described by its name. Two naming schemes are read:
/// <list type="bullet">
/// <item>the shared recordings' <c>&lt;source&gt;-&lt;symbol&gt;-&lt;granularity&gt;.csv</c>
/// (<c>gemini-BTCUSD-trades.csv</c>, <c>binancecm_mark-BTCUSD-1m.csv</c>);</item>
/// <item>Binance's public archive names <c>&lt;SYMBOL&gt;-&lt;interval&gt;-YYYY-MM-DD.csv</c> and
/// <c>&lt;SYMBOL&gt;-aggTrades-YYYY-MM-DD.csv</c>, whose source is <c>binance</c> unless one is given.</item>
/// </list>
/// The granularity token gives the bar length (<c>1s</c>, <c>1m</c>, <c>5m</c>, <c>1h</c>, <c>1d</c>, …) or
/// <c>trades</c>/<c>aggTrades</c>; the base asset is the symbol less a known quote suffix (<see cref="QuoteAssets"/>).
/// </summary>
public sealed record MarketDataFile
{
    /// <summary>Quote suffixes stripped from a symbol to find its base asset, longest first.</summary>
    public static IReadOnlyList<string> QuoteAssets { get; } =
        ["FDUSD", "USDT", "USDC", "BUSD", "TUSD", "USDP", "USD", "EUR", "GBP", "JPY", "TRY", "BRL", "DAI"];

    /// <summary>The file's path as given.</summary>
    public required string Path { get; init; }

    /// <summary>Venue and price kind (<c>gemini</c>, <c>binancecm_mark</c>).</summary>
    public required string Source { get; init; }

    /// <summary>The symbol as named (<c>BTCUSD</c>, <c>BTCUSDT</c>, <c>BTCUSD_PERP</c>).</summary>
    public required string Symbol { get; init; }

    /// <summary>The underlying (<c>BTC</c>).</summary>
    public required string BaseAsset { get; init; }

    /// <summary>The quote currency (<c>USD</c>, <c>USDT</c>); a stablecoin is not USD for the oracle by itself.</summary>
    public required string QuoteAsset { get; init; }

    /// <summary>The granularity token as named (<c>1m</c>, <c>trades</c>).</summary>
    public required string Granularity { get; init; }

    /// <summary>Trades or bars.</summary>
    public required MarketDataKind Kind { get; init; }

    /// <summary>Bar length in milliseconds; 0 for trades.</summary>
    public long BarLengthMs { get; init; }

    /// <summary>Describes <paramref name="path"/> from its file name; throws <see cref="FormatException"/> naming the
    /// file and the rule it breaks.</summary>
    /// <param name="path">The file's path.</param>
    /// <param name="source">Overrides the source taken from the name (required knowledge for archive names).</param>
    public static MarketDataFile Parse(string path, string? source = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        return TryParse(path, out var file, out var error, source)
            ? file
            : throw new FormatException($"{System.IO.Path.GetFileName(path)}: {error}");
    }

    /// <summary>Describes <paramref name="path"/> from its file name; false with the reason when it cannot.</summary>
    public static bool TryParse(
        string path,
        [NotNullWhen(true)] out MarketDataFile? file,
        [NotNullWhen(false)] out string? error,
        string? source = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        file = null;
        var name = System.IO.Path.GetFileName(path);
        if (!name.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
        {
            error = "not a .csv file";
            return false;
        }

        var tokens = name[..^4].Split('-');
        string sourceToken, symbol, granularity;
        if (tokens.Length == 3)
        {
            (sourceToken, symbol, granularity) = (tokens[0], tokens[1], tokens[2]);
        }
        else if (tokens.Length == 5 && IsDate(tokens[2], tokens[3], tokens[4]))
        {
            (sourceToken, symbol, granularity) = ("binance", tokens[0], tokens[1]);
        }
        else
        {
            error = "name is neither <source>-<symbol>-<granularity>.csv nor <SYMBOL>-<interval>-YYYY-MM-DD.csv";
            return false;
        }

        sourceToken = source ?? sourceToken;
        if (sourceToken.Length == 0 || !sourceToken.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
        {
            error = $"source '{sourceToken}' must be ASCII letters, digits or '_'";
            return false;
        }

        if (!TrySplitSymbol(symbol, out var baseAsset, out var quoteAsset))
        {
            error = $"symbol '{symbol}' does not end in a known quote ({string.Join(", ", QuoteAssets)})";
            return false;
        }

        if (!TryParseGranularity(granularity, out var kind, out var barLengthMs))
        {
            error = $"granularity '{granularity}' is not trades, aggTrades or <n>s|m|h|d|w";
            return false;
        }

        file = new MarketDataFile
        {
            Path = path,
            Source = sourceToken,
            Symbol = symbol,
            BaseAsset = baseAsset,
            QuoteAsset = quoteAsset,
            Granularity = granularity,
            Kind = kind,
            BarLengthMs = barLengthMs,
        };
        error = null;
        return true;
    }

    /// <summary>Splits BASE+QUOTE (<c>BTCUSDT</c> → <c>BTC</c>, <c>USDT</c>); a contract suffix after <c>_</c>
    /// (<c>BTCUSD_PERP</c>) is ignored. False when no known quote leaves a non-empty base.</summary>
    public static bool TrySplitSymbol(string symbol, out string baseAsset, out string quoteAsset)
    {
        ArgumentNullException.ThrowIfNull(symbol);
        var pair = symbol.Split('_')[0];
        foreach (var quote in QuoteAssets)
        {
            if (pair.Length > quote.Length && pair.EndsWith(quote, StringComparison.Ordinal)
                && pair.All(char.IsAsciiLetterOrDigit))
            {
                baseAsset = pair[..^quote.Length];
                quoteAsset = quote;
                return true;
            }
        }

        baseAsset = quoteAsset = string.Empty;
        return false;
    }

    /// <summary>Reads a granularity token: <c>trades</c> or <c>aggTrades</c>, or a whole number and one of
    /// <c>s</c>, <c>m</c> (minutes), <c>h</c>, <c>d</c>, <c>w</c> for bars (<c>5m</c> = 300,000 ms).</summary>
    public static bool TryParseGranularity(string token, out MarketDataKind kind, out long barLengthMs)
    {
        ArgumentNullException.ThrowIfNull(token);
        kind = MarketDataKind.Trades;
        barLengthMs = 0;
        if (token is "trades" or "aggTrades")
        {
            return true;
        }

        if (token.Length < 2 || !long.TryParse(token.AsSpan(0, token.Length - 1), NumberStyles.None,
                CultureInfo.InvariantCulture, out var count) || count <= 0 || count > 1_000_000)
        {
            return false;
        }

        long unitMs = token[^1] switch
        {
            's' => 1_000,
            'm' => 60_000,
            'h' => 3_600_000,
            'd' => 86_400_000,
            'w' => 604_800_000,
            _ => 0,
        };
        kind = MarketDataKind.Bars;
        barLengthMs = count * unitMs;
        return unitMs != 0;
    }

    private static bool IsDate(string year, string month, string day) =>
        year.Length == 4 && month.Length == 2 && day.Length == 2
        && DateOnly.TryParseExact($"{year}-{month}-{day}", "yyyy-MM-dd", CultureInfo.InvariantCulture,
            DateTimeStyles.None, out _);
}

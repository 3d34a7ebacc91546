namespace RiskGrid.Feed.Replay;

/// <summary>CSV layouts <see cref="RecordedTickReader"/> reads (comma-separated, <c>\n</c> or <c>\r\n</c>).</summary>
public enum RecordedLayout
{
    /// <summary>Decide from the header line if there is one, else from the column count.</summary>
    Auto = 0,

    /// <summary>Shared recordings' bars: <c>ts_ms,open,high,low,close,volume</c>, ts = bar open, epoch ms.</summary>
    SharedBars,

    /// <summary>Shared recordings' trades: <c>ts_ms,price,size,side</c>.</summary>
    SharedTrades,

    /// <summary>Binance klines: <c>open_time,open,high,low,close,volume,close_time,quote_volume,count,
    /// taker_buy_volume,taker_buy_quote_volume,ignore</c>, header optional, times in ms or µs.</summary>
    BinanceKlines,

    /// <summary>Binance aggTrades: <c>agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,
    /// is_buyer_maker[,is_best_match]</c>, header optional, time in ms or µs.</summary>
    BinanceAggTrades,
}

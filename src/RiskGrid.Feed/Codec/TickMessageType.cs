namespace RiskGrid.Feed.Codec;

/// <summary>What the entries of a frame carry; one type per frame (header byte 8). docs/feed-protocol.md §"Message
/// types".</summary>
public enum TickMessageType : byte
{
    /// <summary>Not a valid type on the wire.</summary>
    None = 0,

    /// <summary>Price tick: value = price in the symbol's quote currency, time = exchange timestamp (epoch ms).</summary>
    Price = 1,

    /// <summary>Implied-volatility tick: value = annualised IV as a fraction (0.55 = 55 %), time = exchange
    /// timestamp (epoch ms), symbol = the option instrument.</summary>
    ImpliedVol = 2,

    /// <summary>Funding rate: value = rate per funding interval as a fraction (may be zero or negative), time = the
    /// funding time it applies to (epoch ms), symbol = the perpetual.</summary>
    FundingRate = 3,
}

/// <summary>Frame flags (header byte 9). Undefined bits must be zero; a frame with one set is garbled.</summary>
[Flags]
public enum TickFrameFlags : byte
{
    /// <summary>An incremental frame: entries changed since the previous frame.</summary>
    None = 0,

    /// <summary>A snapshot frame: the publisher's latest value of every key (for late joiners), possibly repeating
    /// entries already sent.</summary>
    Snapshot = 1,
}

using System.Text.Json.Serialization;

namespace RiskGrid.Api.Supervision;

/// <summary>
/// One forced close in GET /v1/liquidations: the liquidated sub-account's own close (<c>kind</c> LIQUIDATION) or an
/// auto-deleveraged counterparty's (AUTO_DELEVERAGING, in another account). <c>size</c> is the signed change of the
/// position (negative sells), <c>newSize</c> the position after it, both in instrument units; money in USD.
/// </summary>
public sealed record LiquidationStepJson(string AccountId, string SubAccount, string Kind, string CommandId,
    long SequenceNr, string Instrument, string Size, double Price, string Fee, string RealisedPnl, string Premium,
    string NewSize, string At, long AtMs);

/// <summary>
/// One liquidation in GET /v1/liquidations: the steps of this answer that carry its id, in journal order.
/// <c>accountId</c>/<c>subAccount</c> name the liquidated sub-account (absent when this answer holds only its ADL
/// counterparties' steps); <c>plan</c> is PARTIAL, BACKSTOP or BANKRUPT (§9); <c>kind</c> LIQUIDATION when the
/// liquidated sub-account's own closes are present, else AUTO_DELEVERAGING; <c>fees</c> the sum of the steps' fees
/// (paid to the insurance fund).
/// </summary>
public sealed record LiquidationJson(string LiquidationId, string? AccountId, string? SubAccount, string? Plan,
    string Kind, string Fees, string FirstAt, long FirstAtMs, string LastAt, long LastAtMs,
    IReadOnlyList<LiquidationStepJson> Steps);

/// <summary>GET /v1/liquidations. <c>next</c>: the <c>after</c> of the next request (the journal position of the
/// last step read); <c>more</c>: the limit cut this answer short.</summary>
public sealed record LiquidationsResponse(IReadOnlyList<LiquidationJson> Liquidations, long Next, bool More);

/// <summary>A margin call in GET /v1/margin-calls: the sub-account's health and the figures behind it (USD).</summary>
public sealed record MarginCallJson(string AccountId, string SubAccount, string CommandId, long SequenceNr,
    double Health, string EquityMm, string MaintenanceMargin, string At, long AtMs);

/// <summary>GET /v1/margin-calls (<c>next</c> and <c>more</c> as in <see cref="LiquidationsResponse"/>).</summary>
public sealed record MarginCallsResponse(IReadOnlyList<MarginCallJson> MarginCalls, long Next, bool More);

/// <summary>
/// One change of the insurance fund: <c>type</c> SEEDED, FEES_SETTLED, PAYOUT_GRANTED or PAYOUT_CONFIRMED;
/// <c>amount</c> what it did to the balance (+ inflow, − payout, 0 for a confirmation) and <c>balance</c> the balance
/// after it; the other members only where the type has them.
/// </summary>
public sealed record FundEntryJson(long SequenceNr, string Type, string At, long AtMs, string Amount, string Balance)
{
    public string? AccountId { get; init; }
    public string? SubAccount { get; init; }
    public string? Instrument { get; init; }
    public string? PayoutId { get; init; }
    public string? CumulativeFees { get; init; }
    public string? Requested { get; init; }
    public string? BadDebt { get; init; }
}

/// <summary>GET /v1/insurance-fund: the fund's totals (USD; as of its event <c>sequenceNr</c>) and a page of its
/// history (<c>next</c>: the <c>after</c> of the next page, the last entry's sequence number).</summary>
public sealed record InsuranceFundResponse(string Balance, string Opening, string Inflows, string Payouts,
    string BadDebt, int PendingPayouts, long SequenceNr, IReadOnlyList<FundEntryJson> History, long Next, bool More);

/// <summary>Source-generated JSON of the supervision routes.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    NumberHandling = JsonNumberHandling.Strict,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(LiquidationsResponse))]
[JsonSerializable(typeof(MarginCallsResponse))]
[JsonSerializable(typeof(InsuranceFundResponse))]
public sealed partial class SupervisionJsonContext : JsonSerializerContext;

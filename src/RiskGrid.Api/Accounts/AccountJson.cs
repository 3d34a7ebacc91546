using System.Text.Json;
using System.Text.Json.Serialization;

namespace RiskGrid.Api.Accounts;

/// <summary>POST /v1/accounts/{acct}/deposits and /withdrawals. <c>amount</c>: a decimal string or number in the
/// asset's units, at most the asset's decimals.</summary>
public sealed record CollateralRequest(string CommandId, string SubAccount, string Asset, JsonElement Amount);

/// <summary>POST /v1/accounts/{acct}/transfers.</summary>
public sealed record TransferRequest(string CommandId, string FromSubAccount, string ToSubAccount, string Asset,
    JsonElement Amount);

/// <summary>POST /v1/accounts/{acct}/fills: <c>size</c> positive on the instrument's lot, <c>side</c> BUY or SELL,
/// <c>fee</c> USD (0 when absent).</summary>
public sealed record FillRequest(string CommandId, string SubAccount, string Instrument, string Side, JsonElement Size,
    JsonElement Price, JsonElement? Fee = null);

/// <summary>POST /v1/accounts/{acct}/orders/check.</summary>
public sealed record OrderCheckRequest(string SubAccount, string Instrument, string Side, JsonElement Size,
    JsonElement Price);

/// <summary>PUT /v1/accounts/{acct}/subaccounts/{sub}/mode.</summary>
public sealed record ModeRequest(string CommandId, string Mode);

/// <summary>PUT /v1/accounts/{acct}/subaccounts/{sub}/isolated/{instrument}: the position's isolated margin in USD
/// (0 returns it to the cross pool).</summary>
public sealed record IsolatedMarginRequest(string CommandId, JsonElement Margin);

/// <summary>The answer to an applied command (also to its repeats).</summary>
public sealed record CommandResponse(string CommandId, long SequenceNr, AccountEventJson Event);

/// <summary>A 422: the error shape plus the figures of the margin check that refused.</summary>
public sealed record RefusalResponse(string Error, string Field, CheckJson? Check);

/// <summary>A margin check's figures, USD.</summary>
public sealed record CheckJson(string Outcome, string FreeCollateralBefore, string FreeCollateralAfter,
    string InitialMarginBefore, string InitialMarginAfter, string MaintenanceMarginBefore,
    string MaintenanceMarginAfter);

/// <summary>The answer to an order check.</summary>
public sealed record OrderCheckResponse(bool Accepted, CheckJson Check);

/// <summary>One funding payment.</summary>
public sealed record FundingPaymentJson(string SubAccount, string Amount);

/// <summary>
/// An account event as the API shows it (command answers and <c>GET /events</c>): <c>type</c> says which, and only
/// that type's fields are present. Amounts are decimal strings in the asset's units (USD for fees, PnL, premium,
/// margin); sizes are signed decimal strings in instrument units.
/// </summary>
public sealed record AccountEventJson(string Type, string CommandId, string At)
{
    public long? SequenceNr { get; init; }
    public string? SubAccount { get; init; }
    public string? FromSubAccount { get; init; }
    public string? ToSubAccount { get; init; }
    public string? Asset { get; init; }
    public string? Amount { get; init; }
    public string? Instrument { get; init; }
    public string? Kind { get; init; }
    public string? Size { get; init; }
    public double? Price { get; init; }
    public string? Fee { get; init; }
    public string? RealisedPnl { get; init; }
    public string? Premium { get; init; }
    public string? NewSize { get; init; }
    public double? NewEntryPrice { get; init; }
    public string? Mode { get; init; }
    public string? Margin { get; init; }
    public double? Rate { get; init; }
    public double? Mark { get; init; }
    public IReadOnlyList<FundingPaymentJson>? Payments { get; init; }
    public string? LiquidationId { get; init; }
    public string? Plan { get; init; }
    public double? Health { get; init; }
    public string? EquityMm { get; init; }
    public string? MaintenanceMargin { get; init; }
}

/// <summary>GET /v1/accounts/{acct}/events.</summary>
public sealed record EventsResponse(string AccountId, IReadOnlyList<AccountEventJson> Events, long? Next);

/// <summary>A position in GET /v1/accounts/{acct}.</summary>
public sealed record PositionJson(string Instrument, string Size, double EntryPrice, string RealisedPnl, bool Isolated,
    string IsolatedMargin);

/// <summary>A ledger total.</summary>
public sealed record LedgerJson(string Name, string Asset, string Amount);

/// <summary>A sub-account in GET /v1/accounts/{acct}: state, ledger, and the §11 metrics at the node's market.</summary>
public sealed record SubAccountJson(string Name, string Mode, IReadOnlyDictionary<string, string> Balances,
    IReadOnlyList<PositionJson> Positions, IReadOnlyList<LedgerJson> Ledger, JsonElement Metrics);

/// <summary>GET /v1/accounts/{acct}.</summary>
public sealed record AccountResponse(string AccountId, long SequenceNr, string AsOf,
    IReadOnlyList<SubAccountJson> SubAccounts);

/// <summary>Source-generated JSON for the account routes; strict like the rest of the API.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    NumberHandling = JsonNumberHandling.Strict,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CollateralRequest))]
[JsonSerializable(typeof(TransferRequest))]
[JsonSerializable(typeof(FillRequest))]
[JsonSerializable(typeof(OrderCheckRequest))]
[JsonSerializable(typeof(ModeRequest))]
[JsonSerializable(typeof(IsolatedMarginRequest))]
[JsonSerializable(typeof(CommandResponse))]
[JsonSerializable(typeof(RefusalResponse))]
[JsonSerializable(typeof(OrderCheckResponse))]
[JsonSerializable(typeof(EventsResponse))]
[JsonSerializable(typeof(AccountResponse))]
public sealed partial class AccountJsonContext : JsonSerializerContext;

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Actor;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using RiskGrid.Api.Accounts;
using RiskGrid.Api.Http;
using RiskGrid.Margin.Oracle;
using RiskGrid.Node.ManualPrices;
using RiskGrid.Node.Prices;

namespace RiskGrid.Api.Prices;

/// <summary>POST /v1/admin/prices: a price of a manual oracle source. <c>price</c> a positive number (or decimal
/// string); <c>ts</c> the price's time, ISO 8601 or Unix milliseconds.</summary>
public sealed record ManualPriceRequest(string Source, string Underlying, JsonElement Price, JsonElement Ts);

/// <summary>The answer to an accepted manual price: the underlying as it now stands on this node.</summary>
public sealed record ManualPriceResponse(string Source, string Underlying, double Price, string Ts, UnderlyingJson Now);

/// <summary>One source's latest price for an underlying.</summary>
public sealed record SourcePriceJson(string Source, double Price, string Ts, long AgeMs, bool Valid);

/// <summary>An underlying in GET /v1/prices.</summary>
public sealed record UnderlyingJson(string Underlying, double? Index, string Status, bool Stale, bool WickGuarded,
    int ValidSources, int MinSources, long? StalenessMs, string? GuardSince, double Volatility,
    double InitialMultiplier, double MaintenanceMultiplier, IReadOnlyList<SourcePriceJson> Sources);

/// <summary>A source's counters in GET /v1/prices.</summary>
public sealed record SourceStatsJson(string Source, long Accepted, long Dropped, long NonFinite, long Zero,
    long Negative, long Duplicates, long OutOfOrder, long FutureDated, long Gaps, long Unrouted, long? LastAgeMs);

/// <summary>GET /v1/prices.</summary>
public sealed record PricesResponse(string AsOf, long Version, IReadOnlyList<UnderlyingJson> Underlyings,
    IReadOnlyList<SourceStatsJson> Sources);

/// <summary>Source-generated JSON of the price routes.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(ManualPriceRequest))]
[JsonSerializable(typeof(ManualPriceResponse))]
[JsonSerializable(typeof(PricesResponse))]
public sealed partial class PricesJsonContext : JsonSerializerContext;

/// <summary>
/// <c>GET /v1/prices</c> (the node's price view: per underlying the §8 index, its status, each source's last price
/// and age, the wick guard and the §7 multipliers; per source its counters) and <c>POST /v1/admin/prices</c> (a
/// manual oracle source: applied here through the same path as a feed tick, answered with the view's verdict, and
/// relayed to every other node).
/// </summary>
public static class PriceEndpoints
{
    /// <summary>Maps GET on <paramref name="v1"/> and POST on <paramref name="admin"/>.</summary>
    public static void MapPriceEndpoints(this IEndpointRouteBuilder v1, IEndpointRouteBuilder admin, PriceView view,
        ActorSystem system, string selfAddress)
    {
        ArgumentNullException.ThrowIfNull(admin);
        ArgumentNullException.ThrowIfNull(view);
        v1.MapGet("/prices", () => TypedResults.Json(Render(view.Report()), PricesJsonContext.Default.PricesResponse));
        admin.MapPost("/prices", async (HttpRequest request, CancellationToken ct) =>
        {
            var body = await JsonBody.ReadAsync(request, PricesJsonContext.Default.ManualPriceRequest, ct)
                .ConfigureAwait(false);
            if (!body.IsValid)
            {
                return body.Error!;
            }
            var b = body.Value!;
            // Only the form is checked here: the view judges the value (NaN, zero, negative) and counts the drop per
            // source, as it does for a feed tick.
            if (!TryNumber(b.Price, out var price))
            {
                return ApiErrors.BadRequest("price must be a number or a decimal string", "price");
            }
            if (!TryTime(b.Ts, out var tsMs))
            {
                return ApiErrors.BadRequest("ts must be an ISO 8601 time or Unix milliseconds", "ts");
            }
            var result = view.Submit(b.Source, b.Underlying, price, tsMs);
            if (!result.IsAccepted)
            {
                return result.Field == "underlying"
                    ? ApiErrors.NotFound(result.Reason!, result.Field)
                    : ApiErrors.BadRequest(result.Reason!, result.Field);
            }
            ManualPriceRelay.Publish(system, new ManualPrice(b.Source, b.Underlying, price, tsMs, selfAddress));
            var now = Render(view.Report()).Underlyings.First(u => u.Underlying == b.Underlying);
            return TypedResults.Json(new ManualPriceResponse(b.Source, b.Underlying, price, AccountJsonMapping.Time(tsMs), now),
                PricesJsonContext.Default.ManualPriceResponse);
        });
    }

    private static bool TryNumber(JsonElement element, out double value)
    {
        value = double.NaN;
        return element.ValueKind switch
        {
            JsonValueKind.Number => element.TryGetDouble(out value),
            JsonValueKind.String => double.TryParse(element.GetString(),
                NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
                CultureInfo.InvariantCulture, out value),
            _ => false,
        };
    }

    private static bool TryTime(JsonElement ts, out long ms)
    {
        ms = 0;
        if (ts.ValueKind == JsonValueKind.Number)
        {
            return ts.TryGetInt64(out ms) && ms > 0;
        }
        if (ts.ValueKind == JsonValueKind.String &&
            DateTimeOffset.TryParse(ts.GetString(), CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            ms = time.ToUnixTimeMilliseconds();
            return ms > 0;
        }
        return false;
    }

    private static PricesResponse Render(PricesReport r) => new(AccountJsonMapping.Time(r.AsOfMs), r.Version,
        r.Underlyings.Select(u => new UnderlyingJson(u.Underlying, double.IsFinite(u.Index) ? u.Index : null,
            StatusName(u.Status), u.Status is OracleStatus.Stale or OracleStatus.Unpriced,
            u.Status == OracleStatus.WickGuarded, u.ValidSources, u.MinSources, u.StalenessMs,
            u.GuardSinceMs is { } g ? AccountJsonMapping.Time(g) : null, Finite(u.Volatility), u.InitialMultiplier,
            u.MaintenanceMultiplier,
            u.Sources.Select(s => new SourcePriceJson(s.Source, s.LastPrice, AccountJsonMapping.Time(s.LastTickMs),
                s.AgeMs, s.Valid)).ToList())).ToList(),
        r.Sources.Select(s => new SourceStatsJson(s.Source, s.Accepted, s.Dropped, s.NonFinite, s.Zero, s.Negative,
            s.Duplicates, s.OutOfOrder, s.FutureDated, s.Gaps, s.Unrouted, s.LastAgeMs)).ToList());

    private static double Finite(double x) => double.IsFinite(x) ? x : 0;

    private static string StatusName(OracleStatus status) => status switch
    {
        OracleStatus.Fresh => "FRESH",
        OracleStatus.WickGuarded => "WICK_GUARDED",
        OracleStatus.Stale => "STALE",
        _ => "UNPRICED",
    };
}

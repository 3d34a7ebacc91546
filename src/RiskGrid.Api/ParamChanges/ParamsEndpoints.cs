using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using RiskGrid.Api.Http;
using RiskGrid.Margin.Parameters;
using RiskGrid.Node.Accounts;
using RiskGrid.Node.Configuration;
using RiskGrid.Node.ParamChanges;

namespace RiskGrid.Api.ParamChanges;

/// <summary>PUT /v1/admin/params: <c>set</c> maps dotted paths below <c>riskgrid.risk</c> to JSON values.</summary>
public sealed record ParamsChangeRequest(string CommandId, JsonElement Set);

/// <summary>The answer of both routes: the version, the paths the change set (PUT only) and the parameters as JSON in
/// the shape of <c>config/risk-params.conf</c>.</summary>
public sealed record ParamsResponse(
    long Version,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Changed,
    JsonElement Params);

/// <summary>Source-generated JSON of the parameter routes.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(ParamsChangeRequest))]
[JsonSerializable(typeof(ParamsResponse))]
public sealed partial class ParamsJsonContext : JsonSerializerContext;

/// <summary>
/// <c>GET /v1/admin/params</c> (the version and parameters in effect on this node) and <c>PUT /v1/admin/params</c>
/// (a parameter change: journaled by the parameter entity, applied on this node before the answer, and on every other
/// node through the entity's broadcast or, at worst, its next poll). Both admin only. A change that cannot be read,
/// breaks a range, or changes the structure (assets, underlyings, decimals, lots, tier overrides) is 400 naming
/// <c>set.&lt;path&gt;</c> and changes nothing; a repeated <c>commandId</c> gets its first answer; the same id with
/// another <c>set</c> is 409.
/// </summary>
public static class ParamsEndpoints
{
    /// <summary>Maps both routes on the admin group.</summary>
    public static IEndpointRouteBuilder MapParamsEndpoints(this IEndpointRouteBuilder admin, RiskParamsService service)
    {
        ArgumentNullException.ThrowIfNull(service);
        admin.MapGet("/params", () =>
        {
            var now = service.InEffect;
            return TypedResults.Json(new ParamsResponse(now.Version, null, Json(now.Params)),
                ParamsJsonContext.Default.ParamsResponse);
        });
        admin.MapPut("/params", async (HttpRequest request, CancellationToken ct) =>
        {
            var body = await JsonBody.ReadAsync(request, ParamsJsonContext.Default.ParamsChangeRequest, ct)
                .ConfigureAwait(false);
            if (!body.IsValid)
            {
                return body.Error!;
            }
            var b = body.Value!;
            if (!AccountCommandHandler.IsValidId(b.CommandId))
            {
                return ApiErrors.BadRequest("commandId must be 1-64 characters of letters, digits and ._:-",
                    "commandId");
            }
            if (!RiskParamsChange.TryNormalize(b.Set, out var changes, out var problem))
            {
                return ApiErrors.BadRequest(problem!.Message, SetField(problem.Field));
            }
            IParamsReply reply;
            try
            {
                reply = await service.ChangeAsync(b.CommandId, changes, ct).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return ApiErrors.Unavailable(
                    "the parameter journal did not answer in time; retry (with the same commandId)");
            }
            return reply switch
            {
                ParamsChangeAccepted a => TypedResults.Json(
                    new ParamsResponse(a.Version, a.Changed, Json(RiskParamsReader.Parse(a.Document))),
                    ParamsJsonContext.Default.ParamsResponse),
                ParamsChangeRejected { Code: ParamsRejection.Conflict } r => ApiErrors.Conflict(r.Message),
                ParamsChangeRejected r => ApiErrors.BadRequest(r.Message,
                    r.Field == "commandId" ? r.Field : SetField(r.Field)),
                _ => ApiErrors.Result(StatusCodes.Status500InternalServerError,
                    $"unexpected reply {reply.GetType().Name}", null),
            };
        });
        return admin;
    }

    // A key below riskgrid.risk is named as the request names it: set.<path>; the set as a whole is "set".
    private static string SetField(string? key) => string.IsNullOrEmpty(key) ? "set" : "set." + key;

    private static JsonElement Json(RiskParams parameters)
    {
        using var document = JsonDocument.Parse(RiskParamsDocument.ToJson(parameters));
        return document.RootElement.Clone();
    }
}

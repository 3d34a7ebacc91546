using System.Text.Json.Serialization;
using RiskGrid.Api.Health;
using RiskGrid.Api.Operations;

namespace RiskGrid.Api.Http;

/// <summary>
/// Source-generated System.Text.Json metadata for every request and response type of the shell (no reflection
/// serialization). Strict reading: unknown members, missing constructor parameters and nulls in non-nullable
/// members are refused, and numbers must be JSON numbers (strings are not coerced).
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    NumberHandling = JsonNumberHandling.Strict,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(ApiError))]
[JsonSerializable(typeof(HealthResponse))]
[JsonSerializable(typeof(ClusterView))]
public sealed partial class ApiJsonContext : JsonSerializerContext;

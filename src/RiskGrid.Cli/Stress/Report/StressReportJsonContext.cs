using System.Text.Json.Serialization;

namespace RiskGrid.Cli.Stress.Report;

/// <summary>
/// Source-generated System.Text.Json metadata for <see cref="StressReportData"/> (camelCase, no reflection).
/// Reading is strict, as in the venue API: unknown members, missing required members, nulls in non-nullable members
/// and numbers written as strings are refused. NaN and infinities cannot be written.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(StressReportData))]
internal sealed partial class StressReportJsonContext : JsonSerializerContext;

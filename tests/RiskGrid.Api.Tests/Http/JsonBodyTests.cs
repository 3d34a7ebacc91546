using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using RiskGrid.Api.Http;

namespace RiskGrid.Api.Tests.Http;

public sealed record TransferProbe(string CommandId, decimal Amount, IReadOnlyList<LegProbe> Legs,
    string? Note = null);

public sealed record LegProbe(string Asset, long SizeLots);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(TransferProbe))]
public sealed partial class ProbeJsonContext : JsonSerializerContext;

public sealed class JsonBodyTests
{
    [Fact]
    public async Task WellFormedBodyIsReadAndAnOptionalFieldMayBeLeftOut()
    {
        var body = await Read("""{"commandId": "c-1", "amount": 12.5, "legs": [{"asset": "BTC", "sizeLots": 3}]}""");

        Assert.True(body.IsValid);
        Assert.Equal(new LegProbe("BTC", 3), body.Value!.Legs.Single());
        Assert.Equal(12.5m, body.Value.Amount);
        Assert.Null(body.Value.Note);
    }

    [Theory]
    [InlineData("""{"commandId": "c-1", "amount": "12.5", "legs": []}""", "amount", "wrong type or format")]
    [InlineData("""{"commandId": "c-1", "amount": 1, "legs": [{"asset": "BTC", "sizeLots": 1.5}]}""",
        "legs[0].sizeLots", "wrong type or format")]
    [InlineData("""{"commandId": "c-1", "amount": 1, "legs": [], "colour": "red"}""", "colour", "unknown field")]
    [InlineData("""{"amount": 1, "legs": []}""", "commandId", "missing required field")]
    [InlineData("""{"commandId": null, "amount": 1, "legs": []}""", "commandId", "must not be null")]
    [InlineData("""{"commandId": "c-1", "amount": 1, "legs": [""", "legs[0]", "malformed JSON")]
    public async Task BadBodyIsRefusedWith400NamingTheField(string json, string field, string error)
    {
        var body = await Read(json);

        Assert.False(body.IsValid);
        var (status, problem) = await Execute(body.Error!);
        Assert.Equal(StatusCodes.Status400BadRequest, status);
        Assert.Equal(new ApiError(error, field), problem);
    }

    [Fact]
    public async Task EmptyBodyIsRefusedWithoutAField()
    {
        var (status, problem) = await Execute((await Read("")).Error!);

        Assert.Equal(StatusCodes.Status400BadRequest, status);
        Assert.Equal(new ApiError("the body is empty", null), problem);
    }

    [Fact]
    public async Task NonJsonContentTypeIsRefused()
    {
        var (status, problem) = await Execute((await Read("{}", "text/plain")).Error!);

        Assert.Equal(StatusCodes.Status400BadRequest, status);
        Assert.Equal("expected Content-Type application/json", problem.Error);
    }

    [Theory]
    [InlineData("$", null)]
    [InlineData("$.amount", "amount")]
    [InlineData("$.legs[2].asset", "legs[2].asset")]
    [InlineData("$['odd key'].x", "odd key.x")]
    public void JsonPathBecomesTheFieldName(string path, string? field) =>
        Assert.Equal(field, JsonBody.FieldOf(path));

    private static Task<JsonBody<TransferProbe>> Read(string json, string contentType = "application/json")
    {
        var context = new DefaultHttpContext();
        context.Request.ContentType = contentType;
        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(json));
        return JsonBody.ReadAsync(context.Request, ProbeJsonContext.Default.TransferProbe, CancellationToken.None);
    }

    private static async Task<(int Status, ApiError Error)> Execute(IResult result)
    {
        var context = new DefaultHttpContext
        {
            RequestServices = new ServiceCollection().AddSingleton(NullLoggerFactory.Instance)
                .AddLogging().BuildServiceProvider(),
        };
        var body = new MemoryStream();
        context.Response.Body = body;
        await result.ExecuteAsync(context);
        var error = JsonSerializer.Deserialize(body.ToArray(), ApiJsonContext.Default.ApiError)!;
        return (context.Response.StatusCode, error);
    }
}

using System.Net;
using System.Text.Json;
using RiskGrid.Api.Tests.Accounts;

namespace RiskGrid.Api.Tests.Supervision;

/// <summary>GET /v1/liquidations, /v1/margin-calls and /v1/insurance-fund: shape, token, paging parameters.</summary>
[Collection(NodeCollection.Name)]
public sealed class SupervisionEndpointsTests(NodeFixture node)
{
    public static TheoryData<string> Routes => new() { "/v1/liquidations", "/v1/margin-calls", "/v1/insurance-fund" };

    public static TheoryData<string, string, string> BadPages => new()
    {
        { "/v1/liquidations", "since=-1", "since" },
        { "/v1/liquidations", "since=abc", "since" },
        { "/v1/liquidations", "since=1.5", "since" },
        { "/v1/liquidations", "since=1&since=2", "since" },
        { "/v1/liquidations", "limit=0", "limit" },
        { "/v1/liquidations", "limit=10001", "limit" },
        { "/v1/liquidations", "limit=", "limit" },
        { "/v1/liquidations", "after=-5", "after" },
        { "/v1/margin-calls", "since=+1", "since" },
        { "/v1/margin-calls", "limit=99999999999999999999", "limit" },
        { "/v1/margin-calls", "after=x", "after" },
        { "/v1/insurance-fund", "since=1e3", "since" },
        { "/v1/insurance-fund", "limit=-1", "limit" },
        { "/v1/insurance-fund", "after=%201", "after" },
    };

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task RouteWithoutTokenIsRefusedWith401(string route)
    {
        using var anonymous = new AccountApi(node, token: null);

        var answer = await anonymous.Get(route);

        answer.AssertError(HttpStatusCode.Unauthorized, "Authorization");
    }

    [Theory]
    [MemberData(nameof(BadPages))]
    public async Task MalformedPageIsRefusedWith400NamingTheParameter(string route, string query, string field)
    {
        await node.WaitReadyAsync();
        using var api = new AccountApi(node);

        var answer = await api.Get(route + "?" + query);

        answer.AssertError(HttpStatusCode.BadRequest, field);
    }

    [Fact]
    public async Task LiquidationsAnswerAListWithItsCursor()
    {
        await node.WaitReadyAsync();
        using var api = new AccountApi(node);

        var answer = await api.Get("/v1/liquidations?since=0&limit=10000");

        answer.AssertOk();
        Assert.Equal(JsonValueKind.Array, answer.At("liquidations").ValueKind);
        Assert.Equal(JsonValueKind.Number, answer.At("next").ValueKind);
        Assert.False(answer.At("more").GetBoolean());
    }

    [Fact]
    public async Task SinceInTheFutureAnswersNothingAndKeepsTheCursor()
    {
        await node.WaitReadyAsync();
        using var api = new AccountApi(node);
        var future = DateTimeOffset.UtcNow.AddYears(1).ToUnixTimeMilliseconds();

        foreach (var (route, list) in new[]
                 {
                     ("/v1/liquidations", "liquidations"), ("/v1/margin-calls", "marginCalls"),
                     ("/v1/insurance-fund", "history"),
                 })
        {
            var answer = await api.Get($"{route}?since={future}&after=7");

            answer.AssertOk();
            Assert.Equal(0, answer.At(list).GetArrayLength());
            Assert.Equal(7, answer.At("next").GetInt64());
            Assert.False(answer.At("more").GetBoolean());
        }
    }

    [Fact]
    public async Task InsuranceFundAnswersItsTotalsAsDecimalStrings()
    {
        await node.WaitReadyAsync();
        using var api = new AccountApi(node);

        var answer = await api.Get("/v1/insurance-fund");

        answer.AssertOk();
        foreach (var name in new[] { "balance", "opening", "inflows", "payouts", "badDebt" })
        {
            Assert.True(decimal.TryParse(answer.Str(name), System.Globalization.NumberStyles.Number,
                System.Globalization.CultureInfo.InvariantCulture, out _), $"{name}: {answer.Text}");
        }
        Assert.Equal(JsonValueKind.Number, answer.At("pendingPayouts").ValueKind);
        Assert.Equal(JsonValueKind.Number, answer.At("sequenceNr").ValueKind);
        Assert.Equal(JsonValueKind.Array, answer.At("history").ValueKind);
    }
}

using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using RiskGrid.Api.WhatIf;

namespace RiskGrid.Api.Tests.WhatIf;

[Collection(NodeCollection.Name)]
public sealed class WhatIfEndpointsTests(NodeFixture node)
{
    private static readonly Uri WhatIf = new("/v1/margin/what-if", UriKind.Relative);

    public static TheoryData<string> Examples() =>
        [.. Directory.GetFiles(ExamplesDirectory(), "*.expected.json")
            .Select(f => Path.GetFileName(f).Replace(".expected.json", "", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(Examples))]
    public async Task AnswerIsTheSameLineTheCliPrintsForEachShippedExample(string example)
    {
        // config/examples/*.expected.json are the `riskgrid margin` outputs the CLI tests hold equal.
        var document = await File.ReadAllTextAsync(Path.Combine(ExamplesDirectory(), example + ".json"));
        var expected = await File.ReadAllTextAsync(Path.Combine(ExamplesDirectory(), example + ".expected.json"));
        using var client = node.Client(NodeFixture.ApiToken);

        using var response = await client.PostAsync(WhatIf,
            new StringContent(document, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(expected.TrimEnd(), (await response.Content.ReadAsStringAsync()).TrimEnd());
    }

    [Fact]
    public async Task BadDocumentIsRefusedWith400NamingTheField()
    {
        var document = """
            { "asOf": "2026-11-21T00:00:00Z", "prices": {"BTC": 60000}, "vols": {"BTC": 0.55},
              "account": { "mode": "STANDARD", "balances": {"USD": "10000"},
                "positions": [ {"instrument": "BTC-PERP", "size": "one", "entryPrice": "58000"} ] } }
            """;
        using var client = node.Client(NodeFixture.ApiToken);

        using var response = await client.PostAsync(WhatIf,
            new StringContent(document, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await Security.BearerAuthenticationTests.AssertError(response, "account.positions[0].size");
    }

    [Fact]
    public async Task MalformedJsonIsRefusedWith400()
    {
        using var client = node.Client(NodeFixture.ApiToken);

        using var response = await client.PostAsync(WhatIf,
            new StringContent("{\"asOf\": ", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task DocumentOverTheSizeLimitIsRefusedWith413()
    {
        var document = "{\"asOf\": \"" + new string('x', WhatIfEndpoints.MaxDocumentBytes) + "\"}";
        using var client = node.Client(NodeFixture.ApiToken);

        using var response = await client.PostAsync(WhatIf,
            new StringContent(document, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        await Security.BearerAuthenticationTests.AssertError(response, null);
    }

    private static string ExamplesDirectory([CallerFilePath] string source = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(source)!, "..", "..", "..", "config", "examples"));
}

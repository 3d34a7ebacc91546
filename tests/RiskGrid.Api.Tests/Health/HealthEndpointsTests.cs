using System.Net;
using System.Text.Json;

namespace RiskGrid.Api.Tests.Health;

[Collection(NodeCollection.Name)]
public sealed class HealthEndpointsTests(NodeFixture node)
{
    [Fact]
    public async Task AliveAnswers200WithoutAToken()
    {
        using var client = node.Client(null);
        using var response = await client.GetAsync(new Uri("/health/alive", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ReadyAnswers200OnceTheNodeIsUpAndItsJournalAnswers()
    {
        await node.WaitReadyAsync();
        using var client = node.Client(null);
        using var response = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("ready", body.RootElement.GetProperty("status").GetString());
    }
}

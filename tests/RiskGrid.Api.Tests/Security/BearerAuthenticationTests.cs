using System.Net;
using System.Text.Json;

namespace RiskGrid.Api.Tests.Security;

[Collection(NodeCollection.Name)]
public sealed class BearerAuthenticationTests(NodeFixture node)
{
    private static readonly Uri AdminCluster = new("/v1/admin/cluster", UriKind.Relative);
    private static readonly Uri WhatIf = new("/v1/margin/what-if", UriKind.Relative);

    [Fact]
    public async Task RequestWithoutTokenIsRefusedWith401NamingTheHeader()
    {
        using var client = node.Client(null);
        using var response = await client.PostAsync(WhatIf, new StringContent("{}"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        await AssertError(response, "Authorization");
    }

    [Fact]
    public async Task RequestWithUnknownTokenIsRefusedWith401()
    {
        using var client = node.Client(NodeFixture.ApiToken + "x");
        using var response = await client.GetAsync(AdminCluster);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        await AssertError(response, "Authorization");
    }

    [Fact]
    public async Task UnknownRouteUnderV1NeedsATokenBeforeItIsReportedMissing()
    {
        using var anonymous = node.Client(null);
        using var refused = await anonymous.GetAsync(new Uri("/v1/no-such-route", UriKind.Relative));
        using var client = node.Client(NodeFixture.ApiToken);
        using var missing = await client.GetAsync(new Uri("/v1/no-such-route", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        await AssertError(missing, null);
    }

    [Fact]
    public async Task ApiTokenOnAnAdminRouteIsRefusedWith403()
    {
        using var client = node.Client(NodeFixture.ApiToken);
        using var response = await client.GetAsync(AdminCluster);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        await AssertError(response, "Authorization");
    }

    [Fact]
    public async Task AdminTokenReadsTheClusterViewWithThisNodeUp()
    {
        await node.WaitReadyAsync();
        using var client = node.Client(NodeFixture.AdminToken);
        using var response = await client.GetAsync(AdminCluster);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var view = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var self = view.RootElement.GetProperty("self").GetString();
        Assert.Equal(node.Node.SelfAddress.ToString(), self);
        var member = Assert.Single(view.RootElement.GetProperty("members").EnumerateArray());
        Assert.Equal(self, member.GetProperty("address").GetString());
        Assert.Equal("Up", member.GetProperty("status").GetString());
        Assert.True(member.GetProperty("reachable").GetBoolean());
    }

    [Fact]
    public async Task AdminTokenAlsoOpensTheApiRoutes()
    {
        using var client = node.Client(NodeFixture.AdminToken);
        using var response = await client.PostAsync(WhatIf, new StringContent("{}"));

        // Past authentication: the calculator refuses the empty document itself.
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    internal static async Task AssertError(HttpResponseMessage response, string? field)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.False(string.IsNullOrWhiteSpace(error.RootElement.GetProperty("error").GetString()));
        var actual = error.RootElement.GetProperty("field");
        Assert.Equal(field, actual.ValueKind == JsonValueKind.Null ? null : actual.GetString());
    }
}

using System.Globalization;
using System.Net;
using RiskGrid.Api.Tests.Accounts;

namespace RiskGrid.Api.Tests.Prices;

/// <summary>
/// POST /v1/admin/prices and GET /v1/prices. Prices are node-wide: these tests post only the levels the account tests
/// use (BTC 60000, ETH 3000) and never SOL, which the account tests rely on staying unpriced.
/// </summary>
[Collection(NodeCollection.Name)]
public sealed class PriceEndpointsTests(NodeFixture node)
{
    [Fact]
    public async Task ApiTokenCannotPostAPrice()
    {
        using var api = new AccountApi(node);

        var answer = await ManualPrices.Post(api, "manual", "ETH", "3000", ManualPrices.NextTs());

        answer.AssertError(HttpStatusCode.Forbidden, "Authorization");
    }

    [Fact]
    public async Task NoTokenCannotReadPrices()
    {
        using var anonymous = new AccountApi(node, token: null);

        var answer = await anonymous.Get("/v1/prices");

        answer.AssertError(HttpStatusCode.Unauthorized, "Authorization");
    }

    [Fact]
    public async Task AdminPriceIsAcceptedAndShownAsTheSourcesLastPrice()
    {
        using var admin = new AccountApi(node, NodeFixture.AdminToken);
        using var api = new AccountApi(node);
        var ts = ManualPrices.NextTs();

        var answer = await ManualPrices.Post(admin, "manual", "ETH", "3000", ts);

        answer.AssertOk();
        Assert.Equal("manual", answer.Str("source"));
        Assert.Equal("ETH", answer.Str("underlying"));
        Assert.Equal(3000, answer.At("price").GetDouble());
        Assert.Equal("ETH", answer.Str("now.underlying"));
        Assert.Equal("FRESH", answer.Str("now.status"));
        var prices = await api.Get("/v1/prices");
        prices.AssertOk();
        var eth = prices.At("underlyings").EnumerateArray()
            .Single(u => u.GetProperty("underlying").GetString() == "ETH");
        var source = eth.GetProperty("sources").EnumerateArray()
            .Single(s => s.GetProperty("source").GetString() == "manual");
        Assert.Equal(3000, source.GetProperty("price").GetDouble());
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(ts),
            DateTimeOffset.Parse(source.GetProperty("ts").GetString()!, CultureInfo.InvariantCulture));
        Assert.Equal(3000, eth.GetProperty("index").GetDouble());
    }

    [Fact]
    public async Task IsoTimeIsAcceptedAsTs()
    {
        using var admin = new AccountApi(node, NodeFixture.AdminToken);
        var ts = DateTimeOffset.FromUnixTimeMilliseconds(ManualPrices.NextTs());
        var iso = ts.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

        var answer = await admin.Post("/v1/admin/prices",
            $$"""{"source":"manual","underlying":"ETH","price":"3000","ts":"{{iso}}"}""");

        answer.AssertOk();
        Assert.Equal(iso, answer.Str("ts"));
    }

    [Fact]
    public async Task OneBtcSourceIsNotEnoughAndTwoMakeItFresh()
    {
        using var admin = new AccountApi(node, NodeFixture.AdminToken);
        // Let earlier tests' BTC prices go stale (3 s) so that only this test's sources count.
        await Task.Delay(TimeSpan.FromSeconds(3.2));

        var one = await ManualPrices.Post(admin, "manual", "BTC", "60000", ManualPrices.NextTs());
        var two = await ManualPrices.Post(admin, "manual2", "BTC", "60000", ManualPrices.NextTs());

        one.AssertOk();
        Assert.Equal(1, one.At("now.validSources").GetInt32());
        Assert.Equal(2, one.At("now.minSources").GetInt32());
        Assert.NotEqual("FRESH", one.Str("now.status"));
        two.AssertOk();
        Assert.Equal(2, two.At("now.validSources").GetInt32());
        Assert.Equal("FRESH", two.Str("now.status"));
        Assert.Equal(60000, two.At("now.index").GetDouble());
    }

    [Theory]
    [InlineData("\"NaN\"")]
    [InlineData("\"Infinity\"")]
    [InlineData("0")]
    [InlineData("-3000")]
    [InlineData("\"three thousand\"")]
    public async Task PriceThatIsNotPositiveAndFiniteIsRefusedWith400(string price)
    {
        using var admin = new AccountApi(node, NodeFixture.AdminToken);

        var answer = await ManualPrices.Post(admin, "manual", "ETH", price, ManualPrices.NextTs());

        answer.AssertError(HttpStatusCode.BadRequest, "price");
    }

    [Fact]
    public async Task UnknownUnderlyingIsRefusedWith404()
    {
        using var admin = new AccountApi(node, NodeFixture.AdminToken);

        var answer = await ManualPrices.Post(admin, "manual", "DOGE", "0.1", ManualPrices.NextTs());

        answer.AssertError(HttpStatusCode.NotFound, "underlying");
    }

    [Fact]
    public async Task TsNotLaterThanTheSourcesLastAcceptedIsRefusedWith400()
    {
        using var admin = new AccountApi(node, NodeFixture.AdminToken);
        var ts = ManualPrices.NextTs();
        (await ManualPrices.Post(admin, "manual", "ETH", "3000", ts)).AssertOk();

        var older = await ManualPrices.Post(admin, "manual", "ETH", "3000", ts - 1000);
        var same = await ManualPrices.Post(admin, "manual", "ETH", "3000", ts);
        var bad = await admin.Post("/v1/admin/prices",
            """{"source":"manual","underlying":"ETH","price":3000,"ts":"yesterday"}""");

        older.AssertError(HttpStatusCode.BadRequest, "ts");
        same.AssertError(HttpStatusCode.BadRequest, "ts");
        bad.AssertError(HttpStatusCode.BadRequest, "ts");
    }

    [Fact]
    public async Task PricesListEveryUnderlyingWithItsStatusAndMultipliers()
    {
        using var api = new AccountApi(node);

        var answer = await api.Get("/v1/prices");

        answer.AssertOk();
        var underlyings = answer.At("underlyings").EnumerateArray()
            .ToDictionary(u => u.GetProperty("underlying").GetString()!);
        Assert.Equal(["BTC", "ETH", "SOL"], underlyings.Keys.Order(StringComparer.Ordinal));
        foreach (var u in underlyings.Values)
        {
            Assert.Contains(u.GetProperty("status").GetString(),
                new[] { "FRESH", "WICK_GUARDED", "STALE", "UNPRICED" });
            Assert.True(u.GetProperty("initialMultiplier").GetDouble() >= 1);
            Assert.True(u.GetProperty("maintenanceMultiplier").GetDouble() >= 1);
        }
        Assert.Equal(2, underlyings["BTC"].GetProperty("minSources").GetInt32());
        Assert.Equal(1, underlyings["ETH"].GetProperty("minSources").GetInt32());
        Assert.Equal(1, underlyings["SOL"].GetProperty("minSources").GetInt32());
        Assert.Equal("UNPRICED", underlyings["SOL"].GetProperty("status").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, underlyings["SOL"].GetProperty("index").ValueKind);
    }
}

using System.Globalization;
using System.Net;
using RiskGrid.Api.Tests.Accounts;

namespace RiskGrid.Api.Tests.Prices;

/// <summary>
/// Admin prices for tests. Prices are node-wide and go stale 3 s after their <c>ts</c> on the grid clock, so a test
/// posts them right before the request that needs them. BTC needs two valid sources (shipped feed.conf), ETH and SOL
/// one. Every test that prices an underlying posts the same level (BTC 60000, ETH 3000) so that tests running after
/// one another never see a jump (wick guard) or another test's level in the median.
/// </summary>
public static class ManualPrices
{
    public const double Btc = 60000;
    public const double Eth = 3000;

    private static long s_lastTs;

    /// <summary>Now in Unix ms, strictly later than every ts handed out before (a source's ts must increase).</summary>
    public static long NextTs()
    {
        while (true)
        {
            var last = Interlocked.Read(ref s_lastTs);
            var next = Math.Max(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), last + 1);
            if (Interlocked.CompareExchange(ref s_lastTs, next, last) == last)
            {
                return next;
            }
        }
    }

    /// <summary>POST /v1/admin/prices; <paramref name="price"/> is raw JSON (a number or a string).</summary>
    public static Task<Answer> Post(AccountApi admin, string source, string underlying, string price, long ts) =>
        admin.Post("/v1/admin/prices",
            $$"""{"source":"{{source}}","underlying":"{{underlying}}","price":{{price}},"ts":{{ts}}}""");

    /// <summary>Makes BTC fresh at <see cref="Btc"/> with its two manual sources.</summary>
    public static async Task PriceBtcAsync(NodeFixture node)
    {
        using var admin = new AccountApi(node, NodeFixture.AdminToken);
        var price = Btc.ToString(CultureInfo.InvariantCulture);
        (await Post(admin, "manual", "BTC", price, NextTs())).AssertOk();
        var second = await Post(admin, "manual2", "BTC", price, NextTs());
        second.AssertOk();
        Assert.Equal("FRESH", second.Str("now.status"));
    }

    /// <summary>Makes ETH fresh at <see cref="Eth"/> with one manual source.</summary>
    public static async Task PriceEthAsync(NodeFixture node)
    {
        using var admin = new AccountApi(node, NodeFixture.AdminToken);
        var answer = await Post(admin, "manual", "ETH", Eth.ToString(CultureInfo.InvariantCulture), NextTs());
        Assert.True(answer.Status == HttpStatusCode.OK, answer.Text);
        Assert.Equal("FRESH", answer.Str("now.status"));
    }
}

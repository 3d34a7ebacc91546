using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace RiskGrid.Api.Tests.Accounts;

/// <summary>An HTTP answer: the status and the parsed JSON body (or the raw text when it is not JSON).</summary>
public sealed record Answer(HttpStatusCode Status, JsonElement Body, string Text)
{
    /// <summary>The <c>field</c> of an error body (null when absent or JSON null).</summary>
    public string? Field => Body.ValueKind == JsonValueKind.Object && Body.TryGetProperty("field", out var f) &&
                            f.ValueKind == JsonValueKind.String
        ? f.GetString()
        : null;

    /// <summary>The string at a dotted path of the body (<c>event.amount</c>).</summary>
    public string? Str(string path) => At(path).GetString();

    /// <summary>The element at a dotted path of the body.</summary>
    public JsonElement At(string path)
    {
        var e = Body;
        foreach (var name in path.Split('.'))
        {
            e = e.GetProperty(name);
        }
        return e;
    }

    /// <summary>Asserts the status and, for an error, the error shape naming <paramref name="field"/>.</summary>
    public void AssertError(HttpStatusCode status, string? field)
    {
        Assert.True(Status == status, $"expected {(int)status}, got {(int)Status}: {Text}");
        Assert.False(string.IsNullOrWhiteSpace(Body.GetProperty("error").GetString()));
        Assert.Equal(field, Field);
    }

    /// <summary>Asserts 200 (showing the body when it is not).</summary>
    public void AssertOk() => Assert.True(Status == HttpStatusCode.OK, $"expected 200, got {(int)Status}: {Text}");
}

/// <summary>
/// The account routes over real HTTP with the API token: JSON bodies written by hand (as a venue would), answers
/// parsed with <see cref="JsonDocument"/>. Each test opens its own account (<see cref="NewAccountId"/>) so tests
/// share the node but no state.
/// </summary>
public sealed class AccountApi(NodeFixture node, string? token = NodeFixture.ApiToken) : IDisposable
{
    private readonly HttpClient _client = node.Client(token);

    /// <summary>A fresh account id, unique to the calling test.</summary>
    public static string NewAccountId() => "t-" + Guid.NewGuid().ToString("N");

    public Task<Answer> Post(string path, string json) => Send(HttpMethod.Post, path, json);

    public Task<Answer> Put(string path, string json) => Send(HttpMethod.Put, path, json);

    public Task<Answer> Get(string path) => Send(HttpMethod.Get, path, null);

    public Task<Answer> Deposit(string acct, string commandId, string amount, string asset = "USD",
        string sub = "main") =>
        Post($"/v1/accounts/{acct}/deposits",
            $$"""{"commandId":"{{commandId}}","subAccount":"{{sub}}","asset":"{{asset}}","amount":"{{amount}}"}""");

    public Task<Answer> Withdraw(string acct, string commandId, string amount, string asset = "USD",
        string sub = "main") =>
        Post($"/v1/accounts/{acct}/withdrawals",
            $$"""{"commandId":"{{commandId}}","subAccount":"{{sub}}","asset":"{{asset}}","amount":"{{amount}}"}""");

    public Task<Answer> Transfer(string acct, string commandId, string from, string to, string amount,
        string asset = "USD") =>
        Post($"/v1/accounts/{acct}/transfers",
            $$"""
            {"commandId":"{{commandId}}","fromSubAccount":"{{from}}","toSubAccount":"{{to}}","asset":"{{asset}}",
             "amount":"{{amount}}"}
            """);

    public Task<Answer> Fill(string acct, string commandId, string instrument, string side, string size, double price,
        string fee = "0", string sub = "main") =>
        Post($"/v1/accounts/{acct}/fills",
            $$"""
            {"commandId":"{{commandId}}","subAccount":"{{sub}}","instrument":"{{instrument}}","side":"{{side}}",
             "size":"{{size}}","price":{{price.ToString("R", CultureInfo.InvariantCulture)}},"fee":"{{fee}}"}
            """);

    /// <summary>Deposits and fills that must succeed: the set-up of a test.</summary>
    public static async Task<Answer> MustAsync(Task<Answer> request)
    {
        var answer = await request;
        answer.AssertOk();
        return answer;
    }

    /// <summary>The sub-account <paramref name="sub"/> of GET /v1/accounts/{acct}.</summary>
    public static JsonElement SubAccount(Answer account, string sub) =>
        account.Body.GetProperty("subAccounts").EnumerateArray().Single(s => s.GetProperty("name").GetString() == sub);

    /// <summary>The USD balance of <paramref name="sub"/> in GET /v1/accounts/{acct}.</summary>
    public static string? UsdBalance(Answer account, string sub = "main") =>
        SubAccount(account, sub).GetProperty("balances").GetProperty("USD").GetString();

    /// <summary>The ledger entry <paramref name="name"/> of <paramref name="asset"/> as a decimal.</summary>
    public static decimal LedgerAmount(JsonElement subAccount, string name, string asset = "USD") =>
        decimal.Parse(subAccount.GetProperty("ledger").EnumerateArray()
            .Single(l => l.GetProperty("name").GetString() == name && l.GetProperty("asset").GetString() == asset)
            .GetProperty("amount").GetString()!, CultureInfo.InvariantCulture);

    public void Dispose() => _client.Dispose();

    private async Task<Answer> Send(HttpMethod method, string path, string? json)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }
        using var response = await _client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        JsonElement body = default;
        if (response.Content.Headers.ContentType?.MediaType == "application/json" && text.Length > 0)
        {
            using var document = JsonDocument.Parse(text);
            body = document.RootElement.Clone();
        }
        return new Answer(response.StatusCode, body, text);
    }
}

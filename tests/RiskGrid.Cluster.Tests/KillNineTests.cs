using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Npgsql;
using Xunit.Abstractions;

namespace RiskGrid.Cluster.Tests;

/// <summary>
/// Three nodes (separate OS processes) sharing a PostgreSQL journal; thousands of accounts get a deposit and three
/// fills through the API of random nodes; one node is killed with SIGKILL mid-stream. Clients retry with the same
/// commandId until acknowledged (as a venue's matching engine does). Afterwards every acknowledged command is in
/// the state exactly once, every account answers from a survivor, each account's state equals the replay of its
/// journal, and its balances equal its ledger, exactly.
/// </summary>
// One three-node cluster at a time: two would share the machine and PostgreSQL's connection slots.
[Collection("three-node clusters")]
public sealed class KillNineTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Accounts = 2_000;
    private const string ApiToken = ThreeNodeCluster.ApiToken;
    private ThreeNodeCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await ThreeNodeCluster.CreateAsync("riskgrid-cluster-", output);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task AcknowledgedCommandsSurviveAKilledNodeExactlyOnce()
    {
        _cluster.Start();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiToken);
        await _cluster.WaitReadyAsync(http, TimeSpan.FromSeconds(90));

        var live = new ConcurrentDictionary<NodeProcess, bool>(_cluster.Nodes.Select(n => KeyValuePair.Create(n, true)));
        var victim = _cluster.Nodes[2];
        var done = 0;
        var acknowledged = new ConcurrentDictionary<string, string>();
        var deadline = DateTime.UtcNow.AddSeconds(150);
        await Parallel.ForEachAsync(Enumerable.Range(0, Accounts), new ParallelOptions { MaxDegreeOfParallelism = 48 },
            async (i, ct) =>
            {
                var account = $"acct-{i:D5}";
                foreach (var (path, commandId, body) in Commands(account))
                {
                    var answer = await SendUntilAcknowledged(http, live, path, body, deadline, i);
                    acknowledged[$"{account}/{commandId}"] = answer;
                }
                if (Interlocked.Increment(ref done) == Accounts / 3)
                {
                    victim.KillHard();
                    live.TryRemove(victim, out _);
                    output.WriteLine($"killed {victim.Name} after {done} accounts");
                }
            });

        Assert.Equal(Accounts * 4, acknowledged.Count);
        Assert.True(victim.HasExited);
        var survivors = live.Keys.ToArray();
        var failures = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(Enumerable.Range(0, Accounts), new ParallelOptions { MaxDegreeOfParallelism = 16 },
            async (i, _) =>
            {
                var account = $"acct-{i:D5}";
                var node = survivors[i % survivors.Length];
                var problem = await CheckAccount(http, node, account);
                if (problem is not null)
                {
                    failures.Add($"{account} via {node.Name}: {problem}");
                }
            });
        Assert.True(failures.IsEmpty, string.Join('\n', failures.Take(20)) + "\n" + _cluster.Tails());
        _cluster.Passed = true;
    }

    /// <summary>A deposit, a buy, a partial close at a profit, and an ETH buy, with fees.</summary>
    private static IEnumerable<(string Path, string CommandId, string Body)> Commands(string account)
    {
        yield return ($"/v1/accounts/{account}/deposits", "dep-1",
            """{"commandId":"dep-1","subAccount":"main","asset":"USD","amount":"100000"}""");
        yield return ($"/v1/accounts/{account}/fills", "fill-1",
            """{"commandId":"fill-1","subAccount":"main","instrument":"BTC-PERP","side":"BUY","size":"0.1","price":60000,"fee":"1.5"}""");
        yield return ($"/v1/accounts/{account}/fills", "fill-2",
            """{"commandId":"fill-2","subAccount":"main","instrument":"BTC-PERP","side":"SELL","size":"0.05","price":61000,"fee":"0.75"}""");
        yield return ($"/v1/accounts/{account}/fills", "fill-3",
            """{"commandId":"fill-3","subAccount":"main","instrument":"ETH-PERP","side":"BUY","size":"1","price":3000,"fee":"0.3"}""");
    }

    /// <summary>
    /// The state every account must end in, computed by hand: USD = 100,000 + 0.05 × (61,000 − 60,000) realised
    /// − (1.5 + 0.75 + 0.3) fees = 100,047.45; BTC-PERP +0.05 at 60,000; ETH-PERP +1 at 3,000; four events.
    /// </summary>
    private static async Task<string?> CheckAccount(HttpClient http, NodeProcess node, string account)
    {
        using var state = await GetJson(http, new Uri(node.Http, $"/v1/accounts/{account}"));
        if (state is null)
        {
            return "GET account failed";
        }
        var root = state.RootElement;
        if (root.GetProperty("sequenceNr").GetInt64() != 4)
        {
            return $"sequenceNr {root.GetProperty("sequenceNr")}, expected 4 (each command exactly once)";
        }
        var main = root.GetProperty("subAccounts")[0];
        var usd = decimal.Parse(main.GetProperty("balances").GetProperty("USD").GetString()!, CultureInfo.InvariantCulture);
        if (usd != 100_047.45m)
        {
            return $"USD {usd}, expected 100047.45";
        }
        var sizes = main.GetProperty("positions").EnumerateArray()
            .ToDictionary(p => p.GetProperty("instrument").GetString()!, p => p.GetProperty("size").GetString());
        if (sizes.GetValueOrDefault("BTC-PERP") != "0.05" || sizes.GetValueOrDefault("ETH-PERP") != "1")
        {
            return "positions " + string.Join(", ", sizes);
        }
        var ledger = main.GetProperty("ledger").EnumerateArray()
            .Where(l => l.GetProperty("asset").GetString() == "USD")
            .ToDictionary(l => l.GetProperty("name").GetString()!,
                l => decimal.Parse(l.GetProperty("amount").GetString()!, CultureInfo.InvariantCulture));
        var byLedger = ledger["deposits"] - ledger["withdrawals"] + ledger["transfersIn"] - ledger["transfersOut"]
                       - ledger["fees"] - ledger["liquidationFees"] + ledger["realisedPnl"] + ledger["premium"]
                       + ledger["funding"];
        if (byLedger != usd)
        {
            return $"ledger says {byLedger}, balance {usd}";
        }

        using var events = await GetJson(http, new Uri(node.Http, $"/v1/accounts/{account}/events?from=1"));
        if (events is null)
        {
            return "GET events failed";
        }
        var journal = events.RootElement.GetProperty("events").EnumerateArray().ToList();
        var ids = journal.Select(e => e.GetProperty("commandId").GetString()).ToList();
        if (!ids.SequenceEqual(["dep-1", "fill-1", "fill-2", "fill-3"]))
        {
            return "journal " + string.Join(",", ids);
        }
        // Replay the journal independently: deposits + realised + premium − fees must give the balance.
        decimal replayed = 0;
        foreach (var e in journal)
        {
            replayed += e.GetProperty("type").GetString() switch
            {
                "DEPOSITED" => Dec(e, "amount"),
                "FILL_APPLIED" => Dec(e, "realisedPnl") + Dec(e, "premium") - Dec(e, "fee"),
                var other => throw new InvalidOperationException($"unexpected event {other}"),
            };
        }
        return replayed == usd ? null : $"journal replays to {replayed}, state holds {usd}";
    }

    private static decimal Dec(JsonElement e, string name) =>
        decimal.Parse(e.GetProperty(name).GetString()!, CultureInfo.InvariantCulture);

    private static async Task<string> SendUntilAcknowledged(HttpClient http,
        ConcurrentDictionary<NodeProcess, bool> live, string path, string body, DateTime deadline, int seed)
    {
        var attempt = 0;
        string last = "";
        while (DateTime.UtcNow < deadline)
        {
            var nodes = live.Keys.ToArray();
            var node = nodes[(seed + attempt) % nodes.Length];
            attempt++;
            try
            {
                using var content = new StringContent(body, Encoding.UTF8, "application/json");
                using var response = await http.PostAsync(new Uri(node.Http, path), content);
                var text = await response.Content.ReadAsStringAsync();
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return text;
                }
                last = $"{(int)response.StatusCode} {text}";
                if ((int)response.StatusCode is >= 400 and < 500)
                {
                    throw new InvalidOperationException($"{path} refused: {last}");
                }
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }
            catch (TaskCanceledException e)
            {
                last = "timeout: " + e.Message;
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"{path} never acknowledged: {last}");
    }

    private static async Task<JsonDocument?> GetJson(HttpClient http, Uri uri)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            try
            {
                using var response = await http.GetAsync(uri);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            await Task.Delay(500);
        }
        return null;
    }

}

using System.Globalization;
using System.Net;
using System.Text.Json;

namespace RiskGrid.Cluster.Tests;

/// <summary>
/// One account read back from a node and checked against its own journal: the journal is gapless and each command
/// id is in it once; every forced close reduced a position the sub-account held (never opened or flipped one) and
/// the fills and closes add up to the final positions; USD held (cross balance plus isolated margins) equals both
/// the ledger and the replay of the journal; no pool is liquidatable at the node's prices. <see cref="Problem"/>
/// names the first things wrong (null when none).
/// </summary>
internal sealed record AccountAudit(string AccountId, decimal LiquidationFees, decimal Insurance,
    IReadOnlyList<(string CommandId, long SequenceNr)> Reductions, IReadOnlyList<string> InsuranceIds, string? Problem)
{
    public static async Task<AccountAudit> ReadAsync(HttpClient http, NodeProcess node, string accountId)
    {
        using var state = await ClusterJson.TryGetAsync(http, node, $"/v1/accounts/{accountId}");
        if (state is null)
        {
            return new AccountAudit(accountId, 0, 0, [], [], $"GET account via {node.Name} failed");
        }
        var events = new List<JsonElement>();
        long? from = 1;
        while (from is { } f)
        {
            using var page = await ClusterJson.TryGetAsync(http, node,
                $"/v1/accounts/{accountId}/events?from={f}&limit=1000");
            if (page is null)
            {
                return new AccountAudit(accountId, 0, 0, [], [], $"GET events via {node.Name} failed");
            }
            events.AddRange(page.RootElement.GetProperty("events").EnumerateArray().Select(e => e.Clone()));
            from = page.RootElement.TryGetProperty("next", out var next) && next.ValueKind == JsonValueKind.Number
                ? next.GetInt64()
                : null;
        }
        return Check(accountId, state.RootElement, events);
    }

    /// <summary>Why the account is not settled (null when it is): unpriced, or a pool below maintenance.</summary>
    public static string? Unsettled(JsonElement account)
    {
        foreach (var sub in account.GetProperty("subAccounts").EnumerateArray())
        {
            var metrics = sub.GetProperty("metrics");
            if (metrics.TryGetProperty("priced", out var priced) && !priced.GetBoolean())
            {
                return "unpriced";
            }
            if (metrics.GetProperty("liquidatable").GetBoolean())
            {
                return $"{sub.GetProperty("name")} cross pool liquidatable: health {metrics.GetProperty("health")}";
            }
            foreach (var iso in metrics.GetProperty("isolated").EnumerateArray())
            {
                if (iso.GetProperty("liquidatable").GetBoolean())
                {
                    return $"{sub.GetProperty("name")} isolated {iso.GetProperty("instrument")} liquidatable: " +
                           $"equity {iso.GetProperty("equity")}, MM {iso.GetProperty("maintenanceMargin")}";
                }
            }
        }
        return null;
    }

    private static AccountAudit Check(string accountId, JsonElement account, List<JsonElement> events)
    {
        var problems = new List<string>();
        if (Unsettled(account) is { } unsettled)
        {
            problems.Add(unsettled);
        }
        var held = new Dictionary<string, decimal>(StringComparer.Ordinal);
        var positions = new Dictionary<(string Sub, string Instrument), decimal>();
        decimal liquidationFees = 0, insurance = 0;
        foreach (var sub in account.GetProperty("subAccounts").EnumerateArray())
        {
            var name = sub.GetProperty("name").GetString()!;
            var usd = sub.GetProperty("balances").TryGetProperty("USD", out var b)
                ? decimal.Parse(b.GetString()!, CultureInfo.InvariantCulture)
                : 0;
            foreach (var p in sub.GetProperty("positions").EnumerateArray())
            {
                usd += ClusterJson.Dec(p, "isolatedMargin");
                positions[(name, p.GetProperty("instrument").GetString()!)] = ClusterJson.Dec(p, "size");
            }
            var ledger = sub.GetProperty("ledger").EnumerateArray()
                .Where(l => l.GetProperty("asset").GetString() == "USD")
                .ToDictionary(l => l.GetProperty("name").GetString()!, l => ClusterJson.Dec(l, "amount"));
            var byLedger = ledger["deposits"] - ledger["withdrawals"] + ledger["transfersIn"] - ledger["transfersOut"]
                           - ledger["fees"] - ledger["liquidationFees"] + ledger["realisedPnl"] + ledger["premium"]
                           + ledger["funding"] + ledger["insurance"];
            if (byLedger != usd)
            {
                problems.Add($"{name}: USD held {usd} (balance + isolated margin), ledger says {byLedger}");
            }
            held[name] = usd;
            liquidationFees += ledger["liquidationFees"];
            insurance += ledger["insurance"];
        }

        var replay = Replay(events, problems);
        if (account.GetProperty("sequenceNr").GetInt64() != events.Count)
        {
            problems.Add($"sequenceNr {account.GetProperty("sequenceNr")}, journal holds {events.Count} events");
        }
        foreach (var key in replay.Sizes.Keys.Union(positions.Keys))
        {
            var replayed = replay.Sizes.GetValueOrDefault(key);
            if (replayed != positions.GetValueOrDefault(key))
            {
                problems.Add($"{key.Sub}/{key.Instrument}: fills and reductions add up to {replayed}, " +
                             $"position {positions.GetValueOrDefault(key)}");
            }
        }
        foreach (var sub in replay.Usd.Keys.Union(held.Keys))
        {
            if (replay.Usd.GetValueOrDefault(sub) != held.GetValueOrDefault(sub))
            {
                problems.Add($"{sub}: journal replays to {replay.Usd.GetValueOrDefault(sub)} USD, state holds " +
                             $"{held.GetValueOrDefault(sub)}");
            }
        }
        return new AccountAudit(accountId, liquidationFees, insurance, replay.Reductions, replay.InsuranceIds,
            problems.Count == 0 ? null : string.Join("; ", problems.Take(5)));
    }

    private static JournalReplay Replay(List<JsonElement> events, List<string> problems)
    {
        var replay = new JournalReplay();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        long expected = 1;
        foreach (var e in events)
        {
            var seq = e.GetProperty("sequenceNr").GetInt64();
            var id = e.GetProperty("commandId").GetString()!;
            var type = e.GetProperty("type").GetString();
            if (seq != expected)
            {
                problems.Add($"journal at {seq}, expected {expected}");
            }
            expected = seq + 1;
            if (!ids.Add(id))
            {
                problems.Add($"command {id} twice in the journal (again at {seq}, {type})");
            }
            var sub = e.TryGetProperty("subAccount", out var s) ? s.GetString()! : "";
            switch (type)
            {
                case "DEPOSITED" when e.GetProperty("asset").GetString() == "USD":
                    replay.Add(sub, ClusterJson.Dec(e, "amount"));
                    break;
                case "FILL_APPLIED" or "REDUCTION_APPLIED":
                    {
                        var key = (sub, e.GetProperty("instrument").GetString()!);
                        var before = replay.Sizes.GetValueOrDefault(key);
                        var size = ClusterJson.Dec(e, "size");
                        if (type == "REDUCTION_APPLIED")
                        {
                            if (before == 0 || Math.Sign(size) == Math.Sign(before) ||
                                Math.Abs(size) > Math.Abs(before))
                            {
                                problems.Add($"{id} at {seq} ({e.GetProperty("kind")}) reduces {key} by {size} " +
                                             $"with {before} held");
                            }
                            replay.Reductions.Add((id, seq));
                        }
                        replay.Sizes[key] = before + size;
                        if (ClusterJson.Dec(e, "newSize") != before + size)
                        {
                            problems.Add($"{id} at {seq}: newSize {e.GetProperty("newSize")}, replay {before + size}");
                        }
                        replay.Add(sub, ClusterJson.Dec(e, "realisedPnl") + ClusterJson.Dec(e, "premium") -
                                        ClusterJson.Dec(e, "fee"));
                        break;
                    }
                case "INSURANCE_RECEIVED":
                    replay.Add(sub, ClusterJson.Dec(e, "amount"));
                    replay.InsuranceIds.Add(id);
                    break;
                case "ISOLATED_MARGIN_SET" or "MARGIN_CALL_ISSUED":
                    break;
                default:
                    problems.Add($"unexpected event {type} at {seq}");
                    break;
            }
        }
        return replay;
    }

    private sealed class JournalReplay
    {
        public Dictionary<(string Sub, string Instrument), decimal> Sizes { get; } = [];
        public Dictionary<string, decimal> Usd { get; } = new(StringComparer.Ordinal);
        public List<(string CommandId, long SequenceNr)> Reductions { get; } = [];
        public List<string> InsuranceIds { get; } = [];

        public void Add(string sub, decimal amount) => Usd[sub] = Usd.GetValueOrDefault(sub) + amount;
    }
}

/// <summary>Reading the API's JSON in cluster tests.</summary>
internal static class ClusterJson
{
    /// <summary>GETs <paramref name="path"/> of <paramref name="node"/> until it answers 200 (null after 20 tries, 10 s
    /// apart from the requests' own time).</summary>
    public static Task<JsonDocument?> TryGetAsync(HttpClient http, NodeProcess node, string path) =>
        TryGetAsync(http, new Uri(node.Http, path));

    /// <summary>GETs <paramref name="uri"/> until it answers 200 (null after <paramref name="attempts"/>).</summary>
    public static async Task<JsonDocument?> TryGetAsync(HttpClient http, Uri uri, int attempts = 20)
    {
        for (var attempt = 0; attempt < attempts; attempt++)
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

    /// <summary>A decimal-string property.</summary>
    public static decimal Dec(JsonElement e, string name) =>
        decimal.Parse(e.GetProperty(name).GetString()!, CultureInfo.InvariantCulture);
}

using System.Text.Json;

namespace RiskGrid.Cluster.Tests;

/// <summary>Reading and checking what the risk tier journaled: the liquidation steps and the insurance fund.</summary>
internal static class LiquidationJournal
{
    /// <summary>Every step of <c>GET /v1/liquidations</c>, paged with <c>after</c>.</summary>
    public static async Task<List<LiquidationStep>> ReadStepsAsync(HttpClient http, NodeProcess node)
    {
        var steps = new List<LiquidationStep>();
        long after = 0;
        while (true)
        {
            using var page = await ClusterJson.TryGetAsync(http, node, $"/v1/liquidations?after={after}&limit=1000")
                             ?? throw new InvalidOperationException($"GET /v1/liquidations?after={after} failed");
            var root = page.RootElement;
            foreach (var item in root.GetProperty("liquidations").EnumerateArray())
            {
                var id = item.GetProperty("liquidationId").GetString()!;
                var plan = item.TryGetProperty("plan", out var p) ? p.GetString()! : "";
                steps.AddRange(item.GetProperty("steps").EnumerateArray()
                    .Select(s => LiquidationStep.Of(id, plan, s.Clone())));
            }
            after = root.GetProperty("next").GetInt64();
            if (!root.GetProperty("more").GetBoolean())
            {
                return steps;
            }
        }
    }

    /// <summary>Each step once, and the steps are exactly the accounts' REDUCTION_APPLIED events (id and journal
    /// position).</summary>
    public static IEnumerable<string> CheckExactlyOnce(List<LiquidationStep> steps, AccountAudit[] audits)
    {
        foreach (var twice in steps.GroupBy(s => (s.AccountId, s.CommandId)).Where(g => g.Count() > 1))
        {
            yield return $"{twice.Key.AccountId}: step {twice.Key.CommandId} reported {twice.Count()} times: " +
                         string.Join("; ", twice.Select(s => s.Describe()));
        }
        var journaled = audits.SelectMany(a => a.Reductions.Select(r => (a.AccountId, r.CommandId, r.SequenceNr)))
            .ToHashSet();
        var listed = steps.Select(s => (s.AccountId, s.CommandId, s.SequenceNr)).ToHashSet();
        foreach (var missing in journaled.Except(listed).Take(10))
        {
            yield return $"{missing.AccountId}: reduction {missing.CommandId} at {missing.SequenceNr} missing from " +
                         "/v1/liquidations";
        }
        foreach (var extra in listed.Except(journaled).Take(10))
        {
            yield return $"{extra.AccountId}: step {extra.CommandId} at {extra.SequenceNr} of /v1/liquidations " +
                         "not in the account's journal";
        }
    }

    /// <summary>A bankrupt's close at an ADL price must be taken by counterparties: per liquidation and price, the
    /// AUTO_DELEVERAGING sizes sum to minus the bankrupt's. Closes at one of <paramref name="marketClosePrices"/>
    /// (an index level less the slippage) are not at an ADL price. Times are shown from
    /// <paramref name="killedAtMs"/>.</summary>
    public static IEnumerable<string> CheckAdlPairs(List<LiquidationStep> steps, double[] marketClosePrices,
        long killedAtMs)
    {
        bool AtAdlPrice(LiquidationStep s) =>
            s.Kind == "AUTO_DELEVERAGING" || !marketClosePrices.Any(m => Math.Abs(s.Price - m) < 1e-6);
        foreach (var liquidation in steps.GroupBy(s => s.LiquidationId))
        {
            foreach (var atPrice in liquidation.Where(AtAdlPrice).GroupBy(s => s.Price))
            {
                var closed = atPrice.Where(s => s.Kind == "LIQUIDATION").Sum(s => ClusterJson.Dec(s.Json, "size"));
                var taken = atPrice.Where(s => s.Kind != "LIQUIDATION").Sum(s => ClusterJson.Dec(s.Json, "size"));
                if (closed + taken != 0)
                {
                    var all = string.Join(", ", liquidation.Select(s => s.Describe()));
                    var at = (atPrice.First().AtMs - killedAtMs) / 1000.0;
                    yield return $"{liquidation.Key}: at the ADL price {atPrice.Key} the bankrupt closed {closed}, " +
                                 $"counterparties took {taken}, {at:+0.0;-0.0} s from the kill ({all})";
                }
            }
        }
    }

    /// <summary>The fund's whole journal (<c>history</c> of <c>GET /v1/insurance-fund</c>, paged).</summary>
    public static async Task<List<JsonElement>> ReadFundHistoryAsync(HttpClient http, NodeProcess node)
    {
        var history = new List<JsonElement>();
        long after = 0;
        while (true)
        {
            using var page = await ClusterJson.TryGetAsync(http, node, $"/v1/insurance-fund?after={after}&limit=1000")
                             ?? throw new InvalidOperationException("GET /v1/insurance-fund failed");
            var root = page.RootElement;
            history.AddRange(root.GetProperty("history").EnumerateArray().Select(h => h.Clone()));
            after = root.GetProperty("next").GetInt64();
            if (!root.GetProperty("more").GetBoolean())
            {
                return history;
            }
        }
    }
}

/// <summary>One step of <c>GET /v1/liquidations</c> with the id and plan of the liquidation it belongs to.</summary>
internal sealed record LiquidationStep(string LiquidationId, string Plan, string AccountId, string CommandId,
    long SequenceNr, string Kind, double Price, long AtMs, JsonElement Json)
{
    public static LiquidationStep Of(string liquidationId, string plan, JsonElement s) => new(liquidationId, plan,
        s.GetProperty("accountId").GetString()!, s.GetProperty("commandId").GetString()!,
        s.GetProperty("sequenceNr").GetInt64(), s.GetProperty("kind").GetString()!, s.GetProperty("price").GetDouble(),
        s.GetProperty("atMs").GetInt64(), s);

    public string Describe() => $"{AccountId} {CommandId} #{SequenceNr} {Kind} {Json.GetProperty("size")} @ {Price}";
}

/// <summary>Counts the steps journaled in <c>GET /v1/liquidations</c> incrementally (after the last answer's
/// <c>next</c>), one try per call.</summary>
internal sealed class LiquidationCounter(HttpClient http, NodeProcess node)
{
    private long _next;

    public int Steps { get; private set; }

    public async Task<int> StepsAsync()
    {
        using var page = await ClusterJson.TryGetAsync(http,
            new Uri(node.Http, $"/v1/liquidations?after={_next}&limit=10000"), attempts: 1);
        if (page is not null)
        {
            foreach (var item in page.RootElement.GetProperty("liquidations").EnumerateArray())
            {
                Steps += item.GetProperty("steps").GetArrayLength();
            }
            _next = page.RootElement.GetProperty("next").GetInt64();
        }
        return Steps;
    }
}

using System.Text.Json;
using RiskGrid.Margin.Parameters;
using RiskGrid.Node.Configuration;

namespace RiskGrid.Node.Tests.Configuration;

/// <summary>The canonical parameter document reads back to the same parameters, and a change (a <c>set</c> of paths
/// to JSON values) builds the new parameters on it, or is refused naming the path at fault.</summary>
public sealed class RiskParamsChangeTests
{
    private static readonly RiskParams Defaults = RiskParamsReader.LoadDefault();
    private static readonly string Base = RiskParamsDocument.ToHocon(Defaults);

    [Fact]
    public void TheDocumentReadsBackToTheSameParametersAndIsCanonical()
    {
        var back = RiskParamsReader.Parse(Base);

        Assert.Equal(Base, RiskParamsDocument.ToHocon(back));
        Assert.Equal(RiskParamsDocument.ToJson(Defaults), RiskParamsDocument.ToJson(back));
        Assert.Equal(Defaults.Liquidation, back.Liquidation);
        Assert.Equal(Defaults.Underlyings[0].LinearTiers.Tiers.ToArray(), back.Underlyings[0].LinearTiers.Tiers.ToArray());
    }

    [Fact]
    public void AnOverrideAFixedMinSourcesAndExponentsSurviveTheRoundTrip()
    {
        var hocon = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, RiskParamsReader.DefaultFileName))
            .Replace("instruments {\n  }", """
                instruments {
                    "BTC-20261225" { tiers = [ { cap = 500000, imr = 0.04, mmr = 0.02 }, { imr = 0.2, mmr = 0.1 } ] }
                  }
                """, StringComparison.Ordinal)
            .Replace("minSources = auto", "minSources = 1", StringComparison.Ordinal)
            .Replace("journalThreshold = 0.01", "journalThreshold = 0.00001", StringComparison.Ordinal);
        var p = RiskParamsReader.Parse(hocon);
        Assert.Single(p.InstrumentTiers);

        var back = RiskParamsReader.Parse(RiskParamsDocument.ToHocon(p));

        Assert.Equal(RiskParamsDocument.ToHocon(p), RiskParamsDocument.ToHocon(back));
        Assert.Equal(1, back.Prices.MinSources);
        Assert.Equal(0.00001, back.Volatility.JournalThreshold);
        Assert.Equal(p.InstrumentTiers["BTC-20261225"].Tiers.ToArray(), back.InstrumentTiers["BTC-20261225"].Tiers.ToArray());
    }

    [Fact]
    public void TheJsonHasTheKeysOfTheFile()
    {
        using var json = JsonDocument.Parse(RiskParamsDocument.ToJson(Defaults));
        var root = json.RootElement;

        Assert.Equal(["assets", "underlyings", "instruments", "portfolio", "liquidation", "prices", "volatility"],
            root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(1.1, root.GetProperty("liquidation").GetProperty("targetHealth").GetDouble());
        Assert.Equal("0.001", root.GetProperty("underlyings").GetProperty("BTC").GetProperty("linear")
            .GetProperty("lot").GetString());
        var tiers = root.GetProperty("underlyings").GetProperty("BTC").GetProperty("linear").GetProperty("tiers");
        Assert.Equal(1_000_000, tiers[0].GetProperty("cap").GetDouble());
        Assert.False(tiers[3].TryGetProperty("cap", out _)); // the open-ended last tier has none
        Assert.Equal("auto", root.GetProperty("prices").GetProperty("minSources").GetString());
        Assert.False(root.GetProperty("assets").GetProperty("USD").TryGetProperty("priceIndex", out _));
    }

    [Fact]
    public void ASetOfScalarsListsAndObjectsBuildsTheNewParameters()
    {
        var changes = Normalize("""
            {"liquidation.targetHealth": 1.15, "underlyings.BTC.scanRange": 0.18,
             "underlyings.BTC.linear.tiers": [{"cap":1000000,"imr":0.03,"mmr":0.015},{"imr":0.2,"mmr":0.1}],
             "volatility": {"mmRampSeconds": 1200}, "prices.minSources": 1, "portfolio.creditPairs":
             [{"first":"BTC","second":"ETH","rate":0.4},{"first":"BTC","second":"SOL","rate":0.3},
              {"first":"ETH","second":"SOL","rate":0.3}]}
            """);

        Assert.True(RiskParamsChange.TryApply(Base, changes, out var next, out var document, out var problem),
            problem?.Message);

        Assert.Equal(1.15, next!.Liquidation.TargetHealth);
        Assert.Equal(0.18, next.Underlyings[0].ScanRange);
        Assert.Equal(2, next.Underlyings[0].LinearTiers.Tiers.Length);
        // Continuity at the cap: cumMM_2 = 1,000,000 × (0.1 − 0.015) = 85,000.
        Assert.Equal(85_000, next.Underlyings[0].LinearTiers.Tiers[1].CumulativeMm, 6);
        Assert.Equal(1200, next.Volatility.MmRampSeconds);
        Assert.Equal(Defaults.Volatility.EwmaHalfLifeSeconds, next.Volatility.EwmaHalfLifeSeconds); // merged, kept
        Assert.Equal(1, next.Prices.MinSources);
        Assert.Equal(0.4, next.Portfolio.CreditPairs[0].Rate);
        Assert.Equal(Defaults.Underlyings[1] with { LinearTiers = next.Underlyings[1].LinearTiers }, next.Underlyings[1]);
        Assert.Equal(Defaults.Underlyings[1].LinearTiers.Tiers.ToArray(), next.Underlyings[1].LinearTiers.Tiers.ToArray());
        Assert.Equal(document, RiskParamsDocument.ToHocon(next));
        Assert.Equal(["liquidation.targetHealth", "underlyings.BTC.scanRange", "underlyings.BTC.linear.tiers",
            "volatility", "prices.minSources", "portfolio.creditPairs"], RiskParamsChange.Paths(changes));
    }

    [Theory]
    [InlineData("""{"underlyings.BTC.scanRange": -0.1}""", "underlyings.BTC.scanRange", "must be in (0, 1]")]
    [InlineData("""{"liquidation.targetHelth": 1.2}""", "liquidation.targetHelth", "unknown key")]
    [InlineData("""{"liquidation.cooldownMs": "soon"}""", "liquidation.cooldownMs", "not a number")]
    [InlineData("""{"liquidation.targetHealth": null}""", "liquidation.targetHealth", "missing")]
    [InlineData("""{"liquidation.targetHealth.value": 2}""", "liquidation.targetHealth.value", "expected a single value")]
    [InlineData("""{"underlyings.ETH.linear.tiers": [{"cap":1000000,"imr":0.03,"mmr":0.04},{"imr":0.2,"mmr":0.1}]}""",
        "underlyings.ETH.linear.tiers[0].mmr", "must not exceed imr")]
    [InlineData("""{"assets.BTC.maintenanceWeight": 0.8}""", "assets.BTC.initialWeight", "must not exceed")]
    [InlineData("""{"assets.BTC.decimals": 6}""", "assets.BTC.decimals", "balances are stored")]
    [InlineData("""{"assets.BTC.priceIndex": "ETH"}""", "assets.BTC.priceIndex", "cannot change at run time")]
    [InlineData("""{"underlyings.SOL.linear.lot": "0.01"}""", "underlyings.SOL.linear.lot", "positions are stored in lots")]
    [InlineData("""{"underlyings.BTC.options.lot": "1"}""", "underlyings.BTC.options.lot", "positions are stored in lots")]
    [InlineData("""{"assets.XRP": {"initialWeight":0.5,"maintenanceWeight":0.6,"imf":0,"priceIndex":"BTC","decimals":8}}""",
        "assets.XRP", "set and order of assets")]
    [InlineData("""{"underlyings.DOGE": {}}""", "underlyings.DOGE.linear", "missing")]
    [InlineData("""{"instruments.BTC-PERP": {"tiers": [{"imr":0.2,"mmr":0.1}]}}""", "instruments.BTC-PERP",
        "set of per-instrument tier overrides")]
    public void ABadChangeIsRefusedNamingItsKey(string set, string field, string message)
    {
        Assert.False(RiskParamsChange.TryApply(Base, Normalize(set), out var next, out var document, out var problem));

        Assert.Null(next);
        Assert.Null(document);
        Assert.Equal(field, problem!.Field);
        Assert.Contains(message, problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{}""", null, "empty")]
    [InlineData("""[1]""", null, "must be an object")]
    [InlineData("""{"underlyings.BTC.linear.tiers[0].imr": 0.3}""", "underlyings.BTC.linear.tiers[0].imr",
        "one element of a list")]
    [InlineData("""{"liquidation..targetHealth": 1.2}""", "liquidation..targetHealth", "single dots")]
    [InlineData("""{"liquidation.target health": 1.2}""", "liquidation.target health", "letters, digits")]
    [InlineData("""{"liquidation.targetHealth": 1.2, "liquidation.targetHealth": 1.3}""", "liquidation.targetHealth",
        "set twice")]
    public void ABadSetIsRefusedBeforeAnythingIsRead(string set, string? field, string message)
    {
        using var json = JsonDocument.Parse(set);

        Assert.False(RiskParamsChange.TryNormalize(json.RootElement, out _, out var problem));

        Assert.Equal(field, problem!.Field);
        Assert.Contains(message, problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheNormalizedFormAndFingerprintIgnoreLayoutButNotValues()
    {
        var a = Normalize("""{ "liquidation.targetHealth" : 1.15 ,"prices.staleMs":4000 }""");
        var b = Normalize("""{"liquidation.targetHealth":1.15,"prices.staleMs":4000}""");
        var c = Normalize("""{"liquidation.targetHealth":1.16,"prices.staleMs":4000}""");

        Assert.Equal(a, b);
        Assert.Equal(RiskParamsChange.Fingerprint(a), RiskParamsChange.Fingerprint(b));
        Assert.NotEqual(RiskParamsChange.Fingerprint(a), RiskParamsChange.Fingerprint(c));
    }

    private static string Normalize(string set)
    {
        using var json = JsonDocument.Parse(set);
        Assert.True(RiskParamsChange.TryNormalize(json.RootElement, out var changes, out var problem), problem?.Message);
        return changes;
    }
}

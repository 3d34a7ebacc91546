using System.Text.Json;

namespace RiskGrid.Cli.Tests.Interchange;

/// <summary>
/// Every document in <c>config/examples</c> is recomputed through the CLI and compared byte for byte with its
/// <c>NAME.expected.json</c>. After a deliberate change of the methodology, regenerate the files with
/// <c>RISKGRID_UPDATE_EXPECTED=1 dotnet test tests/RiskGrid.Cli.Tests --filter ExampleDocumentsTests</c> (or
/// <c>bin/riskgrid margin config/examples/NAME.json &gt; config/examples/NAME.expected.json</c>) and review the diff.
/// </summary>
public sealed class ExampleDocumentsTests
{
    private static readonly bool Update = Environment.GetEnvironmentVariable("RISKGRID_UPDATE_EXPECTED") == "1";

    public static TheoryData<string> Examples() => new(ExampleNames());

    private static string[] ExampleNames() =>
        Directory.GetFiles(CliRun.Examples, "*.json")
            .Where(f => !f.EndsWith(".expected.json", StringComparison.Ordinal))
            .Select(Path.GetFileNameWithoutExtension)
            .Order(StringComparer.Ordinal)
            .ToArray()!;

    [Theory]
    [MemberData(nameof(Examples))]
    public void ExampleMatchesItsExpectedOutput(string name)
    {
        var run = CliRun.Invoke("", "margin", Path.Combine(CliRun.Examples, name + ".json"));
        Assert.Equal("", run.Error);
        Assert.Equal(0, run.ExitCode);
        var expectedPath = Path.Combine(CliRun.Examples, name + ".expected.json");
        if (Update)
        {
            File.WriteAllText(expectedPath, run.Output);
        }
        Assert.True(File.Exists(expectedPath), $"{expectedPath} is missing");
        Assert.Equal(File.ReadAllText(expectedPath), run.Output);
    }

    [Fact]
    public void EveryExpectedFileHasItsExample()
    {
        foreach (var file in Directory.GetFiles(CliRun.Examples, "*.expected.json"))
        {
            Assert.True(File.Exists(file.Replace(".expected.json", ".json", StringComparison.Ordinal)), file);
        }
    }

    [Fact]
    public void TheExamplesIncludeThoseTheDocsName()
    {
        Assert.Superset(new HashSet<string>(["spec-example", "delta-hedged-perp-book", "covered-call", "short-strangle",
            "btc-eth-pair-trade", "multi-collateral-sol", "isolated-position", "over-levered"]),
            ExampleNames().ToHashSet());
    }

    [Fact]
    public void MultiCollateralSolSizeFactorByHand()
    {
        var r = Expected("multi-collateral-sol");
        // SOL 250,000 at 150 = 37,500,000. Size factor 1.1 / (1 + 0.001 × √250,000) = 1.1 / 1.5 = 0.7333…, below
        // both w1_IM = 0.75 and w1_MM = 0.80, so it bites on both sides: SOL counts 37,500,000 × 1.1 / 1.5 =
        // 27,500,000.
        // CV_IM = 5,000 USD + 27,500,000 + 1 BTC × 60,000 × 0.90 = 27,559,000.
        // CV_MM = 5,000 + 27,500,000 + 60,000 × 0.95 = 27,562,000; raw = 5,000 + 37,500,000 + 60,000 = 37,565,000.
        Assert.Equal(27_559_000m, r.GetProperty("collateralIM").GetDecimal());
        Assert.Equal(27_562_000m, r.GetProperty("collateralMM").GetDecimal());
        // uPnL = −100,000 × (150 − 155) + 2 × (60,000 − 61,000) = 500,000 − 2,000 = 498,000.
        Assert.Equal(498_000m, r.GetProperty("unrealizedPnl").GetDecimal());
        Assert.Equal(28_057_000m, r.GetProperty("equityIM").GetDecimal());
        Assert.Equal(28_060_000m, r.GetProperty("equityMM").GetDecimal());
        Assert.Equal(38_063_000m, r.GetProperty("equityRaw").GetDecimal());
        // MM: SOL-PERP notional 15,000,000 is in the third tier: cumM_2 = 500,000 × (0.05 − 0.025) = 12,500,
        // cumM_3 = 12,500 + 5,000,000 × (0.125 − 0.05) = 387,500; 15,000,000 × 0.125 − 387,500 = 1,487,500.
        // BTC-PERP 120,000 × 0.01 = 1,200. Total 1,488,700.
        Assert.Equal(1_488_700m, r.GetProperty("maintenanceMargin").GetDecimal());
    }

    [Fact]
    public void DeltaHedgedPerpBookTierMaintenanceByHand()
    {
        var r = Expected("delta-hedged-perp-book");
        // BTC-PERP −25 at 60,000: notional 1,500,000 is in the second tier (1M < N ≤ 10M):
        // cumM_2 = 1,000,000 × (0.02 − 0.01) = 10,000; MM = 1,500,000 × 0.02 − 10,000 = 20,000.
        // cumI_2 = 1,000,000 × (0.04 − 0.02) = 20,000; IM = 1,500,000 × 0.04 − 20,000 = 40,000.
        // ETH-PERP 50 at 3,000: 150,000 × 0.0125 = 1,875 MM, × 0.025 = 3,750 IM.
        Assert.Equal(21_875m, r.GetProperty("maintenanceMargin").GetDecimal());
        Assert.Equal(43_750m, r.GetProperty("initialMargin").GetDecimal());
        // Collateral: 50,000 + 25 × 60,000 × 0.95 = 1,475,000 (MM); uPnL 25 × 1,000 + 50 × 50 = 27,500.
        Assert.Equal(1_475_000m, r.GetProperty("collateralMM").GetDecimal());
        Assert.Equal(1_502_500m, r.GetProperty("equityMM").GetDecimal());
    }

    [Fact]
    public void IsolatedPositionEquityByHand()
    {
        var r = Expected("isolated-position");
        var isolated = Assert.Single(r.GetProperty("isolated").EnumerateArray());
        // ETH-PERP −20 from 2,900, mark 3,000, isolated margin 3,000: 3,000 + (−20) × (3,000 − 2,900) = 1,000.
        // MM = 60,000 × 0.0125 = 750 < 1,000: not liquidatable; IM = 60,000 × 0.025 = 1,500.
        Assert.Equal("ETH-PERP", isolated.GetProperty("instrument").GetString());
        Assert.Equal(1_000m, isolated.GetProperty("equity").GetDecimal());
        Assert.Equal(750m, isolated.GetProperty("maintenanceMargin").GetDecimal());
        Assert.Equal(1_500m, isolated.GetProperty("initialMargin").GetDecimal());
        Assert.False(isolated.GetProperty("liquidatable").GetBoolean());
        // The pool holds the cross positions only: 0.5 × 1,000 + 100 × 10 = 1,500 uPnL on 15,000 USD.
        Assert.Equal(1_500m, r.GetProperty("unrealizedPnl").GetDecimal());
        Assert.Equal(16_500m, r.GetProperty("equityMM").GetDecimal());
        Assert.Equal(["BTC", "SOL"], r.GetProperty("liquidationPrice").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void OverLeveredShowsItsPlan()
    {
        var r = Expected("over-levered");
        Assert.True(r.GetProperty("liquidatable").GetBoolean());
        Assert.NotEmpty(r.GetProperty("liquidationPlan").EnumerateArray());
    }

    [Fact]
    public void ExamplesCommandPrintsATableOfEveryExample()
    {
        var run = CliRun.Invoke("", "examples", "--dir", CliRun.Examples);
        Assert.Equal(0, run.ExitCode);
        foreach (var name in ExampleNames())
        {
            Assert.Contains(name, run.Output, StringComparison.Ordinal);
        }
        Assert.Contains("partial", run.Output, StringComparison.Ordinal);
    }

    private static JsonElement Expected(string name)
    {
        var text = File.ReadAllText(Path.Combine(CliRun.Examples, name + ".expected.json"));
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }
}

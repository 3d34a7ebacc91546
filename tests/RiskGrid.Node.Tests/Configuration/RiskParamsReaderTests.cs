using System.Runtime.CompilerServices;
using Akka.Configuration;
using RiskGrid.Margin.Parameters;
using RiskGrid.Node.Configuration;

namespace RiskGrid.Node.Tests.Configuration;

/// <summary>The shipped <c>config/risk-params.conf</c> states MARGIN.md §12 exactly, and bad files are refused
/// naming the key.</summary>
public sealed class RiskParamsReaderTests
{
    private static readonly string ShippedPath = Path.Combine(RepositoryRoot(), "config", "risk-params.conf");
    private static readonly string Shipped = File.ReadAllText(ShippedPath);

    [Fact]
    public void TheShippedFileEqualsTheDefaultsFieldByField()
    {
        AssertSameParams(DefaultRiskParams.Create(), RiskParamsReader.LoadFile(ShippedPath));
    }

    [Fact]
    public void TheDefaultFileIsCopiedNextToTheAssemblyAndEmbeddedUnchanged()
    {
        var loose = Path.Combine(AppContext.BaseDirectory, RiskParamsReader.DefaultFileName);

        Assert.Equal(Shipped, File.ReadAllText(loose));
        Assert.Equal(Shipped, RiskParamsReader.ReadEmbeddedDefault());
        AssertSameParams(DefaultRiskParams.Create(), RiskParamsReader.LoadDefault());
    }

    [Fact]
    public void LoadReadsRiskGridRiskFromAConfigWithFallbacks()
    {
        var config = ConfigurationFactory.ParseString("riskgrid.risk.liquidation.cooldownMs = 7000")
            .WithFallback(ConfigurationFactory.ParseString(Shipped));

        var p = RiskParamsReader.Load(config);

        Assert.Equal(7000, p.Liquidation.CooldownMs);
        Assert.Equal(DefaultRiskParams.Create().Liquidation with { CooldownMs = 7000 }, p.Liquidation);
    }

    [Theory]
    [InlineData("scanRange = 0.15", "scanRange = -0.1", "underlyings.BTC.scanRange = -0.1: must be in (0, 1]")]
    [InlineData("{ cap = 10000000, imr = 0.05, mmr = 0.025 }", "{ cap = 10000000, mmr = 0.025 }",
        "underlyings.ETH.linear.tiers[1].imr: missing")]
    [InlineData("priceIndex = SOL", "priceIndex = XRP", "assets.SOL.priceIndex = XRP: no such underlying")]
    [InlineData("cooldownMs = 5000", "cooldownMs = abc", "liquidation.cooldownMs = abc: not a number")]
    [InlineData("cooldownMs = 5000", "cooldownMs = 5000.5", "liquidation.cooldownMs = 5000.5: not a whole number")]
    [InlineData("scanRange = 0.20", "scanRange = 20%", "underlyings.ETH.scanRange = 20%: not a number")]
    [InlineData("{ cap = 10000000, imr = 0.04, mmr = 0.02 }", "{ cap = 500000, imr = 0.04, mmr = 0.02 }",
        "underlyings.BTC.linear.tiers[1].cap = 500000: caps must ascend")]
    [InlineData("{ cap = 10000000, imr = 0.04, mmr = 0.02 }", "{ imr = 0.04, mmr = 0.02 }",
        "underlyings.BTC.linear.tiers[1].cap: missing")]
    [InlineData("{ imr = 0.125, mmr = 0.0625 }", "{ cap = 90000000, imr = 0.125, mmr = 0.0625 }",
        "underlyings.ETH.linear.tiers[2].cap = 90000000: the last tier is open-ended; leave its cap out")]
    [InlineData("lot = \"0.01\"", "lot = \"one cent\"", "underlyings.ETH.linear.lot = one cent: not a decimal number")]
    [InlineData("refVol = 1.00", "refVol = { value = 1 }", "underlyings.SOL.refVol = {…}: expected a single value")]
    [InlineData("mmRampSeconds = 900", "mmRampSecs = 900", "volatility.mmRampSeconds: missing")]
    [InlineData("mmRampSeconds = 900", "mmRampSecs = 900",
        "volatility.mmRampSecs: unknown key (expected one of ewmaHalfLifeSeconds, mmRampSeconds, journalThreshold)")]
    [InlineData("{ first = BTC, second = SOL, rate = 0.30 }", "{ first = BTC, second = BTC, rate = 0.30 }",
        "portfolio.creditPairs[1]: a pair needs two different underlyings")]
    [InlineData("minSources = auto", "minSources = 0", "prices.minSources = 0: must be ≥ 1")]
    [InlineData("minSources = auto", "minSources = two", "prices.minSources = two: not a number")]
    public void ABadFileIsRefusedNamingTheKey(string from, string to, string expected)
    {
        var e = Assert.Throws<RiskParamsException>(() => RiskParamsReader.Parse(Mutate(from, to)));

        Assert.Contains(expected, e.Errors);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryProblemOfAKindIsReportedAtOnce()
    {
        // the reader's own problems (missing keys, types) first, all of them; range checks once the file reads
        var unreadable = Mutate("cooldownMs = 5000", "cooldownMs = abc")
            .Replace("{ cap = 10000000, imr = 0.05, mmr = 0.025 }", "{ cap = 10000000, mmr = 0.025 }",
                StringComparison.Ordinal);
        var outOfRange = Mutate("scanRange = 0.15", "scanRange = -0.1")
            .Replace("priceIndex = SOL", "priceIndex = XRP", StringComparison.Ordinal);

        var e1 = Assert.Throws<RiskParamsException>(() => RiskParamsReader.Parse(unreadable));
        var e2 = Assert.Throws<RiskParamsException>(() => RiskParamsReader.Parse(outOfRange));

        Assert.Equal(new[] { "underlyings.ETH.linear.tiers[1].imr: missing", "liquidation.cooldownMs = abc: not a number" },
            e1.Errors);
        Assert.Equal(new[] { "assets.SOL.priceIndex = XRP: no such underlying",
            "underlyings.BTC.scanRange = -0.1: must be in (0, 1]" }, e2.Errors);
    }

    [Fact]
    public void AMissingBlockOrRootIsNamed()
    {
        var noVolatility = Shipped[..Shipped.IndexOf("  volatility {", StringComparison.Ordinal)] + "}\n";

        Assert.Contains("volatility: missing",
            Assert.Throws<RiskParamsException>(() => RiskParamsReader.Parse(noVolatility)).Errors);
        Assert.Contains("riskgrid.risk: missing",
            Assert.Throws<RiskParamsException>(() => RiskParamsReader.Parse("riskgrid.other { a = 1 }")).Errors);
    }

    [Theory]
    [InlineData("minSources = auto", "minSources = [1, 2]", "prices.minSources = […]: expected a single value")]
    [InlineData("  instruments {\n  }", "  instruments {\n    \"BTC-PERP\" { tiers = 5 }\n  }",
        "instruments.BTC-PERP.tiers = 5: expected a list")]
    [InlineData("  instruments {\n  }", "  instruments {\n    \"BTC-PERP\" { tiers = [ 5 ] }\n  }",
        "instruments.BTC-PERP.tiers[0] = 5: expected an object")]
    [InlineData("SOL { initialWeight = 0.75, maintenanceWeight = 0.80, imf = 0.001, priceIndex = SOL, decimals = 8 }",
        "SOL = 0.75", "assets.SOL = 0.75: expected an object")]
    public void WrongShapesAreNamed(string from, string to, string expected)
    {
        var e = Assert.Throws<RiskParamsException>(() => RiskParamsReader.Parse(Mutate(from, to)));

        Assert.Contains(expected, e.Errors);
    }

    [Fact]
    public void MinSourcesIsAutoWhenAbsentOrAutoAndFixedWhenANumber()
    {
        Assert.Null(RiskParamsReader.Parse(Shipped).Prices.MinSources);
        Assert.Null(RiskParamsReader.Parse(Mutate("    minSources = auto\n", "")).Prices.MinSources);
        var fixedAt3 = RiskParamsReader.Parse(Mutate("minSources = auto", "minSources = 3")).Prices;
        Assert.Equal(3, fixedAt3.MinSources);
        Assert.Equal(3, fixedAt3.MinSourcesFor(5));
    }

    [Fact]
    public void LotSizesAreExactDecimals()
    {
        var p = RiskParamsReader.Parse(Mutate("lot = \"0.001\"", "lot = 0.0010"));

        Assert.Equal(0.001m, p.Underlyings[0].LinearLot);
        Assert.Equal(0.1m, p.Underlyings[0].OptionLot);
        Assert.Equal(10m, p.Underlyings[2].OptionLot);
    }

    [Fact]
    public void InstrumentTiersOverrideTheUnderlyingsTiers()
    {
        var p = RiskParamsReader.Parse(Mutate("  instruments {\n  }", """
              instruments {
                "BTC-20261225" { tiers = [ { cap = 500000, imr = 0.04, mmr = 0.02 }, { imr = 0.20, mmr = 0.10 } ] }
                "ETH-PERP" { tiers = [ { imr = 0.05, mmr = 0.025 } ] }
              }
            """));

        // cum_2 = cap_1 × (rate_2 − rate_1): IM 500 000 × (0.20 − 0.04) = 80 000, MM 500 000 × (0.10 − 0.02) = 40 000
        var btc = p.InstrumentTiers["BTC-20261225"].Tiers.ToArray();
        Assert.Equal(new[] { new MarginTier(500_000, 0.04, 0.02, 0, 0),
            new MarginTier(double.PositiveInfinity, 0.20, 0.10, 80_000, 40_000) }, btc);
        Assert.Equal(new[] { new MarginTier(double.PositiveInfinity, 0.05, 0.025, 0, 0) },
            p.InstrumentTiers["ETH-PERP"].Tiers.ToArray());
        Assert.Equal(2, p.InstrumentTiers.Count);
    }

    [Theory]
    [InlineData("\"XRP-PERP\" { tiers = [ { imr = 0.05, mmr = 0.025 } ] }", "instruments.XRP-PERP: no such underlying XRP")]
    [InlineData("\"BTC-20261225-60000-C\" { tiers = [ { imr = 0.05, mmr = 0.025 } ] }",
        "instruments.BTC-20261225-60000-C: tiers apply to linear instruments only (BTC-PERP or BTC-YYYYMMDD)")]
    [InlineData("\"BTC-PERP\" { tiers = [ { cap = 1000, mmr = 0.01 }, { imr = 0.2, mmr = 0.1 } ] }",
        "instruments.BTC-PERP.tiers[0].imr: missing")]
    [InlineData("\"BTC-PERP\" { tiers = [ { cap = 1000, imr = 0.01, mmr = 0.02 }, { imr = 0.2, mmr = 0.1 } ] }",
        "instruments.BTC-PERP.tiers[0].mmr = 0.02: must not exceed imr (0.01)")]
    [InlineData("\"BTC-PERP\" { tiers = [] }", "instruments.BTC-PERP.tiers: at least one tier is needed")]
    [InlineData("\"BTC-PERP\" { lot = \"0.01\" }", "instruments.BTC-PERP.lot: unknown key (expected one of tiers)")]
    public void ABadInstrumentOverrideIsRefusedNamingTheKey(string entry, string expected)
    {
        var text = Mutate("  instruments {\n  }", $"  instruments {{\n    {entry}\n  }}");

        var e = Assert.Throws<RiskParamsException>(() => RiskParamsReader.Parse(text));

        Assert.Contains(expected, e.Errors);
    }

    [Fact]
    public void ASyntaxErrorIsARiskParamsException()
    {
        Assert.Throws<RiskParamsException>(() => RiskParamsReader.Parse("riskgrid.risk { assets { USD { a = 1 }, } }"));
    }

    private static string Mutate(string from, string to)
    {
        var at = Shipped.IndexOf(from, StringComparison.Ordinal);
        Assert.True(at >= 0, $"'{from}' is not in the shipped file");
        Assert.True(Shipped.IndexOf(from, at + 1, StringComparison.Ordinal) < 0, $"'{from}' is not unique");
        return Shipped[..at] + to + Shipped[(at + from.Length)..];
    }

    private static void AssertSameParams(RiskParams expected, RiskParams actual)
    {
        Assert.Equal(expected.Assets.Count, actual.Assets.Count);
        for (var i = 0; i < expected.Assets.Count; i++)
        {
            Assert.Equal(expected.Assets[i], actual.Assets[i]); // name, weights, imf, priceIndex, decimals
        }
        Assert.Equal(expected.Underlyings.Count, actual.Underlyings.Count);
        for (var i = 0; i < expected.Underlyings.Count; i++)
        {
            var (e, a) = (expected.Underlyings[i], actual.Underlyings[i]);
            // the tier table is a class: compare its rows (caps, rates and cumulative amounts), then the rest
            Assert.Equal(e.LinearTiers.Tiers.ToArray(), a.LinearTiers.Tiers.ToArray());
            Assert.Equal(e, a with { LinearTiers = e.LinearTiers });
            Assert.Equal(e.LinearLot.ToString(System.Globalization.CultureInfo.InvariantCulture),
                a.LinearLot.ToString(System.Globalization.CultureInfo.InvariantCulture)); // same scale, too
        }
        Assert.Equal(expected.Portfolio.ImMultiplier, actual.Portfolio.ImMultiplier);
        Assert.Equal(expected.Portfolio.CreditPairs, actual.Portfolio.CreditPairs);
        Assert.Equal(expected.Liquidation, actual.Liquidation);
        Assert.Equal(expected.Prices, actual.Prices);
        Assert.Equal(expected.Volatility, actual.Volatility);
        Assert.Empty(actual.InstrumentTiers);
        Assert.Equal(expected.InstrumentTiers.Count, actual.InstrumentTiers.Count);
    }

    /// <summary>The directory holding RiskGrid.sln: walked up to from the test binaries, else from this source file
    /// (builds with <c>--artifacts-path</c> put the binaries outside the repository).</summary>
    private static string RepositoryRoot([CallerFilePath] string sourceFile = "")
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(sourceFile) ?? "" })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "RiskGrid.sln")))
                {
                    return dir.FullName;
                }
            }
        }
        throw new InvalidOperationException("RiskGrid.sln not found above " + AppContext.BaseDirectory);
    }
}

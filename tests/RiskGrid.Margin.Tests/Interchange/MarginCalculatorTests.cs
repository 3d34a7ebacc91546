using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using RiskGrid.Margin.Interchange;
using RiskGrid.Margin.Parameters;

namespace RiskGrid.Margin.Tests.Interchange;

public sealed class MarginCalculatorTests
{
    private readonly MarginCalculator _calculator = new(DefaultRiskParams.Create());
    private readonly ArrayBufferWriter<byte> _output = new();

    private string Process(string json, bool accepted = true)
    {
        _output.ResetWrittenCount();
        Assert.Equal(accepted, _calculator.Process(Encoding.UTF8.GetBytes(json), _output));
        var line = Encoding.UTF8.GetString(_output.WrittenSpan);
        Assert.EndsWith("\n", line, StringComparison.Ordinal);
        Assert.Equal(1, line.Count(c => c == '\n'));
        return line;
    }

    [Fact]
    public void TheSpecExampleComputesByHand()
    {
        var line = Process("""
            { "asOf": "2026-11-21T00:00:00Z",
              "prices": {"BTC": 60000, "ETH": 3000, "SOL": 150},
              "vols":   {"BTC": 0.55, "ETH": 0.70, "SOL": 0.90},
              "volMultipliers": {"BTC": 1.0},
              "account": { "mode": "STANDARD",
                "balances": {"USD": "10000", "BTC": "0.5"},
                "positions": [
                  {"instrument": "BTC-PERP", "size": "1.5", "entryPrice": "58000"},
                  {"instrument": "ETH-PERP", "size": "-10", "entryPrice": "3100", "isolatedMargin": "2000"},
                  {"instrument": "BTC-20261225-60000-C", "size": "-2", "iv": 0.6} ] } }
            """);
        using var doc = JsonDocument.Parse(line);
        var r = doc.RootElement;
        // CV_IM = 10,000 + 0.5 × 60,000 × 0.90 = 37,000; CV_MM = 10,000 + 30,000 × 0.95 = 38,500.
        Assert.Equal(37_000m, r.GetProperty("collateralIM").GetDecimal());
        Assert.Equal(38_500m, r.GetProperty("collateralMM").GetDecimal());
        // Cross uPnL: 1.5 × (60,000 − 58,000) = 3,000 (the isolated ETH-PERP is not in the pool).
        Assert.Equal(3_000m, r.GetProperty("unrealizedPnl").GetDecimal());
        // IM: perp 90,000 × 0.02 = 1,800; short call 2 × max(0.15 × 60,000 − 0, 0.10 × 60,000) = 18,000.
        Assert.Equal(19_800m, r.GetProperty("initialMargin").GetDecimal());
        // MM: perp 90,000 × 0.01 = 900; short call 2 × 0.075 × 60,000 = 9,000.
        Assert.Equal(9_900m, r.GetProperty("maintenanceMargin").GetDecimal());
        var optionValue = r.GetProperty("optionValue").GetDecimal();
        Assert.Equal(38_500m + 3_000m + optionValue, r.GetProperty("equityMM").GetDecimal());
        Assert.Equal(37_000m + 3_000m + optionValue - 19_800m, r.GetProperty("freeCollateral").GetDecimal());
        // Isolated ETH-PERP: equity 2,000 + (−10) × (3,000 − 3,100) = 3,000; IM 30,000 × 0.025 = 750, MM 375.
        var isolated = Assert.Single(r.GetProperty("isolated").EnumerateArray());
        Assert.Equal("ETH-PERP", isolated.GetProperty("instrument").GetString());
        Assert.Equal(3_000m, isolated.GetProperty("equity").GetDecimal());
        Assert.Equal(750m, isolated.GetProperty("initialMargin").GetDecimal());
        Assert.Equal(375m, isolated.GetProperty("maintenanceMargin").GetDecimal());
        Assert.False(r.GetProperty("liquidatable").GetBoolean());
        Assert.False(r.GetProperty("bankrupt").GetBoolean());
        Assert.False(r.TryGetProperty("groups", out _)); // standard mode
        var prices = r.GetProperty("liquidationPrice");
        Assert.Equal(["BTC"], prices.EnumerateObject().Select(p => p.Name)); // ETH is isolated only
        Assert.Empty(r.GetProperty("liquidationPlan").EnumerateArray());
    }

    [Fact]
    public void MoneyIsExactToTheMicroWithoutTrailingZeros()
    {
        var line = Process("""
            {"asOf": "2026-11-21T00:00:00Z", "account": {"balances": {"USD": "12345.678901"}}}
            """);
        Assert.StartsWith("""{"equityIM":12345.678901,"equityMM":12345.678901,""", line, StringComparison.Ordinal);
        Assert.Contains("\"maintenanceMargin\":0,", line, StringComparison.Ordinal);
    }

    [Fact]
    public void HealthIsNullWithoutRequirement()
    {
        var line = Process("""{"asOf": "2026-11-21T00:00:00Z", "account": {"balances": {"USD": "-5"}}}""");
        Assert.Contains("\"health\":null,\"liquidatable\":false,\"bankrupt\":true", line, StringComparison.Ordinal);
        Assert.Contains("\"liquidationPrice\":{},\"liquidationPlan\":[]", line, StringComparison.Ordinal);
    }

    [Fact]
    public void PortfolioModeReportsGroupsAndCredit()
    {
        var line = Process("""
            {"asOf": "2026-11-21T00:00:00Z", "prices": {"BTC": 60000, "ETH": 3000},
             "account": {"mode": "PORTFOLIO", "balances": {"USD": "100000"},
               "positions": [{"instrument": "BTC-PERP", "size": "5", "entryPrice": "60000"},
                             {"instrument": "ETH-PERP", "size": "-100", "entryPrice": "3000"}]}}
            """);
        using var doc = JsonDocument.Parse(line);
        var r = doc.RootElement;
        // scan_BTC = 5 × 60,000 × 0.15 = 45,000; scan_ETH = 100 × 3,000 × 0.20 = 60,000; deltas ±300,000 match
        // whole: credit = 0.5 × (45,000 + 60,000) = 52,500; MM = 105,000 − 52,500 = 52,500; IM = 1.3 × MM.
        var groups = r.GetProperty("groups").EnumerateArray().ToArray();
        Assert.Equal(2, groups.Length);
        Assert.Equal("BTC", groups[0].GetProperty("underlying").GetString());
        Assert.Equal(45_000m, groups[0].GetProperty("scan").GetDecimal());
        Assert.Equal(300_000m, groups[0].GetProperty("netDelta").GetDecimal());
        Assert.Equal(60_000m, groups[1].GetProperty("scan").GetDecimal());
        Assert.Equal(-300_000m, groups[1].GetProperty("netDelta").GetDecimal());
        Assert.Equal(52_500m, r.GetProperty("credit").GetDecimal());
        Assert.Equal(52_500m, r.GetProperty("maintenanceMargin").GetDecimal());
        Assert.Equal(68_250m, r.GetProperty("initialMargin").GetDecimal());
    }

    [Fact]
    public void ARefusalIsOneErrorLine()
    {
        var line = Process("""
            {"asOf": "2026-11-21T00:00:00Z", "prices": {"BTC": 60000},
             "account": {"positions": [{"instrument": "BTC-PERP", "size": "0.0015", "entryPrice": 1}]}}
            """, accepted: false);
        Assert.Equal(
            """{"error":"size 0.0015 is not a multiple of the lot 0.001 of BTC-PERP",""" +
            "\"field\":\"account.positions[0].size\"}" +
            "\n", line);
        Assert.Equal("account.positions[0].size", _calculator.LastError?.Field);
    }

    [Fact]
    public void MalformedJsonIsAnErrorLineWithoutField()
    {
        var line = Process("not json", accepted: false);
        using var doc = JsonDocument.Parse(line);
        Assert.StartsWith("malformed JSON", doc.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("field").ValueKind);
    }

    [Fact]
    public void BelowMaintenanceListsThePlan()
    {
        var line = Process("""
            {"asOf": "2026-11-21T00:00:00Z", "prices": {"BTC": 60000, "ETH": 3000},
             "account": {"balances": {"USD": "5000"},
               "positions": [{"instrument": "BTC-PERP", "size": "3", "entryPrice": "61000"},
                             {"instrument": "ETH-PERP", "size": "-20", "entryPrice": "3010"}]}}
            """);
        using var doc = JsonDocument.Parse(line);
        var r = doc.RootElement;
        // E_MM = 5,000 + 3 × (−1,000) + (−20) × (−10) = 2,200; MM = 180,000 × 0.01 + 60,000 × 0.0125 = 2,550.
        Assert.Equal(2_200m, r.GetProperty("equityMM").GetDecimal());
        Assert.Equal(2_550m, r.GetProperty("maintenanceMargin").GetDecimal());
        Assert.True(r.GetProperty("liquidatable").GetBoolean());
        Assert.Equal(60_000m, r.GetProperty("liquidationPrice").GetProperty("BTC").GetDecimal());
        var close = r.GetProperty("liquidationPlan")[0];
        Assert.Equal("BTC-PERP", close.GetProperty("instrument").GetString());
        // A long closes at 60,000 × (1 − 0.001) = 59,940; fee = 0.005 × closed notional.
        Assert.Equal(59_940m, close.GetProperty("price").GetDecimal());
        var reduce = decimal.Parse(close.GetProperty("reduceSize").GetString()!, CultureInfo.InvariantCulture);
        Assert.Equal(reduce * 60_000m * 0.005m, close.GetProperty("fee").GetDecimal());
    }

    [Fact]
    public void DocumentsDoNotLeakIntoEachOther()
    {
        const string withOption = """
            {"asOf": "2026-11-21T00:00:00Z", "prices": {"BTC": 60000}, "vols": {"BTC": 0.55},
             "volMultipliers": {"BTC": 2},
             "account": {"balances": {"USD": "10000"},
               "positions": [{"instrument": "BTC-20261225-60000-C", "size": "-1", "iv": 0.9}]}}
            """;
        const string plain = """
            {"asOf": "2026-11-21T00:00:00Z", "prices": {"BTC": 60000}, "vols": {"BTC": 0.55},
             "account": {"balances": {"USD": "10000"},
               "positions": [{"instrument": "BTC-20261225-60000-C", "size": "-1"}]}}
            """;
        var fresh = new MarginCalculator(DefaultRiskParams.Create());
        var expected = new ArrayBufferWriter<byte>();
        fresh.Process(Encoding.UTF8.GetBytes(plain), expected);
        Process(withOption);
        Assert.Equal(Encoding.UTF8.GetString(expected.WrittenSpan), Process(plain));
    }
}

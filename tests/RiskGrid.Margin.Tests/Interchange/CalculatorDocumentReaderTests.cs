using System.Text;
using RiskGrid.Margin.Accounts;
using RiskGrid.Margin.Instruments;
using RiskGrid.Margin.Interchange;
using RiskGrid.Margin.Market;
using RiskGrid.Margin.Parameters;

namespace RiskGrid.Margin.Tests.Interchange;

public sealed class CalculatorDocumentReaderTests
{
    private const string Market = """
        "asOf": "2026-11-21T00:00:00Z",
        "prices": {"BTC": 60000, "ETH": 3000, "SOL": 150},
        "vols": {"BTC": 0.55, "ETH": 0.70, "SOL": 0.90}
        """;

    private readonly InstrumentCatalog _catalog = new(DefaultRiskParams.Create());
    private readonly CalculatorDocumentReader _reader;
    private readonly MarketState _market;
    private readonly SubAccountPortfolio _account;

    public CalculatorDocumentReaderTests()
    {
        _reader = new CalculatorDocumentReader(_catalog);
        _market = new MarketState(_catalog.Params);
        _account = new SubAccountPortfolio(_catalog.Params);
    }

    private static string Doc(string account, string market = Market) => $$"""{ {{market}}, "account": {{account}} }""";

    private static string Positions(string positions, string balances = """{"USD": "10000"}""") =>
        $$"""{"mode": "STANDARD", "balances": {{balances}}, "positions": [{{positions}}]}""";

    private bool Read(string json, out CalculatorInputError? error) =>
        _reader.TryRead(Encoding.UTF8.GetBytes(json), _market, _account, out error);

    public static TheoryData<string, string, string> BadDocuments => new()
    {
        { "{ \"asOf\": \"2026-11-21T00:00:00Z\", ", "$", "malformed JSON" },
        { Doc("""{"positions": [{"instrument": "BTC-PERP", "size": "1" "entryPrice": 1}]}"""), "account.positions[0]",
            "malformed JSON" },
        { Doc("{}") + " trailing", "$", "malformed JSON" },
        { "[1, 2]", "$", "must be a JSON object" },
        { Doc(Positions("""{"instrument": "DOGE-PERP", "size": "1", "entryPrice": 1}""")),
            "account.positions[0].instrument", "unknown instrument 'DOGE-PERP'" },
        { Doc(Positions("""{"instrument": "BTC-SWAP", "size": "1", "entryPrice": 1}""")),
            "account.positions[0].instrument", "neither PERP nor an expiry date" },
        { Doc(Positions("", """{"USD": "1", "DOGE": "5"}""")), "account.balances.DOGE", "unknown asset 'DOGE'" },
        { Doc(Positions("""{"instrument": "ETH-PERP", "size": "1", "entryPrice": 3000},""" +
                        """{"instrument": "BTC-PERP", "size": "0.0015", "entryPrice": 60000}""")),
            "account.positions[1].size", "size 0.0015 is not a multiple of the lot 0.001 of BTC-PERP" },
        { Doc(Positions("""{"instrument": "ETH-20261225-3000-C", "size": "-0.5"}""")),
            "account.positions[0].size", "size -0.5 is not a multiple of the lot 1 of ETH-20261225-3000-C" },
        { Doc(Positions("""{"instrument": "SOL-20261225-150-P", "size": "15"}""")),
            "account.positions[0].size", "not a multiple of the lot 10" },
        { Doc(Positions("""{"instrument": "BTC-PERP", "size": "0", "entryPrice": 60000}""")),
            "account.positions[0].size", "must not be zero" },
        { Doc(Positions("""{"instrument": "BTC-PERP", "size": "NaN", "entryPrice": 60000}""")),
            "account.positions[0].size", "NaN is not a decimal number" },
        { Doc(Positions("""{"instrument": "BTC-PERP", "entryPrice": 60000}""")), "account.positions[0].size",
            "missing" },
        { Doc(Positions("""{"size": "1", "entryPrice": 60000}""")), "account.positions[0].instrument", "missing" },
        { Doc(Positions("""{"instrument": "BTC-PERP", "size": "1"}""")), "account.positions[0].entryPrice",
            "missing: BTC-PERP is linear" },
        { Doc(Positions("""{"instrument": "BTC-PERP", "size": "1", "entryPrice": "NaN"}""")),
            "account.positions[0].entryPrice", "NaN: an entry price must be a finite number > 0" },
        { Doc(Positions("""{"instrument": "BTC-PERP", "size": "1", "entryPrice": -5}""")),
            "account.positions[0].entryPrice", "-5: an entry price must be a finite number > 0" },
        { Doc(Positions("""{"instrument": "BTC-PERP", "size": "1", "entryPrice": 0}""")),
            "account.positions[0].entryPrice", "an entry price must be a finite number > 0" },
        { Doc(Positions("""{"instrument": "BTC-PERP", "size": "1", "entryPrice": 1, "iv": 0.5}""")),
            "account.positions[0].iv", "iv applies to options only" },
        { Doc(Positions("""{"instrument": "BTC-20261225-60000-C", "size": "1", "iv": 0}""")),
            "account.positions[0].iv", "an implied volatility must be a finite number > 0" },
        { Doc(Positions("""{"instrument": "BTC-20261225-60000-C", "size": "1", "isolatedMargin": "100"}""")),
            "account.positions[0].isolatedMargin", "only linear positions can be isolated" },
        { Doc(Positions("""{"instrument": "BTC-PERP", "size": "1", "entryPrice": 1, "isolatedMargin": "-1"}""")),
            "account.positions[0].isolatedMargin", "must not be negative" },
        { Doc(Positions("""{"instrument": "BTC-PERP", "size": "1", "entryPrice": 1, "isolatedMargin": "0.0000001"}""")),
            "account.positions[0].isolatedMargin", "more decimals than USD allows 6" },
        { Doc(Positions("""{"instrument": "BTC-PERP", "size": "1", "entryPrice": 1, "leverage": 10}""")),
            "account.positions[0].leverage", "unknown field" },
        { Doc(Positions("""{"instrument": "BTC-PERP", "size": "1", "size": "2", "entryPrice": 1}""")),
            "account.positions[0].size", "given twice" },
        { Doc(Positions("""{"instrument": "BTC-PERP", "size": "1", "entryPrice": 1},""" +
                        """{"instrument": "ETH-PERP", "size": "1", "entryPrice": 1},""" +
                        """{"instrument": "BTC-PERP", "size": "2", "entryPrice": 1}""")),
            "account.positions[2].instrument", "BTC-PERP is already held at account.positions[0]" },
        { Doc(Positions("", """{"BTC": "0.123456789"}""")), "account.balances.BTC",
            "0.123456789 has more decimals than BTC allows 8" },
        { Doc(Positions("", """{"BTC": "-1"}""")), "account.balances.BTC", "only USD may be negative" },
        { Doc(Positions("", """{"USD": "1e30"}""")), "account.balances.USD", "out of range" },
        { Doc(Positions("", """{"USD": "12abc"}""")), "account.balances.USD", "12abc is not a decimal number" },
        { Doc(Positions("", """{"USD": true}""")), "account.balances.USD", "true is not a decimal number" },
        { Doc(Positions("", """{"USD": "1", "USD": "2"}""")), "account.balances.USD", "given twice" },
        { Doc("""{"mode": "CROSS"}"""), "account.mode", "unknown mode CROSS: expected STANDARD or PORTFOLIO" },
        { Doc("""{"mode": "STANDARD", "subaccount": 1}"""), "account.subaccount", "unknown field" },
        { Doc("{}", """ "prices": {"BTC": 60000} """), "asOf", "missing" },
        { Doc("{}", """ "asOf": "yesterday" """), "asOf", "yesterday must be an ISO-8601 time" },
        { Doc("{}", """ "asOf": 1732147200000 """), "asOf", "must be an ISO-8601 time" },
        { """{"asOf": "2026-11-21T00:00:00Z"}""", "account", "missing" },
        { Doc("{}", """ "asOf": "2026-11-21T00:00:00Z", "prices": {"BTC": "NaN"} """), "prices.BTC",
            "NaN: an index price must be a finite number > 0" },
        { Doc("{}", """ "asOf": "2026-11-21T00:00:00Z", "prices": {"BTC": -1} """), "prices.BTC",
            "-1: an index price must be a finite number > 0" },
        { Doc("{}", """ "asOf": "2026-11-21T00:00:00Z", "prices": {"BTC": 0} """), "prices.BTC",
            "an index price must be a finite number > 0" },
        { Doc("{}", """ "asOf": "2026-11-21T00:00:00Z", "prices": {"DOGE": 0.1} """), "prices.DOGE",
            "unknown underlying 'DOGE'" },
        { Doc("{}", """ "asOf": "2026-11-21T00:00:00Z", "vols": {"BTC": 0} """), "vols.BTC",
            "a volatility must be a finite number > 0" },
        { Doc("{}", """ "asOf": "2026-11-21T00:00:00Z", "volMultipliers": {"BTC": 0.5} """), "volMultipliers.BTC",
            "a volatility multiplier must be a finite number ≥ 1" },
        { Doc("{}", """ "asOf": "2026-11-21T00:00:00Z", "volMultipliers": {"BTC": 1}, "volMultipliers": {} """),
            "volMultipliers", "given twice" },
        { Doc("{}", """ "asOf": "2026-11-21T00:00:00Z", "fees": {} """), "fees", "unknown field" },
        { Doc(Positions("""{"instrument": "ETH-PERP", "size": "1", "entryPrice": 3000}"""),
                """ "asOf": "2026-11-21T00:00:00Z", "prices": {"BTC": 60000} """), "prices.ETH",
            "missing: account.positions[0] (ETH-PERP) needs the ETH index" },
        { Doc(Positions("", """{"SOL": "10"}"""), """ "asOf": "2026-11-21T00:00:00Z", "prices": {"BTC": 60000} """),
            "prices.SOL", "missing: the SOL balance needs the SOL index" },
        { Doc(Positions("""{"instrument": "BTC-20261225-60000-C", "size": "-1"}"""),
                """ "asOf": "2026-11-21T00:00:00Z", "prices": {"BTC": 60000} """), "vols.BTC",
            "has no iv and needs the BTC volatility" },
    };

    [Theory]
    [MemberData(nameof(BadDocuments))]
    public void RejectsBadInputNamingTheField(string json, string field, string message)
    {
        Assert.False(Read(json, out var error));
        Assert.NotNull(error);
        Assert.Equal(field == "$" ? null : field, error.Field);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadsTheSpecExampleExactly()
    {
        const string json = """
            { "asOf": "2026-11-21T00:00:00Z",
              "prices": {"BTC": 60000, "ETH": 3000, "SOL": 150},
              "vols":   {"BTC": 0.55, "ETH": 0.70, "SOL": 0.90},
              "volMultipliers": {"BTC": 1.25},
              "account": { "mode": "PORTFOLIO",
                "balances": {"USD": "-10000.5", "BTC": "0.5"},
                "positions": [
                  {"instrument": "BTC-PERP", "size": "1.5", "entryPrice": "58000"},
                  {"instrument": "ETH-PERP", "size": "-10", "entryPrice": "3100", "isolatedMargin": "2000"},
                  {"instrument": "BTC-20261225-60000-C", "size": "-2", "iv": 0.6} ] } }
            """;
        Assert.True(Read(json, out var error), error?.Message);
        var p = _catalog.Params;
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds(), _market.AsOfMs);
        Assert.Equal(60_000, _market.Index(p.UnderlyingId("BTC")));
        Assert.Equal(0.70, _market.Volatility(p.UnderlyingId("ETH")));
        Assert.Equal(1.25, _market.InitialMultiplier(p.UnderlyingId("BTC")));
        Assert.Equal(1.25, _market.MaintenanceMultiplier(p.UnderlyingId("BTC")));
        Assert.Equal(1, _market.InitialMultiplier(p.UnderlyingId("ETH")));
        Assert.Equal(MarginMode.Portfolio, _account.Mode);
        Assert.Equal(-10_000_500_000, _account.Balances[p.AssetId("USD")]);
        Assert.Equal(50_000_000, _account.Balances[p.AssetId("BTC")]); // 0.5 BTC at 8 decimals
        Assert.Equal(3, _account.PositionCount);
        var perp = _account[0];
        Assert.Equal("BTC-PERP", _catalog[perp.Instrument].Name);
        Assert.Equal(1500, perp.SizeLots); // 1.5 / 0.001
        Assert.Equal(58_000, perp.EntryPrice);
        Assert.False(perp.IsIsolated);
        var isolated = _account[1];
        Assert.Equal(-1000, isolated.SizeLots); // −10 / 0.01
        Assert.True(isolated.IsIsolated);
        Assert.Equal(2_000_000_000, isolated.IsolatedMarginMicros);
        var call = _account[2];
        var callInstrument = _catalog[call.Instrument];
        Assert.Equal(-20, call.SizeLots); // −2 / 0.1
        Assert.Equal(0.6, _market.VolatilityFor(callInstrument));
    }

    [Fact]
    public void NumbersAndStringsReadTheSame()
    {
        const string asStrings = """
            {"asOf": "2026-11-21T00:00:00Z", "prices": {"BTC": "60000.5"}, "vols": {"BTC": "0.55"},
             "account": {"balances": {"USD": "1234.567891", "BTC": "0.00000001"},
               "positions": [{"instrument": "BTC-PERP", "size": "-0.123", "entryPrice": "59000.25",
                              "isolatedMargin": "100.5"},
                             {"instrument": "BTC-20261225-60000-P", "size": "0.3", "iv": "0.61"}]}}
            """;
        const string asNumbers = """
            {"asOf": "2026-11-21T00:00:00Z", "prices": {"BTC": 60000.5}, "vols": {"BTC": 0.55},
             "account": {"balances": {"USD": 1234.567891, "BTC": 1e-8},
               "positions": [{"instrument": "BTC-PERP", "size": -0.123, "entryPrice": 59000.25,
                              "isolatedMargin": 100.50},
                             {"instrument": "BTC-20261225-60000-P", "size": 3E-1, "iv": 0.61}]}}
            """;
        Assert.True(Read(asStrings, out var e1), e1?.Message);
        var first = Snapshot();
        Assert.True(Read(asNumbers, out var e2), e2?.Message);
        Assert.Equal(first, Snapshot());
        Assert.Equal(1_234_567_891, _account.Balances[0]);
        Assert.Equal(1, _account.Balances[1]);
        Assert.Equal(-123, _account[0].SizeLots);
        Assert.Equal(100_500_000, _account[0].IsolatedMarginMicros);
        Assert.Equal(3, _account[1].SizeLots);
    }

    [Fact]
    public void ARefusedDocumentLeavesMarketAndAccountAsTheyWere()
    {
        Assert.True(Read(Doc(Positions("""{"instrument": "BTC-PERP", "size": "1", "entryPrice": 60000}""")), out _));
        var before = Snapshot();
        var version = _market.Version;
        Assert.False(Read(Doc(Positions("""{"instrument": "BTC-PERP", "size": "2", "entryPrice": 1},""" +
                                         """{"instrument": "NOPE", "size": "1"}"""),
            """ "asOf": "2027-01-01T00:00:00Z", "prices": {"BTC": 1}, "vols": {"BTC": 2} """), out _));
        Assert.Equal(before, Snapshot());
        Assert.Equal(version, _market.Version);
    }

    [Fact]
    public void AnOptionsImpliedVolatilityLastsOneDocument()
    {
        var call = _catalog.Resolve("BTC-20261225-60000-C");
        Assert.True(Read(Doc(Positions("""{"instrument": "BTC-20261225-60000-C", "size": "1", "iv": 0.8}""")), out _));
        Assert.Equal(0.8, _market.VolatilityFor(call));
        Assert.True(Read(Doc(Positions("""{"instrument": "BTC-20261225-60000-C", "size": "1"}""")), out _));
        Assert.Equal(0.55, _market.VolatilityFor(call));
    }

    [Fact]
    public void AbsentMultipliersAreOne()
    {
        var btc = _catalog.Params.UnderlyingId("BTC");
        Assert.True(Read(Doc("{}", Market + """, "volMultipliers": {"BTC": 2}"""), out _));
        Assert.Equal(2, _market.MaintenanceMultiplier(btc));
        Assert.True(Read(Doc("{}"), out _));
        Assert.Equal(1, _market.InitialMultiplier(btc));
        Assert.Equal(1, _market.MaintenanceMultiplier(btc));
    }

    [Fact]
    public void UnchangedPricesDoNotTouchTheMarket()
    {
        var doc = Doc(Positions("""{"instrument": "BTC-PERP", "size": "1", "entryPrice": 60000}"""));
        Assert.True(Read(doc, out _));
        var version = _market.Version;
        Assert.True(Read(doc, out _));
        Assert.Equal(version, _market.Version);
    }

    [Fact]
    public void AnAsOfWithoutOffsetIsUtc()
    {
        Assert.True(Read(Doc("{}", """ "asOf": "2026-11-21T08:00:00" """), out _));
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 8, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds(), _market.AsOfMs);
        Assert.True(Read(Doc("{}", """ "asOf": "2026-11-21T09:00:00+01:00" """), out _));
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 8, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds(), _market.AsOfMs);
    }

    [Fact]
    public void NullOptionalFieldsAreAbsent()
    {
        const string Position = """{"instrument": "BTC-20261225-60000-C", "size": "1", "iv": null, """ +
                                "\"entryPrice\": null, \"isolatedMargin\": null}";
        Assert.True(Read(Doc(Positions(Position)), out var error),
            error?.Message);
        Assert.False(_account[0].IsIsolated);
    }

    private string Snapshot()
    {
        var sb = new StringBuilder();
        sb.Append(_market.AsOfMs).Append('|').Append(_account.Mode).Append('|')
            .AppendJoin(',', _account.Balances).Append('|');
        for (var u = 0; u < _market.UnderlyingCount; u++)
        {
            sb.Append(_market.Index(u)).Append(',').Append(_market.Volatility(u)).Append(',')
                .Append(_market.MaintenanceMultiplier(u)).Append(';');
        }
        foreach (var p in _account.Positions)
        {
            var ins = _catalog[p.Instrument];
            sb.Append(ins.Name).Append(' ').Append(p.SizeLots).Append(' ').Append(p.EntryPrice).Append(' ')
                .Append(p.IsIsolated).Append(' ').Append(p.IsolatedMarginMicros).Append(' ')
                .Append(_market.VolatilityFor(ins)).Append(';');
        }
        return sb.ToString();
    }
}

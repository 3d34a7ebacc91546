using System.Runtime.CompilerServices;
using RiskGrid.Feed.Codec;
using RiskGrid.Feed.Replay;
using RiskGrid.Margin.Instruments;
using RiskGrid.Margin.Parameters;
using RiskGrid.Node.Prices;
using RiskGrid.Node.Time;

namespace RiskGrid.Node.Tests.Prices;

/// <summary>Views, frames and clocks for the price tests.</summary>
internal static class PriceFixtures
{
    /// <summary>2026-01-01T00:00:00Z.</summary>
    public const long StartMs = 1_767_225_600_000;

    public static readonly FixedAscii24 Btc = FixedAscii24.Create("BTC");

    public static RiskParams Params { get; } = DefaultRiskParams.Create();

    /// <summary>One source is enough for BTC (minSources auto = 1).</summary>
    public static PriceViewOptions OneSource { get; } =
        new() { ExpectedSources = new Dictionary<string, int> { ["BTC"] = 1 } };

    public static PriceView View(IGridClock clock, PriceViewOptions? options = null) =>
        new(Params, new InstrumentCatalog(Params), clock, options);

    /// <summary>One tick of a frame: source, symbol, value, time, source sequence.</summary>
    public readonly record struct Tick(string Source, string Symbol, double Value, long TimeMs, ulong Sequence);

    public static byte[] Frame(uint publisher, ulong frameSequence, params Tick[] ticks) =>
        Frame(TickMessageType.Price, TickFrameFlags.None, publisher, frameSequence, ticks);

    public static byte[] Frame(TickMessageType type, TickFrameFlags flags, uint publisher, ulong frameSequence,
        params Tick[] ticks)
    {
        var frame = new byte[TickFrameLayout.FrameLength(ticks.Length)];
        var writer = new TickFrameWriter(frame, new TickFrameHeader(type, flags, publisher, frameSequence, 0));
        foreach (var t in ticks)
        {
            Assert.True(writer.TryAdd(new TickEntry(FixedAscii24.Create(t.Source), FixedAscii24.Create(t.Symbol),
                t.Value, t.TimeMs, t.Sequence)));
        }

        return frame;
    }

    public static UnderlyingPriceReport Underlying(this PricesReport report, string name) =>
        report.Underlyings.Single(u => u.Underlying == name);

    public static SourceReport Source(this PricesReport report, string name) =>
        report.Sources.Single(s => s.Source == name);

    /// <summary>The middle value (the mean of the middle two for an even count), computed here independently of
    /// the oracle.</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        Assert.NotEmpty(sorted);
        var n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[(n / 2) - 1] + sorted[n / 2]) / 2;
    }
}

/// <summary>
/// The recorded crash data (never part of the project): ../shared/data/market next to the repository, found from
/// this source file. Null when absent.
/// </summary>
internal static class MarketData
{
    public static string? Directory { get; } = Find();

    public static string Crash20251010 => Path.Combine(Directory!, "2025-10-10");

    public static string RepositoryRoot([CallerFilePath] string source = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(source)!, "..", "..", ".."));

    /// <summary>The seeded synthetic crash as shared-layout CSV files in a temporary folder.</summary>
    public static IReadOnlyList<MarketDataFile> Synthetic(int seed)
    {
        var folder = Path.Combine(Path.GetTempPath(), $"riskgrid-node-synthetic-{seed}-{Environment.ProcessId}");
        return [.. SyntheticCrash.Generate(seed).WriteCsv(folder).Select(path => MarketDataFile.Parse(path))];
    }

    private static string? Find()
    {
        var market = Path.GetFullPath(Path.Combine(RepositoryRoot(), "..", "shared", "data", "market"));
        return System.IO.Directory.Exists(market) ? market : null;
    }
}

/// <summary>A fact that needs the recorded crash data; reported as skipped where it is absent.</summary>
public sealed class MarketDataFactAttribute : FactAttribute
{
    public MarketDataFactAttribute()
    {
        if (MarketData.Directory is null)
        {
            Skip = "../shared/data/market is not present next to the repository";
        }
    }
}

using System.Reflection;
using RiskGrid.Feed.Replay;

namespace RiskGrid.Feed.Tests.Replay;

/// <summary>
/// Finds the recorded crash data (never committed to the project): walk up from the test's base directory to the
/// folder holding RiskGrid.sln, then ../shared/data/market; if the build output lives outside the repository, start
/// from the source root recorded at build time instead. Null when absent.
/// </summary>
internal static class MarketData
{
    public static string? Directory { get; } = Find();

    public static string Crash20251010 => Path.Combine(Directory!, "2025-10-10");

    /// <summary>The 2025-10-10 files when present, else the seeded synthetic crash written as shared-layout CSVs.</summary>
    public static IReadOnlyList<MarketDataFile> CrashFilesOrSynthetic(int seed = 7)
    {
        if (Directory is not null)
        {
            return [.. System.IO.Directory.GetFiles(Crash20251010, "*.csv").Order(StringComparer.Ordinal)
                .Select(path => MarketDataFile.Parse(path))];
        }

        var folder = Path.Combine(Path.GetTempPath(), "riskgrid-synthetic-crash-" + seed);
        return [.. SyntheticCrash.Generate(seed).WriteCsv(folder).Select(path => MarketDataFile.Parse(path))];
    }

    private static string? Find()
    {
        var sourceRoot = typeof(MarketData).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "RiskGridSourceRoot")?.Value;
        foreach (var start in new[] { AppContext.BaseDirectory, sourceRoot })
        {
            for (var dir = start is null ? null : new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "RiskGrid.sln")))
                {
                    var market = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data", "market"));
                    if (System.IO.Directory.Exists(market))
                    {
                        return market;
                    }

                    break;
                }
            }
        }

        return null;
    }
}

/// <summary>A fact that needs the recorded crash data; reported as skipped (not passed) where it is absent.</summary>
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

/// <summary>A clock that only moves when slept on (or told to), and counts how often it is read.</summary>
internal sealed class FakeReplayClock(long startNs = 1_000_000_000) : IReplayClock
{
    private long _nowNs = startNs;

    public List<long> Sleeps { get; } = [];

    public int Reads { get; private set; }

    public long NowNs
    {
        get
        {
            Reads++;
            return _nowNs;
        }
    }

    public void Advance(long durationNs) => _nowNs += durationNs;

    public void Sleep(long durationNs, CancellationToken cancellationToken)
    {
        Sleeps.Add(durationNs);
        _nowNs += durationNs;
    }
}

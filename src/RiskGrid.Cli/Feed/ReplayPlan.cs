using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using RiskGrid.Feed.Codec;
using RiskGrid.Feed.Replay;

namespace RiskGrid.Cli.Feed;

/// <summary>
/// What a replay reads: the recorded files (validated by name and by their first rows before anything is
/// published) and the synthetic crash, merged by data time within [from, to).
/// </summary>
internal sealed class ReplayPlan : IDisposable
{
    private readonly List<RecordedTickReader> _readers;

    private ReplayPlan(List<RecordedTickReader> readers, IRecordedTickSource ticks, IReadOnlyList<ReplayStream> streams,
        ReplaySpeed speed, long startMs, long? endMs, string description)
    {
        _readers = readers;
        Ticks = ticks;
        Streams = streams;
        Speed = speed;
        StartMs = startMs;
        EndMs = endMs;
        Description = description;
    }

    public IRecordedTickSource Ticks { get; }

    public IReadOnlyList<ReplayStream> Streams { get; }

    public ReplaySpeed Speed { get; }

    /// <summary>Data time the progress bar starts from.</summary>
    public long StartMs { get; }

    /// <summary>Data time the replay ends at, when known (for the progress bar).</summary>
    public long? EndMs { get; }

    public string Description { get; }

    public static bool TryOpen(IReadOnlyList<string> paths, int? syntheticSeed, ReplaySpeed speed, long fromMs,
        long toMs, [NotNullWhen(true)] out ReplayPlan? plan, out string problem)
    {
        plan = null;
        var readers = new List<RecordedTickReader>();
        var sources = new List<IRecordedTickSource>();
        var streams = new List<ReplayStream>();
        long firstMs = long.MaxValue, lastMs = long.MinValue;
        try
        {
            foreach (var path in paths)
            {
                if (!MarketDataFile.TryParse(path, out var file, out var error))
                {
                    problem = $"{path}: {error}";
                    return false;
                }

                if (!File.Exists(path))
                {
                    problem = $"{path}: no such file";
                    return false;
                }

                var reader = RecordedTickReader.Open(file, sources.Count);
                readers.Add(reader);
                sources.Add(reader);
                streams.Add(ReplayStream.For(file));
                lastMs = Math.Max(lastMs, LastTimeMs(file));
            }

            if (syntheticSeed is { } seed)
            {
                var crash = SyntheticCrash.Generate(seed);
                foreach (var series in crash.Series)
                {
                    sources.Add(series.OpenTicks(sources.Count));
                    streams.Add(new ReplayStream(FixedAscii24.Create(series.Source),
                        FixedAscii24.Create(series.BaseAsset)));
                }

                firstMs = crash.StartMs;
                lastMs = Math.Max(lastMs, crash.EndMs);
            }

            // The merge reads every input's first tick now: a bad header or first row fails here, before publishing.
            var merged = new RecordedTickMerger(sources, fromMs, toMs);
            var startMs = fromMs != long.MinValue ? fromMs : firstMs != long.MaxValue ? firstMs : 0;
            long? endMs = toMs != long.MaxValue ? toMs : lastMs != long.MinValue ? lastMs : null;
            plan = new ReplayPlan(readers, merged, streams, speed, startMs, endMs,
                Describe(paths.Count, syntheticSeed, fromMs, toMs));
            problem = string.Empty;
            return true;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException
                                      or ArgumentException or FormatException)
        {
            problem = e.Message;
            return false;
        }
        finally
        {
            if (plan is null)
            {
                foreach (var reader in readers)
                {
                    reader.Dispose();
                }
            }
        }
    }

    public void Dispose()
    {
        foreach (var reader in _readers)
        {
            reader.Dispose();
        }
    }

    private static string Describe(int files, int? seed, long fromMs, long toMs)
    {
        var what = new StringBuilder();
        what.Append(CultureInfo.InvariantCulture, $"{files} file(s)");
        if (seed is not null)
        {
            what.Append(CultureInfo.InvariantCulture, $" + synthetic crash (seed {seed})");
        }

        if (fromMs != long.MinValue)
        {
            what.Append(" from ").Append(FeedConsole.Time(fromMs));
        }

        if (toMs != long.MaxValue)
        {
            what.Append(" to ").Append(FeedConsole.Time(toMs));
        }

        return what.ToString();
    }

    /// <summary>The data time of a file's last row (its close for a bar), read from the file's tail; only for
    /// the progress bar, so a file it cannot read simply has no end.</summary>
    private static long LastTimeMs(MarketDataFile file)
    {
        using var stream = File.OpenRead(file.Path);
        var length = (int)Math.Min(stream.Length, 4096);
        stream.Seek(-length, SeekOrigin.End);
        var buffer = new byte[length];
        stream.ReadExactly(buffer);
        var lines = Encoding.ASCII.GetString(buffer).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        for (var i = lines.Length - 1; i >= 0; i--)
        {
            var cells = lines[i].Split(',');
            // Shared layouts and klines start with the time; Binance aggTrades carry it in column 5.
            var column = cells.Length is 7 or 8 && file.Kind == MarketDataKind.Trades ? 5 : 0;
            if (cells.Length > column && long.TryParse(cells[column], NumberStyles.None, CultureInfo.InvariantCulture,
                    out var time))
            {
                var ms = time > 100_000_000_000_000 ? time / 1_000 : time;
                return ms + (file.Kind == MarketDataKind.Bars ? file.BarLengthMs - 1 : 0);
            }
        }

        return long.MinValue;
    }
}

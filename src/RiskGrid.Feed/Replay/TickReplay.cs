using RiskGrid.Feed.Codec;
using RiskGrid.Feed.Transport;

namespace RiskGrid.Feed.Replay;

/// <summary>What a replayed input is published as: its source and symbol on the wire.</summary>
/// <param name="Source">The source name (the file's source token).</param>
/// <param name="Symbol">The symbol published (the file's base asset: <c>BTC</c>).</param>
public readonly record struct ReplayStream(FixedAscii24 Source, FixedAscii24 Symbol)
{
    /// <summary>Publishes <paramref name="file"/> as its source and its base asset (<c>gemini</c>, <c>BTC</c>).
    /// Throws <see cref="ArgumentException"/> when a name is longer than 24 characters.</summary>
    public static ReplayStream For(MarketDataFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        return new ReplayStream(FixedAscii24.Create(file.Source), FixedAscii24.Create(file.BaseAsset));
    }
}

/// <summary>Totals of one <see cref="TickReplay.Run"/>.</summary>
/// <param name="Ticks">Ticks offered to the publisher.</param>
/// <param name="Frames">Incremental frames published.</param>
/// <param name="Snapshots">Snapshot frames published.</param>
/// <param name="FirstDataTimeMs">Data time of the first tick (0 when none).</param>
/// <param name="LastDataTimeMs">Data time of the last tick (0 when none).</param>
/// <param name="Cancelled">True when the token stopped the replay early.</param>
public readonly record struct ReplayResult(
    long Ticks, long Frames, long Snapshots, long FirstDataTimeMs, long LastDataTimeMs, bool Cancelled);

/// <summary>
/// Publishes recorded ticks on the data's own clock: each tick keeps its recorded time as the exchange timestamp
/// and gets the next sequence number of its (source, symbol) stream (1, 2, …, continuing across files of the same
/// stream). Ticks sharing one data millisecond are conflated and published together; before the next millisecond
/// the replay flushes, then waits on the <see cref="ReplayPacer"/>. Runs on the caller's thread until the input
/// ends or the token is cancelled.
/// </summary>
public sealed class TickReplay
{
    private readonly IRecordedTickSource _ticks;
    private readonly ReplayStream[] _streams;
    private readonly int[] _counterOfFile;
    private readonly ConflatingPublisher _publisher;
    private readonly ReplayPacer _pacer;
    private readonly IReplayClock _clock;
    private readonly long _snapshotIntervalNs;

    /// <summary>Wires a replay.</summary>
    /// <param name="ticks">Merged input (usually a <see cref="RecordedTickMerger"/>).</param>
    /// <param name="streams">What each <see cref="RecordedTick.FileIndex"/> is published as.</param>
    /// <param name="publisher">Where ticks go (price message type).</param>
    /// <param name="pacer">Maps data time to wall time.</param>
    /// <param name="clock">Frame send timestamps and snapshot timing.</param>
    /// <param name="snapshotInterval">Wall time between snapshot frames; zero for none.</param>
    public TickReplay(
        IRecordedTickSource ticks,
        IReadOnlyList<ReplayStream> streams,
        ConflatingPublisher publisher,
        ReplayPacer pacer,
        IReplayClock clock,
        TimeSpan snapshotInterval = default)
    {
        ArgumentNullException.ThrowIfNull(ticks);
        ArgumentNullException.ThrowIfNull(streams);
        ArgumentNullException.ThrowIfNull(publisher);
        ArgumentNullException.ThrowIfNull(pacer);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentOutOfRangeException.ThrowIfLessThan(snapshotInterval, TimeSpan.Zero);

        _ticks = ticks;
        _streams = [.. streams];
        _publisher = publisher;
        _pacer = pacer;
        _clock = clock;
        _snapshotIntervalNs = snapshotInterval.Ticks * 100;

        // Files of one (source, symbol) share one sequence counter.
        var counters = new Dictionary<ReplayStream, int>();
        _counterOfFile = new int[_streams.Length];
        for (var i = 0; i < _streams.Length; i++)
        {
            if (!counters.TryGetValue(_streams[i], out var counter))
            {
                counter = counters.Count;
                counters.Add(_streams[i], counter);
            }

            _counterOfFile[i] = counter;
        }
    }

    /// <summary>At max speed, how long the publisher conflates before it flushes (wall time).</summary>
    public const long MaxSpeedFlushNs = 1_000_000;

    /// <summary>Replays until the input ends or <paramref name="cancellationToken"/> is cancelled.</summary>
    public ReplayResult Run(CancellationToken cancellationToken = default)
    {
        var sequences = new ulong[_streams.Length];
        long ticks = 0, frames = 0, snapshots = 0, firstMs = 0, lastMs = 0;
        var pending = false;
        var lastSnapshotNs = _snapshotIntervalNs > 0 ? _clock.NowNs : 0;
        // Paced, a frame goes out at every new data millisecond (the ticks of one millisecond leave together). At
        // max speed that would be about one frame per tick, more frames than a subscriber takes (PUB then drops
        // whole frames); instead the publisher conflates for MaxSpeedFlushNs of wall time, latest value wins.
        var atMax = _pacer.Speed.IsMax;
        var lastFlushNs = _clock.NowNs;
        while (!cancellationToken.IsCancellationRequested && _ticks.TryRead(out var tick))
        {
            if ((uint)tick.FileIndex >= (uint)_streams.Length)
            {
                throw new InvalidOperationException($"tick from file {tick.FileIndex}, but {_streams.Length} streams");
            }

            if (!pending || tick.TsMs != lastMs)
            {
                if (pending && (!atMax || _clock.NowNs - lastFlushNs >= MaxSpeedFlushNs))
                {
                    lastFlushNs = _clock.NowNs;
                    frames += _publisher.Flush(lastFlushNs);
                    snapshots += SnapshotIfDue(ref lastSnapshotNs);
                }

                _pacer.WaitUntilDue(tick.TsMs, cancellationToken);
                if (cancellationToken.IsCancellationRequested)
                {
                    break;
                }

                if (ticks == 0)
                {
                    firstMs = tick.TsMs;
                }
            }

            var stream = _streams[tick.FileIndex];
            var sequence = ++sequences[_counterOfFile[tick.FileIndex]];
            _publisher.Offer(stream.Source, stream.Symbol, tick.Price, tick.TsMs, sequence);
            ticks++;
            lastMs = tick.TsMs;
            pending = true;
        }

        if (pending)
        {
            frames += _publisher.Flush(_clock.NowNs);
        }

        return new ReplayResult(ticks, frames, snapshots, firstMs, lastMs, cancellationToken.IsCancellationRequested);
    }

    private int SnapshotIfDue(ref long lastSnapshotNs)
    {
        if (_snapshotIntervalNs == 0)
        {
            return 0;
        }

        var now = _clock.NowNs;
        if (now - lastSnapshotNs < _snapshotIntervalNs)
        {
            return 0;
        }

        lastSnapshotNs = now;
        return _publisher.PublishSnapshot(now);
    }
}

using System.CommandLine;
using System.Diagnostics;
using RiskGrid.Feed.Codec;
using RiskGrid.Feed.Replay;
using RiskGrid.Feed.Transport;
using RiskGrid.Node.Prices;
using static RiskGrid.Load.Feed.FeedLoad;

namespace RiskGrid.Load.Feed;

/// <summary>
/// <c>replay-throughput</c> — OneNodeReplayIngest: recorded ticks (the shared crash files given with <c>--data</c>,
/// else the seeded synthetic crash), repeated end to end on a shifted clock until <c>--ticks</c>, replayed as fast as
/// possible into one node's <see cref="PriceView"/> (data clock). Modes:
/// <list type="bullet">
/// <item><c>frames</c>: the publisher packs consecutive ticks 64 to a frame, no conflation, so every tick reaches the
/// node; over inproc or tcp, or <c>direct</c> (frames applied on one thread: the view's own ceiling).</item>
/// <item><c>replay</c>: the replay tool's path (<see cref="TickReplay"/>: one flush per data millisecond, conflating
/// ticks of one source within it) at max speed.</item>
/// </list>
/// Reports ticks/s applied by the node (the rate it sustained), loss (frame gaps: PUB drops past its high-water
/// mark when the node falls behind) and bytes allocated per tick on the receive thread; checks the answer (every
/// source's last price in the view equals the last one published).
/// </summary>
internal static class ReplayThroughputHarness
{
    private const uint LoadPublisher = 1;
    private static int EntriesPerFrame = 64;

    public static Command Command()
    {
        var transport = new Option<string>("--transport")
        {
            Description = "direct, inproc, tcp or all",
            DefaultValueFactory = _ => "all",
        };
        transport.AcceptOnlyFromAmong("direct", "inproc", "tcp", "all");
        var mode = new Option<string>("--mode")
        {
            Description = "frames (64 ticks a frame, every tick delivered) or replay (the replay tool's TickReplay)",
            DefaultValueFactory = _ => "frames",
        };
        mode.AcceptOnlyFromAmong("frames", "replay");
        var ticks = new Option<long>("--ticks") { Description = "Ticks to replay", DefaultValueFactory = _ => 20_000_000 };
        var rate = new Option<long>("--rate")
        {
            Description = "Pace the publisher at this many ticks/s (0: as fast as it goes)",
            DefaultValueFactory = _ => 0,
        };
        var data = new Option<string[]>("--data")
        {
            Description = "Recorded CSV files (default: the synthetic crash, seed 1)",
            AllowMultipleArgumentsPerToken = true,
        };
        var entries = new Option<int>("--entries")
        {
            Description = "Ticks per frame in frames mode (1–1000)",
            DefaultValueFactory = _ => 64,
        };
        var command = new Command("replay-throughput", "Maximum sustained replay into one node's price view")
        {
            transport, mode, ticks, rate, data, entries,
        };
        command.SetAction(parse =>
        {
            EntriesPerFrame = Math.Clamp(parse.GetValue(entries), 1, 1_000);
            var recorded = Recording.Load(parse.GetValue(data) ?? []);
            var which = parse.GetValue(transport)!;
            var ok = true;
            foreach (var t in which == "all" ? ["direct", "inproc", "tcp"] : new[] { which })
            {
                ok &= parse.GetValue(mode) == "replay"
                    ? RunReplay(t, recorded, parse.GetValue(ticks))
                    : RunFrames(t, recorded, parse.GetValue(ticks), parse.GetValue(rate));
            }

            return ok ? 0 : 1;
        });
        return command;
    }

    private static bool RunFrames(string transportName, Recording recording, long total, long rate)
    {
        UsePooledBuffers();
        var view = NewView(new DataGridClock());
        var counter = new Counter(view);
        var clock = Stopwatch.StartNew();
        long frames;
        PublisherReport? loss = null;
        if (transportName == "direct")
        {
            frames = recording.Publish(total, rate, frame =>
            {
                counter.OnFrame(frame);
                return true;
            });
        }
        else
        {
            WarnIfFewCores(transportName == "tcp" ? 3 : 2, "publisher, receive thread (and NetMQ's I/O thread for tcp)");
            using var transport = new NetMqTickTransport();
            var publisher = transport.CreatePublisher(new TickTransportOptions { Endpoint = Endpoint(transportName) });
            var subscriber = transport.CreateSubscriber(new TickTransportOptions { Endpoint = publisher.Endpoint });
            subscriber.Start(counter.OnFrame);
            Handshake(publisher, counter);
            clock.Restart();
            frames = recording.Publish(total, rate, publisher.TryPublish);
            WaitFor(() => counter.LastSequence == (ulong)frames, TimeSpan.FromSeconds(5));
            loss = view.Report().Publishers.FirstOrDefault(p => p.PublisherId == LoadPublisher);
        }

        var seconds = counter.ElapsedSeconds;
        var applied = view.Report().Sources.Sum(s => s.Accepted);
        var answer = recording.CheckLastPrices(view);
        Console.WriteLine(Invariant(
            $"replay-throughput frames {transportName}: {total:N0} ticks of {recording.Name} in {frames:N0} frames of {EntriesPerFrame}, publisher {(rate == 0 ? "unpaced" : $"paced at {rate:N0} ticks/s")}, {Environment.ProcessorCount} cores"));
        Console.WriteLine(Invariant(
            $"  node applied {applied:N0} ticks in {seconds:0.000} s: {applied / seconds:N0} ticks/s; frame gaps {loss?.Gaps ?? 0} (missed frames {loss?.MissedFrames ?? 0}, {100.0 * (loss?.MissedFrames ?? 0) / Math.Max(1, frames):0.##} %); publish loop {clock.Elapsed.TotalSeconds:0.000} s"));
        Console.WriteLine(Invariant(
            $"  allocated per tick on the receive thread (steady state): {counter.AllocatedBytes / (double)Math.Max(1, counter.SteadyTicks):0.###} B ({counter.AllocatedBytes:N0} B over {counter.SteadyTicks:N0} ticks)"));
        Console.WriteLine($"  check: {answer}");
        return answer.StartsWith("ok", StringComparison.Ordinal);
    }

    private static bool RunReplay(string transportName, Recording recording, long total)
    {
        if (transportName == "direct")
        {
            Console.WriteLine("replay-throughput replay direct: not applicable (TickReplay publishes through a transport)");
            return true;
        }

        UsePooledBuffers();
        var view = NewView(new DataGridClock());
        var counter = new Counter(view);
        using var transport = new NetMqTickTransport();
        var publisher = transport.CreatePublisher(new TickTransportOptions { Endpoint = Endpoint(transportName) });
        var subscriber = transport.CreateSubscriber(new TickTransportOptions { Endpoint = publisher.Endpoint });
        subscriber.Start(counter.OnFrame);
        Handshake(publisher, counter);
        var conflater = new ConflatingPublisher(publisher, LoadPublisher);
        var replayClock = new SystemReplayClock();
        var wall = Stopwatch.StartNew();
        var result = new TickReplay(recording.Ticks(total), recording.Streams, conflater,
            new ReplayPacer(replayClock, ReplaySpeed.Max), replayClock).Run();
        var publishSeconds = wall.Elapsed.TotalSeconds;
        conflater.PublishSnapshot(replayClock.NowNs);
        Thread.Sleep(250);
        conflater.PublishSnapshot(replayClock.NowNs);
        WaitFor(() => counter.LastSequence == conflater.LastFrameSequence, TimeSpan.FromSeconds(5));
        var report = view.Report();
        var applied = report.Sources.Sum(s => s.Accepted);
        var loss = report.Publishers.FirstOrDefault(p => p.PublisherId == LoadPublisher);
        var stats = conflater.Stats;
        var answer = recording.CheckLastPrices(view);
        Console.WriteLine(Invariant(
            $"replay-throughput replay {transportName}: {result.Ticks:N0} ticks of {recording.Name} through TickReplay at max speed, {Environment.ProcessorCount} cores"));
        Console.WriteLine(Invariant(
            $"  replayed {result.Ticks / publishSeconds:N0} ticks/s ({result.Frames:N0} frames, {stats.Conflated:N0} ticks conflated within a data ms); node applied {applied:N0} entries in {counter.ElapsedSeconds:0.000} s: {applied / counter.ElapsedSeconds:N0} entries/s; frame gaps {loss?.Gaps ?? 0} (missed frames {loss?.MissedFrames ?? 0})"));
        Console.WriteLine(Invariant(
            $"  allocated per entry on the receive thread (steady state): {counter.AllocatedBytes / (double)Math.Max(1, counter.SteadyTicks):0.###} B"));
        Console.WriteLine($"  check: {answer}");
        return answer.StartsWith("ok", StringComparison.Ordinal);
    }

    private static void Handshake(ITickPublisher publisher, Counter counter)
    {
        var frame = new byte[TickFrameLayout.HeaderLength];
        for (ulong s = 1; counter.Handshakes == 0; s++)
        {
            _ = new TickFrameWriter(frame, new TickFrameHeader(TickMessageType.Price, TickFrameFlags.None, 2, s, 0));
            publisher.TryPublish(frame);
            Thread.Sleep(20);
        }

        Thread.Sleep(100);
    }

    /// <summary>The receive side: applies each frame, counts entries, times first to last, measures allocation
    /// after the first 10 % of the run.</summary>
    private sealed class Counter(PriceView view)
    {
        private long _entries;
        private long _handshakes;
        private ulong _lastSequence;
        private long _firstNs;
        private long _lastNs;
        private long _allocatedAtStart = -1;
        private long _allocatedAtEnd;
        private long _steadyFrom;

        public long Handshakes => Volatile.Read(ref _handshakes);

        public ulong LastSequence => Volatile.Read(ref _lastSequence);

        public double ElapsedSeconds => (Volatile.Read(ref _lastNs) - Volatile.Read(ref _firstNs)) / 1e9;

        public long SteadyTicks => Volatile.Read(ref _entries) - Volatile.Read(ref _steadyFrom);

        public long AllocatedBytes => _allocatedAtStart < 0 ? 0 : Volatile.Read(ref _allocatedAtEnd) - _allocatedAtStart;

        public void OnFrame(ReadOnlySpan<byte> frame)
        {
            view.ApplyFrame(frame);
            if (System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(frame[16..]) != LoadPublisher)
            {
                Volatile.Write(ref _handshakes, _handshakes + 1);
                return;
            }

            var now = NowNs();
            if (_firstNs == 0)
            {
                _firstNs = now;
            }

            // The closing snapshot comes after a pause: time the run up to the last incremental frame.
            if ((frame[9] & (byte)TickFrameFlags.Snapshot) == 0)
            {
                Volatile.Write(ref _lastNs, now);
            }

            Volatile.Write(ref _entries, _entries + ((frame.Length - TickFrameLayout.HeaderLength) / TickFrameLayout.EntryLength));
            if (_allocatedAtStart < 0 && _entries >= 1_000_000)
            {
                _steadyFrom = _entries;
                _allocatedAtStart = GC.GetAllocatedBytesForCurrentThread();
            }

            _allocatedAtEnd = GC.GetAllocatedBytesForCurrentThread();
            Volatile.Write(ref _lastSequence, System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(frame[24..]));
        }
    }

    private delegate bool FrameSink(ReadOnlySpan<byte> frame);

    /// <summary>The recorded ticks in memory, replayed end to end on a shifted clock as often as needed.</summary>
    private sealed class Recording
    {
        private readonly long[] _tsMs;
        private readonly double[] _price;
        private readonly int[] _stream;
        private readonly long _spanMs;
        private readonly double[] _lastPublished;

        private Recording(string name, IReadOnlyList<ReplayStream> streams, List<RecordedTick> ticks)
        {
            Name = name;
            Streams = streams;
            _tsMs = [.. ticks.Select(t => t.TsMs)];
            _price = [.. ticks.Select(t => t.Price)];
            _stream = [.. ticks.Select(t => t.FileIndex)];
            _spanMs = _tsMs[^1] - _tsMs[0] + 1_000;
            _lastPublished = new double[streams.Count];
        }

        public string Name { get; }

        public IReadOnlyList<ReplayStream> Streams { get; }

        public static Recording Load(string[] paths)
        {
            var ticks = new List<RecordedTick>();
            if (paths.Length == 0)
            {
                var crash = SyntheticCrash.Generate(1);
                var sources = crash.Series.Select((s, i) => s.OpenTicks(i)).ToArray();
                Drain(new RecordedTickMerger(sources), ticks);
                return new Recording($"the synthetic crash (seed 1, {ticks.Count:N0} ticks)",
                    [.. crash.Series.Select(s => new ReplayStream(FixedAscii24.Create(s.Source),
                        FixedAscii24.Create(s.BaseAsset)))], ticks);
            }

            var files = paths.Select(p => MarketDataFile.Parse(p)).ToArray();
            var readers = files.Select((f, i) => RecordedTickReader.Open(f, i)).ToArray();
            try
            {
                Drain(new RecordedTickMerger(readers), ticks);
            }
            finally
            {
                foreach (var reader in readers)
                {
                    reader.Dispose();
                }
            }

            return new Recording($"{files.Length} recorded file(s) ({ticks.Count:N0} ticks)",
                [.. files.Select(ReplayStream.For)], ticks);
        }

        /// <summary>Publishes <paramref name="total"/> ticks, 64 to a frame, through <paramref name="send"/>;
        /// returns the frames sent.</summary>
        public long Publish(long total, long rate, FrameSink send)
        {
            var sequences = new ulong[Streams.Count];
            var lastTsMs = new long[Streams.Count];
            var frame = new byte[TickFrameLayout.FrameLength(EntriesPerFrame)];
            var startNs = NowNs();
            ulong frameSequence = 1;
            var header = Header(frameSequence);
            var writer = new TickFrameWriter(frame, header);
            for (long i = 0; i < total; i++)
            {
                var k = (int)(i % _tsMs.Length);
                var shiftMs = (i / _tsMs.Length) * _spanMs;
                var s = _stream[k];
                writer.TryAdd(new TickEntry(Streams[s].Source, Streams[s].Symbol, _price[k], _tsMs[k] + shiftMs,
                    ++sequences[s]));
                _lastPublished[s] = _price[k];
                lastTsMs[s] = _tsMs[k] + shiftMs;
                if (writer.Count == EntriesPerFrame || i == total - 1)
                {
                    if (rate > 0)
                    {
                        var due = startNs + (long)((i + 1) * (1e9 / rate));
                        while (NowNs() < due)
                        {
                            Thread.SpinWait(8);
                        }
                    }

                    send(frame.AsSpan(0, writer.BytesWritten));
                    header = Header(++frameSequence);
                    writer = new TickFrameWriter(frame, header);
                }
            }

            // A PUB socket drops past its high-water mark, the tail included: end with a snapshot of every stream's
            // last value, as publishers do for late joiners, once the queue had time to drain.
            Thread.Sleep(200);
            var closing = new byte[TickFrameLayout.FrameLength(Streams.Count)];
            header = Header(frameSequence) with { Flags = TickFrameFlags.Snapshot };
            var snapshot = new TickFrameWriter(closing, header);
            for (var s = 0; s < Streams.Count; s++)
            {
                snapshot.TryAdd(new TickEntry(Streams[s].Source, Streams[s].Symbol, _lastPublished[s], lastTsMs[s],
                    sequences[s]));
            }

            send(closing.AsSpan(0, snapshot.BytesWritten));
            return (long)frameSequence;
        }

        private static TickFrameHeader Header(ulong sequence) =>
            new(TickMessageType.Price, TickFrameFlags.None, LoadPublisher, sequence, 0);

        /// <summary>The ticks as a tick source for <see cref="TickReplay"/>, repeated up to <paramref name="total"/>.</summary>
        public IRecordedTickSource Ticks(long total) => new Repeated(this, total);

        public string CheckLastPrices(PriceView view)
        {
            var report = view.Report();
            foreach (var (stream, i) in Streams.Select((s, i) => (s, i)))
            {
                var source = stream.Source.ToString();
                var symbol = stream.Symbol.ToString();
                var seen = report.Underlyings.Single(u => u.Underlying == symbol).Sources
                    .SingleOrDefault(s => s.Source == source)?.LastPrice ?? double.NaN;
                if (seen != _lastPublished[i])
                {
                    return Invariant($"FAILED: {source}/{symbol} last price {seen}, published {_lastPublished[i]}");
                }
            }

            return "ok, every source's last price in the view is the last one published";
        }

        private static void Drain(RecordedTickMerger source, List<RecordedTick> into)
        {
            while (source.TryRead(out var tick))
            {
                into.Add(tick);
            }
        }

        private sealed class Repeated(Recording recording, long total) : IRecordedTickSource
        {
            private long _next;

            public bool TryRead(out RecordedTick tick)
            {
                if (_next == total)
                {
                    tick = default;
                    return false;
                }

                var k = (int)(_next % recording._tsMs.Length);
                var shiftMs = (_next / recording._tsMs.Length) * recording._spanMs;
                var stream = recording._stream[k];
                tick = new RecordedTick(recording._tsMs[k] + shiftMs, recording._price[k], stream);
                recording._lastPublished[stream] = recording._price[k];
                _next++;
                return true;
            }
        }
    }
}

using System.Buffers.Binary;
using System.CommandLine;
using HdrHistogram;
using RiskGrid.Feed.Codec;
using RiskGrid.Feed.Transport;
using RiskGrid.Node.Prices;
using RiskGrid.Node.Time;
using static RiskGrid.Load.Feed.FeedLoad;

namespace RiskGrid.Load.Feed;

/// <summary>
/// <c>feed-latency</c> — OneNodeTickToPriceView: one publisher sends price ticks (one tick per frame, three sources of
/// BTC) at a fixed rate, open model; one node subscribes and writes them into its <see cref="PriceView"/> on the
/// receive thread. Latency = price view updated (after <see cref="PriceView.ApplyFrame"/> returns) − the tick's
/// intended send time, which the sender writes into the frame's send-time field. Stamping the intended time rather
/// than the actual one corrects for coordinated omission: a sender or receiver that falls behind is charged for every
/// tick that waited. Also measures bytes allocated per tick in steady state on the receive thread (NetMQ receive +
/// decode + filter + oracle) and process-wide, and checks the answer (the index is the median of the last prices).
/// </summary>
internal static class FeedLatencyHarness
{
    private const uint LoadPublisher = 1;
    private const uint HandshakePublisher = 2;

    public static Command Command()
    {
        var transport = new Option<string>("--transport")
        {
            Description = "inproc, tcp (loopback) or both",
            DefaultValueFactory = _ => "both",
        };
        transport.AcceptOnlyFromAmong("inproc", "tcp", "both");
        var rate = new Option<int>("--rate") { Description = "Ticks per second", DefaultValueFactory = _ => 100_000 };
        var seconds = new Option<double>("--seconds") { Description = "Measured time", DefaultValueFactory = _ => 10 };
        var warmup = new Option<double>("--warmup") { Description = "Unmeasured time first", DefaultValueFactory = _ => 3 };
        var perFrame = new Option<int>("--ticks-per-frame")
        {
            Description = "Ticks a publisher flushes together (1: every tick its own frame)",
            DefaultValueFactory = _ => 1,
        };
        var command = new Command("feed-latency", "Tick published → node price view updated, paced (HdrHistogram)")
        {
            transport, rate, seconds, warmup, perFrame,
        };
        command.SetAction(parse =>
        {
            var which = parse.GetValue(transport)!;
            var ok = true;
            foreach (var t in which == "both" ? ["inproc", "tcp"] : new[] { which })
            {
                ok &= Run(t, parse.GetValue(rate), parse.GetValue(seconds), parse.GetValue(warmup),
                    Math.Clamp(parse.GetValue(perFrame), 1, 1_000));
            }

            return ok ? 0 : 1;
        });
        return command;
    }

    private static bool Run(string transportName, int rate, double seconds, double warmup, int ticksPerFrame)
    {
        WarnIfFewCores(transportName == "tcp" ? 3 : 2,
            transportName == "tcp" ? "a spinning sender, NetMQ's I/O thread, the receive thread" : "a spinning sender, the receive thread");
        UsePooledBuffers();
        using var transport = new NetMqTickTransport();
        var publisher = transport.CreatePublisher(new TickTransportOptions
        {
            Endpoint = Endpoint(transportName), SendHighWatermark = 100_000,
        });
        var subscriber = transport.CreateSubscriber(new TickTransportOptions
        {
            Endpoint = publisher.Endpoint, ReceiveHighWatermark = 100_000,
        });
        var view = NewView(SystemGridClock.Instance);
        var total = (long)((warmup + seconds) * rate / ticksPerFrame);
        var intervalNs = 1_000_000_000.0 * ticksPerFrame / rate;
        var histogram = new LongHistogram(10_000_000_000, 3);
        var applyHistogram = new LongHistogram(10_000_000_000, 3);
        var probe = new Probe(view, histogram, applyHistogram);
        subscriber.Start(probe.OnFrame);
        Handshake(publisher, probe);

        var sender = new Sender(publisher, rate, ticksPerFrame);
        var startNs = NowNs() + 5_000_000;
        probe.Window(startNs + (long)(warmup * 1e9), startNs + (long)((warmup + seconds) * 1e9));
        var thread = new Thread(() => sender.Run(startNs, intervalNs, total)) { Name = "load-sender" };
        thread.Start();

        SleepUntil(probe.FromNs);
        var processBefore = GC.GetTotalAllocatedBytes(precise: true);
        var gcBefore = GC.CollectionCount(0);
        SleepUntil(probe.ToNs);
        var processAfter = GC.GetTotalAllocatedBytes(precise: true);
        var gcAfter = GC.CollectionCount(0);
        thread.Join();
        var complete = WaitFor(() => probe.LastSequence == (ulong)total, TimeSpan.FromSeconds(10));

        var report = view.Report();
        var publisherStats = report.Publishers.FirstOrDefault(p => p.PublisherId == LoadPublisher);
        var btc = report.Underlyings.Single(u => u.Underlying == "BTC");
        var expected = Median(sender.LastPrices);
        var answer = complete && btc.Index == expected;
        var measured = probe.Measured;
        Console.WriteLine(Invariant(
            $"feed-latency {transportName}: {rate:N0} ticks/s, {ticksPerFrame} tick(s) per frame, {seconds:0.#} s measured after {warmup:0.#} s warm-up, {Environment.ProcessorCount} cores"));
        Console.WriteLine(Invariant(
            $"  frames sent {total:N0}, refused {sender.Refused:N0}, sender late by > 1 frame interval {sender.Late:N0}; received {probe.Frames:N0}, frame gaps {publisherStats?.Gaps ?? 0} (missed {publisherStats?.MissedFrames ?? 0})"));
        PrintPercentiles(histogram, "latency µs, intended send → price view updated");
        PrintPercentiles(applyHistogram, "of which in PriceView.ApplyFrame (decode, filter, oracle, publish), µs per frame");
        Console.WriteLine(Invariant(
            $"  allocated per tick in steady state: receive thread {probe.AllocatedBytes / (double)Math.Max(1, measured):0.###} B ({probe.AllocatedBytes:N0} B over {measured:N0} ticks), process {(processAfter - processBefore) / (double)Math.Max(1, measured):0.###} B, gen0 GCs {gcAfter - gcBefore}"));
        Console.WriteLine(Invariant(
            $"  check: BTC index {btc.Index} {(answer ? "=" : "≠")} median of the last prices sent {expected} ({btc.Status}): {(answer ? "ok" : "FAILED")}"));
        return answer;
    }

    private static void Handshake(ITickPublisher publisher, Probe probe)
    {
        var frame = new byte[TickFrameLayout.HeaderLength];
        for (ulong s = 1; probe.Handshakes == 0; s++)
        {
            _ = new TickFrameWriter(frame,
                new TickFrameHeader(TickMessageType.Price, TickFrameFlags.None, HandshakePublisher, s, 0));
            publisher.TryPublish(frame);
            Thread.Sleep(20);
        }
    }

    private static void SleepUntil(long ns)
    {
        var wait = ns - NowNs();
        if (wait > 0)
        {
            Thread.Sleep(TimeSpan.FromTicks(wait / 100));
        }
    }

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2]
            : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) * 0.5;
    }

    /// <summary>The receive-thread side: applies, then records.</summary>
    private sealed class Probe(PriceView view, LongHistogram histogram, LongHistogram applyHistogram)
    {
        private long _measured;
        private long _frames;
        private long _handshakes;
        private ulong _lastSequence;
        private bool _started;
        private long _allocatedAtStart;
        private long _allocatedAtEnd;

        public long FromNs { get; private set; } = long.MaxValue;

        public long ToNs { get; private set; } = long.MaxValue;

        public long Measured => Volatile.Read(ref _measured);

        public long Frames => Volatile.Read(ref _frames);

        public long Handshakes => Volatile.Read(ref _handshakes);

        public ulong LastSequence => Volatile.Read(ref _lastSequence);

        public long AllocatedBytes => Volatile.Read(ref _allocatedAtEnd) - Volatile.Read(ref _allocatedAtStart);

        public void Window(long fromNs, long toNs)
        {
            FromNs = fromNs;
            ToNs = toNs;
        }

        public void OnFrame(ReadOnlySpan<byte> frame)
        {
            var received = NowNs();
            view.ApplyFrame(frame);
            var now = NowNs();
            var publisher = BinaryPrimitives.ReadUInt32LittleEndian(frame[16..]);
            if (publisher != LoadPublisher)
            {
                Volatile.Write(ref _handshakes, _handshakes + 1);
                return;
            }

            var intended = BinaryPrimitives.ReadInt64LittleEndian(frame[32..]);
            Volatile.Write(ref _frames, _frames + 1);
            if (intended >= FromNs && intended < ToNs)
            {
                if (!_started)
                {
                    _started = true;
                    Volatile.Write(ref _allocatedAtStart, GC.GetAllocatedBytesForCurrentThread());
                }

                // Every tick of the frame waited as long as the frame.
                var ticks = (frame.Length - TickFrameLayout.HeaderLength) / TickFrameLayout.EntryLength;
                histogram.RecordValueWithCount(Math.Clamp(now - intended, 0, histogram.HighestTrackableValue), ticks);
                applyHistogram.RecordValue(Math.Clamp(now - received, 0, applyHistogram.HighestTrackableValue));
                Volatile.Write(ref _measured, _measured + ticks);
                Volatile.Write(ref _allocatedAtEnd, GC.GetAllocatedBytesForCurrentThread());
            }

            Volatile.Write(ref _lastSequence, BinaryPrimitives.ReadUInt64LittleEndian(frame[24..]));
        }
    }

    /// <summary>Sends tick i at start + i × interval, spinning until it is due; never waits for the receiver.</summary>
    private sealed class Sender(ITickPublisher publisher, int rate, int ticksPerFrame)
    {
        private static readonly FixedAscii24[] Sources =
            [FixedAscii24.Create("venue_a"), FixedAscii24.Create("venue_b"), FixedAscii24.Create("venue_c")];

        private static readonly FixedAscii24 Btc = FixedAscii24.Create("BTC");

        public double[] LastPrices { get; } = new double[Sources.Length];

        public long Refused { get; private set; }

        public long Late { get; private set; }

        public void Run(long startNs, double intervalNs, long total)
        {
            var frame = new byte[TickFrameLayout.FrameLength(ticksPerFrame)];
            var sequences = new ulong[Sources.Length];
            var wallStartMs = SystemGridClock.Instance.NowMs;
            var random = new Random(rate);
            var price = 100_000.0;
            for (long i = 0; i < total; i++)
            {
                var intended = startNs + (long)(i * intervalNs);
                var now = NowNs();
                if (now - intended > intervalNs)
                {
                    Late++;
                }

                while (now < intended)
                {
                    // Yield rather than burn the core: on a small machine the receive thread may need it.
                    Thread.Yield();
                    now = NowNs();
                }

                var writer = new TickFrameWriter(frame,
                    new TickFrameHeader(TickMessageType.Price, TickFrameFlags.None, LoadPublisher, (ulong)i + 1, intended));
                for (var t = 0; t < ticksPerFrame; t++)
                {
                    var s = (int)(((i * ticksPerFrame) + t) % Sources.Length);
                    price += (random.NextDouble() - 0.5) * 2;
                    var tickPrice = Math.Round(price + (s * 5), 2);
                    writer.TryAdd(TickEntry.PriceTick(Sources[s], Btc, tickPrice,
                        wallStartMs + ((intended - startNs) / 1_000_000), ++sequences[s]));
                    LastPrices[s] = tickPrice;
                }

                if (!publisher.TryPublish(frame))
                {
                    Refused++;
                }
            }
        }
    }
}

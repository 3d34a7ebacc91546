using System.Collections.Concurrent;
using System.Diagnostics;
using RiskGrid.Feed.Codec;
using RiskGrid.Feed.Transport;

namespace RiskGrid.Feed.Tests.Transport;

public sealed class NetMqTickTransportTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private static readonly FixedAscii24 Gemini = FixedAscii24.Create("gemini");
    private const uint HandshakePublisher = 99;

    private static string InprocEndpoint() => "inproc://riskgrid-feed-test-" + Guid.NewGuid().ToString("N");

    /// <summary>A frame whose bytes depend on its sequence, so loss, reordering and corruption all show.</summary>
    internal static byte[] NumberedFrame(uint publisher, ulong sequence, int entries = 3)
    {
        var frame = new byte[TickFrameLayout.FrameLength(entries)];
        var writer = new TickFrameWriter(frame,
            new TickFrameHeader(TickMessageType.Price, TickFrameFlags.None, publisher, sequence, (long)sequence));
        for (var i = 0; i < entries; i++)
        {
            writer.TryAdd(TickEntry.PriceTick(Gemini, FixedAscii24.Create("SYM" + i), sequence + (i / 8.0),
                (long)sequence, sequence));
        }

        return frame;
    }

    /// <summary>PUB drops what it sends before the subscription has propagated: send handshake frames until one
    /// arrives, within a deadline.</summary>
    internal static void Handshake(ITickPublisher publisher, Func<bool> arrived)
    {
        var clock = Stopwatch.StartNew();
        for (ulong sequence = 1; !arrived(); sequence++)
        {
            Assert.True(clock.Elapsed < Deadline, $"no handshake frame arrived within {Deadline}");
            publisher.TryPublish(NumberedFrame(HandshakePublisher, sequence, entries: 0));
            Thread.Sleep(20);
        }
    }

    internal static void WaitFor(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < Deadline, $"timed out after {Deadline} waiting for {what}");
            Thread.Sleep(10);
        }
    }

    [Fact]
    public void FramesArriveInOrderAndIntactOverInproc() => AssertFramesArriveInOrderAndIntact(InprocEndpoint());

    [Fact]
    public void FramesArriveInOrderAndIntactOverTcpOnAFreePort() =>
        AssertFramesArriveInOrderAndIntact("tcp://127.0.0.1:0");

    private static void AssertFramesArriveInOrderAndIntact(string endpoint)
    {
        using var transport = new NetMqTickTransport();
        var publisher = transport.CreatePublisher(new TickTransportOptions
        {
            Endpoint = endpoint, SendHighWatermark = 10_000,
        });
        var subscriber = transport.CreateSubscriber(new TickTransportOptions
        {
            Endpoint = publisher.Endpoint, ReceiveHighWatermark = 10_000,
        });
        var received = new ConcurrentQueue<byte[]>();
        var handshakes = 0;
        subscriber.Start(frame =>
        {
            TickFrameReader.Open(frame, out var reader);
            if (reader.Header.PublisherId == HandshakePublisher)
            {
                Interlocked.Increment(ref handshakes);
                return;
            }

            received.Enqueue(frame.ToArray());
        });
        Handshake(publisher, () => Volatile.Read(ref handshakes) > 0);

        const int count = 2_000;
        for (ulong sequence = 1; sequence <= count; sequence++)
        {
            Assert.True(publisher.TryPublish(NumberedFrame(1, sequence)));
        }

        WaitFor(() => received.Count >= count, $"{count} frames");
        Assert.True(subscriber.Stop());
        var frames = received.ToArray();
        Assert.Equal(count, frames.Length);
        for (var i = 0; i < count; i++)
        {
            Assert.Equal(NumberedFrame(1, (ulong)i + 1), frames[i]);
        }

        Assert.Equal(0, subscriber.Stats.FramesGarbled);
        Assert.Equal(0, publisher.Stats.FramesRefused);
        Assert.Equal(subscriber.Stats.FramesReceived, subscriber.Stats.FramesDelivered);
    }

    [Fact]
    public void ASubscriberStartedBeforeItsInprocPublisherBindsConnectsOnceItDoes()
    {
        using var transport = new NetMqTickTransport();
        var endpoint = InprocEndpoint();
        var subscriber = transport.CreateSubscriber(new TickTransportOptions
        {
            Endpoint = endpoint, ReceivePollInterval = TimeSpan.FromMilliseconds(10),
        });
        var delivered = 0;
        subscriber.Start(_ => Interlocked.Increment(ref delivered));
        WaitFor(() => subscriber.Stats.ConnectAttempts >= 3, "connect retries");
        Assert.False(subscriber.Stats.IsConnected);

        var publisher = transport.CreatePublisher(new TickTransportOptions { Endpoint = endpoint });
        Handshake(publisher, () => Volatile.Read(ref delivered) > 0);
        Assert.True(subscriber.Stats.IsConnected);
    }

    [Fact]
    public void GarbledFramesAreCountedAndSkippedAndTheSubscriberCarriesOn()
    {
        using var transport = new NetMqTickTransport();
        var publisher = transport.CreatePublisher(new TickTransportOptions { Endpoint = InprocEndpoint() });
        var subscriber = transport.CreateSubscriber(new TickTransportOptions { Endpoint = publisher.Endpoint });
        var sequences = new ConcurrentQueue<ulong>();
        subscriber.Start(frame =>
        {
            Assert.Equal(TickFrameStatus.Ok, TickFrameReader.Open(frame, out var reader));
            sequences.Enqueue(reader.Header.FrameSequence);
        });
        Handshake(publisher, () => !sequences.IsEmpty);
        var handshakes = sequences.Count;

        var badMagic = NumberedFrame(1, 1);
        badMagic[0] ^= 0xFF;
        var truncated = NumberedFrame(1, 2)[..^5];
        publisher.TryPublish(badMagic);
        publisher.TryPublish(truncated);
        publisher.TryPublish("not a frame"u8);
        publisher.TryPublish(NumberedFrame(1, 4));

        WaitFor(() => sequences.Count == handshakes + 1, "the good frame after the garbled ones");
        var stats = subscriber.Stats;
        Assert.Equal(3, stats.FramesGarbled);
        Assert.Equal(TickFrameStatus.TooShort, stats.LastGarbledStatus);
        Assert.Equal(stats.FramesReceived - 3, stats.FramesDelivered);
        Assert.Equal(4UL, sequences.Last());
    }

    [Fact]
    public void AHandlerThatThrowsIsCountedAndDoesNotStopTheThread()
    {
        using var transport = new NetMqTickTransport();
        var publisher = transport.CreatePublisher(new TickTransportOptions { Endpoint = InprocEndpoint() });
        var subscriber = (NetMqTickSubscriber)transport.CreateSubscriber(
            new TickTransportOptions { Endpoint = publisher.Endpoint });
        var calls = 0;
        subscriber.Start(_ =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                throw new InvalidOperationException("boom");
            }
        });
        Handshake(publisher, () => Volatile.Read(ref calls) >= 2);

        Assert.Equal(1, subscriber.Stats.HandlerFaults);
        Assert.Equal("boom", subscriber.LastHandlerFault?.Message);
    }

    [Fact]
    public void StopEndsAnIdleSubscriberWithinItsPollIntervalAndStartTwiceIsRefused()
    {
        using var transport = new NetMqTickTransport();
        var publisher = transport.CreatePublisher(new TickTransportOptions { Endpoint = InprocEndpoint() });
        var subscriber = transport.CreateSubscriber(new TickTransportOptions
        {
            Endpoint = publisher.Endpoint, ReceivePollInterval = TimeSpan.FromMilliseconds(20),
        });
        subscriber.Start(_ => { });
        Assert.Throws<InvalidOperationException>(() => subscriber.Start(_ => { }));

        var clock = Stopwatch.StartNew();
        Assert.True(subscriber.Stop());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"stop took {clock.Elapsed}");
    }

    [Fact]
    public void APublisherRefusesOversizedFramesAndFramesAfterDisposeAndCountsThem()
    {
        using var transport = new NetMqTickTransport();
        var publisher = transport.CreatePublisher(new TickTransportOptions
        {
            Endpoint = InprocEndpoint(), MaxFrameBytes = 100,
        });
        Assert.True(publisher.TryPublish(new byte[100]));
        Assert.False(publisher.TryPublish(new byte[101]));
        publisher.Dispose();
        Assert.False(publisher.TryPublish(new byte[10]));
        Assert.Equal(new TickPublisherStats(1, 100, 2), publisher.Stats);
    }

    [Theory]
    [InlineData("udp://127.0.0.1:5000", "Endpoint")]
    [InlineData("tcp://127.0.0.1:99999", "Endpoint")]
    [InlineData("inproc://", "Endpoint")]
    public void BadEndpointsAreRejectedNamingTheKey(string endpoint, string key)
    {
        using var transport = new NetMqTickTransport();
        var error = Assert.Throws<ArgumentException>(() =>
            transport.CreatePublisher(new TickTransportOptions { Endpoint = endpoint }));
        Assert.StartsWith($"{key} = {endpoint}:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BadHighWaterMarksAreRejectedNamingKeyAndValue()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            new TickTransportOptions { Endpoint = "inproc://x", SendHighWatermark = 0 }.Validate());
        Assert.StartsWith("SendHighWatermark = 0: must be > 0", error.Message, StringComparison.Ordinal);
        using var transport = new NetMqTickTransport();
        Assert.Throws<ArgumentException>(() =>
            transport.CreateSubscriber(new TickTransportOptions { Endpoint = "tcp://127.0.0.1:0" }));
    }
}

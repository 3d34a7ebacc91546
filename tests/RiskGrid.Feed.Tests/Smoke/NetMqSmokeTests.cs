using System.Diagnostics;
using NetMQ;
using NetMQ.Sockets;

namespace RiskGrid.Feed.Tests.Smoke;

/// <summary>
/// NetMQ PUB/SUB as the tick data plane will use it: a binary frame with a send high-water mark, over inproc://
/// (in-process fan-out) and over tcp://127.0.0.1 on a random port. PUB drops everything sent before the
/// subscription has propagated (the slow-joiner problem), so the publisher resends until the subscriber answers,
/// within a bounded time.
/// </summary>
public sealed class NetMqSmokeTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan ResendEvery = TimeSpan.FromMilliseconds(50);

    [Fact]
    public void BinaryFramePassesFromPublisherToSubscriberOverInproc()
    {
        var address = "inproc://riskgrid-smoke-" + Guid.NewGuid().ToString("N");
        using var publisher = new PublisherSocket();
        publisher.Options.SendHighWatermark = 1_000;
        publisher.Bind(address);
        using var subscriber = new SubscriberSocket();
        subscriber.Connect(address);

        AssertFrameArrivesIntact(publisher, subscriber);
    }

    [Fact]
    public void BinaryFramePassesFromPublisherToSubscriberOverTcpOnARandomPort()
    {
        using var publisher = new PublisherSocket();
        publisher.Options.SendHighWatermark = 1_000;
        publisher.Options.Linger = TimeSpan.Zero;
        var port = publisher.BindRandomPort("tcp://127.0.0.1");
        Assert.InRange(port, 1, 65_535);
        using var subscriber = new SubscriberSocket();
        subscriber.Options.Linger = TimeSpan.Zero;
        subscriber.Connect($"tcp://127.0.0.1:{port}");

        AssertFrameArrivesIntact(publisher, subscriber);
    }

    private static void AssertFrameArrivesIntact(PublisherSocket publisher, SubscriberSocket subscriber)
    {
        Assert.Equal(1_000, publisher.Options.SendHighWatermark);
        var topic = new byte[] { 0x54, 0x4B }; // "TK": subscriptions match on a byte prefix
        subscriber.Subscribe(topic);

        // A frame shaped like a tick: topic prefix, then every byte value once so no value is lost or translated.
        var frame = new byte[topic.Length + 256];
        topic.CopyTo(frame, 0);
        for (var i = 0; i < 256; i++)
        {
            frame[topic.Length + i] = (byte)i;
        }

        var clock = Stopwatch.StartNew();
        byte[]? received = null;
        var sends = 0;
        while (received is null && clock.Elapsed < Deadline)
        {
            publisher.SendFrame(frame);
            sends++;
            subscriber.TryReceiveFrameBytes(ResendEvery, out received);
        }

        Assert.True(received is not null, $"no frame arrived within {Deadline} after {sends} sends");
        Assert.Equal(frame, received);
    }
}

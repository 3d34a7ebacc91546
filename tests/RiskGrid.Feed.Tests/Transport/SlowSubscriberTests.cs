using System.Diagnostics;
using RiskGrid.Feed.Codec;
using RiskGrid.Feed.Transport;
using Xunit.Abstractions;

namespace RiskGrid.Feed.Tests.Transport;

/// <summary>Memory is measured process-wide, so these tests run alone.</summary>
[CollectionDefinition(nameof(SlowSubscriberTests), DisableParallelization = true)]
public sealed class SlowSubscriberCollection;

/// <summary>A publisher offered far faster than a subscriber drains must neither block, nor spin, nor queue
/// without bound: PUB drops past the high-water marks and the subscriber counts the drops as frame gaps.</summary>
[Collection(nameof(SlowSubscriberTests))]
public sealed class SlowSubscriberTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("inproc")]
    [InlineData("tcp")]
    public void AFloodAtLeastTenTimesFasterThanTheSubscriberKeepsMemoryBoundedAndCountsTheDrops(string scheme)
    {
        const int floodFrames = 20_000; // × 4,648 bytes = 93 MB if nothing were dropped
        const int highWatermark = 20;
        using var transport = new NetMqTickTransport();
        var publisher = transport.CreatePublisher(new TickTransportOptions
        {
            Endpoint = scheme == "inproc" ? "inproc://slow-" + Guid.NewGuid().ToString("N") : "tcp://127.0.0.1:0",
            SendHighWatermark = highWatermark,
        });
        var subscriber = transport.CreateSubscriber(new TickTransportOptions
        {
            Endpoint = publisher.Endpoint, ReceiveHighWatermark = highWatermark,
        });
        var filter = new SourceTickFilter();
        var delivered = 0L;
        subscriber.Start(frame =>
        {
            TickFrameReader.Open(frame, out var reader);
            filter.ObserveFrame(reader.Header);
            Interlocked.Increment(ref delivered);
            Thread.Sleep(2); // a slow consumer: at most ~500 frames/s
        });

        var conflater = new ConflatingPublisher(publisher, publisherId: 1);
        var source = FixedAscii24.Create("gemini");
        var symbols = Enumerable.Range(0, 64).Select(i => FixedAscii24.Create("S" + i)).ToArray();
        NetMqTickTransportTests.Handshake(publisher, () => Interlocked.Read(ref delivered) > 0);

        var baselineBytes = GC.GetTotalMemory(forceFullCollection: true);
        var deliveredBefore = Interlocked.Read(ref delivered);
        var clock = Stopwatch.StartNew();
        for (var frame = 1; frame <= floodFrames; frame++)
        {
            foreach (var symbol in symbols)
            {
                conflater.Offer(source, symbol, frame, frame, (ulong)frame);
            }

            Assert.Equal(1, conflater.Flush(frame));
        }

        var floodTime = clock.Elapsed;
        var deliveredDuringFlood = Interlocked.Read(ref delivered) - deliveredBefore;
        var retainedBytes = GC.GetTotalMemory(forceFullCollection: true) - baselineBytes;

        // The premise: the producer really was at least ten times faster than the consumer.
        Assert.True(floodFrames >= 10 * Math.Max(1, deliveredDuringFlood),
            $"{floodFrames} frames published in {floodTime}, {deliveredDuringFlood} consumed meanwhile");
        Assert.True(floodTime < TimeSpan.FromSeconds(30), $"publishing blocked: {floodTime}");
        Assert.True(retainedBytes < 16 << 20, $"{retainedBytes:N0} bytes retained after the flood");

        // Let the subscriber drain, then one more frame makes any drop at the tail visible as a gap too.
        NetMqTickTransportTests.WaitFor(() =>
        {
            var seen = Interlocked.Read(ref delivered);
            Thread.Sleep(300);
            return Interlocked.Read(ref delivered) == seen;
        }, "the subscriber to drain");
        conflater.Offer(source, symbols[0], 0, 0, floodFrames + 1);
        conflater.Flush(0);
        var lastSequence = conflater.LastFrameSequence;
        NetMqTickTransportTests.WaitFor(
            () => filter.TryGetPublisherStats(1, out var s) && s.LastFrameSequence == lastSequence, "the last frame");
        Assert.True(subscriber.Stop());

        Assert.True(filter.TryGetPublisherStats(1, out var stats));
        Assert.True(stats.MissedFrames > 0 && stats.Gaps > 0, $"no drop counted: {stats}");
        // Every frame the conflater published was either seen or counted missing (from the first one seen).
        var firstSeen = lastSequence - (ulong)(stats.Frames + stats.MissedFrames) + 1;
        Assert.InRange(firstSeen, 1UL, 2UL);
        Assert.Equal(0, conflater.Stats.FramesRefused);
        Assert.Equal(0, subscriber.Stats.FramesGarbled);
        output.WriteLine($"{scheme}: {floodFrames} frames in {floodTime.TotalMilliseconds:F0} ms, "
            + $"{deliveredDuringFlood} consumed meanwhile, {retainedBytes:N0} bytes retained, {stats}");
    }
}

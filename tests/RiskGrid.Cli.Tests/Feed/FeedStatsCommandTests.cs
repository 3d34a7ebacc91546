using RiskGrid.Cli.Tests.Interchange;
using RiskGrid.Feed.Codec;
using RiskGrid.Feed.Transport;

namespace RiskGrid.Cli.Tests.Feed;

/// <summary><c>riskgrid feed-stats</c> end to end, against a publisher of the test's own.</summary>
[Collection(nameof(FeedCommandCollection))]
public sealed class FeedStatsCommandTests
{
    [Fact]
    public void ItPrintsPerSourceCountsAndDropsAndPerUnderlyingTheMedianIndex()
    {
        using var transport = new NetMqTickTransport();
        var publisher = transport.CreatePublisher(new TickTransportOptions { Endpoint = "tcp://127.0.0.1:0" });
        using var stop = new CancellationTokenSource();
        var feeder = new Thread(() => Publish(publisher, stop.Token)) { IsBackground = true };
        feeder.Start();

        var run = CliRun.Invoke("", "feed-stats", "--endpoint", publisher.Endpoint, "--seconds", "1.5",
            "--clock", "data");
        stop.Cancel();
        feeder.Join();

        Assert.True(run.ExitCode == 0, run.Error);
        var btc = Row(run, "│ BTC ");
        // Median of {100 000, 100 010, 99 990} = 100 000 on every frame.
        Assert.Contains("│ 100000 ", btc, StringComparison.Ordinal);
        Assert.Contains("│ Fresh ", btc, StringComparison.Ordinal);
        Assert.Contains("│ 3/2 ", btc, StringComparison.Ordinal);
        // Source "b" sends a NaN and then a negative price on every 10th frame: dropped and counted.
        var b = Cells(Row(run, "│ venue_b "));
        Assert.True(long.Parse(b[3].Replace(",", "", StringComparison.Ordinal)) > 0, string.Join("|", b));
        Assert.True(long.Parse(b[5].Replace(",", "", StringComparison.Ordinal)) > 0, string.Join("|", b));
        Assert.Equal("0", Cells(Row(run, "│ venue_a "))[3]);
        // Garbled frames (one in 50), counted and skipped.
        Assert.True(long.Parse(Cells(Row(run, "│ " + publisher.Endpoint))[4]) > 0, run.Output);
        Assert.Equal("BadMagic", Cells(Row(run, "│ " + publisher.Endpoint))[5]);
    }

    [Fact]
    public void ANegativeDurationIsRefusedWithExitStatusTwo()
    {
        var run = CliRun.Invoke("", "feed-stats", "--seconds", "-1");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--seconds", run.Error, StringComparison.Ordinal);
    }

    private static string Row(CliRun run, string start) =>
        run.Lines.FirstOrDefault(l => l.StartsWith(start, StringComparison.Ordinal))
        ?? throw new Xunit.Sdk.XunitException($"no row {start} in:\n{run.Output}\n{run.Error}");

    private static string[] Cells(string row) =>
        [.. row.Split('│').Select(c => c.Trim())];

    private static void Publish(ITickPublisher publisher, CancellationToken stop)
    {
        var a = FixedAscii24.Create("venue_a");
        var b = FixedAscii24.Create("venue_b");
        var c = FixedAscii24.Create("venue_c");
        var btc = FixedAscii24.Create("BTC");
        var frame = new byte[TickFrameLayout.FrameLength(4)];
        for (ulong i = 1; !stop.IsCancellationRequested; i++)
        {
            var t = 1_767_225_600_000 + (long)(i * 10);
            var writer = new TickFrameWriter(frame,
                new TickFrameHeader(TickMessageType.Price, TickFrameFlags.None, 42, i, 0));
            writer.TryAdd(TickEntry.PriceTick(a, btc, 100_000, t, i));
            writer.TryAdd(TickEntry.PriceTick(b, btc, 100_010, t, 2 * i));
            writer.TryAdd(TickEntry.PriceTick(c, btc, 99_990, t, i));
            if (i % 10 == 0)
            {
                writer.TryAdd(TickEntry.PriceTick(b, btc, i % 20 == 0 ? double.NaN : -1, t, (2 * i) + 1));
            }

            publisher.TryPublish(frame.AsSpan(0, writer.BytesWritten));
            if (i % 50 == 0)
            {
                var garbled = frame[..writer.BytesWritten];
                garbled[0] = 0;
                publisher.TryPublish(garbled);
            }

            Thread.Sleep(5);
        }
    }
}

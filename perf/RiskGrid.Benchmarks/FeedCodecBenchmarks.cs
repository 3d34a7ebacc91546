using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using RiskGrid.Feed.Codec;

namespace RiskGrid.Benchmarks;

/// <summary>Tick codec hot paths on one 64-entry price frame (4,648 bytes): encode into a reused buffer; validate and
/// iterate it; and the subscriber's full path: validate, observe the frame sequence, and pass every entry through
/// <see cref="SourceTickFilter"/>, each run on a frame whose frame and source sequences have moved on (rewriting
/// them in place, 65 stores, is included), so every entry is accepted as in steady state. Every measure must show
/// Allocated "-".</summary>
[MemoryDiagnoser]
public class FeedCodecBenchmarks
{
    private const int Entries = 64;
    private readonly byte[] _frame = new byte[TickFrameLayout.FrameLength(Entries)];
    private readonly TickEntry[] _entries = new TickEntry[Entries];
    private readonly TickFrameHeader _header =
        new(TickMessageType.Price, TickFrameFlags.None, PublisherId: 1, FrameSequence: 1, SendTimestampNs: 1);
    private readonly SourceTickFilter _filter = new();
    private ulong _sequence = 1;

    [GlobalSetup]
    public void Setup()
    {
        string[] sources = ["gemini", "binancecm_mark", "binanceum_markidx", "kraken"];
        for (var i = 0; i < Entries; i++)
        {
            _entries[i] = TickEntry.PriceTick(FixedAscii24.Create(sources[i % sources.Length]),
                FixedAscii24.Create("BTC-20261225-" + (60_000 + (i * 1_000)) + "-C"), 100_000 + i,
                1_760_131_200_000 + i, (ulong)i + 1);
        }

        if (Encode64() != _frame.Length || DecodeIterate64() <= 0 || DecodeFilter64() != Entries)
        {
            throw new InvalidOperationException("benchmark setup does not round-trip");
        }
    }

    [Benchmark]
    public int Encode64()
    {
        TickFrameWriter.TryWrite(_frame, _header, _entries, out var written);
        return written;
    }

    [Benchmark]
    public double DecodeIterate64()
    {
        if (TickFrameReader.Open(_frame, out var reader) != TickFrameStatus.Ok)
        {
            return -1;
        }

        var sum = 0.0;
        foreach (var entry in reader)
        {
            sum += entry.Value + entry.Sequence;
        }

        return sum;
    }

    [Benchmark]
    public int DecodeFilter64()
    {
        _sequence++;
        BinaryPrimitives.WriteUInt64LittleEndian(_frame.AsSpan(24), _sequence);
        for (var i = 0; i < Entries; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(
                _frame.AsSpan(TickFrameLayout.HeaderLength + (i * TickFrameLayout.EntryLength) + 64), _sequence);
        }

        if (TickFrameReader.Open(_frame, out var reader) != TickFrameStatus.Ok)
        {
            return -1;
        }

        _filter.ObserveFrame(reader.Header);
        var accepted = 0;
        foreach (var entry in reader)
        {
            accepted += _filter.Accept(reader.Header, entry) == TickVerdict.Accepted ? 1 : 0;
        }

        return accepted;
    }
}

using CsCheck;
using RiskGrid.Feed.Codec;

namespace RiskGrid.Feed.Tests.Codec;

public sealed class TickFrameRoundTripTests
{
    private static readonly FixedAscii24 Gemini = FixedAscii24.Create("gemini");
    private static readonly FixedAscii24 Btc = FixedAscii24.Create("BTC");

    [Fact]
    public void PriceTicksRoundTrip()
    {
        TickEntry[] entries =
        [
            TickEntry.PriceTick(Gemini, Btc, 107_000, 1_760_131_584_000, 24_001),
            TickEntry.PriceTick(FixedAscii24.Create("binancecm_mark"), Btc, 102_497.48513403, 1_760_131_200_000, 1),
        ];
        AssertRoundTrip(TickMessageType.Price, TickFrameFlags.None, entries);
    }

    [Fact]
    public void ImpliedVolTicksRoundTrip()
    {
        TickEntry[] entries =
        [
            TickEntry.ImpliedVolTick(FixedAscii24.Create("deribit"), FixedAscii24.Create("BTC-20261225-100000-C"),
                0.55, 1_760_131_200_000, 9),
        ];
        AssertRoundTrip(TickMessageType.ImpliedVol, TickFrameFlags.None, entries);
    }

    [Fact]
    public void FundingRatesRoundTripIncludingNegativeRatesInSnapshots()
    {
        TickEntry[] entries =
        [
            TickEntry.Funding(FixedAscii24.Create("binanceum"), FixedAscii24.Create("BTC-PERP"),
                -0.000125, 1_760_140_800_000, 3),
            TickEntry.Funding(FixedAscii24.Create("binanceum"), FixedAscii24.Create("ETH-PERP"),
                0.0001, 1_760_140_800_000, 3),
        ];
        AssertRoundTrip(TickMessageType.FundingRate, TickFrameFlags.Snapshot, entries);
    }

    [Fact]
    public void AnEmptyFrameIsAValidHeartbeat()
    {
        AssertRoundTrip(TickMessageType.Price, TickFrameFlags.None, []);
    }

    [Fact]
    public void WriterRefusesTheEntryThatDoesNotFitAndKeepsAValidFrame()
    {
        var buffer = new byte[TickFrameLayout.FrameLength(2) + TickFrameLayout.EntryLength - 1];
        var writer = new TickFrameWriter(buffer, Header(TickMessageType.Price, TickFrameFlags.None));
        var tick = TickEntry.PriceTick(Gemini, Btc, 1, 1, 1);

        Assert.Equal(2, writer.Capacity);
        Assert.True(writer.TryAdd(tick));
        Assert.True(writer.TryAdd(tick with { Sequence = 2 }));
        Assert.False(writer.TryAdd(tick with { Sequence = 3 }));
        Assert.Equal(TickFrameLayout.FrameLength(2), writer.BytesWritten);
        Assert.Equal(TickFrameStatus.Ok, TickFrameReader.Open(buffer.AsSpan(0, writer.BytesWritten), out var reader));
        Assert.Equal(2, reader.Count);
        Assert.False(TickFrameWriter.TryWrite(buffer, Header(TickMessageType.Price, TickFrameFlags.None),
            [tick, tick, tick], out _));
    }

    [Fact]
    public void WriterRejectsBuffersShorterThanTheHeaderAndEntriesWithoutNames()
    {
        Assert.Throws<ArgumentException>(() =>
            new TickFrameWriter(new byte[39], Header(TickMessageType.Price, TickFrameFlags.None)));
        Assert.Throws<ArgumentException>(() =>
            new TickFrameWriter(new byte[100], Header(TickMessageType.None, TickFrameFlags.None)));
        Assert.Throws<ArgumentException>(() =>
            new TickFrameWriter(new byte[100], Header(TickMessageType.Price, (TickFrameFlags)0x80)));
        var buffer = new byte[TickFrameLayout.FrameLength(1)];
        Assert.Throws<ArgumentException>(() =>
        {
            var writer = new TickFrameWriter(buffer, Header(TickMessageType.Price, TickFrameFlags.None));
            writer.TryAdd(TickEntry.PriceTick(default, Btc, 1, 1, 1));
        });
    }

    [Fact]
    public void AnyHeaderAndEntriesRoundTripBitForBit()
    {
        var name = Gen.Char['!', '~'].Array[1, 24].Select(chars => FixedAscii24.Create(new string(chars)));
        var entry = Gen.Select(name, name, Gen.Double, Gen.Long, Gen.ULong,
            (source, symbol, value, time, sequence) => new TickEntry(source, symbol, value, time, sequence));
        var header = Gen.Select(Gen.Byte[1, 3], Gen.Bool, Gen.UInt, Gen.ULong, Gen.Long,
            (type, snapshot, publisher, sequence, sent) => new TickFrameHeader((TickMessageType)type,
                snapshot ? TickFrameFlags.Snapshot : TickFrameFlags.None, publisher, sequence, sent));

        Gen.Select(header, entry.Array[0, 80]).Sample((h, entries) =>
        {
            var buffer = new byte[TickFrameLayout.FrameLength(entries.Length)];
            Assert.True(TickFrameWriter.TryWrite(buffer, h, entries, out var written));
            Assert.Equal(buffer.Length, written);
            Assert.Equal(TickFrameStatus.Ok, TickFrameReader.Open(buffer, out var reader));
            Assert.Equal(h with { EntryCount = entries.Length }, reader.Header);
            var i = 0;
            foreach (var read in reader)
            {
                // Compare bits: NaN payloads and −0 must survive too.
                Assert.Equal(BitConverter.DoubleToInt64Bits(entries[i].Value), BitConverter.DoubleToInt64Bits(read.Value));
                Assert.Equal(entries[i] with { Value = 0 }, read with { Value = 0 });
                i++;
            }

            Assert.Equal(entries.Length, i);
        }, iter: 2_000);
    }

    private static TickFrameHeader Header(TickMessageType type, TickFrameFlags flags) =>
        new(type, flags, PublisherId: 7, FrameSequence: 42, SendTimestampNs: 1_760_131_200_123_456_789);

    private static void AssertRoundTrip(TickMessageType type, TickFrameFlags flags, TickEntry[] entries)
    {
        var buffer = new byte[TickFrameLayout.FrameLength(entries.Length)];
        var writer = new TickFrameWriter(buffer, Header(type, flags));
        foreach (var entry in entries)
        {
            Assert.True(writer.TryAdd(entry));
        }

        Assert.Equal(buffer.Length, writer.BytesWritten);
        Assert.Equal(TickFrameStatus.Ok, TickFrameReader.Open(buffer, out var reader));
        Assert.Equal(Header(type, flags) with { EntryCount = entries.Length }, reader.Header);
        Assert.Equal(flags == TickFrameFlags.Snapshot, reader.Header.IsSnapshot);
        var decoded = new List<TickEntry>();
        foreach (var entry in reader)
        {
            decoded.Add(entry);
        }

        Assert.Equal(entries, decoded);
        for (var i = 0; i < entries.Length; i++)
        {
            Assert.Equal(entries[i], reader[i]);
        }
    }
}

using System.Buffers.Binary;
using CsCheck;
using RiskGrid.Feed.Codec;

namespace RiskGrid.Feed.Tests.Codec;

public sealed class GarbledFrameTests
{
    private static byte[] ValidFrame(int entries = 2)
    {
        var buffer = new byte[TickFrameLayout.FrameLength(entries)];
        var writer = new TickFrameWriter(buffer, new TickFrameHeader(TickMessageType.Price, TickFrameFlags.None, 1, 1, 1));
        for (var i = 0; i < entries; i++)
        {
            writer.TryAdd(TickEntry.PriceTick(FixedAscii24.Create("gemini"), FixedAscii24.Create("BTC"), 100 + i, 1,
                (ulong)i + 1));
        }

        return buffer;
    }

    [Fact]
    public void TheUntouchedFrameIsOk()
    {
        Assert.Equal(TickFrameStatus.Ok, TickFrameReader.Open(ValidFrame(), out _));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(39)]
    public void AFrameShorterThanTheHeaderIsTooShort(int length)
    {
        Assert.Equal(TickFrameStatus.TooShort, TickFrameReader.Open(ValidFrame().AsSpan(0, length), out var reader));
        Assert.Equal(0, reader.Count);
    }

    [Fact]
    public void AWrongMagicIsBadMagic() =>
        AssertStatus(TickFrameStatus.BadMagic, frame => frame[0] = (byte)'X');

    [Fact]
    public void AnotherSchemaIsUnknownSchema() =>
        AssertStatus(TickFrameStatus.UnknownSchema, frame => BinaryPrimitives.WriteUInt16LittleEndian(frame.AsSpan(4), 2));

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(0xFFFF)]
    public void AnyVersionButOneIsUnsupported(int version) =>
        AssertStatus(TickFrameStatus.UnsupportedVersion,
            frame => BinaryPrimitives.WriteUInt16LittleEndian(frame.AsSpan(6), (ushort)version));

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(255)]
    public void AnUndefinedMessageTypeIsUnknown(int type) =>
        AssertStatus(TickFrameStatus.UnknownMessageType, frame => frame[8] = (byte)type);

    [Fact]
    public void AnUndefinedFlagBitIsUnknownFlags() =>
        AssertStatus(TickFrameStatus.UnknownFlags, frame => frame[9] = 0x02);

    [Fact]
    public void AnotherEntryLengthIsBadEntryLength() =>
        AssertStatus(TickFrameStatus.BadEntryLength, frame => BinaryPrimitives.WriteUInt16LittleEndian(frame.AsSpan(10), 64));

    [Theory]
    [InlineData(1)]
    [InlineData(71)]
    public void ACutEntryIsTruncated(int bytesCut)
    {
        var frame = ValidFrame();
        Assert.Equal(TickFrameStatus.TruncatedEntry,
            TickFrameReader.Open(frame.AsSpan(0, frame.Length - bytesCut), out _));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(0xFFFF)]
    public void ACountThatDisagreesWithTheLengthIsCountMismatch(int count) =>
        AssertStatus(TickFrameStatus.CountMismatch,
            frame => BinaryPrimitives.WriteUInt16LittleEndian(frame.AsSpan(12), (ushort)count));

    [Fact]
    public void AWholeEntryMissingIsCountMismatch()
    {
        var frame = ValidFrame();
        Assert.Equal(TickFrameStatus.CountMismatch,
            TickFrameReader.Open(frame.AsSpan(0, frame.Length - TickFrameLayout.EntryLength), out _));
    }

    [Theory]
    [InlineData(40, 0)] // entry 0 source emptied
    [InlineData(40 + 3, 0x80)] // non-ASCII byte in a source
    [InlineData(40 + 24 + 10, (int)'X')] // text after the symbol's zero padding
    [InlineData(40 + 72 + 24 + 1, (int)' ')] // space inside entry 1's symbol
    public void BrokenTextIsBadText(int offset, int value) =>
        AssertStatus(TickFrameStatus.BadText, frame => frame[offset] = (byte)value);

    [Fact]
    public void RandomBytesNeverThrowFromTheReader()
    {
        Gen.Byte.Array[0, 400].Sample(bytes =>
        {
            var status = TickFrameReader.Open(bytes, out var reader);
            var seen = 0;
            foreach (var entry in reader)
            {
                seen++;
                _ = entry.Source.ToString();
            }

            Assert.Equal(status == TickFrameStatus.Ok ? reader.Count : 0, seen);
        }, iter: 50_000);
    }

    [Fact]
    public void RandomCorruptionOfAValidFrameNeverThrowsAndIsEitherOkOrGarbled()
    {
        var valid = ValidFrame(3);
        Gen.Select(Gen.Int[0, valid.Length - 1].Array[1, 6], Gen.Byte.Array[6], Gen.Int[0, valid.Length])
            .Sample((offsets, values, length) =>
            {
                var frame = (byte[])valid.Clone();
                for (var i = 0; i < offsets.Length; i++)
                {
                    frame[offsets[i]] = values[i];
                }

                var status = TickFrameReader.Open(frame.AsSpan(0, length), out var reader);
                Assert.True(Enum.IsDefined(status));
                foreach (var entry in reader)
                {
                    Assert.False(entry.Source.IsEmpty);
                    Assert.False(entry.Symbol.IsEmpty);
                }
            }, iter: 50_000);
    }

    private static void AssertStatus(TickFrameStatus expected, Action<byte[]> corrupt)
    {
        var frame = ValidFrame();
        corrupt(frame);
        Assert.Equal(expected, TickFrameReader.Open(frame, out var reader));
        Assert.Equal(0, reader.Count);
    }
}

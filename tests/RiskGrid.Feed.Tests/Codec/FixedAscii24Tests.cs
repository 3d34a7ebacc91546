using CsCheck;
using RiskGrid.Feed.Codec;

namespace RiskGrid.Feed.Tests.Codec;

public sealed class FixedAscii24Tests
{
    [Theory]
    [InlineData("BTC")]
    [InlineData("gemini")]
    [InlineData("binanceum_markidx")]
    [InlineData("BTC-20261225-100000-C")]
    [InlineData("ABCDEFGHIJKLMNOPQRSTUVWX")]
    public void NamesUpToTwentyFourCharactersRoundTripThroughTheWireForm(string text)
    {
        var name = FixedAscii24.Create(text);
        Span<byte> field = stackalloc byte[FixedAscii24.Size];
        name.WriteTo(field);

        Assert.True(FixedAscii24.TryRead(field, out var read));
        Assert.Equal(name, read);
        Assert.Equal(text, read.ToString());
        Assert.Equal(text.Length, read.Length);
        Assert.True(field[text.Length..].IndexOfAnyExcept((byte)0) < 0, "padding must be zero bytes");
    }

    [Theory]
    [InlineData("")]
    [InlineData("ABCDEFGHIJKLMNOPQRSTUVWXY")]
    [InlineData("BTC USD")]
    [InlineData("BTC\u00e9")]
    [InlineData("BTC\t")]
    public void RejectsEmptyTooLongSpacedOrNonAsciiNames(string text)
    {
        Assert.False(FixedAscii24.TryCreate(text.AsSpan(), out _));
        Assert.Throws<ArgumentException>(() => FixedAscii24.Create(text));
    }

    [Fact]
    public void EqualNamesAreEqualAndHashAlikeWhileNamesDifferingInTheLastByteDiffer()
    {
        var a = FixedAscii24.Create("BTC-20261225-100000-C");
        var b = FixedAscii24.Create("BTC-20261225-100000-C");
        var c = FixedAscii24.Create("BTC-20261225-100000-P");

        Assert.True(a == b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.True(a != c);
        Assert.NotEqual(a, default);
        Assert.True(default(FixedAscii24).IsEmpty);
        Assert.Equal(0, default(FixedAscii24).Length);
    }

    [Fact]
    public void WireFieldsThatAreNotCanonicalAreRefused()
    {
        var field = new byte[FixedAscii24.Size];
        Assert.False(FixedAscii24.TryRead(field, out _)); // empty

        "BTC"u8.CopyTo(field);
        field[5] = (byte)'X'; // text after padding
        Assert.False(FixedAscii24.TryRead(field, out _));

        field[5] = 0;
        field[1] = 0x7F; // DEL is not printable
        Assert.False(FixedAscii24.TryRead(field, out _));

        field[1] = (byte)'T';
        Assert.True(FixedAscii24.TryRead(field, out var btc));
        Assert.Equal("BTC", btc.ToString());
    }

    [Fact]
    public void CanonicalCheckAgreesWithAByteByByteDefinitionOnRandomFields()
    {
        static bool Reference(byte[] field)
        {
            var length = Array.IndexOf(field, (byte)0);
            length = length < 0 ? field.Length : length;
            return length > 0
                && field.Take(length).All(b => b is >= 0x21 and <= 0x7E)
                && field.Skip(length).All(b => b == 0);
        }

        // Mostly printable bytes with zero runs, so canonical and non-canonical fields both occur often.
        var gen = Gen.OneOf(Gen.Byte[0x21, 0x7E], Gen.Const((byte)0), Gen.Byte)
            .Array[FixedAscii24.Size]
            .Select(bytes =>
            {
                var cut = bytes[0] % 25;
                return bytes.Select((b, i) => i >= cut && b % 3 != 0 ? (byte)0 : b).ToArray();
            });
        gen.Sample(field => FixedAscii24.TryRead(field, out _) == Reference(field), iter: 20_000);
    }
}

using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.Intrinsics;
using System.Text;

namespace RiskGrid.Feed.Codec;

/// <summary>
/// A self-describing name of at most 24 printable ASCII characters (0x21–0x7E, no space), stored as it travels on
/// the wire: 24 bytes, zero-padded on the right (<c>"gemini"</c>, <c>"binanceum_markidx"</c>, <c>"BTC"</c>,
/// <c>"BTC-20261225-100000-C"</c>). Nodes compare names without a dictionary: equality and hashing compare three
/// 64-bit words and allocate nothing. Strings appear only at the edges (<see cref="Create"/>, <see cref="ToString"/>).
/// </summary>
/// <remarks>
/// The <c>default</c> value is the empty name; it never appears in a valid frame. 24 bytes rather than 16 because
/// real names need it: the recorded source <c>binanceum_markidx</c> has 17 characters and option instruments
/// such as <c>BTC-20261225-100000-C</c> have 21. See docs/feed-protocol.md §"Text fields".
/// </remarks>
public readonly struct FixedAscii24 : IEquatable<FixedAscii24>
{
    /// <summary>Width of the field on the wire, in bytes.</summary>
    public const int Size = 24;

    private const byte FirstPrintable = 0x21;
    private const byte PrintableCount = 0x7E - 0x21 + 1;

    private readonly ulong _word0;
    private readonly ulong _word1;
    private readonly ulong _word2;

    private FixedAscii24(ulong word0, ulong word1, ulong word2)
    {
        _word0 = word0;
        _word1 = word1;
        _word2 = word2;
    }

    /// <summary>True for the empty name (the <c>default</c> value).</summary>
    public bool IsEmpty => (_word0 | _word1 | _word2) == 0;

    /// <summary>Number of characters (0–24).</summary>
    public int Length
    {
        get
        {
            // Little-endian words: the last character sits in the highest non-zero byte.
            if (_word2 != 0)
            {
                return 16 + 8 - (BitOperations.LeadingZeroCount(_word2) / 8);
            }

            if (_word1 != 0)
            {
                return 8 + 8 - (BitOperations.LeadingZeroCount(_word1) / 8);
            }

            return _word0 == 0 ? 0 : 8 - (BitOperations.LeadingZeroCount(_word0) / 8);
        }
    }

    /// <summary>Creates a name from configuration or test text. Throws <see cref="ArgumentException"/> naming the
    /// value when it is empty, longer than 24 characters or not printable ASCII without spaces.</summary>
    public static FixedAscii24 Create(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!TryCreate(text.AsSpan(), out var value))
        {
            throw new ArgumentException(
                $"'{text}' is not a feed name: 1 to {Size} printable ASCII characters without spaces", nameof(text));
        }

        return value;
    }

    /// <summary>Creates a name from characters; false when empty, longer than 24, or not printable ASCII.</summary>
    public static bool TryCreate(ReadOnlySpan<char> text, out FixedAscii24 value)
    {
        value = default;
        if (text.IsEmpty || text.Length > Size)
        {
            return false;
        }

        Span<byte> field = stackalloc byte[Size];
        field.Clear();
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if ((uint)(c - FirstPrintable) >= PrintableCount)
            {
                return false;
            }

            field[i] = (byte)c;
        }

        value = ReadUnchecked(field);
        return true;
    }

    /// <summary>Creates a name from ASCII bytes (not padded); false when empty, longer than 24 or not printable.</summary>
    public static bool TryCreate(ReadOnlySpan<byte> asciiText, out FixedAscii24 value)
    {
        value = default;
        if (asciiText.IsEmpty || asciiText.Length > Size)
        {
            return false;
        }

        Span<byte> field = stackalloc byte[Size];
        field.Clear();
        asciiText.CopyTo(field);
        if (!IsCanonical(field))
        {
            return false;
        }

        value = ReadUnchecked(field);
        return true;
    }

    /// <summary>Reads a 24-byte wire field; false (and the empty name) unless the field is canonical: 1–24
    /// printable characters followed only by zero bytes.</summary>
    public static bool TryRead(ReadOnlySpan<byte> field, out FixedAscii24 value)
    {
        if (field.Length < Size || !IsCanonical(field))
        {
            value = default;
            return false;
        }

        value = ReadUnchecked(field);
        return true;
    }

    /// <summary>Writes the 24-byte wire form into <paramref name="destination"/> (at least 24 bytes).</summary>
    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(destination.Slice(16, 8), _word2);
        BinaryPrimitives.WriteUInt64LittleEndian(destination, _word0);
        BinaryPrimitives.WriteUInt64LittleEndian(destination.Slice(8, 8), _word1);
    }

    /// <summary>The characters as a string. Allocates: for the edges (logs, CLI, tests), not per tick.</summary>
    public override string ToString()
    {
        Span<byte> field = stackalloc byte[Size];
        WriteTo(field);
        return Encoding.ASCII.GetString(field[..Length]);
    }

    /// <summary>Byte-for-byte equality of the 24-byte fields (three word compares).</summary>
    public bool Equals(FixedAscii24 other) =>
        _word0 == other._word0 && _word1 == other._word1 && _word2 == other._word2;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is FixedAscii24 other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(_word0, _word1, _word2);

    /// <summary>Byte-for-byte equality.</summary>
    public static bool operator ==(FixedAscii24 left, FixedAscii24 right) => left.Equals(right);

    /// <summary>Byte-for-byte inequality.</summary>
    public static bool operator !=(FixedAscii24 left, FixedAscii24 right) => !left.Equals(right);

    /// <summary>A fast, unseeded 64-bit mix of the three words, for the feed's own preallocated tables.</summary>
    internal ulong Mix(ulong seed) =>
        ((_word0 ^ seed) * 0x9E37_79B9_7F4A_7C15) + (_word1 * 0xC2B2_AE3D_27D4_EB4F) + (_word2 * 0x1656_67B1_9E37_79F9);

    internal static FixedAscii24 ReadUnchecked(ReadOnlySpan<byte> field) => new(
        BinaryPrimitives.ReadUInt64LittleEndian(field),
        BinaryPrimitives.ReadUInt64LittleEndian(field.Slice(8, 8)),
        BinaryPrimitives.ReadUInt64LittleEndian(field.Slice(16, 8)));

    /// <summary>True when the first 24 bytes hold 1–24 printable characters followed only by zeros.</summary>
    internal static bool IsCanonical(ReadOnlySpan<byte> field)
    {
        // Two overlapping 16-byte loads cover bytes 0–15 and 8–23.
        var low = Vector128.Create(field);
        var high = Vector128.Create(field.Slice(8, 16));
        var zeroLow = Vector128.Equals(low, Vector128<byte>.Zero);
        var zeroHigh = Vector128.Equals(high, Vector128<byte>.Zero);
        var first = Vector128.Create(FirstPrintable);
        var count = Vector128.Create(PrintableCount);
        var allowedLow = zeroLow | Vector128.LessThan(low - first, count);
        var allowedHigh = zeroHigh | Vector128.LessThan(high - first, count);
        if (!Vector128.EqualsAll(allowedLow & allowedHigh, Vector128<byte>.AllBitsSet))
        {
            return false;
        }

        // One bit per byte 0–23 set where the byte is text; canonical text bits form a non-empty prefix 2^k − 1.
        var zeros = zeroLow.ExtractMostSignificantBits() | ((zeroHigh.ExtractMostSignificantBits() & 0xFF00u) << 8);
        var text = ~zeros & 0xFF_FFFFu;
        return text != 0 && (text & (text + 1)) == 0;
    }
}

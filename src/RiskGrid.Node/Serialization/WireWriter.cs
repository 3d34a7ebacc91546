using System.Buffers.Binary;
using System.Text;

namespace RiskGrid.Node.Serialization;

/// <summary>
/// Writes the fields of a message in order: integers as zig-zag varints (small numbers take one byte), doubles as 8
/// little-endian bytes, strings as a varint byte length then UTF-8, booleans and enums as one byte. No field names,
/// no type names: the manifest says what follows, and a new version of a message gets a new manifest.
/// </summary>
public sealed class WireWriter
{
    private byte[] _buffer;
    private int _length;

    public WireWriter(int capacity = 128) => _buffer = new byte[Math.Max(16, capacity)];

    /// <summary>The bytes written so far, as a new array.</summary>
    public byte[] ToArray() => _buffer.AsSpan(0, _length).ToArray();

    /// <summary>Forgets what was written, keeping the buffer.</summary>
    public void Reset() => _length = 0;

    /// <summary>A signed integer (zig-zag varint).</summary>
    public void Long(long value)
    {
        var v = (ulong)((value << 1) ^ (value >> 63));
        Varint(v);
    }

    /// <summary>A non-negative count or length (varint).</summary>
    public void Count(int value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        Varint((ulong)value);
    }

    /// <summary>A double, bit for bit.</summary>
    public void Double(double value)
    {
        Ensure(8);
        BinaryPrimitives.WriteDoubleLittleEndian(_buffer.AsSpan(_length), value);
        _length += 8;
    }

    /// <summary>One byte.</summary>
    public void Byte(byte value)
    {
        Ensure(1);
        _buffer[_length++] = value;
    }

    /// <summary>A boolean as one byte.</summary>
    public void Bool(bool value) => Byte(value ? (byte)1 : (byte)0);

    /// <summary>A string: varint byte length, then UTF-8.</summary>
    public void String(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var bytes = Encoding.UTF8.GetByteCount(value);
        Count(bytes);
        Ensure(bytes);
        _length += Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_length));
    }

    /// <summary>Raw bytes with a varint length.</summary>
    public void Bytes(ReadOnlySpan<byte> value)
    {
        Count(value.Length);
        Ensure(value.Length);
        value.CopyTo(_buffer.AsSpan(_length));
        _length += value.Length;
    }

    private void Varint(ulong v)
    {
        Ensure(10);
        while (v >= 0x80)
        {
            _buffer[_length++] = (byte)(v | 0x80);
            v >>= 7;
        }
        _buffer[_length++] = (byte)v;
    }

    private void Ensure(int more)
    {
        if (_length + more > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + more));
        }
    }
}

/// <summary>Reads what <see cref="WireWriter"/> wrote, in the same order; truncated or malformed input throws
/// <see cref="FormatException"/>.</summary>
public ref struct WireReader
{
    private readonly ReadOnlySpan<byte> _bytes;
    private int _position;

    public WireReader(ReadOnlySpan<byte> bytes)
    {
        _bytes = bytes;
        _position = 0;
    }

    /// <summary>True when every byte has been read.</summary>
    public readonly bool AtEnd => _position == _bytes.Length;

    /// <summary>A signed integer.</summary>
    public long Long()
    {
        var v = Varint();
        return (long)(v >> 1) ^ -(long)(v & 1);
    }

    /// <summary>A count or length.</summary>
    public int Count()
    {
        var v = Varint();
        return v <= int.MaxValue ? (int)v : throw new FormatException("count out of range");
    }

    /// <summary>A double.</summary>
    public double Double()
    {
        Need(8);
        var v = BinaryPrimitives.ReadDoubleLittleEndian(_bytes[_position..]);
        _position += 8;
        return v;
    }

    /// <summary>One byte.</summary>
    public byte Byte()
    {
        Need(1);
        return _bytes[_position++];
    }

    /// <summary>A boolean.</summary>
    public bool Bool() => Byte() switch
    {
        0 => false,
        1 => true,
        var b => throw new FormatException($"boolean byte {b}"),
    };

    /// <summary>A string.</summary>
    public string String()
    {
        var n = Count();
        Need(n);
        var s = Encoding.UTF8.GetString(_bytes.Slice(_position, n));
        _position += n;
        return s;
    }

    /// <summary>Raw bytes.</summary>
    public ReadOnlySpan<byte> Bytes()
    {
        var n = Count();
        Need(n);
        var s = _bytes.Slice(_position, n);
        _position += n;
        return s;
    }

    /// <summary>Throws unless every byte was read (a message must not carry trailing bytes).</summary>
    public readonly void End()
    {
        if (!AtEnd)
        {
            throw new FormatException($"{_bytes.Length - _position} trailing bytes");
        }
    }

    private ulong Varint()
    {
        ulong v = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            Need(1);
            var b = _bytes[_position++];
            v |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return v;
            }
        }
        throw new FormatException("varint too long");
    }

    private readonly void Need(int n)
    {
        if (n < 0 || _position + n > _bytes.Length)
        {
            throw new FormatException("message truncated");
        }
    }
}

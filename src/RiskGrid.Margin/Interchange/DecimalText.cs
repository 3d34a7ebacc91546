namespace RiskGrid.Margin.Interchange;

/// <summary>Why a decimal text did not convert.</summary>
internal enum DecimalTextStatus : byte
{
    Ok,
    NotANumber,
    TooPrecise,
    OutOfRange,
}

/// <summary>
/// Exact decimal text (UTF-8, <c>-12.5</c>, <c>0.001</c>, <c>1.5e3</c>) as a normalised pair mantissa × 10^exponent
/// (mantissa without trailing zeros), and its exact conversion to scaled integers (§1): no binary floating point.
/// </summary>
internal static class DecimalText
{
    private const int MaxExponent = 400;

    /// <summary>Parses <paramref name="text"/> into mantissa × 10^exponent; zero is (0, 0).</summary>
    public static DecimalTextStatus TryParse(ReadOnlySpan<byte> text, out long mantissa, out int exponent)
    {
        mantissa = 0;
        exponent = 0;
        var i = 0;
        var negative = false;
        if (i < text.Length && text[i] == (byte)'-')
        {
            negative = true;
            i++;
        }
        long m = 0;
        var pendingZeros = 0;
        var fractionDigits = 0;
        var digits = 0;
        var seenPoint = false;
        for (; i < text.Length; i++)
        {
            var c = text[i];
            if (c == (byte)'.')
            {
                if (seenPoint)
                {
                    return DecimalTextStatus.NotANumber;
                }
                seenPoint = true;
                continue;
            }
            if (c is < (byte)'0' or > (byte)'9')
            {
                break;
            }
            digits++;
            if (seenPoint)
            {
                fractionDigits++;
            }
            var d = c - '0';
            if (d == 0)
            {
                // Zeros are held back until a non-zero digit follows, so trailing zeros never overflow the mantissa.
                if (m != 0)
                {
                    pendingZeros++;
                }
                continue;
            }
            for (var z = 0; z <= pendingZeros; z++)
            {
                if (m > (long.MaxValue - (z == pendingZeros ? d : 0)) / 10)
                {
                    return DecimalTextStatus.OutOfRange;
                }
                m = m * 10 + (z == pendingZeros ? d : 0);
            }
            pendingZeros = 0;
        }
        if (digits == 0)
        {
            return DecimalTextStatus.NotANumber;
        }
        var exp = 0;
        if (i < text.Length)
        {
            if (text[i] is not ((byte)'e' or (byte)'E') || !TryParseExponent(text[(i + 1)..], out exp))
            {
                return DecimalTextStatus.NotANumber;
            }
        }
        if (m == 0)
        {
            return DecimalTextStatus.Ok;
        }
        mantissa = negative ? -m : m;
        exponent = exp - fractionDigits + pendingZeros;
        return DecimalTextStatus.Ok;
    }

    /// <summary>mantissa × 10^exponent in units of 10^-<paramref name="decimals"/>, exactly.</summary>
    public static DecimalTextStatus TryScale(long mantissa, int exponent, int decimals, out long units)
    {
        units = 0;
        if (mantissa == 0)
        {
            return DecimalTextStatus.Ok;
        }
        var k = exponent + decimals;
        if (k < 0)
        {
            // The mantissa has no trailing zeros, so a negative power leaves a fraction of a unit.
            return DecimalTextStatus.TooPrecise;
        }
        if (k > 18)
        {
            return DecimalTextStatus.OutOfRange;
        }
        var scale = FixedPoint.Scale(k);
        var high = Math.BigMul(mantissa, scale, out var low);
        if (high != low >> 63)
        {
            return DecimalTextStatus.OutOfRange;
        }
        units = low;
        return DecimalTextStatus.Ok;
    }

    /// <summary>Formats mantissa × 10^exponent as plain decimal text (<c>0.0015</c>, <c>-1200</c>).</summary>
    public static string Format(long mantissa, int exponent)
    {
        if (mantissa == 0)
        {
            return "0";
        }
        var digits = Math.Abs((decimal)mantissa).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var sign = mantissa < 0 ? "-" : "";
        if (exponent >= 0)
        {
            return sign + digits + new string('0', exponent);
        }
        var point = digits.Length + exponent;
        return point > 0
            ? sign + digits[..point] + "." + digits[point..]
            : sign + "0." + new string('0', -point) + digits;
    }

    /// <summary>
    /// Writes units of 10^-<paramref name="decimals"/> as plain decimal text without trailing zeros; returns the
    /// number of bytes written (at most 40).
    /// </summary>
    public static int FormatUnits(long units, int decimals, Span<byte> destination)
    {
        var magnitude = units < 0 ? (ulong)(-(units + 1)) + 1 : (ulong)units;
        var scale = (ulong)FixedPoint.Scale(decimals);
        var whole = magnitude / scale;
        var fraction = magnitude % scale;
        var n = 0;
        if (units < 0)
        {
            destination[n++] = (byte)'-';
        }
        n += WriteDigits(whole, destination[n..]);
        if (fraction == 0)
        {
            return n;
        }
        destination[n++] = (byte)'.';
        for (var p = decimals - 1; p >= 0 && fraction != 0; p--)
        {
            var unit = (ulong)FixedPoint.Scale(p);
            destination[n++] = (byte)('0' + (int)(fraction / unit));
            fraction %= unit;
        }
        return n;
    }

    private static int WriteDigits(ulong value, Span<byte> destination)
    {
        Span<byte> tmp = stackalloc byte[20];
        var k = tmp.Length;
        do
        {
            tmp[--k] = (byte)('0' + (int)(value % 10));
            value /= 10;
        }
        while (value != 0);
        var len = tmp.Length - k;
        tmp[k..].CopyTo(destination);
        return len;
    }

    private static bool TryParseExponent(ReadOnlySpan<byte> text, out int exponent)
    {
        exponent = 0;
        var i = 0;
        var negative = false;
        if (i < text.Length && text[i] is (byte)'+' or (byte)'-')
        {
            negative = text[i] == (byte)'-';
            i++;
        }
        if (i == text.Length)
        {
            return false;
        }
        for (; i < text.Length; i++)
        {
            var c = text[i];
            if (c is < (byte)'0' or > (byte)'9')
            {
                return false;
            }
            exponent = exponent * 10 + (c - '0');
            if (exponent > MaxExponent)
            {
                return false;
            }
        }
        if (negative)
        {
            exponent = -exponent;
        }
        return true;
    }
}

using System.Buffers.Text;
using System.Text;
using System.Text.Json;

namespace RiskGrid.Margin.Interchange;

/// <summary>Reading numbers, names and times out of JSON tokens for <see cref="CalculatorDocumentReader"/>.</summary>
internal static class JsonScalars
{
    internal const int MaxScalarBytes = 128;

    internal static bool TryReadDouble(ref Utf8JsonReader r, out double value)
    {
        value = double.NaN;
        if (r.TokenType == JsonTokenType.Number)
        {
            return r.TryGetDouble(out value) && double.IsFinite(value);
        }
        if (r.TokenType != JsonTokenType.String)
        {
            return false;
        }
        Span<byte> scratch = stackalloc byte[MaxScalarBytes];
        var text = r.ValueIsEscaped ? scratch[..Unescape(ref r, scratch)] : r.ValueSpan;
        return Utf8Parser.TryParse(text, out value, out var consumed) && consumed == text.Length
                                                                     && double.IsFinite(value);
    }

    internal static DecimalTextStatus TryReadDecimal(ref Utf8JsonReader r, out long mantissa, out int exponent)
    {
        mantissa = 0;
        exponent = 0;
        if (r.TokenType is not (JsonTokenType.Number or JsonTokenType.String))
        {
            return DecimalTextStatus.NotANumber;
        }
        Span<byte> scratch = stackalloc byte[MaxScalarBytes];
        var text = r.ValueIsEscaped ? scratch[..Unescape(ref r, scratch)] : r.ValueSpan;
        return DecimalText.TryParse(text, out mantissa, out exponent);
    }

    // Unescapes the current string into scratch; 0 when it does not fit (the text then fails to parse).
    internal static int Unescape(ref Utf8JsonReader r, scoped Span<byte> scratch) =>
        r.ValueSpan.Length > scratch.Length ? 0 : r.CopyString(scratch);

    internal static bool TryCopyName(ref Utf8JsonReader r, scoped Span<char> destination, out int length)
    {
        // UTF-8 bytes (escaped or not) are never fewer than the UTF-16 chars they decode to.
        if (r.ValueSpan.Length > destination.Length)
        {
            length = 0;
            return false;
        }
        length = r.CopyString(destination);
        return true;
    }

    internal static bool HasOffset(ReadOnlySpan<byte> time)
    {
        var t = time.IndexOfAny((byte)'T', (byte)'t', (byte)' ');
        if (t < 0)
        {
            return false;
        }
        var clock = time[(t + 1)..];
        return clock.IndexOfAny((byte)'Z', (byte)'z', (byte)'+') >= 0 || clock.IndexOf((byte)'-') >= 0;
    }

    internal static string DecimalProblem(ref Utf8JsonReader r, DecimalTextStatus status, string allowed) =>
        status switch
        {
            DecimalTextStatus.TooPrecise => $"{Describe(ref r)} has more decimals than {allowed}",
            DecimalTextStatus.OutOfRange => $"{Describe(ref r)} is out of range",
            _ => $"{Describe(ref r)} is not a decimal number",
        };

    // The offending value as the document wrote it, for messages.
    internal static string Describe(ref Utf8JsonReader r) => r.TokenType switch
    {
        JsonTokenType.String => r.GetString()!,
        JsonTokenType.Number => Encoding.UTF8.GetString(r.ValueSpan),
        JsonTokenType.True => "true",
        JsonTokenType.False => "false",
        JsonTokenType.Null => "null",
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        _ => "the value",
    };

    internal static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        var text = cut >= 0 ? message[..cut] : message;
        var lineInfo = text.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (lineInfo >= 0 ? text[..lineInfo] : text).TrimEnd(' ', '|', '.');
    }
}

using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using RiskGrid.Margin.Parameters;

namespace RiskGrid.Node.Configuration;

/// <summary>What is wrong with a parameter change: the key below <c>riskgrid.risk</c> at fault (null when none is)
/// and why.</summary>
public sealed record ParamsProblem(string? Field, string Message);

/// <summary>
/// A run-time parameter change (<c>PUT /v1/admin/params</c>): a <c>set</c> of dotted paths below
/// <c>riskgrid.risk</c> (<c>liquidation.targetHealth</c>, <c>underlyings.BTC.linear.tiers</c>) to JSON values. The
/// new parameters are the current document with one HOCON line per path appended (later keys win; an object merges
/// into the object it replaces, a list replaces the list), read by the strict <see cref="RiskParamsReader"/> and
/// held to the structure of the current set (<see cref="RiskParamsCompatibility"/>). Every problem names its key.
/// </summary>
public static class RiskParamsChange
{
    /// <summary>Longest path accepted, characters.</summary>
    public const int MaxPathLength = 200;

    /// <summary>
    /// Checks the shape of <paramref name="set"/> (a non-empty object; each key a dotted path of names made of
    /// letters, digits, <c>_</c> and <c>-</c>, no list index, none twice) and writes it as compact canonical JSON
    /// (keys in the order given, values re-serialized): the form a change is journaled and fingerprinted in.
    /// </summary>
    public static bool TryNormalize(JsonElement set, out string changes, out ParamsProblem? problem)
    {
        changes = "";
        if (set.ValueKind != JsonValueKind.Object)
        {
            problem = new ParamsProblem(null, "set must be an object of parameter paths to values");
            return false;
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var entry in set.EnumerateObject())
            {
                if (!IsPath(entry.Name, out var why))
                {
                    problem = new ParamsProblem(entry.Name, $"{entry.Name}: {why}");
                    return false;
                }
                if (!seen.Add(entry.Name))
                {
                    problem = new ParamsProblem(entry.Name, $"{entry.Name}: set twice");
                    return false;
                }
                writer.WritePropertyName(entry.Name);
                entry.Value.WriteTo(writer);
            }
            writer.WriteEndObject();
        }
        if (seen.Count == 0)
        {
            problem = new ParamsProblem(null, "set is empty: name at least one parameter to change");
            return false;
        }
        changes = Encoding.UTF8.GetString(buffer.WrittenSpan);
        problem = null;
        return true;
    }

    /// <summary>The paths a normalized change sets, in its order.</summary>
    public static IReadOnlyList<string> Paths(string changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        using var document = JsonDocument.Parse(changes);
        return [.. document.RootElement.EnumerateObject().Select(e => e.Name)];
    }

    /// <summary>A 64-bit fingerprint of a normalized change (the first 8 bytes of its SHA-256): a repeated command id
    /// with the same fingerprint is a repeat, with another one a conflict.</summary>
    public static long Fingerprint(string changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(changes), hash);
        return System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(hash);
    }

    /// <summary>
    /// Applies the normalized <paramref name="changes"/> to <paramref name="baseDocument"/> (HOCON holding
    /// <c>riskgrid.risk</c>): the new parameters and their canonical document
    /// (<see cref="RiskParamsDocument.ToHocon"/>), or the first problem (a key the change sets when one is at
    /// fault), with every problem in the message.
    /// </summary>
    public static bool TryApply(string baseDocument, string changes, out RiskParams? next, out string? document,
        out ParamsProblem? problem)
    {
        ArgumentNullException.ThrowIfNull(baseDocument);
        ArgumentNullException.ThrowIfNull(changes);
        next = null;
        document = null;
        var current = RiskParamsReader.Parse(baseDocument);
        var paths = new List<string>();
        var text = new StringBuilder(baseDocument.Length + 512).Append(baseDocument).Append('\n');
        using (var set = JsonDocument.Parse(changes))
        {
            foreach (var entry in set.RootElement.EnumerateObject())
            {
                paths.Add(entry.Name);
                text.Append(RiskParamsReader.RootPath);
                foreach (var segment in entry.Name.Split('.'))
                {
                    text.Append('.').Append(RiskParamsDocument.Quote(segment));
                }
                text.Append(" = ");
                WriteHocon(text, entry.Value);
                text.Append('\n');
            }
        }
        try
        {
            next = RiskParamsReader.Parse(text.ToString());
        }
        catch (RiskParamsException e)
        {
            problem = Describe(e.Errors, paths);
            return false;
        }
        if (!RiskParamsCompatibility.IsCompatible(current, next, out var field, out var error))
        {
            next = null;
            problem = new ParamsProblem(field, error!);
            return false;
        }
        document = RiskParamsDocument.ToHocon(next);
        problem = null;
        return true;
    }

    /// <summary>The reader's errors as one problem: the field of the first error about a key the change sets (else of
    /// the first error), every error in the message.</summary>
    internal static ParamsProblem Describe(IReadOnlyList<string> errors, IReadOnlyList<string> paths)
    {
        string? field = null;
        foreach (var e in errors)
        {
            var key = KeyOf(e);
            if (key is null)
            {
                continue;
            }
            foreach (var p in paths)
            {
                // The key inside what the change set (a tier of a list it set), or the change set below a key that
                // cannot hold it (a path under a number).
                if (key == p || key.StartsWith(p + ".", StringComparison.Ordinal)
                             || key.StartsWith(p + "[", StringComparison.Ordinal))
                {
                    return new ParamsProblem(key, string.Join("; ", errors));
                }
                if (p.StartsWith(key + ".", StringComparison.Ordinal))
                {
                    return new ParamsProblem(p, string.Join("; ", errors));
                }
            }
            field ??= key;
        }
        return new ParamsProblem(field, string.Join("; ", errors));
    }

    // "underlyings.BTC.scanRange = -0.1: must be in (0, 1]" → underlyings.BTC.scanRange;
    // "HOCON syntax: …" → null.
    private static string? KeyOf(string error)
    {
        var end = error.IndexOf(" = ", StringComparison.Ordinal);
        var colon = error.IndexOf(": ", StringComparison.Ordinal);
        if (end < 0 || (colon >= 0 && colon < end))
        {
            end = colon;
        }
        if (end <= 0)
        {
            return null;
        }
        var key = error[..end];
        foreach (var c in key)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '[' or ']'))
            {
                return null;
            }
        }
        return key;
    }

    private static bool IsPath(string path, out string why)
    {
        if (path.Length is 0 or > MaxPathLength)
        {
            why = $"a path is 1 to {MaxPathLength} characters";
            return false;
        }
        foreach (var segment in path.Split('.'))
        {
            if (segment.Length == 0)
            {
                why = "a path is names separated by single dots";
                return false;
            }
            foreach (var c in segment)
            {
                if (c is '[' or ']')
                {
                    why = "a path cannot name one element of a list: set the whole list";
                    return false;
                }
                if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
                {
                    why = "a path is names of letters, digits, '_' and '-' separated by dots";
                    return false;
                }
            }
        }
        why = "";
        return true;
    }

    // JSON → HOCON: numbers as written (quoted when they have an exponent), strings quoted, objects one field per
    // line (Akka's HOCON refuses a comma after a nested object), lists comma-separated.
    private static void WriteHocon(StringBuilder text, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                text.Append("{\n");
                foreach (var field in value.EnumerateObject())
                {
                    text.Append(RiskParamsDocument.Quote(field.Name)).Append(" = ");
                    WriteHocon(text, field.Value);
                    text.Append('\n');
                }
                text.Append('}');
                break;
            case JsonValueKind.Array:
                text.Append('[');
                var first = true;
                foreach (var item in value.EnumerateArray())
                {
                    text.Append(first ? "" : ", ");
                    WriteHocon(text, item);
                    first = false;
                }
                text.Append(']');
                break;
            case JsonValueKind.Number:
                text.Append(RiskParamsDocument.HoconNumber(value.GetRawText()));
                break;
            case JsonValueKind.String:
                text.Append(RiskParamsDocument.Quote(value.GetString()!));
                break;
            case JsonValueKind.True:
                text.Append("true");
                break;
            case JsonValueKind.False:
                text.Append("false");
                break;
            default:
                text.Append("null");
                break;
        }
    }
}

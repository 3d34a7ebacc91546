using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;

namespace RiskGrid.Api.Http;

/// <summary>A request body read as <typeparamref name="T"/>, or the 400 that refuses it.</summary>
public readonly record struct JsonBody<T>(T? Value, IResult? Error)
    where T : class
{
    /// <summary>True when <see cref="Value"/> holds the body.</summary>
    public bool IsValid => Error is null && Value is not null;
}

/// <summary>
/// Reads JSON request bodies with source-generated metadata and turns every <see cref="JsonException"/> into a 400
/// naming the field (the exception's JSON path: <c>$.legs[0].size</c> becomes <c>legs[0].size</c>), instead of
/// ASP.NET's problem details. Endpoints take the <see cref="HttpRequest"/> and call <see cref="ReadAsync{T}"/>, so
/// nothing reaches the handler before authentication.
/// </summary>
public static class JsonBody
{
    private const string RequiredPrefix = "missing required properties including: '";

    /// <summary>Reads the body as <typeparamref name="T"/>.</summary>
    public static async Task<JsonBody<T>> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> typeInfo,
        CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(typeInfo);
        if (request.ContentType is not null && !request.HasJsonContentType())
        {
            return Refuse<T>("expected Content-Type application/json", null);
        }
        try
        {
            var value = await JsonSerializer.DeserializeAsync(request.Body, typeInfo, cancellationToken)
                .ConfigureAwait(false);
            return value is null
                ? Refuse<T>("the body must be a JSON object", null)
                : new JsonBody<T>(value, null);
        }
        catch (JsonException e)
        {
            var (message, field) = Describe(e);
            return Refuse<T>(message, field);
        }
    }

    /// <summary>The message and field of a JSON error, worded for the client (no CLR type names).</summary>
    internal static (string Message, string? Field) Describe(JsonException e)
    {
        var field = FieldOf(e.Path);
        var text = e.Message;
        var required = text.IndexOf(RequiredPrefix, StringComparison.Ordinal);
        if (required >= 0)
        {
            var start = required + RequiredPrefix.Length;
            var end = text.IndexOf('\'', start);
            var name = end > start ? text[start..end] : null;
            return ("missing required field", Join(field, name));
        }
        if (text.Contains("could not be mapped to any .NET member", StringComparison.Ordinal))
        {
            return ("unknown field", field ?? QuotedName(text));
        }
        if (text.StartsWith("The JSON value could not be converted", StringComparison.Ordinal))
        {
            return ("wrong type or format", field);
        }
        if (text.Contains("allow null", StringComparison.Ordinal)
            || text.Contains("non-nullable", StringComparison.Ordinal))
        {
            return ("must not be null", field);
        }
        if (text.Contains("does not contain any JSON tokens", StringComparison.Ordinal))
        {
            return ("the body is empty", null);
        }
        return ("malformed JSON", field);
    }

    /// <summary><c>$.a.b[0]</c> → <c>a.b[0]</c>; <c>$['x y']</c> → <c>x y</c>; <c>$</c> or none → null.</summary>
    internal static string? FieldOf(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
        {
            return null;
        }
        var field = new StringBuilder(path.Length);
        var i = path.StartsWith('$') ? 1 : 0;
        while (i < path.Length)
        {
            if (path[i] == '.')
            {
                if (field.Length > 0)
                {
                    field.Append('.');
                }
                i++;
            }
            else if (path.AsSpan(i).StartsWith("['"))
            {
                var end = path.IndexOf("']", i + 2, StringComparison.Ordinal);
                end = end < 0 ? path.Length : end;
                if (field.Length > 0)
                {
                    field.Append('.');
                }
                field.Append(path, i + 2, end - i - 2);
                i = Math.Min(path.Length, end + 2);
            }
            else
            {
                field.Append(path[i]);
                i++;
            }
        }
        return field.Length == 0 ? null : field.ToString();
    }

    private static string? Join(string? parent, string? name) =>
        name is null ? parent : parent is null ? name : $"{parent}.{name}";

    private static string? QuotedName(string text)
    {
        var start = text.IndexOf('\'', StringComparison.Ordinal);
        var end = start < 0 ? -1 : text.IndexOf('\'', start + 1);
        return end > start + 1 ? text[(start + 1)..end] : null;
    }

    private static JsonBody<T> Refuse<T>(string message, string? field)
        where T : class =>
        new(null, ApiErrors.BadRequest(message, field));
}

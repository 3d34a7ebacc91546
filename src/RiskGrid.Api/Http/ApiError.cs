using Microsoft.AspNetCore.Http;

namespace RiskGrid.Api.Http;

/// <summary>The one error shape of the venue API: <c>{"error": "...", "field": "..."}</c>; field is null when
/// no single field is to blame.</summary>
public sealed record ApiError(string Error, string? Field);

/// <summary>Error results with the status codes of docs/API.md. A refused request changes nothing.</summary>
public static class ApiErrors
{
    /// <summary>400: malformed input.</summary>
    public static IResult BadRequest(string error, string? field = null) =>
        Result(StatusCodes.Status400BadRequest, error, field);

    /// <summary>401: no token, or a token that is not one of the node's.</summary>
    public static IResult Unauthorized(string error) => Result(StatusCodes.Status401Unauthorized, error, null);

    /// <summary>403: a valid token without the right (the API token on an admin route).</summary>
    public static IResult Forbidden(string error) => Result(StatusCodes.Status403Forbidden, error, null);

    /// <summary>404: unknown account, instrument or route.</summary>
    public static IResult NotFound(string error, string? field = null) =>
        Result(StatusCodes.Status404NotFound, error, field);

    /// <summary>409: a commandId reused with a different body.</summary>
    public static IResult Conflict(string error, string? field = "commandId") =>
        Result(StatusCodes.Status409Conflict, error, field);

    /// <summary>422: refused by a margin check.</summary>
    public static IResult Unprocessable(string error, string? field = null) =>
        Result(StatusCodes.Status422UnprocessableEntity, error, field);

    /// <summary>503: the node cannot answer now (not ready, or an entity did not answer in time).</summary>
    public static IResult Unavailable(string error) => Result(StatusCodes.Status503ServiceUnavailable, error, null);

    /// <summary>Any status with the error shape.</summary>
    public static IResult Result(int statusCode, string error, string? field) =>
        TypedResults.Json(new ApiError(error, field), ApiJsonContext.Default.ApiError, statusCode: statusCode);

    /// <summary>Writes the error shape straight to a response (middleware, where no endpoint runs).</summary>
    public static Task WriteAsync(HttpResponse response, int statusCode, string error, string? field = null)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.StatusCode = statusCode;
        return response.WriteAsJsonAsync(new ApiError(error, field), ApiJsonContext.Default.ApiError);
    }
}

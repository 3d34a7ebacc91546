using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using RiskGrid.Api.Http;

namespace RiskGrid.Api.Security;

/// <summary>Endpoint metadata: the access a route needs.</summary>
public sealed record RequiredAccess(AccessLevel Level);

/// <summary>
/// Bearer-token checks, run after routing and before any endpoint reads its body: 401 with
/// <c>WWW-Authenticate: Bearer</c> for no or a bad token, 403 for the API token on an admin route. A route's level
/// is its <see cref="RequiredAccess"/> metadata; a path under <c>/v1</c> without one (a wrong method, an unknown
/// route) needs the API token, so an anonymous caller learns nothing about routes.
/// </summary>
public static class BearerAuthentication
{
    /// <summary>Marks every route of <paramref name="builder"/> as needing <paramref name="level"/>.</summary>
    public static TBuilder RequireAccess<TBuilder>(this TBuilder builder, AccessLevel level)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequiredAccess(level));

    /// <summary>Adds the checks to the pipeline (after <c>UseRouting</c>).</summary>
    public static IApplicationBuilder UseBearerAuthentication(this IApplicationBuilder app, ApiTokens tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        return app.Use(async (context, next) =>
        {
            var required = context.GetEndpoint()?.Metadata.GetMetadata<RequiredAccess>()?.Level
                ?? (context.Request.Path.StartsWithSegments("/v1") ? AccessLevel.Api : AccessLevel.None);
            if (required == AccessLevel.None)
            {
                await next(context).ConfigureAwait(false);
                return;
            }
            var granted = tokens.Check(context.Request.Headers.Authorization.ToString() is { Length: > 0 } header
                ? header
                : null);
            if (granted == AccessLevel.None)
            {
                context.Response.Headers.WWWAuthenticate = "Bearer";
                await ApiErrors.WriteAsync(context.Response, StatusCodes.Status401Unauthorized,
                    "missing or invalid bearer token", "Authorization").ConfigureAwait(false);
                return;
            }
            if (granted < required)
            {
                await ApiErrors.WriteAsync(context.Response, StatusCodes.Status403Forbidden,
                    "this route needs the admin token", "Authorization").ConfigureAwait(false);
                return;
            }
            await next(context).ConfigureAwait(false);
        });
    }
}

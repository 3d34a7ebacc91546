using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prometheus;
using RiskGrid.Api.Accounts;
using RiskGrid.Api.Health;
using RiskGrid.Api.Http;
using RiskGrid.Api.Monitoring;
using RiskGrid.Api.Operations;
using RiskGrid.Api.ParamChanges;
using RiskGrid.Api.Prices;
using RiskGrid.Api.Security;
using RiskGrid.Api.Supervision;
using RiskGrid.Api.WhatIf;
using RiskGrid.Node.Hosting;

namespace RiskGrid.Api;

/// <summary>
/// The venue API of a node (docs/API.md) on Kestrel at the node's http endpoint: minimal APIs, source-generated
/// JSON, bearer tokens, one error shape, health, Prometheus metrics. The web host owns the node's lifetime from
/// <see cref="Build"/> on: stopping the host (SIGTERM, Ctrl-C, <c>StopAsync</c>) runs the node's coordinated
/// shutdown first (shards handed over, cluster left) while HTTP still answers, and a node that terminates on its
/// own (downed by the split-brain resolver) stops the host.
/// </summary>
public static partial class ApiHost
{
    /// <summary>Coordinated shutdown (leave, shard hand-over) plus Kestrel's drain must fit in this.</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(60);

    private const long MaxRequestBodyBytes = WhatIfEndpoints.MaxDocumentBytes + 1;

    /// <summary>Builds the web application of <paramref name="node"/> (not started).</summary>
    public static WebApplication Build(GridNode node, ApiTokens tokens)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(tokens);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = MaxRequestBodyBytes;
            Listen(kestrel, node.Settings.Http);
        });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout);
        builder.Services.ConfigureHttpJsonOptions(o => ConfigureJson(o.SerializerOptions));
        builder.Services.AddSingleton(node);
        builder.Services.AddSingleton(tokens);
        // The what-if calculator follows the node's effective parameters (run-time changes included).
        var catalog = node.Catalog;
        builder.Services.AddSingleton(new WhatIfCalculators(() => catalog.Params));
        builder.Services.AddHostedService<NodeLifetime>();

        var app = builder.Build();
        app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandler = WriteExceptionAsync });
        app.UseStatusCodePages(context =>
        {
            var response = context.HttpContext.Response;
            return ApiErrors.WriteAsync(response, response.StatusCode,
                ReasonPhrases.GetReasonPhrase(response.StatusCode).ToLowerInvariant());
        });
        app.UseRouting();
        app.UseHttpMetrics();
        app.UseBearerAuthentication(tokens);
        ClusterMetrics.Track(node.Membership);
        PriceMetrics.Track(node.Prices);
        AccountMetricsExporter.Track(node.Accounts);
        RiskMetricsExporter.Track(node);
        ParamsMetrics.Track(node.RiskParams);
        MapRoutes(app, node);
        return app;
    }

    /// <summary>
    /// A request Kestrel refused while it was read (a body over the limit: 413, a broken request: 400) keeps its
    /// status; anything else is a 500. Either way the client gets the error shape and no internals.
    /// </summary>
    private static Task WriteExceptionAsync(HttpContext context)
    {
        var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
        return error is Microsoft.AspNetCore.Http.BadHttpRequestException bad
            ? ApiErrors.WriteAsync(context.Response, bad.StatusCode,
                bad.StatusCode == StatusCodes.Status413PayloadTooLarge
                    ? $"the body exceeds {WhatIfEndpoints.MaxDocumentBytes} bytes"
                    : "malformed HTTP request")
            : ApiErrors.WriteAsync(context.Response, StatusCodes.Status500InternalServerError, "internal error");
    }

    /// <summary>The base address Kestrel bound (its real port when the settings asked for port 0); call after
    /// start.</summary>
    public static Uri BoundAddress(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var first = app.Urls.FirstOrDefault() ?? throw new InvalidOperationException("the API is not started");
        return new Uri(first.Replace("://[::]", "://127.0.0.1", StringComparison.Ordinal)
            .Replace("://0.0.0.0", "://127.0.0.1", StringComparison.Ordinal));
    }

    /// <summary>
    /// Every route of the API. Groups: <c>/health</c> and <c>/metrics</c> (no token), <c>/v1</c> (API token),
    /// <c>/v1/admin</c> (admin token: prices, parameters, the cluster view). An endpoint module is an extension method
    /// mapping its routes on a group.
    /// </summary>
    private static void MapRoutes(WebApplication app, GridNode node)
    {
        app.MapHealthEndpoints(node);
        app.MapMetrics("/metrics");
        var v1 = app.MapGroup("/v1").RequireAccess(AccessLevel.Api);
        var admin = app.MapGroup("/v1/admin").RequireAccess(AccessLevel.Admin);
        v1.MapWhatIfEndpoints(app.Services.GetRequiredService<WhatIfCalculators>());
        v1.MapAccountEndpoints(node.Accounts);
        v1.MapPriceEndpoints(admin, node.Prices, node.System, node.SelfAddress.ToString());
        v1.MapSupervisionEndpoints(node);
        admin.MapClusterEndpoints(node);
        admin.MapParamsEndpoints(node.RiskParams);
    }

    /// <summary>The JSON metadata the API serializes with: source-generated contexts only, no reflection.</summary>
    private static void ConfigureJson(System.Text.Json.JsonSerializerOptions options)
    {
        options.TypeInfoResolverChain.Insert(0, ApiJsonContext.Default);
    }

    private static void Listen(KestrelServerOptions kestrel, EndpointSettings http)
    {
        if (http.Hostname is "*" or "0.0.0.0")
        {
            kestrel.ListenAnyIP(http.Port);
        }
        else if (string.Equals(http.Hostname, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            kestrel.ListenLocalhost(http.Port);
        }
        else if (IPAddress.TryParse(http.Hostname, out var address))
        {
            kestrel.Listen(address, http.Port);
        }
        else
        {
            kestrel.Listen(Dns.GetHostAddresses(http.Hostname)[0], http.Port);
        }
    }

    /// <summary>Ties the node's lifetime to the host's (see <see cref="ApiHost"/>).</summary>
    private sealed partial class NodeLifetime(
        GridNode node, IHostApplicationLifetime lifetime, ILogger<NodeLifetime> logger)
        : IHostedService
    {
        private volatile bool _stopping;

        public Task StartAsync(CancellationToken cancellationToken)
        {
            node.System.WhenTerminated.ContinueWith(_ =>
            {
                // Only a node that stops on its own while the API runs; a failed start is reported by the starter.
                if (!_stopping && lifetime.ApplicationStarted.IsCancellationRequested)
                {
                    LogTerminated(logger, node.Settings.Name);
                    lifetime.StopApplication();
                }
            }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            return Task.CompletedTask;
        }

        public async Task StopAsync(CancellationToken cancellationToken)
        {
            _stopping = true;
            var name = node.Settings.Name;
            LogLeaving(logger, name);
            await node.StopAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            LogLeft(logger, name);
        }

        [LoggerMessage(Level = LogLevel.Warning,
            Message = "node={Node} actor system terminated (downed or left); stopping the API")]
        private static partial void LogTerminated(ILogger logger, string node);

        [LoggerMessage(Level = LogLevel.Information,
            Message = "node={Node} leaving the cluster (coordinated shutdown)")]
        private static partial void LogLeaving(ILogger logger, string node);

        [LoggerMessage(Level = LogLevel.Information, Message = "node={Node} left the cluster")]
        private static partial void LogLeft(ILogger logger, string node);
    }
}

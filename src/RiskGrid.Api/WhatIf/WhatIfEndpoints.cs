using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using RiskGrid.Api.Http;
using RiskGrid.Margin.Instruments;
using RiskGrid.Margin.Interchange;
using RiskGrid.Margin.Parameters;

namespace RiskGrid.Api.WhatIf;

/// <summary>
/// Calculators for stateless what-if requests: they share one instrument catalog (their own, so documents naming any
/// instrument do not grow the node's), and each request borrows one (a calculator is not thread-safe and is worth
/// reusing: it owns its buffers). They follow the parameters they are given: when those change (a run-time change,
/// <c>PUT /v1/admin/params</c>), the next request starts a new catalog and new calculators.
/// </summary>
public sealed class WhatIfCalculators
{
    private readonly Func<RiskParams> _parameters;
    private Generation _current;

    /// <summary>Calculators for <paramref name="parameters"/>, fixed.</summary>
    public WhatIfCalculators(RiskParams parameters)
        : this(Fixed(parameters ?? throw new ArgumentNullException(nameof(parameters))))
    {
    }

    /// <summary>Calculators for the parameters <paramref name="parameters"/> returns at each request (the node's
    /// effective ones).</summary>
    public WhatIfCalculators(Func<RiskParams> parameters)
    {
        _parameters = parameters ?? throw new ArgumentNullException(nameof(parameters));
        _current = new Generation(parameters());
    }

    /// <summary>Evaluates one §11 document into <paramref name="output"/>; false when it was refused (the output
    /// then holds <c>{"error": ..., "field": ...}</c>).</summary>
    public bool Process(ReadOnlySpan<byte> document, IBufferWriter<byte> output)
    {
        var generation = Current();
        if (!generation.Idle.TryTake(out var calculator))
        {
            calculator = new MarginCalculator(generation.Catalog);
        }
        try
        {
            return calculator.Process(document, output);
        }
        finally
        {
            generation.Idle.Add(calculator);
        }
    }

    private static Func<RiskParams> Fixed(RiskParams parameters) => () => parameters;

    private Generation Current()
    {
        var parameters = _parameters();
        var current = Volatile.Read(ref _current);
        while (!ReferenceEquals(current.Catalog.Params, parameters))
        {
            var fresh = new Generation(parameters);
            var seen = Interlocked.CompareExchange(ref _current, fresh, current);
            current = ReferenceEquals(seen, current) ? fresh : seen;
            parameters = _parameters();
        }
        return current;
    }

    /// <summary>One parameter set's catalog and its idle calculators.</summary>
    private sealed class Generation(RiskParams parameters)
    {
        public InstrumentCatalog Catalog { get; } = new(parameters);

        public ConcurrentBag<MarginCalculator> Idle { get; } = [];
    }
}

/// <summary>
/// <c>POST /v1/margin/what-if</c>: the calculator document of MARGIN.md §11 in, the §11 output out (the same line
/// <c>riskgrid margin</c> prints); a refused document gets 400 with the calculator's error and field.
/// </summary>
public static class WhatIfEndpoints
{
    /// <summary>Largest document accepted, bytes.</summary>
    public const int MaxDocumentBytes = 1 << 20;

    /// <summary>Maps the route on the <c>/v1</c> group.</summary>
    public static IEndpointRouteBuilder MapWhatIfEndpoints(this IEndpointRouteBuilder v1, WhatIfCalculators calculators)
    {
        ArgumentNullException.ThrowIfNull(calculators);
        v1.MapPost("/margin/what-if", async (HttpRequest request, CancellationToken cancellationToken) =>
        {
            var document = await ReadDocumentAsync(request, cancellationToken).ConfigureAwait(false);
            if (document is null)
            {
                return ApiErrors.Result(StatusCodes.Status413PayloadTooLarge,
                    $"the document exceeds {MaxDocumentBytes} bytes", null);
            }
            var output = new ArrayBufferWriter<byte>(1024);
            var body = document.WrittenSpan;
            if (body.StartsWith("\uFEFF"u8))
            {
                body = body[3..];
            }
            var accepted = calculators.Process(body, output);
            return new JsonBytesResult(output.WrittenMemory,
                accepted ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest);
        });
        return v1;
    }

    private static async Task<ArrayBufferWriter<byte>?> ReadDocumentAsync(HttpRequest request,
        CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        while (true)
        {
            var read = await request.Body.ReadAsync(buffer.GetMemory(4096), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return buffer;
            }
            buffer.Advance(read);
            if (buffer.WrittenCount > MaxDocumentBytes)
            {
                return null;
            }
        }
    }

    /// <summary>JSON the calculator already wrote, sent as is with a status code.</summary>
    private sealed class JsonBytesResult(ReadOnlyMemory<byte> json, int statusCode) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.StatusCode = statusCode;
            response.ContentType = "application/json; charset=utf-8";
            response.ContentLength = json.Length;
            await response.Body.WriteAsync(json, httpContext.RequestAborted).ConfigureAwait(false);
        }
    }
}

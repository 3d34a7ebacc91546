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
/// Calculators for stateless what-if requests: they share one instrument catalog, and each request borrows one
/// (a calculator is not thread-safe and is worth reusing: it owns its buffers).
/// </summary>
public sealed class WhatIfCalculators
{
    private readonly InstrumentCatalog _catalog;
    private readonly ConcurrentBag<MarginCalculator> _idle = [];

    /// <summary>Calculators for <paramref name="parameters"/>.</summary>
    public WhatIfCalculators(RiskParams parameters) => _catalog = new InstrumentCatalog(parameters);

    /// <summary>Evaluates one §11 document into <paramref name="output"/>; false when it was refused (the output
    /// then holds <c>{"error": ..., "field": ...}</c>).</summary>
    public bool Process(ReadOnlySpan<byte> document, IBufferWriter<byte> output)
    {
        if (!_idle.TryTake(out var calculator))
        {
            calculator = new MarginCalculator(_catalog);
        }
        try
        {
            return calculator.Process(document, output);
        }
        finally
        {
            _idle.Add(calculator);
        }
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

using System.Buffers;
using System.CommandLine;
using RiskGrid.Margin.Instruments;
using RiskGrid.Margin.Interchange;
using RiskGrid.Margin.Parameters;

namespace RiskGrid.Cli.Calculator;

/// <summary>
/// <c>riskgrid margin FILE...</c> (MARGIN.md §11): each file is one document, <c>-</c> reads JSON Lines from
/// standard input; one JSON line per document on standard output, in input order. A refused document gets an error
/// line and the run goes on; the exit status is 2 when any document was refused. Standard input is processed in
/// batches of whole lines, split over one calculator per core, and written back in order.
/// </summary>
internal sealed class MarginCommand
{
    private const int FlushBytes = 1 << 16;
    private const int MinLinesPerWorker = 256;

    private readonly CliStreams _streams;
    private readonly InstrumentCatalog _catalog;
    private readonly MarginCalculator[] _calculators;
    private readonly ArrayBufferWriter<byte>[] _outputs;
    private readonly int[] _errors;

    private MarginCommand(CliStreams streams, RiskParams parameters, int workers)
    {
        _streams = streams;
        _catalog = new InstrumentCatalog(parameters);
        _calculators = new MarginCalculator[workers];
        _outputs = new ArrayBufferWriter<byte>[workers];
        _errors = new int[workers];
        _calculators[0] = new MarginCalculator(_catalog);
        _outputs[0] = new ArrayBufferWriter<byte>(FlushBytes * 2);
    }

    public static Command Create(CliStreams streams)
    {
        var files = new Argument<string[]>("FILE")
        {
            Description = "Calculator documents (one JSON document per file); - reads JSON Lines from standard input",
            Arity = ArgumentArity.OneOrMore,
        };
        var paramsPath = new Option<string?>("--params")
        {
            Description = "Risk-parameter file to use instead of config/risk-params.conf",
            HelpName = "PATH",
        };
        var command = new Command("margin", "Compute margin metrics for calculator documents (MARGIN.md §11)")
        {
            files,
            paramsPath,
        };
        command.SetAction(parse =>
        {
            if (!RiskParamsSource.TryLoad(parse.GetValue(paramsPath), out var parameters, out var problem))
            {
                streams.Error.WriteLine($"riskgrid margin: {problem}");
                streams.Error.Flush();
                return 1;
            }
            var run = new MarginCommand(streams, parameters, Math.Clamp(Environment.ProcessorCount, 1, 16));
            return run.Run(parse.GetValue(files) ?? []);
        });
        return command;
    }

    private int Run(IReadOnlyList<string> files)
    {
        var documents = 0;
        foreach (var file in files)
        {
            documents += file == "-" ? RunJsonLines(_streams.Input) : RunFile(file);
        }
        Flush(_outputs[0]);
        _streams.Output.Flush();
        var refused = 0;
        foreach (var e in _errors)
        {
            refused += e;
        }
        if (refused == 0)
        {
            return 0;
        }
        _streams.Error.WriteLine($"riskgrid margin: {refused} of {documents} documents refused");
        _streams.Error.Flush();
        return 2;
    }

    private int RunFile(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException
                                      or NotSupportedException)
        {
            _calculators[0].WriteError(new CalculatorInputError(null, $"cannot read {path}: {e.Message}"), _outputs[0]);
            _errors[0]++;
            FlushIfFull(_outputs[0]);
            return 1;
        }
        var document = bytes.AsSpan();
        if (document.StartsWith("\uFEFF"u8))
        {
            document = document[3..];
        }
        if (!_calculators[0].Process(document, _outputs[0]))
        {
            _errors[0]++;
        }
        FlushIfFull(_outputs[0]);
        return 1;
    }

    private int RunJsonLines(Stream input)
    {
        var reader = new JsonLinesReader(input);
        var documents = 0;
        while (reader.ReadBatch())
        {
            documents += reader.Count;
            var workers = Math.Min(_calculators.Length, Math.Max(1, reader.Count / MinLinesPerWorker));
            if (workers == 1)
            {
                Process(reader, 0, 0, reader.Count);
                continue;
            }
            // Whole lines in contiguous ranges, one calculator each, written back range by range: input order.
            Flush(_outputs[0]);
            EnsureWorkers(workers);
            Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, w =>
            {
                var from = (int)((long)reader.Count * w / workers);
                var to = (int)((long)reader.Count * (w + 1) / workers);
                Process(reader, w, from, to);
            });
            for (var w = 0; w < workers; w++)
            {
                Flush(_outputs[w]);
            }
        }
        return documents;
    }

    private void Process(JsonLinesReader reader, int worker, int from, int to)
    {
        var calculator = _calculators[worker];
        var output = _outputs[worker];
        var errors = 0;
        for (var i = from; i < to; i++)
        {
            if (!calculator.Process(reader.Line(i), output))
            {
                errors++;
            }
            if (worker == 0)
            {
                FlushIfFull(output);
            }
        }
        _errors[worker] += errors;
    }

    private void EnsureWorkers(int workers)
    {
        for (var w = 1; w < workers; w++)
        {
            if (_calculators[w] is null)
            {
                _calculators[w] = new MarginCalculator(_catalog);
                _outputs[w] = new ArrayBufferWriter<byte>(FlushBytes * 2);
            }
        }
    }

    private void FlushIfFull(ArrayBufferWriter<byte> output)
    {
        if (output.WrittenCount >= FlushBytes)
        {
            Flush(output);
        }
    }

    private void Flush(ArrayBufferWriter<byte> output)
    {
        if (output.WrittenCount == 0)
        {
            return;
        }
        _streams.Output.Write(output.WrittenSpan);
        output.ResetWrittenCount();
    }
}

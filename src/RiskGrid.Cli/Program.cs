using System.CommandLine;
using System.Text;
using RiskGrid.Cli.Calculator;
using RiskGrid.Cli.Examples;
using RiskGrid.Cli.Node;

namespace RiskGrid.Cli;

/// <summary>The <c>riskgrid</c> command line.</summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        using var input = Console.OpenStandardInput();
        using var output = Console.OpenStandardOutput();
        using var error = Console.OpenStandardError();
        return Run(args, input, output, error);
    }

    /// <summary>Runs one command with the given standard streams and returns its exit status.</summary>
    internal static int Run(string[] args, Stream stdin, Stream stdout, Stream stderr)
    {
        using var errorWriter = new StreamWriter(stderr, new UTF8Encoding(false), 4096, leaveOpen: true);
        using var outputWriter = new StreamWriter(stdout, new UTF8Encoding(false), 4096, leaveOpen: true);
        var streams = new CliStreams(stdin, stdout, errorWriter);
        var root = new RootCommand("RiskGrid: clustered cross-margin risk engine")
        {
            MarginCommand.Create(streams),
            ExamplesCommand.Create(streams),
            NodeCommand.Create(streams),
            Feed.ReplayCommand.Create(streams),
            Feed.FeedStatsCommand.Create(streams),
            Stress.StressCommand.Create(streams),
        };
        var status = root.Parse(args).Invoke(new InvocationConfiguration
        {
            Output = outputWriter,
            Error = errorWriter,
        });
        outputWriter.Flush();
        errorWriter.Flush();
        stdout.Flush();
        return status;
    }
}

using System.Runtime.CompilerServices;
using System.Text;

namespace RiskGrid.Cli.Tests.Interchange;

/// <summary>Runs the <c>riskgrid</c> entry point in-process with in-memory standard streams.</summary>
internal sealed record CliRun(int ExitCode, string Output, string Error)
{
    public string[] Lines => Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public static CliRun Invoke(string stdin, params string[] args)
    {
        using var input = new MemoryStream(Encoding.UTF8.GetBytes(stdin));
        using var output = new MemoryStream();
        using var error = new MemoryStream();
        var code = Program.Run(args, input, output, error);
        return new CliRun(code, Encoding.UTF8.GetString(output.ToArray()), Encoding.UTF8.GetString(error.ToArray()));
    }

    /// <summary>The repository root, found from this source file (test binaries may live outside the tree).</summary>
    public static string RepositoryRoot([CallerFilePath] string source = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(source)!, "..", "..", ".."));

    public static string Examples => Path.Combine(RepositoryRoot(), "config", "examples");
}

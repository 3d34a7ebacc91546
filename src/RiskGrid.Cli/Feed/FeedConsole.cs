using System.Globalization;
using System.Text;
using Spectre.Console;

namespace RiskGrid.Cli.Feed;

/// <summary>
/// The Spectre console of the feed commands over the command's standard output. Live rendering (a progress bar)
/// only when standard output is a terminal; otherwise plain text at a fixed width, as CI and tests see it.
/// </summary>
internal sealed class FeedConsole : IDisposable
{
    private const int PlainWidth = 160;

    private readonly StreamWriter _writer;

    public FeedConsole(Stream output)
    {
        _writer = new StreamWriter(output, new UTF8Encoding(false), 4096, leaveOpen: true) { AutoFlush = true };
        // In-process callers (tests) pass their own stream even when the console is a terminal.
        IsLive = !System.Console.IsOutputRedirected && output is not MemoryStream;
        Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(_writer),
            Ansi = IsLive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = IsLive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = IsLive ? InteractionSupport.Yes : InteractionSupport.No,
        });
        if (!IsLive)
        {
            Console.Profile.Width = PlainWidth;
        }
    }

    /// <summary>True when progress can be drawn in place.</summary>
    public bool IsLive { get; }

    public IAnsiConsole Console { get; }

    /// <summary>A plain line (markup-free).</summary>
    public void Line(string text) => Console.WriteLine(text);

    public void Dispose() => _writer.Dispose();

    /// <summary>ISO 8601 UTC with milliseconds, or "-" for none.</summary>
    public static string Time(long unixMs) => unixMs <= 0
        ? "-"
        : DateTimeOffset.FromUnixTimeMilliseconds(unixMs).ToString("yyyy-MM-ddTHH:mm:ss.fffZ",
            CultureInfo.InvariantCulture);

    public static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string Number(double value, string format) =>
        double.IsNaN(value) ? "-" : value.ToString(format, CultureInfo.InvariantCulture);
}

namespace RiskGrid.Cli;

/// <summary>The standard streams a command reads and writes: the console's, or a test's.</summary>
internal sealed record CliStreams(Stream Input, Stream Output, TextWriter Error);

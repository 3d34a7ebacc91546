namespace RiskGrid.Load;

/// <summary>
/// Entry point of the load harnesses (open-model, HdrHistogram percentiles in µs). No harness is registered yet;
/// the project exists so the solution builds and the harnesses have a home.
/// </summary>
internal static class Program
{
    public static int Main()
    {
        Console.Error.WriteLine("riskgrid-load: no load harness is registered yet (micro-benchmarks: make bench)");
        return 2;
    }
}

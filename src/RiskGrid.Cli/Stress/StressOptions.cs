namespace RiskGrid.Cli.Stress;

/// <summary>What a stress run replays and against which book and parameters.</summary>
/// <param name="ScenarioName">Shown in the report.</param>
/// <param name="Accounts">Book size.</param>
/// <param name="Seed">Seed of the book (and of the synthetic crash when no data is given).</param>
/// <param name="BookFile">The book's HOCON (config/books/*.conf).</param>
/// <param name="DataFiles">Recorded data; empty for the synthetic crash.</param>
/// <param name="SyntheticSeed">Seed of the synthetic crash, or null when replaying data only.</param>
/// <param name="StepMs">Market time per step: ticks of a step are applied, then the grid settles.</param>
/// <param name="OutputDirectory">Where the journal, report.html and summary.json go.</param>
/// <param name="ExtraHocon">Node configuration a scenario overrides (risk parameters, supervisor settings).</param>
/// <param name="Shock">A synthetic shock applied to the replayed prices, or null.</param>
/// <param name="IsolateEverything">Open every linear position isolated (the cross-vs-isolated comparison).</param>
internal sealed record StressOptions(
    string ScenarioName,
    int Accounts,
    long Seed,
    string BookFile,
    IReadOnlyList<string> DataFiles,
    int? SyntheticSeed,
    long StepMs,
    string OutputDirectory,
    string ExtraHocon = "",
    PriceShock? Shock = null,
    bool IsolateEverything = false);

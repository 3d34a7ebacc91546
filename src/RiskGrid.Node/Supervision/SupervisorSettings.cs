using Akka.Configuration;

namespace RiskGrid.Node.Supervision;

/// <summary>Settings of the risk supervisor and the liquidation engine (<c>riskgrid.supervisor</c>), validated
/// once.</summary>
/// <param name="SweepInterval">A full re-evaluation of every tracked sub-account at this interval (the safety net
/// under the trigger index).</param>
/// <param name="ProbeMove">h: the relative index move the safe band is probed at; also the largest band.</param>
/// <param name="BandSafety">The fraction of the linear safe move the band keeps (curvature margin), in (0, 1].</param>
/// <param name="MultiplierResweep">A relative change of any MM multiplier since the last sweep that forces a sweep.</param>
/// <param name="QueueCapacity">Liquidation candidates queued at most (worst health first).</param>
/// <param name="Parallelism">Liquidations executing at once.</param>
/// <param name="LiquidityBudgetUsdPerSecond">Notional per second the engine may close per instrument, by
/// instrument name; <c>default</c> for the rest.</param>
/// <param name="DefaultLiquidityBudgetUsdPerSecond">The budget of instruments not named.</param>
/// <param name="CensusInterval">How often a node checks which shards it hosts (drops accounts that left, wakes
/// accounts of shards that arrived).</param>
/// <param name="FundInitialBalanceMicros">The insurance fund's opening balance (a venue seeds its fund).</param>
/// <param name="AskTimeout">Timeout of the engine's requests to entities and the fund.</param>
/// <param name="EvaluationThreads">Threads a large evaluation batch is split over (0: one per core).</param>
/// <param name="ParallelEvaluationMinimum">Batches smaller than this are evaluated on the supervisor's thread
/// alone.</param>
/// <param name="Stepped">Stepped mode: the supervisor evaluates only when told (<see cref="RunRiskCycle"/>), so a
/// driver (the stress lab) can process each market step to the end before the next: reproducible runs.</param>
public sealed record SupervisorSettings(
    TimeSpan SweepInterval,
    double ProbeMove,
    double BandSafety,
    double MultiplierResweep,
    int QueueCapacity,
    int Parallelism,
    IReadOnlyDictionary<string, double> LiquidityBudgetUsdPerSecond,
    double DefaultLiquidityBudgetUsdPerSecond,
    TimeSpan CensusInterval,
    long FundInitialBalanceMicros,
    TimeSpan AskTimeout,
    bool Stepped = false,
    int EvaluationThreads = 0,
    int ParallelEvaluationMinimum = 256)
{
    /// <summary>The defaults of <c>config/supervisor.conf</c>.</summary>
    public static SupervisorSettings Default { get; } = new(TimeSpan.FromSeconds(10), 0.05, 0.5, 0.005, 4096, 32,
        new Dictionary<string, double>(StringComparer.Ordinal), 50_000_000, TimeSpan.FromSeconds(5), 0,
        TimeSpan.FromSeconds(10));

    /// <summary>Threads a large evaluation batch is split over: <see cref="EvaluationThreads"/>, or one per core.</summary>
    public int EvaluationThreadCount => EvaluationThreads > 0 ? EvaluationThreads : Math.Max(1, Environment.ProcessorCount);

    /// <summary>The budget of <paramref name="instrument"/> in USD per second.</summary>
    public double BudgetOf(string instrument) =>
        LiquidityBudgetUsdPerSecond.TryGetValue(instrument, out var b) ? b : DefaultLiquidityBudgetUsdPerSecond;

    /// <summary>Reads <c>riskgrid.supervisor</c>; a missing key keeps its default, a bad value throws naming the
    /// key.</summary>
    public static SupervisorSettings From(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        const string root = "riskgrid.supervisor";
        var d = Default;
        var s = config.HasPath(root) ? config.GetConfig(root) : Config.Empty;
        var budgets = new Dictionary<string, double>(StringComparer.Ordinal);
        var defaultBudget = d.DefaultLiquidityBudgetUsdPerSecond;
        if (s.HasPath("liquidity-budget-usd-per-second"))
        {
            var b = s.GetConfig("liquidity-budget-usd-per-second");
            foreach (var (key, _) in b.AsEnumerable())
            {
                var name = key.Trim('"');
                var value = b.GetDouble(key);
                if (!(value > 0) || !double.IsFinite(value))
                {
                    throw new ConfigurationException(
                        $"{root}.liquidity-budget-usd-per-second.{name} = {value}: must be a positive number");
                }
                if (name == "default")
                {
                    defaultBudget = value;
                }
                else
                {
                    budgets[name] = value;
                }
            }
        }
        var settings = new SupervisorSettings(
            s.HasPath("sweep-interval") ? s.GetTimeSpan("sweep-interval") : d.SweepInterval,
            s.HasPath("probe-move") ? s.GetDouble("probe-move") : d.ProbeMove,
            s.HasPath("band-safety") ? s.GetDouble("band-safety") : d.BandSafety,
            s.HasPath("multiplier-resweep") ? s.GetDouble("multiplier-resweep") : d.MultiplierResweep,
            s.HasPath("queue-capacity") ? s.GetInt("queue-capacity") : d.QueueCapacity,
            s.HasPath("parallelism") ? s.GetInt("parallelism") : d.Parallelism,
            budgets,
            defaultBudget,
            s.HasPath("census-interval") ? s.GetTimeSpan("census-interval") : d.CensusInterval,
            s.HasPath("fund-initial-balance-usd")
                ? checked((long)Math.Round(s.GetDouble("fund-initial-balance-usd") * 1_000_000))
                : d.FundInitialBalanceMicros,
            s.HasPath("ask-timeout") ? s.GetTimeSpan("ask-timeout") : d.AskTimeout,
            s.HasPath("stepped") && s.GetBoolean("stepped"),
            s.HasPath("evaluation-threads") ? s.GetInt("evaluation-threads") : d.EvaluationThreads,
            s.HasPath("parallel-evaluation-minimum")
                ? s.GetInt("parallel-evaluation-minimum")
                : d.ParallelEvaluationMinimum);
        settings.Validate(root);
        return settings;
    }

    private void Validate(string root)
    {
        if (SweepInterval <= TimeSpan.Zero)
        {
            throw new ConfigurationException($"{root}.sweep-interval = {SweepInterval}: must be positive");
        }
        if (!(ProbeMove is > 0 and < 0.5))
        {
            throw new ConfigurationException($"{root}.probe-move = {ProbeMove}: must be in (0, 0.5)");
        }
        if (!(BandSafety is > 0 and <= 1))
        {
            throw new ConfigurationException($"{root}.band-safety = {BandSafety}: must be in (0, 1]");
        }
        if (!(MultiplierResweep is > 0 and < 1))
        {
            throw new ConfigurationException($"{root}.multiplier-resweep = {MultiplierResweep}: must be in (0, 1)");
        }
        if (QueueCapacity is < 1 or > 1_000_000)
        {
            throw new ConfigurationException($"{root}.queue-capacity = {QueueCapacity}: must be in [1, 1000000]");
        }
        if (Parallelism is < 1 or > 256)
        {
            throw new ConfigurationException($"{root}.parallelism = {Parallelism}: must be in [1, 256]");
        }
        if (EvaluationThreads is < 0 or > 256)
        {
            throw new ConfigurationException(
                $"{root}.evaluation-threads = {EvaluationThreads}: must be in [0, 256] (0: one per core)");
        }
        if (ParallelEvaluationMinimum < 1)
        {
            throw new ConfigurationException(
                $"{root}.parallel-evaluation-minimum = {ParallelEvaluationMinimum}: must be at least 1");
        }
        if (CensusInterval <= TimeSpan.Zero || AskTimeout <= TimeSpan.Zero)
        {
            throw new ConfigurationException($"{root}.census-interval and ask-timeout must be positive");
        }
        if (FundInitialBalanceMicros < 0)
        {
            throw new ConfigurationException(
                $"{root}.fund-initial-balance-usd = {FundInitialBalanceMicros / 1e6}: must be ≥ 0");
        }
    }
}

using Akka.Actor;
using Akka.Cluster.Sharding;
using Prometheus;
using RiskGrid.Node.Hosting;
using RiskGrid.Node.Supervision;

namespace RiskGrid.Api.Monitoring;

/// <summary>
/// Prometheus metrics of the risk tier on this node, read when /metrics is scraped: the risk supervisor's counters and
/// latency percentiles (<see cref="RiskMetrics"/>), the account shards and entities this node hosts, the insurance
/// fund's balance and bad debt, and journal write latency. Percentiles are gauges with a <c>quantile</c> label (0.5,
/// 0.99, 0.999 and 1, the maximum) computed from the node's HdrHistograms, in seconds. What needs an actor's answer
/// (shard state, the fund) is cached and refreshed in the background at most once per <see cref="RefreshEvery"/>: a
/// scrape never waits for an ask. One node per process: the last node tracked is the one exported.
/// </summary>
public static class RiskMetricsExporter
{
    /// <summary>How often the asked values (shard state, fund) are refreshed at most.</summary>
    public static readonly TimeSpan RefreshEvery = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(1);

    private static readonly string[] Quantiles = ["0.5", "0.99", "0.999", "1"];
    private static readonly double[] Percentiles = [50, 99, 99.9, 100];

    private static readonly Gauge ShardsLocal = Metrics.CreateGauge("riskgrid_shards_local",
        "Account shards hosted by this node.");

    private static readonly Gauge AccountsResident = Metrics.CreateGauge("riskgrid_accounts_resident",
        "Account entities in memory on this node (idle ones are passivated).");

    private static readonly Gauge Tracked = Metrics.CreateGauge("riskgrid_risk_tracked_subaccounts",
        "Sub-accounts this node's risk supervisor tracks.");

    private static readonly Counter Evaluations = Metrics.CreateCounter("riskgrid_risk_evaluations_total",
        "Margin evaluations of sub-accounts by the risk supervisor, by path (incremental, sweep).",
        new CounterConfiguration { LabelNames = ["path"] });

    private static readonly Gauge EvaluationSeconds = Metrics.CreateGauge("riskgrid_risk_evaluation_seconds",
        "Percentiles of the duration of an evaluation batch, by path (incremental, sweep).",
        new GaugeConfiguration { LabelNames = ["path", "quantile"] });

    private static readonly Counter MarginCalls = Metrics.CreateCounter("riskgrid_margin_calls_total",
        "Margin calls issued (health below liquidation.warnHealth).");

    private static readonly Gauge QueueDepth = Metrics.CreateGauge("riskgrid_liquidation_queue_depth",
        "Liquidation candidates queued or executing on this node.");

    private static readonly Gauge QueueWait = Quantiled("riskgrid_liquidation_wait_seconds",
        "Percentiles of the time a due liquidation waited in the queue.");

    private static readonly Gauge OutsideQueue = Quantiled("riskgrid_liquidation_outside_queue_seconds",
        "Percentiles of the time a liquidatable sub-account waited outside the full queue before it got in.");

    private static readonly Gauge BreachToFirstReduction = Quantiled(
        "riskgrid_liquidation_breach_to_first_reduction_seconds",
        "Percentiles of the time from a maintenance breach to the first position reduction.");

    private static readonly Gauge BreachToRestored = Quantiled("riskgrid_liquidation_breach_to_restored_seconds",
        "Percentiles of the time from a maintenance breach until the sub-account is healthy again (or closed out).");

    private static readonly Gauge TickToDecision = Quantiled("riskgrid_risk_tick_to_decision_seconds",
        "Percentiles of the time from a price change to the end of the supervisor's decisions on it.");

    private static readonly Gauge JournalWrites = Quantiled("riskgrid_journal_write_seconds",
        "Percentiles of an account event's journal write (persist to stored).");

    private static readonly Counter Liquidations = Metrics.CreateCounter("riskgrid_liquidations_total",
        "Liquidations by kind (partial, backstop, bankrupt; adl counts counterparty reductions).",
        new CounterConfiguration { LabelNames = ["kind"] });

    private static readonly Counter Deferred = Metrics.CreateCounter("riskgrid_liquidation_deferred_total",
        "Liquidations put off, by reason (stale, wick, cooldown, queue_full, throttle).",
        new CounterConfiguration { LabelNames = ["reason"] });

    private static readonly Gauge AdlRanking = Quantiled("riskgrid_adl_ranking_seconds",
        "Percentiles of one pass answering waiting ADL queries (every holder of the instrument and side scored).");

    private static readonly Counter AdlQueries = Metrics.CreateCounter("riskgrid_adl_queries_total",
        "ADL ranking queries answered by this node's supervisor.");

    private static readonly Counter AdlPasses = Metrics.CreateCounter("riskgrid_adl_passes_total",
        "Passes answering ADL queries (the queries waiting at a pass share it).");

    private static readonly Gauge FundUsd = Metrics.CreateGauge("riskgrid_insurance_fund_usd",
        "The insurance fund's balance, USD: opening balance + inflows - payouts.");

    private static readonly Gauge BadDebtUsd = Metrics.CreateGauge("riskgrid_bad_debt_usd",
        "Losses neither the insurance fund nor ADL covered, USD.");

    private static Exporter? s_current;
    private static int s_registered;

    /// <summary>Exports <paramref name="node"/>'s risk metrics from now on (replacing a node tracked before).
    /// <paramref name="time"/> paces the background refreshes (the system's by default).</summary>
    public static void Track(GridNode node, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(node);
        var exporter = new Exporter(node, time ?? TimeProvider.System);
        Volatile.Write(ref s_current, exporter);
        if (Interlocked.Exchange(ref s_registered, 1) == 0)
        {
            CreateSeries();
            Metrics.DefaultRegistry.AddBeforeCollectCallback(() => Volatile.Read(ref s_current)?.Collect());
        }
        exporter.Refresh();
    }

    private static Gauge Quantiled(string name, string help) =>
        Metrics.CreateGauge(name, help, new GaugeConfiguration { LabelNames = ["quantile"] });

    // Every labelled series exists from the first scrape, at 0.
    private static void CreateSeries()
    {
        foreach (var path in (ReadOnlySpan<string>)["incremental", "sweep"])
        {
            Evaluations.WithLabels(path);
            foreach (var q in Quantiles)
            {
                EvaluationSeconds.WithLabels(path, q);
            }
        }
        foreach (var kind in RiskMetrics.LiquidationKinds)
        {
            Liquidations.WithLabels(kind);
        }
        foreach (var reason in RiskMetrics.DeferralReasons)
        {
            Deferred.WithLabels(reason);
        }
        foreach (var gauge in (ReadOnlySpan<Gauge>)[QueueWait, OutsideQueue, BreachToFirstReduction, BreachToRestored, TickToDecision,
                     JournalWrites, AdlRanking])
        {
            foreach (var q in Quantiles)
            {
                gauge.WithLabels(q);
            }
        }
    }

    private static void SetQuantiles(Gauge gauge, LatencyRecorder recorder)
    {
        for (var i = 0; i < Quantiles.Length; i++)
        {
            gauge.WithLabels(Quantiles[i]).Set(Seconds(recorder, i));
        }
    }

    private static void SetQuantiles(Gauge gauge, string path, LatencyRecorder recorder)
    {
        for (var i = 0; i < Quantiles.Length; i++)
        {
            gauge.WithLabels(path, Quantiles[i]).Set(Seconds(recorder, i));
        }
    }

    private static double Seconds(LatencyRecorder recorder, int quantile) =>
        (Percentiles[quantile] >= 100 ? recorder.Max : recorder.AtPercentile(Percentiles[quantile])) / 1_000_000.0;

    /// <summary>One node's sources.</summary>
    private sealed class Exporter
    {
        private readonly GridNode _node;
        private readonly AskedValue<CurrentShardRegionState> _shards;
        private readonly AskedValue<FundView> _fund;

        public Exporter(GridNode node, TimeProvider time)
        {
            _node = node;
            var region = node.Accounts.Region;
            _shards = new AskedValue<CurrentShardRegionState>(
                () => region.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, AskTimeout), time);
            var fund = node.InsuranceFund;
            _fund = new AskedValue<FundView>(() => fund.Ask<FundView>(GetFund.Instance, AskTimeout), time);
        }

        public void Refresh()
        {
            _shards.RefreshIfDue();
            _fund.RefreshIfDue();
        }

        public void Collect()
        {
            Refresh();
            var m = _node.RiskMetrics;
            Tracked.Set(m.Tracked);
            Evaluations.WithLabels("incremental").IncTo(m.IncrementalEvaluations);
            Evaluations.WithLabels("sweep").IncTo(m.SweepEvaluations);
            SetQuantiles(EvaluationSeconds, "incremental", m.IncrementalBatch);
            SetQuantiles(EvaluationSeconds, "sweep", m.SweepBatch);
            MarginCalls.IncTo(m.MarginCalls);
            QueueDepth.Set(m.QueueDepth);
            SetQuantiles(QueueWait, m.QueueWait);
            SetQuantiles(OutsideQueue, m.OutsideQueue);
            SetQuantiles(BreachToFirstReduction, m.BreachToFirstReduction);
            SetQuantiles(BreachToRestored, m.BreachToRestored);
            SetQuantiles(TickToDecision, m.TickToDecision);
            SetQuantiles(JournalWrites, _node.Accounts.JournalWrites);
            SetQuantiles(AdlRanking, m.AdlRanking);
            AdlQueries.IncTo(m.AdlQueries);
            AdlPasses.IncTo(m.AdlPasses);
            for (var i = 0; i < RiskMetrics.LiquidationKinds.Length; i++)
            {
                Liquidations.WithLabels(RiskMetrics.LiquidationKinds[i]).IncTo(m.Liquidations(i));
            }
            for (var i = 0; i < RiskMetrics.DeferralReasons.Length; i++)
            {
                Deferred.WithLabels(RiskMetrics.DeferralReasons[i]).IncTo(m.Deferred(i));
            }
            if (_shards.Value is { } shards)
            {
                ShardsLocal.Set(shards.Shards.Count);
                AccountsResident.Set(shards.Shards.Sum(s => s.EntityIds.Count));
            }
            if (_fund.Value is { } fund)
            {
                FundUsd.Set(fund.BalanceMicros / 1_000_000.0);
                BadDebtUsd.Set(fund.BadDebtMicros / 1_000_000.0);
            }
        }
    }

    /// <summary>
    /// The latest answer of an ask, refreshed in the background: <see cref="RefreshIfDue"/> starts an ask when none is
    /// running and the last started at least <see cref="RefreshEvery"/> ago, and returns at once. A failed or
    /// timed-out ask keeps the previous value.
    /// </summary>
    private sealed class AskedValue<T>(Func<Task<T>> ask, TimeProvider time)
        where T : class
    {
        private T? _value;
        private long _startedAt;
        private int _running;

        public T? Value => Volatile.Read(ref _value);

        public void RefreshIfDue()
        {
            if (Interlocked.CompareExchange(ref _running, 1, 0) != 0)
            {
                return;
            }
            var now = time.GetTimestamp();
            var started = Interlocked.Read(ref _startedAt);
            if (started != 0 && time.GetElapsedTime(started, now) < RefreshEvery)
            {
                Volatile.Write(ref _running, 0);
                return;
            }
            Interlocked.Exchange(ref _startedAt, now);
            ask().ContinueWith(t =>
            {
                if (t.IsCompletedSuccessfully)
                {
                    Volatile.Write(ref _value, t.Result);
                }
                else
                {
                    // Observed here: an unreachable fund or region is a missed refresh, not an error.
                    _ = t.Exception;
                }
                Volatile.Write(ref _running, 0);
            }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }
}

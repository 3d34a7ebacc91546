using Prometheus;
using RiskGrid.Margin.Oracle;
using RiskGrid.Node.Prices;

namespace RiskGrid.Api.Monitoring;

/// <summary>
/// Prometheus metrics of the node's price view, read from <see cref="PriceView.Report"/> when /metrics is scraped
/// (nothing is done per tick): per source the ticks accepted and dropped by cause, sequence gaps and the age of the
/// last tick; per underlying the index, whether it is fresh, stale or wick-guarded, its staleness, valid sources,
/// and the volatility multipliers v^IM and v^MM (§7, §8). One node per process.
/// </summary>
public static class PriceMetrics
{
    private static readonly Counter Ticks = Metrics.CreateCounter("riskgrid_feed_ticks_total",
        "Ticks applied to the price view, per source.", new CounterConfiguration { LabelNames = ["source"] });

    private static readonly Counter Drops = Metrics.CreateCounter("riskgrid_feed_dropped_ticks_total",
        "Ticks dropped, per source and cause.", new CounterConfiguration { LabelNames = ["source", "cause"] });

    private static readonly Counter Gaps = Metrics.CreateCounter("riskgrid_feed_sequence_gaps_total",
        "Jumps in a source's sequence (conflated at a publisher, or lost).",
        new CounterConfiguration { LabelNames = ["source"] });

    private static readonly Gauge LastAge = Metrics.CreateGauge("riskgrid_feed_last_tick_age_seconds",
        "Grid clock minus the source's latest tick time.", new GaugeConfiguration { LabelNames = ["source"] });

    private static readonly Gauge Index = Metrics.CreateGauge("riskgrid_oracle_index_usd",
        "Oracle index (median of valid sources), USD; NaN while never priced.",
        new GaugeConfiguration { LabelNames = ["underlying"] });

    private static readonly Gauge Status = Metrics.CreateGauge("riskgrid_oracle_status",
        "1 for the underlying's current status (fresh, wick_guarded, stale, unpriced), 0 for the others.",
        new GaugeConfiguration { LabelNames = ["underlying", "status"] });

    private static readonly Gauge Staleness = Metrics.CreateGauge("riskgrid_oracle_staleness_seconds",
        "Time since the index was last formed from enough valid sources (0 while fresh).",
        new GaugeConfiguration { LabelNames = ["underlying"] });

    private static readonly Gauge ValidSources = Metrics.CreateGauge("riskgrid_oracle_valid_sources",
        "Sources younger than staleMs at the last evaluation.", new GaugeConfiguration { LabelNames = ["underlying"] });

    private static readonly Gauge Multiplier = Metrics.CreateGauge("riskgrid_volatility_multiplier",
        "Volatility multiplier v^IM (kind=initial) and v^MM (kind=maintenance).",
        new GaugeConfiguration { LabelNames = ["underlying", "kind"] });

    private static readonly (OracleStatus Status, string Name)[] Statuses =
    [
        (OracleStatus.Fresh, "fresh"), (OracleStatus.WickGuarded, "wick_guarded"), (OracleStatus.Stale, "stale"),
        (OracleStatus.Unpriced, "unpriced"),
    ];

    /// <summary>Refreshes the metrics from <paramref name="view"/> before every scrape.</summary>
    public static void Track(PriceView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        Metrics.DefaultRegistry.AddBeforeCollectCallback(() => Set(view.Report()));
    }

    private static void Set(PricesReport report)
    {
        foreach (var s in report.Sources)
        {
            Ticks.WithLabels(s.Source).IncTo(s.Accepted);
            Drops.WithLabels(s.Source, "non_finite").IncTo(s.NonFinite);
            Drops.WithLabels(s.Source, "zero").IncTo(s.Zero);
            Drops.WithLabels(s.Source, "negative").IncTo(s.Negative);
            Drops.WithLabels(s.Source, "duplicate").IncTo(s.Duplicates);
            Drops.WithLabels(s.Source, "out_of_order").IncTo(s.OutOfOrder);
            Drops.WithLabels(s.Source, "future_dated").IncTo(s.FutureDated);
            Drops.WithLabels(s.Source, "unrouted").IncTo(s.Unrouted);
            Gaps.WithLabels(s.Source).IncTo(s.Gaps);
            if (s.LastAgeMs is { } age)
            {
                LastAge.WithLabels(s.Source).Set(age / 1000.0);
            }
        }
        foreach (var u in report.Underlyings)
        {
            Index.WithLabels(u.Underlying).Set(u.Index);
            foreach (var (status, name) in Statuses)
            {
                Status.WithLabels(u.Underlying, name).Set(u.Status == status ? 1 : 0);
            }
            Staleness.WithLabels(u.Underlying).Set((u.StalenessMs ?? 0) / 1000.0);
            ValidSources.WithLabels(u.Underlying).Set(u.ValidSources);
            Multiplier.WithLabels(u.Underlying, "initial").Set(u.InitialMultiplier);
            Multiplier.WithLabels(u.Underlying, "maintenance").Set(u.MaintenanceMultiplier);
        }
    }
}

using static RiskGrid.Cli.Stress.Report.ReportFormat;

namespace RiskGrid.Cli.Stress.Report;

/// <summary>
/// The HTML page of one report, section by section: run and outcome first (what a risk officer asks before
/// anything else), then prices, liquidations, the fund, health, contagion, recovery, latency and the sweep.
/// Every text from the data goes through <see cref="ReportFormat.Text"/>; lines end in \n on every platform.
/// </summary>
internal sealed class StressReportHtml(StressReportData report, TextWriter output)
{
    private readonly TimeWindow _window = TimeWindow.Of(report);

    private const string Style = """
        :root { color-scheme: light; }
        body { font: 15px/1.45 "DejaVu Sans", Verdana, Arial, sans-serif; color: #1b1b1b; background: #fff;
               max-width: 1000px; margin: 2em auto; padding: 0 1em; }
        h1 { font-size: 1.6em; margin: 0 0 .2em; }
        h2 { font-size: 1.25em; border-bottom: 2px solid #d8d8d8; padding-bottom: .2em; margin-top: 2.2em; }
        h3 { font-size: 1.05em; margin: 1.4em 0 .3em; }
        p.lede { color: #444; margin-top: 0; }
        p.note, figcaption { color: #555; font-size: .9em; }
        p.empty { color: #777; font-style: italic; }
        table { border-collapse: collapse; margin: .6em 0 1em; }
        th, td { padding: .3em .9em .3em 0; border-bottom: 1px solid #e6e6e6; text-align: left; vertical-align: top; }
        thead th { border-bottom: 2px solid #cfcfcf; }
        table.kv th { font-weight: normal; color: #555; white-space: nowrap; }
        .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        .alert { color: #b3001b; font-weight: bold; }
        div.wide { overflow-x: auto; }
        div.wide table { font-size: .88em; }
        td.name { min-width: 14em; }
        figure.chart { margin: .5em 0 1em; }
        figure.chart svg { display: block; width: 100%; max-width: 960px; height: auto; }
        footer { margin-top: 3em; color: #777; font-size: .85em; }
        @media print { body { margin: 0; max-width: none; } figure, table { page-break-inside: avoid; } }
        """;

    public void Write()
    {
        var run = report.Run;
        Line("<!DOCTYPE html>");
        Line("<html lang=\"en\">");
        Line("<head>");
        Line("<meta charset=\"utf-8\">");
        Line("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        Line("<title>Stress report: " + Text(run.ScenarioName) + "</title>");
        Line("<style>");
        Line(Style);
        Line("</style>");
        Line("</head>");
        Line("<body>");
        WriteHeader();
        WritePrices();
        WriteLiquidations();
        WriteFund();
        WriteHealth();
        WriteContagion();
        WriteRecovery();
        WriteLatency();
        WriteScenarios();
        Line("<footer>Written by riskgrid from the data of this run (seed " + Seed(run.Seed)
             + "). Latency figures are for the machine that ran the replay.</footer>");
        Line("</body>");
        Line("</html>");
    }

    private void WriteHeader()
    {
        var run = report.Run;
        Line("<header>");
        Line("<h1>Stress report: " + Text(run.ScenarioName) + "</h1>");
        Line("<p class=\"lede\">" + Text(Duration(run.MarketSeconds)) + " of market, " + Text(Utc(run.MarketFrom))
             + " to " + Text(Utc(run.MarketTo)) + ", replayed against " + Count(run.BookAccounts) + " accounts at "
             + Fixed(run.ReplaySpeed, 1) + "× real time.</p>");
        Line("</header>");
        Line("<section id=\"run\">");
        Line("<h2>Run</h2>");
        Line("<table id=\"summary\" class=\"kv\">");
        Row("Scenario", Text(run.ScenarioName));
        Row("Seed", Seed(run.Seed));
        Row("Data files", run.DataFiles.Count == 0 ? "–" : string.Join("<br>", run.DataFiles.Select(Text)));
        Row("Book", Count(run.BookAccounts) + " accounts, " + Count(run.BookPositions) + " positions");
        Row("Market window", Text(Utc(run.MarketFrom)) + "<br>to " + Text(Utc(run.MarketTo)));
        Row("Market time", Text(Duration(run.MarketSeconds)));
        Row("Replay started", Text(Utc(run.StartedAt)));
        Row("Replay finished", Text(Utc(run.FinishedAt)));
        Row("Wall time", Text(Duration(run.WallSeconds)));
        Row("Replay speed", Fixed(run.ReplaySpeed, 1) + "× (market s per wall s)");
        Row("Ticks replayed", Count(run.TicksReplayed) + " (" + Fixed(run.TicksPerSecond, 0) + " per wall s)");
        Line("</table>");
        if (run.Parameters.Count > 0)
        {
            Line("<h3>Parameters</h3>");
            Line("<table id=\"parameters\" class=\"kv\">");
            foreach (var parameter in run.Parameters)
            {
                Row(Text(parameter.Name), Text(parameter.Value));
            }

            Line("</table>");
        }

        Line("</section>");
        WriteOutcome();
    }

    private void WriteOutcome()
    {
        var totals = report.Totals;
        var fund = report.InsuranceFund;
        var contagion = report.Contagion;
        Line("<section id=\"outcome-section\">");
        Line("<h2>Outcome</h2>");
        Line("<table id=\"outcome\" class=\"kv\">");
        Row("Accounts liquidated", Count(totals.LiquidatedAccounts) + " of " + Count(totals.Accounts) + " ("
            + Percent(totals.LiquidatedAccounts, totals.Accounts) + ")");
        Row("Liquidation steps", Count(totals.LiquidationSteps));
        Row("Notional closed", UsdWithUnit(totals.NotionalClosedMicros));
        Row("Fees to the insurance fund", UsdWithUnit(totals.FeesToFundMicros));
        Row("Fund payouts", UsdWithUnit(fund.PayoutsMicros) + " (" + Count(fund.PayoutCount) + ")");
        Row("Insurance fund",
            UsdWithUnit(fund.OpeningBalanceMicros) + " → " + UsdWithUnit(fund.ClosingBalanceMicros));
        Row("Auto-deleveraging", Alert(fund.AdlCount > 0, Count(fund.AdlCount) + " reductions, "
            + UsdWithUnit(fund.AdlNotionalMicros)));
        Row("Bad debt (uncovered after ADL)", Alert(fund.BadDebtMicros > 0, UsdWithUnit(fund.BadDebtMicros)));
        Row("Liquidated through a profitable leg", Count(contagion.CrossAccountsLiquidatedViaProfitableLeg)
            + " cross, " + Count(contagion.IsolatedAccountsLiquidatedViaProfitableLeg) + " isolated");
        Row("Breach to restored health, p99", Ms(report.Recovery.BreachToRestoredHealth.P99Ms) + " ms");
        Line("</table>");
        Line("</section>");
    }

    private void WritePrices()
    {
        Line("<section id=\"prices\">");
        Line("<h2>Index and sources</h2>");
        Line("<p class=\"note\">The index of each underlying (thick dark line) over the price published by each "
             + "source. A source that wicks away from the others shows as a spike the index should not follow.</p>");
        for (var i = 0; i < report.Underlyings.Count; i++)
        {
            var underlying = report.Underlyings[i];
            Line("<h3>" + Text(underlying.Underlying) + "</h3>");
            Chart(StressReportCharts.Prices(underlying, _window, "chart-prices-" + (i + 1).ToString(
                System.Globalization.CultureInfo.InvariantCulture)), "No prices recorded.");
            Line("<table class=\"prices\">");
            Line("<thead><tr><th>series</th><th class=\"num\">points</th><th class=\"num\">low</th>"
                 + "<th class=\"num\">high</th><th class=\"num\">low vs index low</th></tr></thead>");
            Line("<tbody>");
            var indexLow = Low(underlying.Index);
            PriceRow("index", underlying.Index, indexLow);
            foreach (var source in underlying.Sources)
            {
                PriceRow(source.Source, source.Points, indexLow);
            }

            Line("</tbody>");
            Line("</table>");
        }

        if (report.Underlyings.Count == 0)
        {
            Line("<p class=\"empty\">No underlying recorded.</p>");
        }

        Line("</section>");
    }

    private void PriceRow(string name, IReadOnlyList<PricePoint> points, double? indexLow)
    {
        var low = Low(points);
        var high = points.Count == 0 ? (double?)null : points.Max(p => p.Price);
        var versus = low is { } l && indexLow is { } il && il != 0
            ? Fixed(100.0 * (l - il) / il, 1) + " %"
            : "–";
        Line("<tr><td>" + Text(name) + "</td><td class=\"num\">" + Count(points.Count) + "</td><td class=\"num\">"
             + (low is { } lo ? Price(lo) : "–") + "</td><td class=\"num\">" + (high is { } hi ? Price(hi) : "–")
             + "</td><td class=\"num\">" + versus + "</td></tr>");
    }

    private void WriteLiquidations()
    {
        var timeline = report.Liquidations;
        Line("<section id=\"liquidations\">");
        Line("<h2>Liquidations over time</h2>");
        Line("<p class=\"note\">Liquidation steps started in each " + Text(Interval(timeline.BucketMs))
             + ", stacked by kind.</p>");
        Chart(StressReportCharts.Liquidations(timeline, _window, "chart-liquidations"), "No liquidation step.");
        long partial = 0, backstop = 0, bankrupt = 0, adl = 0;
        foreach (var bucket in timeline.Buckets)
        {
            partial += bucket.PartialCount;
            backstop += bucket.BackstopCount;
            bankrupt += bucket.BankruptCount;
            adl += bucket.AdlCount;
        }

        Line("<table id=\"liquidation-kinds\">");
        Line("<thead><tr><th>kind</th><th class=\"num\">steps</th><th>meaning</th></tr></thead>");
        Line("<tbody>");
        long[] counts = [partial, backstop, bankrupt, adl];
        for (var k = 0; k < counts.Length; k++)
        {
            var kind = StressReportCharts.LiquidationKinds[k];
            Line("<tr><td>" + Text(kind.Name) + "</td><td class=\"num\">" + Count(counts[k]) + "</td><td>"
                 + Text(kind.Meaning) + "</td></tr>");
        }

        Line("</tbody>");
        Line("</table>");
        Line("</section>");
    }

    private void WriteFund()
    {
        var fund = report.InsuranceFund;
        Line("<section id=\"fund\">");
        Line("<h2>Insurance fund</h2>");
        Chart(StressReportCharts.Fund(fund, _window, "chart-fund"), "No fund balance recorded.");
        var lowest = fund.Balance.Count == 0
            ? fund.ClosingBalanceMicros
            : Math.Min(fund.Balance.Min(p => p.BalanceMicros), fund.ClosingBalanceMicros);
        Line("<table id=\"fund-figures\" class=\"kv\">");
        Row("Opening balance", UsdWithUnit(fund.OpeningBalanceMicros));
        Row("Lowest balance", UsdWithUnit(lowest));
        Row("Closing balance", UsdWithUnit(fund.ClosingBalanceMicros));
        Row("Liquidation fees in", UsdWithUnit(report.Totals.FeesToFundMicros));
        Row("Payouts to bankrupt accounts", UsdWithUnit(fund.PayoutsMicros) + " (" + Count(fund.PayoutCount) + ")");
        Row("Auto-deleveraging", Count(fund.AdlCount) + " reductions, " + UsdWithUnit(fund.AdlNotionalMicros)
            + " notional");
        Row("Bad debt (uncovered after ADL)", Alert(fund.BadDebtMicros > 0, UsdWithUnit(fund.BadDebtMicros)));
        Line("</table>");
        Line("</section>");
    }

    private void WriteHealth()
    {
        var health = report.Health;
        Line("<section id=\"health\">");
        Line("<h2>Health before and after</h2>");
        Line("<p class=\"note\">Accounts by health = E_MM / MM at the start and at the end of the replay. Below 1 an "
             + "account is liquidatable; accounts without positions have no requirement.</p>");
        Chart(StressReportCharts.Health(health, "chart-health"), "No account health recorded.");
        Line("<table id=\"health-buckets\">");
        Line("<thead><tr><th>health</th><th class=\"num\">before</th><th class=\"num\">after</th>"
             + "<th class=\"num\">change</th></tr></thead>");
        Line("<tbody>");
        foreach (var bucket in health.Buckets)
        {
            var change = bucket.AccountsAfter - bucket.AccountsBefore;
            Line("<tr><td>" + Text(bucket.Label) + "</td><td class=\"num\">" + Count(bucket.AccountsBefore)
                 + "</td><td class=\"num\">" + Count(bucket.AccountsAfter) + "</td><td class=\"num\">"
                 + (change > 0 ? "+" : string.Empty) + Count(change) + "</td></tr>");
        }

        Line("</tbody>");
        Line("</table>");
        Line("</section>");
    }

    private void WriteContagion()
    {
        var contagion = report.Contagion;
        Line("<section id=\"contagion\">");
        Line("<h2>Contagion through cross margin</h2>");
        Line("<p class=\"note\">Accounts liquidated through a leg that was itself in profit: in a cross-margined "
             + "account the loss of one leg consumes the collateral of all of them, so a winning position can be "
             + "closed to cover a losing one. With every position isolated, each is liquidated only on its own "
             + "loss.</p>");
        Line("<table id=\"contagion-comparison\">");
        Line("<thead><tr><th>same book, margined</th><th class=\"num\">accounts liquidated through a profitable "
             + "leg</th></tr></thead>");
        Line("<tbody>");
        Line("<tr><td>cross (this run)</td><td class=\"num\">"
             + Count(contagion.CrossAccountsLiquidatedViaProfitableLeg) + "</td></tr>");
        Line("<tr><td>isolated</td><td class=\"num\">"
             + Count(contagion.IsolatedAccountsLiquidatedViaProfitableLeg) + "</td></tr>");
        Line("</tbody>");
        Line("</table>");
        if (!string.IsNullOrWhiteSpace(contagion.Explanation))
        {
            Line("<p id=\"contagion-explanation\">" + Text(contagion.Explanation) + "</p>");
        }

        Line("</section>");
    }

    private void WriteRecovery()
    {
        var recovery = report.Recovery;
        Line("<section id=\"recovery\">");
        Line("<h2>Time to act</h2>");
        Line("<p class=\"note\">From the tick that took an account below maintenance to its first reduction, and to "
             + "its health restored (market time, milliseconds).</p>");
        PercentileTable("recovery-times", "ms", Ms, recovery.BreachToFirstReduction,
            recovery.BreachToRestoredHealth);
        Line("</section>");
    }

    private void WriteLatency()
    {
        var latency = report.Latency;
        Line("<section id=\"latency\">");
        Line("<h2>Grid latency</h2>");
        Line("<p class=\"note\">Wall-clock latency of the grid during the replay, in microseconds "
             + "(HdrHistogram, coordinated omission corrected where the lab paced the feed).</p>");
        PercentileTable("grid-latency", "µs", Us, latency.TickToDecision, latency.EvaluationBatch,
            latency.JournalWrite);
        Line("</section>");
    }

    private void PercentileTable(string id, string unit, Func<double, string> format, params PercentileSet[] sets)
    {
        Line("<table id=\"" + id + "\">");
        Line("<thead><tr><th>measure</th><th class=\"num\">count</th><th class=\"num\">p50</th>"
             + "<th class=\"num\">p90</th><th class=\"num\">p99</th><th class=\"num\">p99.9</th>"
             + "<th class=\"num\">max</th><th>unit</th></tr></thead>");
        Line("<tbody>");
        foreach (var set in sets)
        {
            var empty = set.Count == 0;
            Line("<tr><td>" + Text(set.Name) + "</td><td class=\"num\">" + Count(set.Count) + "</td>"
                 + Cell(empty, format, set.P50Ms) + Cell(empty, format, set.P90Ms) + Cell(empty, format, set.P99Ms)
                 + Cell(empty, format, set.P999Ms) + Cell(empty, format, set.MaxMs) + "<td>" + unit + "</td></tr>");
        }

        Line("</tbody>");
        Line("</table>");
    }

    private void WriteScenarios()
    {
        if (report.Scenarios is not { Count: > 0 } rows)
        {
            return;
        }

        Line("<section id=\"scenarios\">");
        Line("<h2>Scenario comparison</h2>");
        Line("<p class=\"note\">Key figures of each run of the sweep; money in whole USD.</p>");
        Line("<div class=\"wide\">");
        Line("<table id=\"scenario-comparison\">");
        Line("<thead><tr><th>scenario</th><th>parameters</th><th class=\"num\">accounts liquidated</th>"
             + "<th class=\"num\">steps</th><th class=\"num\">notional closed</th><th class=\"num\">fees to fund</th>"
             + "<th class=\"num\">fund payouts</th><th class=\"num\">bad debt</th><th class=\"num\">ADL</th>"
             + "<th class=\"num\">ADL notional</th><th class=\"num\">restored p99 (ms)</th></tr></thead>");
        Line("<tbody>");
        foreach (var row in rows)
        {
            Line("<tr><td class=\"name\">" + Text(row.Scenario) + "</td><td>" + Text(row.ParameterSummary) + "</td>"
                 + Num(Count(row.LiquidatedAccounts)) + Num(Count(row.LiquidationSteps))
                 + Num(UsdWhole(row.NotionalClosedMicros)) + Num(UsdWhole(row.FeesToFundMicros))
                 + Num(UsdWhole(row.FundPayoutsMicros))
                 + Num(Alert(row.BadDebtMicros > 0, UsdWhole(row.BadDebtMicros))) + Num(Count(row.AdlCount))
                 + Num(UsdWhole(row.AdlNotionalMicros)) + Num(Ms(row.BreachToRestoredP99Ms)) + "</tr>");
        }

        Line("</tbody>");
        Line("</table>");
        Line("</div>");
        Line("</section>");
    }

    private void Chart(string? svg, string whenEmpty)
    {
        if (svg is null)
        {
            Line("<p class=\"empty\">" + Text(whenEmpty) + "</p>");
            return;
        }

        Line("<figure class=\"chart\">");
        Line(svg);
        Line("</figure>");
    }

    /// <summary>A key-value row; <paramref name="html"/> is already encoded.</summary>
    private void Row(string label, string html) =>
        Line("<tr><th scope=\"row\">" + label + "</th><td>" + html + "</td></tr>");

    private void Line(string html)
    {
        output.Write(html);
        output.Write('\n');
    }

    private static string Num(string html) => "<td class=\"num\">" + html + "</td>";

    private static string Cell(bool empty, Func<double, string> format, double ms) =>
        Num(empty ? "–" : format(ms));

    private static string Alert(bool alert, string html) =>
        alert ? "<span class=\"alert\">" + html + "</span>" : html;

    private static double? Low(IReadOnlyList<PricePoint> points) =>
        points.Count == 0 ? null : points.Min(p => p.Price);
}

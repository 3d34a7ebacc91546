using System.CommandLine;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using HdrHistogram;
using RiskGrid.Node.Accounts;

namespace RiskGrid.Load.Accounts;

/// <summary>
/// <c>fill-load</c> — OneNodeFillAcknowledgement: one node, a journal (SQLite or PostgreSQL), N accounts opened with a
/// deposit each; then fills at a fixed rate (open model: fill k is due at start + k/rate whatever happened to the
/// ones before) either straight into the shard region or over HTTP. Latency = acknowledgement received − the fill's
/// intended send time, so a stall is charged to every fill that waited (coordinated omission corrected). Then a
/// closed-loop run with many fills in flight measures the most acknowledged fills per second.
/// </summary>
internal static class FillLoadHarness
{
    private static readonly string[] Instruments = ["BTC-PERP", "ETH-PERP", "SOL-PERP", "BTC-20261225", "ETH-20261225"];

    public static Command Command()
    {
        var journal = new Option<string>("--journal") { Description = "sqlite or postgres", DefaultValueFactory = _ => "sqlite" };
        journal.AcceptOnlyFromAmong("sqlite", "postgres");
        var via = new Option<string>("--via") { Description = "region, http or both", DefaultValueFactory = _ => "both" };
        via.AcceptOnlyFromAmong("region", "http", "both");
        var accounts = new Option<int>("--accounts") { DefaultValueFactory = _ => 100_000 };
        var rate = new Option<int>("--rate") { Description = "Paced fills per second", DefaultValueFactory = _ => 10_000 };
        var seconds = new Option<double>("--seconds") { DefaultValueFactory = _ => 20 };
        var inflight = new Option<int>("--max-inflight") { Description = "Closed-loop concurrency", DefaultValueFactory = _ => 1_000 };
        var batch = new Option<int?>("--batch-size") { Description = "riskgrid.node.journal.batch-size" };
        var parallelism = new Option<int?>("--parallelism") { Description = "riskgrid.node.journal.parallelism" };
        var hoconOption = new Option<string?>("--hocon") { Description = "Extra HOCON for the node (e.g. akka.persistence.max-concurrent-recoveries = 200)" };
        var command = new Command("fill-load", "Fills acknowledged by the grid: maximum sustained rate, then paced p99")
        {
            journal, via, accounts, rate, seconds, inflight, batch, parallelism, hoconOption,
        };
        command.SetAction(async (parse, _) =>
        {
            var j = parse.GetValue(journal)!;
            var v = parse.GetValue(via)!;
            var n = parse.GetValue(accounts);
            var hocon = (parse.GetValue(batch) is { } b ? $"riskgrid.node.journal.batch-size = {b}\n" : "") +
                        (parse.GetValue(parallelism) is { } p ? $"riskgrid.node.journal.parallelism = {p}\n" : "") +
                        (parse.GetValue(hoconOption) ?? "");
            await using var grid = await GridUnderLoad.StartAsync(j, withApi: v != "region",
                extraHocon: GridUnderLoad.ManualPricesHocon + "\n" + hocon);
            // The fills' instruments priced where they trade: the risk tier evaluates every fill's account.
            using var pricing = grid.StartPricing(60_000);
            Console.WriteLine($"fill-load: journal={j} accounts={n:N0} rate={parse.GetValue(rate):N0}/s " +
                              $"seconds={parse.GetValue(seconds)} cores={Environment.ProcessorCount}");
            await Open(grid, n);
            var round = 0;
            foreach (var target in v == "both" ? ["region", "http"] : new[] { v })
            {
                using var sender = FillSender.Create(target, grid);
                await Saturated(sender, n, parse.GetValue(inflight), parse.GetValue(seconds), round++);
                await Paced(sender, n, parse.GetValue(rate), parse.GetValue(seconds), round++);
            }
            return 0;
        });
        return command;
    }

    /// <summary>One deposit per account, many in flight.</summary>
    internal static async Task Open(GridUnderLoad grid, int accounts)
    {
        var watch = Stopwatch.StartNew();
        var now = grid.Node.Clock.NowMs;
        await Parallel.ForEachAsync(Enumerable.Range(0, accounts), new ParallelOptions { MaxDegreeOfParallelism = 2_000 },
            async (i, ct) =>
            {
                var reply = await grid.Accounts.AskAsync(
                    new Deposit(AccountId(i), "open", "main", "USD", 1_000_000_000_000, now), ct);
                if (reply is not CommandAccepted)
                {
                    throw new InvalidOperationException($"deposit refused: {reply}");
                }
            });
        Console.WriteLine($"  opened {accounts:N0} accounts in {watch.Elapsed.TotalSeconds:F1} s " +
                          $"({accounts / watch.Elapsed.TotalSeconds:N0} deposits/s acknowledged)");
    }

    internal static string AccountId(int i) => "load-" + i.ToString("D7", System.Globalization.CultureInfo.InvariantCulture);

    internal static ApplyFill Fill(int account, long k, int round, long nowMs) =>
        new(AccountId(account), $"f{round}-{k}", "main", Instruments[(int)(k % Instruments.Length)],
            k % 2 == 0 ? 10 : -10, 60_000 + (k % 100), 1_000, nowMs);

    private static async Task Paced(FillSender sender, int accounts, int rate, double seconds, int round)
    {
        var total = (long)(rate * seconds);
        var histogram = new LongHistogram(TimeSpan.FromSeconds(60).Ticks, 3);
        var gate = new object();
        var failures = 0L;
        var tasks = new List<Task>((int)Math.Min(total, 1_000_000));
        var start = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 10;
        var perFill = (double)Stopwatch.Frequency / rate;
        // The sender wakes about every millisecond and sends every fill that is due by then, each stamped with its
        // own intended time: no core is burnt spinning (the node needs both), and any lateness of the wake-up is
        // charged to the fills' latency rather than hidden.
        long k = 0;
        while (k < total)
        {
            var now = Stopwatch.GetTimestamp();
            for (; k < total; k++)
            {
                var due = start + (long)(k * perFill);
                if (due > now)
                {
                    break;
                }
                var fill = Fill((int)(k % accounts), k, round, sender.NowMs);
                tasks.Add(Record(sender.SendAsync(fill), due));
            }
            Thread.Sleep(1);
        }
        await Task.WhenAll(tasks);
        Print($"  {sender.Name}: paced {rate:N0} fills/s for {seconds} s (latency from intended send time)", histogram,
            failures);

        async Task Record(Task<bool> send, long due)
        {
            var ok = await send.ConfigureAwait(false);
            var ticks = (Stopwatch.GetTimestamp() - due) * TimeSpan.TicksPerSecond / Stopwatch.Frequency;
            lock (gate)
            {
                histogram.RecordValue(Math.Clamp(ticks, 0, histogram.HighestTrackableValue));
                if (!ok)
                {
                    failures++;
                }
            }
        }
    }

    private static async Task Saturated(FillSender sender, int accounts, int inflight, double seconds, int round)
    {
        var acknowledged = 0L;
        var failures = 0L;
        var next = 0L;
        var end = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        var workers = Enumerable.Range(0, inflight).Select(async _ =>
        {
            while (Stopwatch.GetTimestamp() < end)
            {
                var k = Interlocked.Increment(ref next);
                if (await sender.SendAsync(Fill((int)(k % accounts), k, round, sender.NowMs)).ConfigureAwait(false))
                {
                    Interlocked.Increment(ref acknowledged);
                }
                else
                {
                    Interlocked.Increment(ref failures);
                }
            }
        }).ToArray();
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(workers);
        Console.WriteLine($"  {sender.Name}: saturated, {inflight:N0} in flight: {acknowledged / watch.Elapsed.TotalSeconds:N0} " +
                          $"fills/s acknowledged over {watch.Elapsed.TotalSeconds:F1} s, {failures:N0} failed");
    }

    private static void Print(string title, LongHistogram h, long failures)
    {
        static string Ms(long ticks) => (ticks / (double)TimeSpan.TicksPerMillisecond).ToString("F3",
            System.Globalization.CultureInfo.InvariantCulture);
        Console.WriteLine(title);
        Console.WriteLine($"    n={h.TotalCount:N0} failed={failures:N0}  ms: p50={Ms(h.GetValueAtPercentile(50))} " +
                          $"p90={Ms(h.GetValueAtPercentile(90))} p99={Ms(h.GetValueAtPercentile(99))} " +
                          $"p99.9={Ms(h.GetValueAtPercentile(99.9))} max={Ms(h.GetMaxValue())}");
    }

    /// <summary>Sends fills straight into the shard region, or as HTTP requests to the node's API.</summary>
    private abstract class FillSender : IDisposable
    {
        public abstract string Name { get; }
        public abstract long NowMs { get; }
        public abstract Task<bool> SendAsync(ApplyFill fill);
        public virtual void Dispose()
        {
        }

        public static FillSender Create(string target, GridUnderLoad grid) =>
            target == "region" ? new RegionSender(grid) : new HttpSender(grid);
    }

    private sealed class RegionSender(GridUnderLoad grid) : FillSender
    {
        public override string Name => "shard region";
        public override long NowMs => grid.Node.Clock.NowMs;

        public override async Task<bool> SendAsync(ApplyFill fill)
        {
            try
            {
                return await grid.Accounts.AskAsync(fill, CancellationToken.None).ConfigureAwait(false) is CommandAccepted;
            }
            catch (TimeoutException)
            {
                return false;
            }
            catch (AccountsOverloadedException)
            {
                // The node's door refused it (max-in-flight, as over HTTP a 503): a failure of this run, counted.
                return false;
            }
        }
    }

    private sealed class HttpSender : FillSender
    {
        private readonly HttpClient _http;
        private readonly GridUnderLoad _grid;

        public HttpSender(GridUnderLoad grid)
        {
            _grid = grid;
            _http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 })
            {
                BaseAddress = grid.ApiAddress,
                Timeout = TimeSpan.FromSeconds(30),
            };
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", GridUnderLoad.ApiToken);
        }

        public override string Name => "HTTP";
        public override long NowMs => _grid.Node.Clock.NowMs;

        public override async Task<bool> SendAsync(ApplyFill fill)
        {
            var side = fill.SizeLots > 0 ? "BUY" : "SELL";
            var lot = fill.Instrument.StartsWith("BTC", StringComparison.Ordinal) ? 0.001m
                : fill.Instrument.StartsWith("ETH", StringComparison.Ordinal) ? 0.01m : 0.1m;
            var size = (Math.Abs(fill.SizeLots) * lot).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var body = $$"""{"commandId":"{{fill.CommandId}}","subAccount":"main","instrument":"{{fill.Instrument}}","side":"{{side}}","size":"{{size}}","price":{{fill.Price.ToString(System.Globalization.CultureInfo.InvariantCulture)}},"fee":"0.001"}""";
            try
            {
                using var content = new StringContent(body, Encoding.UTF8, "application/json");
                using var response = await _http.PostAsync($"/v1/accounts/{fill.AccountId}/fills", content)
                    .ConfigureAwait(false);
                return response.StatusCode == HttpStatusCode.OK;
            }
            catch (HttpRequestException)
            {
                return false;
            }
            catch (TaskCanceledException)
            {
                return false;
            }
        }

        public override void Dispose()
        {
            _http.Dispose();
            base.Dispose();
        }
    }
}

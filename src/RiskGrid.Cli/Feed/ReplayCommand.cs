using System.CommandLine;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using RiskGrid.Feed.Codec;
using RiskGrid.Feed.Replay;
using RiskGrid.Feed.Transport;
using RiskGrid.Node.Prices;
using Spectre.Console;
using static System.FormattableString;

namespace RiskGrid.Cli.Feed;

/// <summary>
/// <c>riskgrid replay --data FILE... [--speed 10x|1x|max] [--from ISO --to ISO] [--endpoint EP] [--synthetic SEED]</c>:
/// publishes recorded ticks on the feed (PUB bound on the endpoint) with their original spacing scaled, or as fast as
/// possible, on the data's own clock; a full snapshot every <c>riskgrid.feed.snapshotIntervalMs</c> and at the end
/// for late joiners. Reads the shared recordings' layouts and Binance kline/aggTrades CSVs. Progress (market time,
/// ticks/s, drops) as a bar on a terminal, as a line a second otherwise. Exit 0 at the end with a summary, 2 for
/// bad arguments, an unreadable file or layout, 1 when the endpoint cannot be bound.
/// </summary>
internal sealed class ReplayCommand
{
    private static readonly TimeSpan FinalSnapshotPause = TimeSpan.FromMilliseconds(250);

    private readonly CliStreams _streams;
    private readonly FeedSettings _settings;

    private ReplayCommand(CliStreams streams, FeedSettings settings)
    {
        _streams = streams;
        _settings = settings;
    }

    public static Command Create(CliStreams streams)
    {
        var data = new Option<string[]>("--data")
        {
            Description = "Recorded CSV files (<source>-<symbol>-<granularity>.csv or Binance archive names)",
            HelpName = "FILE",
            AllowMultipleArgumentsPerToken = true,
        };
        var speed = new Option<string>("--speed")
        {
            Description = "Data time per wall time: 1x keeps the recorded spacing, 10x is ten times faster, max waits never",
            DefaultValueFactory = _ => "1x",
        };
        var from = new Option<string?>("--from") { Description = "First data time replayed (ISO 8601 UTC or Unix ms)" };
        var to = new Option<string?>("--to") { Description = "Data time where the replay ends, exclusive (ISO or Unix ms)" };
        var endpoint = new Option<string?>("--endpoint")
        {
            Description = "Where to bind the feed's PUB socket (default riskgrid.feed.publish: tcp://127.0.0.1:5556)",
            HelpName = "EP",
        };
        var synthetic = new Option<int?>("--synthetic")
        {
            Description = "Also replay the seeded synthetic crash (BTC on three sources, ETH, SOL)",
            HelpName = "SEED",
        };
        var startDelay = new Option<int>("--start-delay-ms")
        {
            Description = "Wait after binding so subscribers can connect (PUB drops what it sends before they do)",
            DefaultValueFactory = _ => 1_000,
        };
        var command = new Command("replay", "Publish recorded or synthetic ticks on the price feed")
        {
            data, speed, from, to, endpoint, synthetic, startDelay,
        };
        command.SetAction(parse =>
        {
            var run = new ReplayCommand(streams, FeedSettings.LoadDefault());
            return run.Run(new ReplayArguments(parse.GetValue(data) ?? [], parse.GetValue(speed)!,
                parse.GetValue(from), parse.GetValue(to), parse.GetValue(endpoint), parse.GetValue(synthetic),
                parse.GetValue(startDelay)));
        });
        return command;
    }

    private int Run(ReplayArguments args)
    {
        if (!TryPrepare(args, out var plan, out var problem))
        {
            return Fail(problem);
        }

        using (plan)
        {
            using var transport = new NetMqTickTransport();
            ITickPublisher publisher;
            try
            {
                publisher = transport.CreatePublisher(_settings.PublisherOptions(args.Endpoint ?? _settings.Publish)
                    with { Linger = TimeSpan.FromSeconds(1) });
            }
            catch (Exception e) when (e is ArgumentException or NetMQ.NetMQException)
            {
                var why = e is NetMQ.AddressAlreadyInUseException ? "the address is already in use" : e.Message;
                _streams.Error.WriteLine($"riskgrid replay: cannot bind {args.Endpoint ?? _settings.Publish}: {why}");
                _streams.Error.Flush();
                return 1;
            }

            using var console = new FeedConsole(_streams.Output);
            console.Line($"replay: {plan.Description} at {plan.Speed} on {publisher.Endpoint}");
            Thread.Sleep(Math.Max(0, args.StartDelayMs));
            return Replay(plan, publisher, console);
        }
    }

    private int Replay(ReplayPlan plan, ITickPublisher publisher, FeedConsole console)
    {
        var clock = new SystemReplayClock();
        var conflater = new ConflatingPublisher(publisher, (uint)Random.Shared.Next(1, int.MaxValue));
        var progress = new ProgressTicks(plan.Ticks);
        var replay = new TickReplay(progress, plan.Streams, conflater, new ReplayPacer(clock, plan.Speed), clock,
            _settings.SnapshotInterval);
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            var wall = Stopwatch.StartNew();
            var run = Task.Factory.StartNew(() => replay.Run(cancel.Token), TaskCreationOptions.LongRunning);
            var watch = new ReplayProgress(progress, conflater, plan);
            if (console.IsLive)
            {
                watch.ShowBar(console.Console, run);
            }
            else
            {
                watch.ShowLines(console, run);
            }

            ReplayResult result;
            try
            {
                result = run.GetAwaiter().GetResult();
            }
            catch (InvalidDataException e)
            {
                return Fail(e.Message);
            }

            var seconds = Math.Max(wall.Elapsed.TotalSeconds, 1e-9);
            // The final state for every subscriber: a snapshot sent at once may meet a full queue after a burst
            // (PUB drops silently), so it is sent again once the queue had time to drain.
            var snapshots = result.Snapshots + conflater.PublishSnapshot(clock.NowNs);
            Thread.Sleep(FinalSnapshotPause);
            snapshots += conflater.PublishSnapshot(clock.NowNs);
            var stats = conflater.Stats;
            console.Line(
                Invariant($"replayed {result.Ticks:N0} ticks in {stats.FramesPublished:N0} frames ({snapshots} ")
                + Invariant($"snapshots), data {FeedConsole.Time(result.FirstDataTimeMs)} → ")
                + Invariant($"{FeedConsole.Time(result.LastDataTimeMs)}, {seconds:0.00} s wall, ")
                + Invariant($"{result.Ticks / seconds:N0} ticks/s; dropped: conflated {stats.Conflated:N0}, ")
                + Invariant($"rejected {stats.Rejected}, frames refused {stats.FramesRefused}")
                + (result.Cancelled ? "; cancelled" : ""));
            return 0;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    private static bool TryPrepare(ReplayArguments args, [NotNullWhen(true)] out ReplayPlan? plan,
        out string problem)
    {
        plan = null;
        if (args.Files.Count == 0 && args.Synthetic is null)
        {
            problem = "give --data FILE... or --synthetic SEED";
            return false;
        }

        if (!ReplaySpeed.TryParse(args.Speed, out var speed))
        {
            problem = $"--speed '{args.Speed}': expected max or a factor > 0 such as 10x";
            return false;
        }

        if (!TryParseTime(args.From, "--from", long.MinValue, out var fromMs, out problem)
            || !TryParseTime(args.To, "--to", long.MaxValue, out var toMs, out problem))
        {
            return false;
        }

        if (fromMs >= toMs)
        {
            problem = $"--from {args.From} is not before --to {args.To}";
            return false;
        }

        return ReplayPlan.TryOpen(args.Files, args.Synthetic, speed, fromMs, toMs, out plan, out problem);
    }

    private static bool TryParseTime(string? text, string option, long fallback, out long unixMs, out string problem)
    {
        problem = string.Empty;
        unixMs = fallback;
        if (text is null)
        {
            return true;
        }

        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out unixMs))
        {
            return true;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            unixMs = time.ToUnixTimeMilliseconds();
            return true;
        }

        problem = $"{option} '{text}': expected an ISO 8601 time (2025-10-10T21:00:00Z) or Unix milliseconds";
        return false;
    }

    private int Fail(string problem)
    {
        _streams.Error.WriteLine($"riskgrid replay: {problem}");
        _streams.Error.Flush();
        return 2;
    }

    private sealed record ReplayArguments(IReadOnlyList<string> Files, string Speed, string? From, string? To,
        string? Endpoint, int? Synthetic, int StartDelayMs);

    /// <summary>Counts the ticks read and the latest data time, readable from the progress thread.</summary>
    internal sealed class ProgressTicks(IRecordedTickSource inner) : IRecordedTickSource
    {
        private long _ticks;
        private long _lastMs;

        public long Ticks => Volatile.Read(ref _ticks);

        public long LastMs => Volatile.Read(ref _lastMs);

        public bool TryRead(out RecordedTick tick)
        {
            if (!inner.TryRead(out tick))
            {
                return false;
            }

            Volatile.Write(ref _ticks, _ticks + 1);
            Volatile.Write(ref _lastMs, tick.TsMs);
            return true;
        }
    }

    /// <summary>Market time, ticks/s and drops while the replay runs.</summary>
    private sealed class ReplayProgress(ProgressTicks ticks, ConflatingPublisher conflater, ReplayPlan plan)
    {
        private long _lastTicks;
        private long _lastNs = Stopwatch.GetTimestamp();

        public void ShowBar(IAnsiConsole console, Task run) =>
            console.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                    new ElapsedTimeColumn())
                .Start(context =>
                {
                    var task = context.AddTask("replay", maxValue: 1);
                    task.IsIndeterminate = plan.EndMs is null;
                    while (!((IAsyncResult)run).AsyncWaitHandle.WaitOne(250))
                    {
                        task.Description = Markup.Escape(Status());
                        task.Value = Fraction();
                    }

                    task.Description = Markup.Escape(Status());
                    task.Value = 1;
                });

        public void ShowLines(FeedConsole console, Task run)
        {
            while (!((IAsyncResult)run).AsyncWaitHandle.WaitOne(1_000))
            {
                console.Line(Status());
            }
        }

        private double Fraction()
        {
            var last = ticks.LastMs;
            if (plan.EndMs is not { } end || last == 0 || end <= plan.StartMs)
            {
                return 0;
            }

            return Math.Clamp((double)(last - plan.StartMs) / (end - plan.StartMs), 0, 1);
        }

        private string Status()
        {
            var now = Stopwatch.GetTimestamp();
            var count = ticks.Ticks;
            var rate = (count - _lastTicks) / Math.Max(Stopwatch.GetElapsedTime(_lastNs, now).TotalSeconds, 1e-9);
            _lastTicks = count;
            _lastNs = now;
            var stats = conflater.Stats;
            return Invariant($"market {FeedConsole.Time(ticks.LastMs)}  {count:N0} ticks  {rate:N0} ticks/s  ")
                + Invariant($"drops: conflated {stats.Conflated:N0}, refused {stats.FramesRefused:N0}");
        }
    }
}

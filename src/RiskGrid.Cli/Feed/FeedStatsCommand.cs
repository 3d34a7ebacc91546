using System.CommandLine;
using System.Globalization;
using RiskGrid.Feed.Transport;
using RiskGrid.Margin.Instruments;
using RiskGrid.Node.Prices;
using RiskGrid.Node.Time;
using Spectre.Console;

namespace RiskGrid.Cli.Feed;

/// <summary>
/// <c>riskgrid feed-stats [--endpoint EP]... [--seconds N] [--clock system|data]</c>: subscribes to the feed with its
/// own price view for N seconds (or until Ctrl-C) and prints per source the ticks, drops by cause and last age,
/// per underlying the index, status, staleness and volatility multipliers, and per endpoint and publisher the
/// transport counters (garbled frames, frame gaps). The node's <c>GET /v1/prices</c> serves the same report.
/// Exit 0, or 2 for bad arguments.
/// </summary>
internal static class FeedStatsCommand
{
    public static Command Create(CliStreams streams)
    {
        var endpoints = new Option<string[]>("--endpoint")
        {
            Description = "Feed endpoints to subscribe to (default riskgrid.feed.subscribe: tcp://127.0.0.1:5556)",
            HelpName = "EP",
            AllowMultipleArgumentsPerToken = true,
        };
        var seconds = new Option<double>("--seconds")
        {
            Description = "How long to listen before printing",
            DefaultValueFactory = _ => 5,
        };
        var clock = new Option<string>("--clock")
        {
            Description = "Judge staleness on the system clock, or on the data's own clock (for replays)",
            DefaultValueFactory = _ => "system",
        };
        clock.AcceptOnlyFromAmong("system", "data");
        var paramsPath = new Option<string?>("--params")
        {
            Description = "Risk-parameter file to use instead of config/risk-params.conf",
            HelpName = "PATH",
        };
        var command = new Command("feed-stats", "Listen to the price feed and print per-source and per-underlying stats")
        {
            endpoints, seconds, clock, paramsPath,
        };
        command.SetAction(parse => Run(streams, parse.GetValue(endpoints), parse.GetValue(seconds),
            parse.GetValue(clock) == "data", parse.GetValue(paramsPath)));
        return command;
    }

    private static int Run(CliStreams streams, string[]? endpoints, double seconds, bool dataClock, string? paramsPath)
    {
        if (!double.IsFinite(seconds) || seconds < 0)
        {
            return Fail(streams, $"--seconds {seconds}: must be ≥ 0");
        }

        if (!RiskParamsSource.TryLoad(paramsPath, out var parameters, out var problem))
        {
            return Fail(streams, problem);
        }

        var settings = FeedSettings.LoadDefault();
        IReadOnlyList<string> subscribe = endpoints is { Length: > 0 } ? endpoints : settings.Subscribe;
        IGridClock clock = dataClock ? new DataGridClock() : SystemGridClock.Instance;
        var view = new PriceView(parameters, new InstrumentCatalog(parameters), clock, settings.Oracle);
        using var transport = new NetMqTickTransport();
        using var feed = new PriceFeed(view, settings, transport, subscribe);
        try
        {
            feed.Start();
        }
        catch (ArgumentException e)
        {
            return Fail(streams, e.Message);
        }

        using var done = new ManualResetEventSlim();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            done.Set();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            done.Wait(TimeSpan.FromSeconds(seconds));
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }

        using var console = new FeedConsole(streams.Output);
        Print(console.Console, view.Report(), dataClock);
        return 0;
    }

    internal static void Print(IAnsiConsole console, PricesReport report, bool dataClock)
    {
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"prices as of {FeedConsole.Time(report.AsOfMs)} ({(dataClock ? "data" : "system")} clock), "
            + $"version {report.Version}, untracked ticks {report.UntrackedTicks}"));
        console.Write(Underlyings(report));
        console.Write(Sources(report));
        console.Write(Transport(report));
        if (report.FundingRates.Count > 0)
        {
            var funding = new Table().Title("funding rates").AddColumns("instrument", "source", "rate", "funding time");
            foreach (var f in report.FundingRates)
            {
                funding.AddRow(f.Instrument, Markup.Escape(f.Source), FeedConsole.Number(f.Rate, "0.######"),
                    FeedConsole.Time(f.FundingTimeMs));
            }

            console.Write(funding);
        }
    }

    private static Table Underlyings(PricesReport report)
    {
        var table = new Table().Title("underlyings").AddColumns("underlying", "index", "status", "valid/min",
            "staleness ms", "σ", "vIM", "vMM", "sources (price, age ms)");
        foreach (var u in report.Underlyings)
        {
            var sources = string.Join("  ", u.Sources.Select(s => string.Create(CultureInfo.InvariantCulture,
                $"{s.Source}={s.LastPrice:0.########} ({s.AgeMs}{(s.Valid ? "" : ", stale")})")));
            table.AddRow(u.Underlying, FeedConsole.Number(u.Index, "0.########"), u.Status.ToString(),
                $"{u.ValidSources}/{u.MinSources}",
                u.StalenessMs?.ToString(CultureInfo.InvariantCulture) ?? "-",
                FeedConsole.Number(u.Volatility, "0.0000"), FeedConsole.Number(u.InitialMultiplier, "0.0000"),
                FeedConsole.Number(u.MaintenanceMultiplier, "0.0000"), Markup.Escape(sources));
        }

        return table;
    }

    private static Table Sources(PricesReport report)
    {
        var table = new Table().Title("sources").AddColumns("source", "ticks", "nan/inf", "zero", "negative",
            "duplicate", "out-of-order", "unrouted", "seq gaps", "snapshot repeats", "last tick", "last age ms");
        foreach (var s in report.Sources)
        {
            table.AddRow(Markup.Escape(s.Source), FeedConsole.Number(s.Accepted), FeedConsole.Number(s.NonFinite),
                FeedConsole.Number(s.Zero), FeedConsole.Number(s.Negative), FeedConsole.Number(s.Duplicates),
                FeedConsole.Number(s.OutOfOrder), FeedConsole.Number(s.Unrouted), FeedConsole.Number(s.Gaps),
                FeedConsole.Number(s.SnapshotRepeats), FeedConsole.Time(s.LastTickMs ?? 0),
                s.LastAgeMs?.ToString(CultureInfo.InvariantCulture) ?? "-");
        }

        return table;
    }

    private static Table Transport(PricesReport report)
    {
        var table = new Table().Title("feed").AddColumns("endpoint / publisher", "connected", "frames",
            "garbled", "last garbled", "frame gaps", "missed frames", "resets");
        foreach (var f in report.Feeds)
        {
            table.AddRow(Markup.Escape(f.Endpoint), f.Connected ? "yes" : "no", FeedConsole.Number(f.FramesDelivered),
                FeedConsole.Number(f.FramesGarbled), f.LastGarbledStatus, "", "", "");
        }

        foreach (var p in report.Publishers)
        {
            table.AddRow(string.Create(CultureInfo.InvariantCulture, $"publisher {p.PublisherId}"), "",
                FeedConsole.Number(p.Frames), "", "", FeedConsole.Number(p.Gaps), FeedConsole.Number(p.MissedFrames),
                FeedConsole.Number(p.Resets));
        }

        return table;
    }

    private static int Fail(CliStreams streams, string problem)
    {
        streams.Error.WriteLine($"riskgrid feed-stats: {problem}");
        streams.Error.Flush();
        return 2;
    }
}

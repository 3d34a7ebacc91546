using Akka.Actor;
using Akka.Configuration;
using RiskGrid.Margin.Accounts;
using RiskGrid.Margin.Instruments;
using RiskGrid.Node.Accounts;
using RiskGrid.Node.Hosting;
using RiskGrid.Node.Supervision;
using RiskGrid.Node.Time;

namespace RiskGrid.Node.Tests.Supervision;

/// <summary>
/// A one-node grid on a manual clock with one manual price source per underlying (no NetMQ feed): tests move the
/// index and the clock by hand and watch the supervisor and the liquidation engine act on the real entities.
/// </summary>
internal sealed class GridUnderCrash : IAsyncDisposable
{
    public const long Start = 1_795_000_000_000;
    private readonly string _directory;
    private readonly bool _ownsDirectory;
    private long _commands;

    private GridUnderCrash(GridNode node, ManualGridClock clock, string directory, bool ownsDirectory)
    {
        Node = node;
        Clock = clock;
        _directory = directory;
        _ownsDirectory = ownsDirectory;
    }

    public GridNode Node { get; }

    public ManualGridClock Clock { get; }

    /// <summary>Starts a grid; on <paramref name="directory"/> (kept at the end: a restart on the same journal) or a
    /// temporary one (deleted at the end).</summary>
    public static async Task<GridUnderCrash> StartAsync(double fundUsd = 0, string extra = "", string? directory = null)
    {
        var owns = directory is null;
        directory ??= Path.Combine(Path.GetTempPath(), "riskgrid-crash-" + Guid.NewGuid().ToString("N"));
        var settings = NodeSettings.From(NodeConfig.Load(null, ConfigurationFactory.ParseString($$"""
            riskgrid.node {
                data-dir = "{{directory}}"
                remote.port = 0
                http.port = 0
            }
            riskgrid.feed {
                oracle.expectedSources { BTC = 1, ETH = 1, SOL = 1 }
            }
            riskgrid.supervisor {
                fund-initial-balance-usd = {{fundUsd.ToString(System.Globalization.CultureInfo.InvariantCulture)}}
                sweep-interval = 1h
                census-interval = 1h
                # Every batch of two or more goes through the parallel, two-pass path (decision, then band).
                evaluation-threads = 2
                parallel-evaluation-minimum = 2
            }
            akka.loglevel = WARNING
            {{extra}}
            """)));
        var clock = new ManualGridClock(Start);
        var node = await GridNode.StartAsync(settings, clock);
        var grid = new GridUnderCrash(node, clock, directory, owns);
        await grid.WaitUpAsync();
        return grid;
    }

    /// <summary>Sets every underlying's index (one manual tick each at the clock's time).</summary>
    public void Prices(double btc, double eth = 3_000, double sol = 150)
    {
        foreach (var (u, p) in new[] { ("BTC", btc), ("ETH", eth), ("SOL", sol) })
        {
            var r = Node.Prices.Submit("manual", u, p, Clock.NowMs);
            Assert.True(r.IsAccepted, $"{u} {p}: {r.Reason}");
        }
        Node.Prices.Evaluate();
    }

    /// <summary>Moves the clock (and re-evaluates staleness).</summary>
    public void Advance(long ms)
    {
        Clock.Advance(ms);
        Node.Prices.Evaluate();
    }

    public async Task<IAccountReply> SendAsync(IAccountMessage m) =>
        await Node.Accounts.AskAsync(m, CancellationToken.None);

    public string NextId(string prefix) => prefix + "-" + Interlocked.Increment(ref _commands);

    public async Task DepositAsync(string account, long usd, string sub = "main") =>
        Assert.IsType<CommandAccepted>(await SendAsync(new Deposit(account, NextId("dep"), sub, "USD", usd * 1_000_000,
            Clock.NowMs)));

    public async Task FillAsync(string account, string instrument, long lots, double price, string sub = "main") =>
        Assert.IsType<CommandAccepted>(await SendAsync(new ApplyFill(account, NextId("fill"), sub, instrument, lots,
            price, 0, Clock.NowMs)));

    public async Task<AccountView> ViewAsync(string account) =>
        Assert.IsType<AccountView>(await SendAsync(new GetAccount(account)));

    public async Task<long> PositionLotsAsync(string account, string instrument, string sub = "main")
    {
        var view = await ViewAsync(account);
        var s = view.SubAccounts.Single(x => x.Name == sub);
        return s.Positions.FirstOrDefault(p => p.Instrument == instrument)?.SizeLots ?? 0;
    }

    public async Task<FundView> FundAsync() =>
        await Node.InsuranceFund.Ask<FundView>(GetFund.Instance, TimeSpan.FromSeconds(10));

    public async Task<RiskReport> ReportAsync() =>
        await Node.Supervisor.Ask<RiskReport>(GetRiskReport.Instance, TimeSpan.FromSeconds(10));

    /// <summary>Polls <paramref name="condition"/> until it holds or the deadline passes.</summary>
    public static async Task<bool> EventuallyAsync(Func<Task<bool>> condition, double seconds = 15)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return true;
            }
            await Task.Delay(50);
        }
        return await condition();
    }

    public async Task<IReadOnlyList<JournalEntry>> EventsAsync(string account) =>
        await Node.Accounts.ReadEventsAsync(account, 1, 1000, CancellationToken.None);

    private async Task WaitUpAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!(await Node.CheckReadyAsync(CancellationToken.None)).IsReady)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("node not ready");
            }
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Node.StopAsync();
        if (!_ownsDirectory)
        {
            return;
        }
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

using System.Net.Sockets;
using Akka.Actor;
using Akka.Cluster;
using Akka.Persistence;
using RiskGrid.Feed.Transport;
using RiskGrid.Margin.Instruments;
using RiskGrid.Node.Accounts;
using RiskGrid.Node.ParamChanges;
using RiskGrid.Node.Supervision;
using RiskGrid.Node.ManualPrices;
using RiskGrid.Node.Prices;
using RiskGrid.Node.Time;

namespace RiskGrid.Node.Hosting;

/// <summary>Whether a node takes traffic, and if not, why.</summary>
public sealed record ReadinessReport(bool IsReady, string Reason)
{
    /// <summary>Member Up, the parameter journal's version in effect, and the journal answered.</summary>
    public static readonly ReadinessReport Ready = new(true, "member Up; risk parameters current; journal answers");

    /// <summary>Not ready because of <paramref name="reason"/>.</summary>
    public static ReadinessReport NotReady(string reason) => new(false, reason);
}

/// <summary>
/// One node of the grid, the composition root: prepares the data directory and the journal's database, starts the
/// actor system <c>riskgrid</c> (cluster, sharding, Akka.Persistence.Sql), composes the node's services
/// (<see cref="ComposeServices"/>) and joins the seed nodes (or itself). <see cref="StopAsync"/> runs coordinated
/// shutdown: the node hands its shards over and leaves the cluster. The node does not watch signals itself: its
/// host (the venue API's, or a test) calls <see cref="StopAsync"/> on SIGTERM.
/// </summary>
public sealed class GridNode : IAsyncDisposable
{
    // A persistence id no entity uses: the readiness check asks the journal for its highest sequence number, which is
    // a query against the database every time and writes nothing.
    private const string ReadinessPersistenceId = "riskgrid-readiness-probe";

    private ITickTransport? _transport;

    private GridNode(NodeSettings settings, ActorSystem system, IGridClock clock)
    {
        Settings = settings;
        System = system;
        Clock = clock;
        Cluster = Akka.Cluster.Cluster.Get(system);
    }

    /// <summary>The settings the node started with.</summary>
    public NodeSettings Settings { get; }

    /// <summary>The actor system <c>riskgrid</c>.</summary>
    public ActorSystem System { get; }

    /// <summary>The clock every component of the node reads.</summary>
    public IGridClock Clock { get; }

    /// <summary>This node's cluster extension.</summary>
    public Akka.Cluster.Cluster Cluster { get; }

    /// <summary>Cluster membership as this node sees it (members by status, unreachable count).</summary>
    public ClusterMembership Membership { get; private set; } = null!;

    /// <summary>Instruments, shared by every component of the node (ids are node-local).</summary>
    public InstrumentCatalog Catalog { get; private set; } = null!;

    /// <summary>The feed settings (<c>riskgrid.feed</c>).</summary>
    public FeedSettings Feed { get; private set; } = null!;

    /// <summary>The node-local price view: oracle index and volatility multiplier per underlying.</summary>
    public PriceView Prices { get; private set; } = null!;

    /// <summary>The price-feed actor: subscribes to the feed endpoints and writes into <see cref="Prices"/>.</summary>
    public IActorRef PriceFeed { get; private set; } = ActorRefs.Nobody;

    /// <summary>The account grid as seen from this node (shard region, journal reads, live metrics).</summary>
    public AccountService Accounts { get; private set; } = null!;

    /// <summary>The node's Akka address (its real port when the settings asked for port 0).</summary>
    public Address SelfAddress => Cluster.SelfAddress;

    /// <summary>Starts a node with <paramref name="settings"/>; <paramref name="clock"/> defaults to the system
    /// clock. Throws when the journal's database cannot be prepared.</summary>
    public static async Task<GridNode> StartAsync(NodeSettings settings, IGridClock? clock = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Directory.CreateDirectory(settings.DataDirectory);
        await EnsureNoListenerAsync(settings.Remote, cancellationToken).ConfigureAwait(false);
        await JournalStore.PrepareAsync(settings.Journal, cancellationToken).ConfigureAwait(false);
        var system = ActorSystem.Create(NodeSettings.ActorSystemName, AkkaConfigBuilder.Setup(settings));
        try
        {
            var node = new GridNode(settings, system, clock ?? SystemGridClock.Instance);
            node.ComposeServices();
            node.Join();
            return node;
        }
        catch
        {
            await system.Terminate().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Ready when this node is an Up member of the cluster, has the parameter journal's version in effect (it read the
    /// journal at start) and the journal answers a query within the configured readiness timeout.
    /// </summary>
    public async Task<ReadinessReport> CheckReadyAsync(CancellationToken cancellationToken)
    {
        if (System.WhenTerminated.IsCompleted)
        {
            return ReadinessReport.NotReady("the actor system has terminated");
        }
        var status = Cluster.SelfMember.Status;
        if (status != MemberStatus.Up)
        {
            return ReadinessReport.NotReady($"cluster member is {status}, not Up");
        }
        if (!ParamsSwitch.IsSynced)
        {
            return ReadinessReport.NotReady(ParamsSwitch.Problem is { } problem
                ? $"the journaled risk parameters cannot run on this node: {problem}"
                : "risk parameters not yet read from the parameter journal");
        }
        var timeout = Settings.Journal.ReadinessTimeout;
        try
        {
            var journal = Persistence.Instance.Apply(System).JournalFor(null);
            var reply = await journal.Ask<object>(
                    replyTo => new ReplayMessages(1, 0, 0, ReadinessPersistenceId, replyTo), timeout, cancellationToken)
                .ConfigureAwait(false);
            return reply switch
            {
                RecoverySuccess => ReadinessReport.Ready,
                ReplayMessagesFailure failure => ReadinessReport.NotReady($"journal failed: {failure.Cause.Message}"),
                _ => ReadinessReport.NotReady($"journal answered {reply.GetType().Name}"),
            };
        }
        catch (AskTimeoutException)
        {
            return ReadinessReport.NotReady($"journal did not answer within {timeout.TotalMilliseconds:0} ms");
        }
    }

    /// <summary>
    /// Leaves the cluster gracefully: coordinated shutdown hands this node's shards over, leaves, and terminates the
    /// actor system. Safe to call more than once and after the system stopped on its own (e.g. downed).
    /// </summary>
    public async Task StopAsync()
    {
        await CoordinatedShutdown.Get(System).Run(CoordinatedShutdown.ClrExitReason.Instance).ConfigureAwait(false);
        await System.WhenTerminated.ConfigureAwait(false);
        Interlocked.Exchange(ref _transport, null)?.Dispose();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    /// <summary>
    /// The node's services, started before the node joins the cluster. Every service the node runs is created here,
    /// in dependency order, and exposed as a property.
    /// </summary>
    private void ComposeServices()
    {
        // Loading the extension starts the journal and snapshot store now (auto-start-*), creating their tables,
        // rather than on the first persistent actor.
        Persistence.Instance.Apply(System);
        Membership = new ClusterMembership(System);

        Catalog = new InstrumentCatalog(Settings.Risk);
        Feed = FeedSettings.From(Settings.Source);
        Prices = new PriceView(Settings.Risk, Catalog, Clock, Feed.Oracle);
        _transport = new NetMqTickTransport();
        PriceFeed = System.ActorOf(PriceFeedActor.Props(Prices, Feed, _transport), "price-feed");
        System.ActorOf(ManualPriceRelay.Props(Prices, SelfAddress.ToString()), "manual-prices");

        var market = new PriceViewMarket(Prices);
        var handler = new AccountCommandHandler(Catalog, market, AccountSettings.From(Settings.Source));
        RiskFeed = new RiskBookFeed();
        var region = AccountSharding.Start(System, handler, RiskFeed, Settings.Sharding.NumberOfShards,
            Settings.Sharding.PassivateIdleAfter);
        Accounts = new AccountService(System, region, handler, market, Clock, AkkaConfigBuilder.ReadJournalPluginId);

        Import = new AccountImport(System, handler, RiskFeed, AkkaConfigBuilder.ReadJournalPluginId);
        SupervisorSettings = SupervisorSettings.From(Settings.Source);
        InsuranceFund = InsuranceFundSharding.Start(System, region, SupervisorSettings);
        Supervisor = System.ActorOf(RiskSupervisor.Props(Catalog, Prices, RiskFeed, region, InsuranceFund,
            SupervisorSettings, RiskMetrics, Settings.Sharding.NumberOfShards), RiskSupervisor.Name);

        // Run-time parameter changes: the journal (one entity in the cluster) and this node's follower of it.
        ParamsSwitch = new RiskParamsSwitch(Catalog, Prices, Settings.Risk);
        var paramsSettings = ParamsSettings.From(Settings.Source);
        var journal = ParamsSharding.Start(System, ParamsSwitch.Check);
        var follower = System.ActorOf(ParamsFollower.Props(ParamsSwitch, journal, Supervisor, paramsSettings),
            ParamsFollower.Name);
        RiskParams = new RiskParamsService(journal, follower, ParamsSwitch, Clock, paramsSettings);
    }

    /// <summary>Where this node's risk parameters are switched at run time (version in effect, synced or
    /// not).</summary>
    public RiskParamsSwitch ParamsSwitch { get; private set; } = null!;

    /// <summary>The parameter journal as seen from this node: the parameters in effect here, and changes.</summary>
    public RiskParamsService RiskParams { get; private set; } = null!;

    /// <summary>The read journal's plugin id (Akka.Persistence.Query over the node's journal).</summary>
    public static string ReadJournalPluginId => AkkaConfigBuilder.ReadJournalPluginId;

    /// <summary>Bulk opening of new accounts straight into the journal (a migrated book, the stress lab).</summary>
    public AccountImport Import { get; private set; } = null!;

    /// <summary>The risk tier's view of the accounts hosted here (fed by the entities).</summary>
    public RiskBookFeed RiskFeed { get; private set; } = null!;

    /// <summary>Supervisor and liquidation engine settings (<c>riskgrid.supervisor</c>).</summary>
    public SupervisorSettings SupervisorSettings { get; private set; } = null!;

    /// <summary>The insurance fund's shard region (the fund is one entity in the cluster).</summary>
    public IActorRef InsuranceFund { get; private set; } = ActorRefs.Nobody;

    /// <summary>This node's risk supervisor (<c>/user/risk-supervisor</c>).</summary>
    public IActorRef Supervisor { get; private set; } = ActorRefs.Nobody;

    /// <summary>The risk tier's counters and latency distributions on this node.</summary>
    public RiskMetrics RiskMetrics { get; } = new();

    /// <summary>The price view as the account entities' market.</summary>
    private sealed class PriceViewMarket(PriceView view) : IMarketAccessor
    {
        public MarketAccess Current
        {
            get
            {
                var snapshot = view.Current;
                return new MarketAccess(snapshot.Market, snapshot.Arrays, snapshot.Gate);
            }
        }
    }

    /// <summary>
    /// Refuses a remote port another process listens on. Akka binds with SO_REUSEADDR, which .NET maps to
    /// SO_REUSEPORT on Linux: a second node on the same port would bind too, and the kernel would split connections
    /// between the two. A connection attempt tells a live listener from sockets merely in TIME_WAIT, which a node
    /// restarted on its port must be able to reuse.
    /// </summary>
    private static async Task EnsureNoListenerAsync(EndpointSettings remote, CancellationToken cancellationToken)
    {
        if (remote.Port == 0)
        {
            return;
        }
        using var probe = new TcpClient();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromMilliseconds(500));
        try
        {
            await probe.ConnectAsync(remote.Hostname, remote.Port, timeout.Token).ConfigureAwait(false);
        }
        catch (SocketException)
        {
            return;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return;
        }
        throw new IOException($"{remote.Hostname}:{remote.Port} already has a listener (another node?)");
    }

    private void Join()
    {
        if (Settings.SeedNodes.Count == 0)
        {
            Cluster.Join(Cluster.SelfAddress);
            return;
        }
        Cluster.JoinSeedNodes(Settings.SeedNodes.Select(s => Address.Parse(AkkaConfigBuilder.SeedAddress(s))));
    }
}

using System.Diagnostics.CodeAnalysis;
using Akka.Actor;
using Akka.Event;
using RiskGrid.Feed.Codec;
using RiskGrid.Feed.Transport;
using RiskGrid.Margin.Oracle;

namespace RiskGrid.Node.Prices;

/// <summary>
/// The price-feed actor of a node: owns the <see cref="PriceFeed"/> (its subscribers write into the
/// <see cref="PriceView"/> on their own threads; ticks never travel as actor messages), re-evaluates every index
/// on the grid's clock every <see cref="FeedSettings.EvaluateInterval"/>, and logs what an operator acts on: an
/// index going stale, wick-guarded or fresh again, a volatility multiplier moving beyond journalThreshold, frame
/// gaps and garbled frames (each at most once per <see cref="FeedSettings.GapLogInterval"/>). Answers
/// <see cref="GetPricesReport"/> with a <see cref="PricesReport"/>.
/// </summary>
[SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable",
    Justification = "An actor's resources follow its lifecycle: the feed is disposed in PostStop.")]
public sealed class PriceFeedActor : ReceiveActor, IWithTimers
{
    private const string EvaluateTimer = "evaluate";

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly PriceView _view;
    private readonly FeedSettings _settings;
    private readonly PriceFeed _feed;
    private readonly OracleSnapshot[] _states;
    private readonly OracleStatus[] _reported;
    private readonly PublisherFrameStats[] _publishers;
    private readonly Dictionary<uint, long> _gapsLogged = [];
    private long _garbledLogged;
    private long _lastGapLogMs = long.MinValue;

    /// <summary>Hosts a feed of <paramref name="view"/> (see <see cref="Props(PriceView, FeedSettings,
    /// ITickTransport)"/>).</summary>
    public PriceFeedActor(PriceView view, FeedSettings settings, ITickTransport transport)
    {
        _view = view;
        _settings = settings;
        _feed = new PriceFeed(view, settings, transport);
        var count = view.Parameters.Underlyings.Count;
        _states = new OracleSnapshot[count];
        _reported = new OracleStatus[count];
        _publishers = new PublisherFrameStats[settings.Oracle.MaxPublishers];
        Receive<EvaluatePrices>(_ => OnEvaluate());
        Receive<GetPricesReport>(_ => Sender.Tell(_view.Report()));
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props for hosting: the view is shared with the node's other readers; the transport is the node's.</summary>
    public static Props Props(PriceView view, FeedSettings settings, ITickTransport transport)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(transport);
        return Akka.Actor.Props.Create(() => new PriceFeedActor(view, settings, transport));
    }

    /// <inheritdoc />
    protected override void PreStart()
    {
        _feed.Start();
        _log.Info("price feed started endpoints={Endpoints} evaluateMs={EvaluateMs}",
            string.Join(",", _feed.Subscribers.Select(s => s.Endpoint)), _settings.EvaluateInterval.TotalMilliseconds);
        Timers.StartPeriodicTimer(EvaluateTimer, EvaluatePrices.Instance, _settings.EvaluateInterval);
    }

    /// <inheritdoc />
    protected override void PostStop()
    {
        _feed.Dispose();
        _log.Info("price feed stopped");
    }

    private void OnEvaluate()
    {
        _view.Evaluate();
        _view.CopyOracleStates(_states);
        var names = _view.Parameters.Underlyings;
        for (var u = 0; u < _states.Length; u++)
        {
            var state = _states[u];
            if (state.Status != _reported[u])
            {
                LogStatus(names[u].Name, _reported[u], state);
                _reported[u] = state.Status;
            }

            if (_view.TryTakeMultiplierChange(u, out var initial, out var maintenance))
            {
                _log.Info("volatility multiplier underlying={Underlying} vIM={InitialMultiplier} vMM={MaintenanceMultiplier}",
                    names[u].Name, initial, maintenance);
            }
        }

        LogFeedLoss(_view.Clock.NowMs);
    }

    private void LogStatus(string underlying, OracleStatus previous, OracleSnapshot state)
    {
        const string template = "oracle index underlying={Underlying} status={Status} previous={Previous} "
            + "index={Index} validSources={ValidSources} asOfMs={AsOfMs}";
        if (state.Status is OracleStatus.Fresh)
        {
            _log.Info(template, underlying, state.Status, previous, state.Index, state.ValidSources, state.AsOfMs);
        }
        else
        {
            _log.Warning(template, underlying, state.Status, previous, state.Index, state.ValidSources, state.AsOfMs);
        }
    }

    private void LogFeedLoss(long nowMs)
    {
        if (_lastGapLogMs != long.MinValue && nowMs - _lastGapLogMs < (long)_settings.GapLogInterval.TotalMilliseconds)
        {
            return;
        }

        var logged = false;
        var count = _view.CopyPublisherStats(_publishers);
        for (var p = 0; p < count; p++)
        {
            var stats = _publishers[p];
            _gapsLogged.TryGetValue(stats.PublisherId, out var before);
            if (stats.Gaps > before)
            {
                _log.Warning("feed frame gaps publisher={PublisherId} gaps={Gaps} missedFrames={MissedFrames} "
                    + "newGaps={NewGaps}", stats.PublisherId, stats.Gaps, stats.MissedFrames, stats.Gaps - before);
                _gapsLogged[stats.PublisherId] = stats.Gaps;
                logged = true;
            }
        }

        var garbled = 0L;
        foreach (var subscriber in _feed.Subscribers)
        {
            garbled += subscriber.Stats.FramesGarbled;
        }

        if (garbled > _garbledLogged)
        {
            _log.Warning("feed garbled frames total={Garbled} new={NewGarbled}", garbled, garbled - _garbledLogged);
            _garbledLogged = garbled;
            logged = true;
        }

        if (logged)
        {
            _lastGapLogMs = nowMs;
        }
    }

    private sealed record EvaluatePrices
    {
        public static readonly EvaluatePrices Instance = new();
    }
}

/// <summary>Asks a <see cref="PriceFeedActor"/> for its <see cref="PricesReport"/>.</summary>
public sealed record GetPricesReport
{
    /// <summary>The one instance.</summary>
    public static readonly GetPricesReport Instance = new();
}

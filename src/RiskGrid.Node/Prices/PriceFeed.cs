using RiskGrid.Feed.Transport;

namespace RiskGrid.Node.Prices;

/// <summary>
/// A node's feed subscribers: one <see cref="ITickSubscriber"/> per configured endpoint, whose receive thread
/// validates each frame and writes it straight into the <see cref="PriceView"/> (no actor message, no allocation
/// per tick). Garbled frames are counted by the subscriber and skipped; a frame whose application throws is counted
/// as a handler fault and the thread goes on. Plain class, so it runs without an actor system;
/// <see cref="PriceFeedActor"/> hosts it in a node.
/// </summary>
public sealed class PriceFeed : IDisposable
{
    private readonly PriceView _view;
    private readonly FeedSettings _settings;
    private readonly ITickTransport _transport;
    private readonly IReadOnlyList<string> _endpoints;
    private readonly TickFrameHandler _handler;
    private readonly List<ITickSubscriber> _subscribers = [];
    private bool _started;

    /// <summary>Wires the feed of <paramref name="view"/>; nothing connects before <see cref="Start"/>.</summary>
    /// <param name="view">Where ticks are written.</param>
    /// <param name="settings">Endpoints and transport options.</param>
    /// <param name="transport">The node's transport (one per node: inproc endpoints live in it).</param>
    /// <param name="endpoints">Overrides <see cref="FeedSettings.Subscribe"/> when given.</param>
    public PriceFeed(PriceView view, FeedSettings settings, ITickTransport transport,
        IReadOnlyList<string>? endpoints = null)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(transport);
        _view = view;
        _settings = settings;
        _transport = transport;
        _endpoints = endpoints ?? settings.Subscribe;
        _handler = frame => _view.ApplyFrame(frame);
    }

    /// <summary>The view ticks are written to.</summary>
    public PriceView View => _view;

    /// <summary>The subscribers, one per endpoint, once started.</summary>
    public IReadOnlyList<ITickSubscriber> Subscribers => _subscribers;

    /// <summary>Creates and starts one subscriber per endpoint. Once only.</summary>
    public void Start()
    {
        if (_started)
        {
            throw new InvalidOperationException("the price feed is already started");
        }

        _started = true;
        foreach (var endpoint in _endpoints)
        {
            var subscriber = _transport.CreateSubscriber(_settings.SubscriberOptions(endpoint));
            _subscribers.Add(subscriber);
            _view.AttachFeed(subscriber);
            subscriber.Start(_handler);
        }
    }

    /// <summary>Stops and disposes the subscribers (the transport stays with its owner).</summary>
    public void Dispose()
    {
        foreach (var subscriber in _subscribers)
        {
            subscriber.Dispose();
        }
    }
}

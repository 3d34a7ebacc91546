using Akka.Actor;

namespace RiskGrid.Node.Prices;

/// <summary>
/// A local consumer's conflated "prices changed" signal from a <see cref="PriceView"/>. At most one notification
/// is pending per consumer: the writer signals once, then not again until the consumer calls <see cref="Take"/>,
/// which clears the flag and returns the latest snapshot. So a slow consumer costs the writer one interlocked
/// compare per change and never queues anything; it simply sees the latest prices when it gets round to them.
/// </summary>
public sealed class PriceSubscription : IDisposable
{
    private readonly PriceView _view;
    private readonly Action<long> _onChanged;
    private int _pending;
    private long _notifications;
    private long _faults;
    private long _signalTicks;

    internal PriceSubscription(PriceView view, Action<long> onChanged)
    {
        _view = view;
        _onChanged = onChanged;
    }

    /// <summary>True while a notification has been sent and not yet taken.</summary>
    public bool IsPending => Volatile.Read(ref _pending) != 0;

    /// <summary>Notifications sent so far.</summary>
    public long Notifications => Volatile.Read(ref _notifications);

    /// <summary>Stopwatch timestamp of the change that raised the pending notification: the oldest change the
    /// consumer has not seen yet (its tick-to-decision clock starts there).</summary>
    public long SignalTicks => Volatile.Read(ref _signalTicks);

    /// <summary>Notifications whose callback threw (counted; the writer goes on).</summary>
    public long Faults => Volatile.Read(ref _faults);

    /// <summary>Clears the pending flag, then returns the latest snapshot: a change after this call notifies
    /// again.</summary>
    public MarketSnapshot Take()
    {
        Volatile.Write(ref _pending, 0);
        return _view.Current;
    }

    /// <summary>Stops notifications.</summary>
    public void Dispose() => _view.Unsubscribe(this);

    /// <summary>Called by the writer after a change (on its thread): notifies unless one is already pending.</summary>
    internal void Signal(long version)
    {
        if (Interlocked.CompareExchange(ref _pending, 1, 0) != 0)
        {
            return;
        }

        Volatile.Write(ref _signalTicks, System.Diagnostics.Stopwatch.GetTimestamp());

        Interlocked.Increment(ref _notifications);
        try
        {
            _onChanged(version);
        }
#pragma warning disable CA1031 // A faulty consumer must not stop the feed: counted.
        catch (Exception)
#pragma warning restore CA1031
        {
            Interlocked.Increment(ref _faults);
            Volatile.Write(ref _pending, 0);
        }
    }
}

/// <summary>Told to an actor subscribed with <see cref="PriceView.Subscribe(IActorRef)"/>: prices changed, the
/// view's version is at least <paramref name="Version"/>. Call <see cref="PriceSubscription.Take"/> to read them and
/// re-arm the notification.</summary>
/// <param name="Version">The view's version when the notification was sent.</param>
/// <param name="Subscription">The subscription to take the snapshot from.</param>
public sealed record PricesChanged(long Version, PriceSubscription Subscription);

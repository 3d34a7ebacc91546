using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;
using Akka.Dispatch.MessageQueues;

namespace RiskGrid.Node.Accounts;

/// <summary>
/// The mailbox of account entities. A persistent actor needs a deque-based mailbox (it stashes while a persist is in
/// flight and puts the stash back in front); Akka's default one wraps a <see cref="System.Collections.Concurrent.ConcurrentQueue{T}"/>,
/// whose first segment alone is about a kilobyte, per actor, for a queue that is nearly always empty. Here a lock
/// guards a ring buffer that starts empty, grows by doubling and is dropped again once drained, so 100,000 resident
/// accounts do not carry 100 MB of idle queue segments. Unbounded, like the default: the journal's bounded write
/// queue and the API's ask timeout are what push back on a flood.
/// </summary>
public sealed class CompactDequeMailbox : MailboxType, IProducesMessageQueue<CompactDequeMessageQueue>
{
    /// <summary>The HOCON id of this mailbox.</summary>
    public const string Id = "riskgrid-account-mailbox";

    /// <summary>Declares the mailbox.</summary>
    public static readonly Config Declaration = ConfigurationFactory.ParseString($$"""
        {{Id}} {
          mailbox-type = "RiskGrid.Node.Accounts.CompactDequeMailbox, RiskGrid.Node"
        }
        """);

    public CompactDequeMailbox(Settings settings, Config config) : base(settings, config)
    {
    }

    /// <inheritdoc />
    public override IMessageQueue Create(IActorRef owner, ActorSystem system) => new CompactDequeMessageQueue();
}

/// <summary>A lock-guarded ring buffer of envelopes with put-back at the front (see <see cref="CompactDequeMailbox"/>).</summary>
public sealed class CompactDequeMessageQueue : IMessageQueue, IUnboundedDequeBasedMessageQueueSemantics
{
    private const int ShrinkAbove = 4;

    private readonly Lock _gate = new();
    private Envelope[] _items = [];
    private int _head;
    private int _count;

    /// <inheritdoc />
    public bool HasMessages => Volatile.Read(ref _count) > 0;

    /// <inheritdoc />
    public int Count => Volatile.Read(ref _count);

    /// <inheritdoc />
    public void Enqueue(IActorRef receiver, Envelope envelope)
    {
        lock (_gate)
        {
            Grow();
            _items[(_head + _count) % _items.Length] = envelope;
            Volatile.Write(ref _count, _count + 1);
        }
    }

    /// <inheritdoc />
    public void EnqueueFirst(Envelope envelope)
    {
        lock (_gate)
        {
            Grow();
            _head = (_head - 1 + _items.Length) % _items.Length;
            _items[_head] = envelope;
            Volatile.Write(ref _count, _count + 1);
        }
    }

    /// <inheritdoc />
    public bool TryDequeue(out Envelope envelope)
    {
        lock (_gate)
        {
            if (_count == 0)
            {
                envelope = default;
                return false;
            }
            envelope = _items[_head];
            _items[_head] = default;
            _head = (_head + 1) % _items.Length;
            Volatile.Write(ref _count, _count - 1);
            if (_count == 0)
            {
                _head = 0;
                if (_items.Length > ShrinkAbove)
                {
                    _items = [];
                }
            }
            return true;
        }
    }

    /// <inheritdoc />
    public void CleanUp(IActorRef owner, IMessageQueue deadletters)
    {
        while (TryDequeue(out var envelope))
        {
            deadletters.Enqueue(owner, envelope);
        }
    }

    private void Grow()
    {
        if (_count < _items.Length)
        {
            return;
        }
        var grown = new Envelope[Math.Max(2, _items.Length * 2)];
        for (var i = 0; i < _count; i++)
        {
            grown[i] = _items[(_head + i) % _items.Length];
        }
        _items = grown;
        _head = 0;
    }
}

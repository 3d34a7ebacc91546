using RiskGrid.Feed.Codec;

namespace RiskGrid.Feed.Transport;

/// <summary>
/// Creates the publishers and subscribers of one node's tick data plane. The seam where a venue could plug in a
/// different transport (Aeron, shared memory): implementations move opaque frames, keep the per-frame contract of
/// <see cref="ITickPublisher"/> and <see cref="ITickSubscriber"/>, and never block a publisher.
/// </summary>
public interface ITickTransport : IDisposable
{
    /// <summary>Creates a publisher bound to <see cref="TickTransportOptions.Endpoint"/>.</summary>
    ITickPublisher CreatePublisher(TickTransportOptions options);

    /// <summary>Creates a subscriber for <see cref="TickTransportOptions.Endpoint"/>; it connects on
    /// <see cref="ITickSubscriber.Start"/>.</summary>
    ITickSubscriber CreateSubscriber(TickTransportOptions options);
}

/// <summary>
/// Sends whole frames to every connected subscriber, never blocking and never retrying: a frame the transport
/// refuses is counted and reported as <c>false</c>. Not thread-safe: one thread publishes at a time.
/// </summary>
public interface ITickPublisher : IDisposable
{
    /// <summary>The endpoint actually bound (a tcp port 0 is replaced by the port taken).</summary>
    string Endpoint { get; }

    /// <summary>Counters, readable from any thread.</summary>
    TickPublisherStats Stats { get; }

    /// <summary>Queues <paramref name="frame"/> (copied) for sending; false, counted in
    /// <see cref="TickPublisherStats.FramesRefused"/>, when the transport refuses it (too large, closed, full
    /// where the transport reports that). Returns at once in every case.</summary>
    bool TryPublish(ReadOnlySpan<byte> frame);
}

/// <summary>Receives one validated frame on the subscriber's thread. The span is valid only during the call.</summary>
public delegate void TickFrameHandler(ReadOnlySpan<byte> frame);

/// <summary>
/// Receives frames on a dedicated thread and hands each one that <see cref="TickFrameReader.Open"/> accepts to the
/// handler; garbled frames are counted and skipped, and a handler that throws is counted and does not stop the
/// thread.
/// </summary>
public interface ITickSubscriber : IDisposable
{
    /// <summary>The endpoint this subscriber connects to.</summary>
    string Endpoint { get; }

    /// <summary>Counters, readable from any thread.</summary>
    TickSubscriberStats Stats { get; }

    /// <summary>Connects and starts the receive thread. Once only.</summary>
    void Start(TickFrameHandler handler);

    /// <summary>Asks the receive thread to end and waits up to <see cref="TickTransportOptions.StopTimeout"/>;
    /// true when it has ended (or never started). Called from the handler, it only asks and returns false.</summary>
    bool Stop();
}

/// <summary>A publisher's counters at one moment.</summary>
/// <param name="FramesPublished">Frames handed to the transport.</param>
/// <param name="BytesPublished">Bytes of those frames.</param>
/// <param name="FramesRefused">Frames the transport refused.</param>
public readonly record struct TickPublisherStats(long FramesPublished, long BytesPublished, long FramesRefused);

/// <summary>A subscriber's counters at one moment.</summary>
/// <param name="FramesReceived">Messages received, garbled or not.</param>
/// <param name="BytesReceived">Bytes of those messages.</param>
/// <param name="FramesDelivered">Frames handed to the handler.</param>
/// <param name="FramesGarbled">Messages skipped: failed <see cref="TickFrameReader.Open"/>, or multipart.</param>
/// <param name="LastGarbledStatus">Why the latest garbled frame failed (<see cref="TickFrameStatus.Ok"/> for a
/// multipart message or when none failed).</param>
/// <param name="HandlerFaults">Calls to the handler that threw.</param>
/// <param name="ConnectAttempts">Connects tried (an inproc endpoint not bound yet is retried every poll
/// interval).</param>
/// <param name="IsConnected">Whether the connect has succeeded.</param>
public readonly record struct TickSubscriberStats(
    long FramesReceived,
    long BytesReceived,
    long FramesDelivered,
    long FramesGarbled,
    TickFrameStatus LastGarbledStatus,
    long HandlerFaults,
    long ConnectAttempts,
    bool IsConnected);

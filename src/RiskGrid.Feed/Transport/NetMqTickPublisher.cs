using System.Globalization;
using NetMQ;
using NetMQ.Sockets;

namespace RiskGrid.Feed.Transport;

/// <summary>
/// NetMQ PUB socket bound to the endpoint, with the send high-water mark set. <see cref="TryPublish"/> copies the
/// frame into a NetMQ message and sends it with a zero timeout, so it never blocks. NetMQ's PUB never refuses a
/// frame for a full queue: past the high-water mark it drops it silently per subscriber, and subscribers see the
/// drop as a frame-sequence gap. Refusals counted here are frames over the size limit, frames after dispose, and
/// sends NetMQ itself fails. Not thread-safe: one thread publishes at a time.
/// </summary>
public sealed class NetMqTickPublisher : ITickPublisher
{
    private readonly PublisherSocket _socket;
    private readonly int _maxFrameBytes;
    private long _framesPublished;
    private long _bytesPublished;
    private long _framesRefused;
    private volatile bool _disposed;

    internal NetMqTickPublisher(TickTransportOptions options)
    {
        _maxFrameBytes = options.MaxFrameBytes;
        _socket = new PublisherSocket();
        try
        {
            _socket.Options.SendHighWatermark = options.SendHighWatermark;
            _socket.Options.Linger = options.Linger;
            if (!options.IsInproc && options.TcpPort == 0)
            {
                var port = _socket.BindRandomPort(options.TcpHost);
                Endpoint = string.Create(CultureInfo.InvariantCulture, $"{options.TcpHost}:{port}");
            }
            else
            {
                _socket.Bind(options.Endpoint);
                Endpoint = options.Endpoint;
            }
        }
        catch
        {
            _socket.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public string Endpoint { get; }

    /// <inheritdoc />
    public TickPublisherStats Stats => new(
        Interlocked.Read(ref _framesPublished),
        Interlocked.Read(ref _bytesPublished),
        Interlocked.Read(ref _framesRefused));

    /// <inheritdoc />
    public bool TryPublish(ReadOnlySpan<byte> frame)
    {
        if (_disposed || frame.Length > _maxFrameBytes)
        {
            Interlocked.Increment(ref _framesRefused);
            return false;
        }

        // The message must own its bytes: inproc hands the buffer itself to the subscriber.
        var message = default(Msg);
        message.InitPool(frame.Length);
        frame.CopyTo(message.Slice());
        bool sent;
        try
        {
            sent = _socket.TrySend(ref message, TimeSpan.Zero, more: false);
        }
        catch (TerminatingException)
        {
            sent = false;
        }

        if (!sent)
        {
            message.Close();
            Interlocked.Increment(ref _framesRefused);
            return false;
        }

        Interlocked.Increment(ref _framesPublished);
        Interlocked.Add(ref _bytesPublished, frame.Length);
        return true;
    }

    /// <summary>Closes the socket; frames still queued are dropped after <see cref="TickTransportOptions.Linger"/>.
    /// Must not run concurrently with <see cref="TryPublish"/>.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _socket.Dispose();
    }
}

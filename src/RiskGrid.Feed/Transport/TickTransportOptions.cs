using System.Globalization;

namespace RiskGrid.Feed.Transport;

/// <summary>
/// Where and how one tick publisher or subscriber moves frames. Immutable; checked once by
/// <see cref="Validate"/> (every transport calls it), which names the bad key and value.
/// </summary>
public sealed record TickTransportOptions
{
    /// <summary><c>inproc://name</c> inside one process (publisher and subscriber must share a transport object;
    /// see <see cref="NetMqTickTransport"/>) or <c>tcp://host:port</c> across processes. A publisher may bind
    /// <c>tcp://127.0.0.1:0</c> to take a free port; <see cref="ITickPublisher.Endpoint"/> then tells which.</summary>
    public required string Endpoint { get; init; }

    /// <summary>Frames queued per subscriber at the publisher before PUB drops (silently; subscribers see the loss as
    /// a frame-sequence gap). Bounds publisher memory at about this × frame size per subscriber.</summary>
    public int SendHighWatermark { get; init; } = 1_000;

    /// <summary>Frames queued at the subscriber before the transport drops.</summary>
    public int ReceiveHighWatermark { get; init; } = 1_000;

    /// <summary>How long a closing socket keeps trying to send queued frames. Zero: drop at once (ticks go stale
    /// fast; a closing node should not wait for them).</summary>
    public TimeSpan Linger { get; init; } = TimeSpan.Zero;

    /// <summary>Longest a subscriber's receive wait lasts before it checks for a stop request.</summary>
    public TimeSpan ReceivePollInterval { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>After a frame, the subscriber keeps polling without blocking for this long before it parks in a
    /// blocking receive: under a steady stream the next frame is taken without a thread wake-up (the dominant cost
    /// of tick-to-view latency on a busy machine), and an idle feed costs nothing. Zero turns spinning off. Inproc
    /// subscribers only: over tcp the frames come through NetMQ's I/O thread, which a spinning receiver starves.</summary>
    public TimeSpan ReceiveSpin { get; init; } = TimeSpan.FromMicroseconds(100);

    /// <summary>Largest frame accepted in bytes: a publisher refuses (and counts) a larger one, a subscriber
    /// disconnects a peer that sends one.</summary>
    public int MaxFrameBytes { get; init; } = 1 << 20;

    /// <summary>How long <see cref="ITickSubscriber.Stop"/> waits for the receive thread to end.</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>True for an <c>inproc://</c> endpoint.</summary>
    public bool IsInproc => Endpoint.StartsWith(InprocScheme, StringComparison.Ordinal);

    private const string InprocScheme = "inproc://";
    private const string TcpScheme = "tcp://";

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad key and its value.</summary>
    public void Validate()
    {
        if (!IsValidEndpoint(Endpoint))
        {
            throw Bad(nameof(Endpoint), Endpoint, "must be inproc://name or tcp://host:port (port 0–65535)");
        }

        if (SendHighWatermark <= 0)
        {
            throw Bad(nameof(SendHighWatermark), SendHighWatermark, "must be > 0");
        }

        if (ReceiveHighWatermark <= 0)
        {
            throw Bad(nameof(ReceiveHighWatermark), ReceiveHighWatermark, "must be > 0");
        }

        if (Linger < TimeSpan.Zero)
        {
            throw Bad(nameof(Linger), Linger, "must be ≥ 0");
        }

        if (ReceivePollInterval <= TimeSpan.Zero || ReceivePollInterval > TimeSpan.FromSeconds(10))
        {
            throw Bad(nameof(ReceivePollInterval), ReceivePollInterval, "must be in (0, 10 s]");
        }

        if (ReceiveSpin < TimeSpan.Zero || ReceiveSpin > TimeSpan.FromMilliseconds(10))
        {
            throw Bad(nameof(ReceiveSpin), ReceiveSpin, "must be in [0, 10 ms]");
        }

        if (MaxFrameBytes < 40)
        {
            throw Bad(nameof(MaxFrameBytes), MaxFrameBytes, "must be ≥ 40 (one frame header)");
        }

        if (StopTimeout <= TimeSpan.Zero)
        {
            throw Bad(nameof(StopTimeout), StopTimeout, "must be > 0");
        }
    }

    /// <summary>The port of a <c>tcp://host:port</c> endpoint; −1 for inproc.</summary>
    internal int TcpPort => IsInproc ? -1 : int.Parse(Endpoint.AsSpan(Endpoint.LastIndexOf(':') + 1),
        NumberStyles.None, CultureInfo.InvariantCulture);

    /// <summary>The <c>tcp://host</c> part of a tcp endpoint.</summary>
    internal string TcpHost => Endpoint[..Endpoint.LastIndexOf(':')];

    private static bool IsValidEndpoint(string? endpoint)
    {
        if (string.IsNullOrWhiteSpace(endpoint))
        {
            return false;
        }

        if (endpoint.StartsWith(InprocScheme, StringComparison.Ordinal))
        {
            return endpoint.Length > InprocScheme.Length;
        }

        if (!endpoint.StartsWith(TcpScheme, StringComparison.Ordinal))
        {
            return false;
        }

        var colon = endpoint.LastIndexOf(':');
        return colon > TcpScheme.Length
            && int.TryParse(endpoint.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            && port <= 65_535;
    }

    private static ArgumentException Bad(string key, object value, string rule) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{key} = {value}: {rule}"), key);
}

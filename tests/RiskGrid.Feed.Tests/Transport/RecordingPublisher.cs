using RiskGrid.Feed.Transport;

namespace RiskGrid.Feed.Tests.Transport;

/// <summary>An in-memory publisher that keeps a copy of every frame and can be told to refuse.</summary>
internal sealed class RecordingPublisher : ITickPublisher
{
    private long _published;
    private long _bytes;
    private long _refused;

    public List<byte[]> Frames { get; } = [];

    /// <summary>When true, frames are refused (and counted) as a full or closed transport would.</summary>
    public bool Refuse { get; set; }

    /// <summary>When false, frames are counted but not copied (for allocation measurements).</summary>
    public bool Keep { get; set; } = true;

    public string Endpoint => "memory://recording";

    public TickPublisherStats Stats => new(_published, _bytes, _refused);

    public bool TryPublish(ReadOnlySpan<byte> frame)
    {
        if (Refuse)
        {
            _refused++;
            return false;
        }

        if (Keep)
        {
            Frames.Add(frame.ToArray());
        }

        _published++;
        _bytes += frame.Length;
        return true;
    }

    public void Dispose()
    {
    }
}

using RiskGrid.Node.Supervision;

namespace RiskGrid.Load.Supervision;

/// <summary>
/// Follows, across samples of <see cref="GetUnattended"/>, the liquidatable sub-accounts nothing is scheduled to look
/// at again (outside their cooldown, no retry pending, not waiting outside a full queue: only a price trigger, an
/// account change or the sweep would): how long each stayed so. A streak is seen from its first to its last sample (a
/// lower bound of its length); it began after the sample before and ended before the sample after (the upper bound).
/// The rest are counted by the supervisor (cooling, retry pending, waiting for room in the queue, and how long the
/// longest has waited for room), so a sample stays cheap with tens of thousands liquidatable.
/// </summary>
internal sealed class UnattendedTracker
{
    private readonly Category[] _categories = [new("beyond cooldown, nothing scheduled")];
    private long _previousUs = -1;

    public IReadOnlyList<Category> Categories => _categories;

    /// <summary>Most sub-accounts liquidatable, unblocked and not queued in one sample.</summary>
    public int MaxUnattended { get; private set; }

    /// <summary>Most sub-accounts waiting outside the full queue in one sample.</summary>
    public int MaxWaitingForQueue { get; private set; }

    /// <summary>Longest wait for room in the queue seen in a sample (still waiting then), µs of wall time.</summary>
    public long LongestWaitingUs { get; private set; }

    /// <summary>The same on the grid's clock, ms.</summary>
    public long LongestWaitingMarketMs { get; private set; }

    public void Sample(long wallUs, long marketMs, UnattendedReport report)
    {
        var forgotten = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in report.Entries)
        {
            forgotten.Add(e.AccountId + "/" + e.SubAccount);
        }
        _categories[0].Sample(wallUs, marketMs, _previousUs < 0 ? wallUs : _previousUs, forgotten);
        _previousUs = wallUs;
        MaxUnattended = Math.Max(MaxUnattended, report.Unattended);
        MaxWaitingForQueue = Math.Max(MaxWaitingForQueue, report.WaitingForQueue);
        LongestWaitingUs = Math.Max(LongestWaitingUs, report.LongestWaitingForQueueMicros);
        LongestWaitingMarketMs = Math.Max(LongestWaitingMarketMs, report.LongestWaitingForQueueMarketMs);
    }

    /// <summary>Closes the streaks still open at the last sample (they count as still unattended).</summary>
    public void Finish()
    {
        foreach (var c in _categories)
        {
            c.Finish(_previousUs);
        }
    }

    internal sealed class Category(string name)
    {
        private readonly Dictionary<string, Streak> _open = new(StringComparer.Ordinal);
        private readonly HashSet<string> _ever = new(StringComparer.Ordinal);

        public string Name { get; } = name;

        public long Streaks { get; private set; }

        public int Distinct => _ever.Count;

        /// <summary>Longest streak from its first to its last sample, µs of wall time.</summary>
        public long LongestSeenUs { get; private set; }

        /// <summary>Longest streak from the sample before it to the sample after it, µs of wall time.</summary>
        public long LongestBoundUs { get; private set; }

        /// <summary>Longest streak from first to last sample in grid-clock ms.</summary>
        public long LongestSeenMarketMs { get; private set; }

        public string? LongestKey { get; private set; }

        public int OpenAtEnd { get; private set; }

        public void Sample(long wallUs, long marketMs, long previousUs, HashSet<string> now)
        {
            List<string>? ended = null;
            foreach (var (key, streak) in _open)
            {
                if (!now.Contains(key))
                {
                    Close(key, streak, wallUs);
                    (ended ??= []).Add(key);
                }
            }
            foreach (var key in ended ?? [])
            {
                _open.Remove(key);
            }
            foreach (var key in now)
            {
                if (_open.TryGetValue(key, out var s))
                {
                    _open[key] = s with { LastUs = wallUs, LastMarketMs = marketMs };
                }
                else
                {
                    _open[key] = new Streak(wallUs, wallUs, previousUs, marketMs, marketMs);
                    _ever.Add(key);
                    Streaks++;
                }
            }
        }

        public void Finish(long lastUs)
        {
            OpenAtEnd = _open.Count;
            foreach (var (key, streak) in _open)
            {
                Close(key, streak, lastUs);
            }
            _open.Clear();
        }

        private void Close(string key, Streak s, long endedBeforeUs)
        {
            var seen = s.LastUs - s.FirstUs;
            if (seen >= LongestSeenUs)
            {
                LongestSeenUs = seen;
                LongestKey = key;
            }
            LongestBoundUs = Math.Max(LongestBoundUs, endedBeforeUs - s.BeganAfterUs);
            LongestSeenMarketMs = Math.Max(LongestSeenMarketMs, s.LastMarketMs - s.FirstMarketMs);
        }

        private readonly record struct Streak(long FirstUs, long LastUs, long BeganAfterUs, long FirstMarketMs,
            long LastMarketMs);
    }
}

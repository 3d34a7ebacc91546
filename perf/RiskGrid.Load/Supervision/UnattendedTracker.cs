using RiskGrid.Node.Supervision;

namespace RiskGrid.Load.Supervision;

/// <summary>
/// Follows, across samples of <see cref="GetUnattended"/>, how long each liquidatable sub-account stayed unattended
/// (not blocked by its prices, not queued or executing), in three nested senses: at all; outside its cooldown (the
/// cooldown after a partial liquidation is the engine's throttle); outside its cooldown with no retry scheduled and
/// not waiting outside a full queue (nothing but a price trigger, an account change or the sweep will look at it
/// again) — and, apart, outside its cooldown waiting for room in a full queue (back-pressure). A streak is seen from its
/// first to its last sample (a lower bound of its length); it began after the sample before and ended before the
/// sample after (the upper bound).
/// </summary>
internal sealed class UnattendedTracker
{
    private readonly Category[] _categories =
        [new("unattended"), new("beyond cooldown"), new("beyond cooldown, no retry"), new("beyond cooldown, outside a full queue")];
    private long _previousUs = -1;

    public IReadOnlyList<Category> Categories => _categories;

    public void Sample(long wallUs, long marketMs, UnattendedReport report)
    {
        var sets = new HashSet<string>[_categories.Length];
        for (var c = 0; c < sets.Length; c++)
        {
            sets[c] = new HashSet<string>(StringComparer.Ordinal);
        }
        foreach (var e in report.Entries)
        {
            var key = e.AccountId + "/" + e.SubAccount;
            sets[0].Add(key);
            if (marketMs >= e.CooldownUntilMs)
            {
                sets[1].Add(key);
                if (e.WaitingForQueue)
                {
                    sets[3].Add(key);
                }
                else if (!e.RetryPending)
                {
                    sets[2].Add(key);
                }
            }
        }
        for (var c = 0; c < sets.Length; c++)
        {
            _categories[c].Sample(wallUs, marketMs, _previousUs < 0 ? wallUs : _previousUs, sets[c]);
        }
        _previousUs = wallUs;
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

using RiskGrid.Margin.Instruments;
using RiskGrid.Margin.Oracle;

namespace RiskGrid.Node.Prices;

/// <summary>The reporting side of <see cref="PriceView"/>: an immutable tree of everything it knows.</summary>
public sealed partial class PriceView
{
    /// <summary>
    /// Evaluates every index at the grid clock's now (so statuses and ages agree), then builds the report for
    /// <c>GET /v1/prices</c> and <c>riskgrid feed-stats</c>. Allocates; holds the writer up for the time it takes.
    /// </summary>
    public PricesReport Report()
    {
        lock (_writeGate)
        {
            var now = _clock.NowMs;
            EvaluateAll(now);
            PublishVersion();
            now = Math.Max(now, _evaluatedMs);
            var underlyings = new UnderlyingPriceReport[_underlyings.Length];
            for (var u = 0; u < underlyings.Length; u++)
            {
                underlyings[u] = ReportUnderlying(u, now);
            }

            var sources = new SourceReport[_sourceCount];
            for (var s = 0; s < sources.Length; s++)
            {
                sources[s] = ReportSource(s, now);
            }

            var publishers = new List<PublisherReport>(_filter.PublisherCount);
            for (var p = 0; p < _filter.PublisherCount; p++)
            {
                var stats = _filter.GetPublisherStats(p);
                if (stats.PublisherId != ManualPublisherId)
                {
                    publishers.Add(new PublisherReport(stats.PublisherId, stats.Frames, stats.Gaps,
                        stats.MissedFrames, stats.Resets, stats.LastFrameSequence));
                }
            }

            var feeds = new FeedEndpointReport[_feeds.Length];
            for (var f = 0; f < feeds.Length; f++)
            {
                var stats = _feeds[f].Stats;
                feeds[f] = new FeedEndpointReport(_feeds[f].Endpoint, stats.IsConnected, stats.FramesReceived,
                    stats.FramesDelivered, stats.FramesGarbled,
                    stats.FramesGarbled == 0 ? "none" : stats.LastGarbledStatus.ToString(), stats.HandlerFaults);
            }

            var funding = new List<FundingRateReport>();
            for (var id = 0; id < _funding.Length; id++)
            {
                if (_funding[id].Has)
                {
                    funding.Add(new FundingRateReport(_catalog[new InstrumentId(id)].Name,
                        _sourceNames[_funding[id].Source].ToString(), _funding[id].Rate, _funding[id].TimeMs));
                }
            }

            return new PricesReport(now, _market.Version, underlyings, sources, publishers, feeds, funding,
                _untracked + _filter.Untracked, Interlocked.Read(ref _framesGarbled));
        }
    }

    private UnderlyingPriceReport ReportUnderlying(int u, long now)
    {
        var state = _underlyings[u];
        var oracle = state.Oracle;
        var snapshot = oracle.Snapshot;
        var sources = new SourcePriceReport[state.SlotCount];
        for (var slot = 0; slot < sources.Length; slot++)
        {
            var tickMs = oracle.LastTickMs(slot);
            sources[slot] = new SourcePriceReport(_sourceNames[state.SourceOfSlot(slot)].ToString(),
                oracle.LastPrice(slot), tickMs, now - tickMs, oracle.IsSourceValid(slot, now));
        }

        long? staleness = snapshot.Status switch
        {
            OracleStatus.Unpriced => null,
            OracleStatus.Stale => snapshot.AsOfMs - snapshot.LastGoodMs,
            _ => 0,
        };
        return new UnderlyingPriceReport(state.Name, snapshot.Index, snapshot.Status, snapshot.ValidSources,
            oracle.MinSources, staleness,
            snapshot.IsWickGuarded ? snapshot.GuardSinceMs : null,
            state.Vol.AnnualisedVolatility, state.Vol.InitialMultiplier, state.Vol.MaintenanceMultiplier, sources);
    }

    private SourceReport ReportSource(int s, long now)
    {
        var name = _sourceNames[s];
        _filter.TryGetSourceStats(name, out var filtered);
        var own = _sources[s];
        return new SourceReport(name.ToString(), own.Accepted, filtered.NonFinite, filtered.Zero, filtered.Negative,
            filtered.Duplicates, filtered.OutOfOrder + own.TimeRegressions, filtered.SnapshotRepeats, own.Gaps,
            own.Unrouted, own.HasTick ? own.LastTickMs : null, own.HasTick ? now - own.LastTickMs : null,
            own.FutureDated);
    }
}

using RiskGrid.Feed.Codec;
using RiskGrid.Margin.Instruments;
using RiskGrid.Margin.Oracle;

namespace RiskGrid.Node.Prices;

/// <summary>The tick path of <see cref="PriceView"/>: routing, filtering and applying one entry (under the write
/// lock, allocation-free once every name has been seen).</summary>
public sealed partial class PriceView
{
    private EntryOutcome ApplyEntry(in TickFrameHeader header, in TickEntry entry)
    {
        var source = SourceIndexOf(entry.Source);
        if (source < 0)
        {
            _untracked++;
            return EntryOutcome.Untracked;
        }

        return header.MessageType switch
        {
            TickMessageType.Price => ApplyPrice(source, header, entry),
            TickMessageType.ImpliedVol => ApplyImpliedVol(source, header, entry),
            _ => ApplyFunding(source, header, entry),
        };
    }

    private EntryOutcome ApplyPrice(int source, in TickFrameHeader header, in TickEntry entry)
    {
        ref var counters = ref _sources[source];
        if (!_underlyingBySymbol.TryGetValue(entry.Symbol, out var u))
        {
            counters.Unrouted++;
            return EntryOutcome.Unrouted;
        }

        // Before the sequence filter, which would otherwise remember the future date as the source's latest.
        if (_dataClock is null && entry.TimeMs > _clock.NowMs + _options.MaxFutureSkewMs)
        {
            counters.FutureDated++;
            return EntryOutcome.FutureDated;
        }

        var verdict = Judge(header, entry);
        if (verdict != EntryOutcome.Applied)
        {
            return verdict;
        }

        var routeIndex = (source * _underlyings.Length) + u;
        ref var slot = ref _routes[routeIndex];
        if (slot == NoRoute)
        {
            slot = _underlyings[u].AddSource(source);
        }

        if (slot == RouteFull)
        {
            counters.Unrouted++;
            return EntryOutcome.Unrouted;
        }

        ref var last = ref _lastSequence[routeIndex];
        if (last != 0 && entry.Sequence > last + 1)
        {
            counters.Gaps++;
        }

        last = entry.Sequence;
        if (_underlyings[u].Oracle.OnTick(slot, entry.Value, entry.TimeMs) != TickOutcome.Accepted)
        {
            counters.TimeRegressions++;
            return EntryOutcome.OutOfOrder;
        }

        Accept(ref counters, entry.TimeMs);
        return EntryOutcome.Applied;
    }

    private EntryOutcome ApplyImpliedVol(int source, in TickFrameHeader header, in TickEntry entry)
    {
        ref var counters = ref _sources[source];
        if (!TryInstrument(entry.Symbol, out var instrument) || instrument.Kind != InstrumentKind.Option)
        {
            counters.Unrouted++;
            return EntryOutcome.Unrouted;
        }

        var verdict = Judge(header, entry);
        if (verdict != EntryOutcome.Applied)
        {
            return verdict;
        }

        _market.SetImpliedVolatility(instrument, entry.Value);
        Accept(ref counters, entry.TimeMs);
        return EntryOutcome.Applied;
    }

    private EntryOutcome ApplyFunding(int source, in TickFrameHeader header, in TickEntry entry)
    {
        ref var counters = ref _sources[source];
        if (!TryInstrument(entry.Symbol, out var instrument) || instrument.Kind != InstrumentKind.Perpetual)
        {
            counters.Unrouted++;
            return EntryOutcome.Unrouted;
        }

        var verdict = Judge(header, entry);
        if (verdict != EntryOutcome.Applied)
        {
            return verdict;
        }

        var id = instrument.Id.Value;
        if (id >= _funding.Length)
        {
            Array.Resize(ref _funding, Math.Max(id + 1, _funding.Length * 2));
        }

        _funding[id] = new FundingState(true, source, entry.Value, entry.TimeMs);
        counters.Accepted++;
        return EntryOutcome.Applied;
    }

    private EntryOutcome Judge(in TickFrameHeader header, in TickEntry entry) =>
        _filter.Accept(header, entry) switch
        {
            TickVerdict.Accepted => EntryOutcome.Applied,
            TickVerdict.NonFinite => EntryOutcome.NonFinite,
            TickVerdict.Zero => EntryOutcome.Zero,
            TickVerdict.Negative => EntryOutcome.Negative,
            TickVerdict.Duplicate => EntryOutcome.Duplicate,
            TickVerdict.OutOfOrder => EntryOutcome.OutOfOrder,
            TickVerdict.SnapshotRepeat => EntryOutcome.SnapshotRepeat,
            _ => CountUntracked(),
        };

    private EntryOutcome CountUntracked()
    {
        _untracked++;
        return EntryOutcome.Untracked;
    }

    private void Accept(ref SourceCounters counters, long timeMs)
    {
        counters.Accepted++;
        counters.LastTickMs = counters.HasTick ? Math.Max(counters.LastTickMs, timeMs) : timeMs;
        counters.HasTick = true;
        _dataClock?.Observe(timeMs);
    }

    private int SourceIndexOf(FixedAscii24 name)
    {
        if (_sourceByName.TryGetValue(name, out var index))
        {
            return index;
        }

        if (_sourceCount == _sourceNames.Length)
        {
            return -1;
        }

        index = _sourceCount++;
        _sourceNames[index] = name;
        _sourceByName.Add(name, index);
        return index;
    }

    private bool TryInstrument(FixedAscii24 symbol, out Instrument instrument)
    {
        if (!_instruments.TryGetValue(symbol, out var found))
        {
            // First sight of a name: resolve once (allocates), remember either way; bounded by maxKeys.
            if (_instruments.Count >= _options.MaxKeys)
            {
                instrument = null!;
                return false;
            }

            found = _catalog.TryResolve(symbol.ToString(), out var resolved, out _) ? resolved : null;
            _instruments.Add(symbol, found);
        }

        instrument = found!;
        return found is not null;
    }
}

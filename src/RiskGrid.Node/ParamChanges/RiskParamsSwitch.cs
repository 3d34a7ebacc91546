using RiskGrid.Margin.Instruments;
using RiskGrid.Margin.Parameters;
using RiskGrid.Node.Configuration;
using RiskGrid.Node.Prices;

namespace RiskGrid.Node.ParamChanges;

/// <summary>A journal version and the parameters it put in effect (version 0: the node's file).</summary>
public sealed record ParamsInEffect(long Version, RiskParams Params);

/// <summary>What <see cref="RiskParamsSwitch.TryApply"/> did.</summary>
public enum SwitchOutcome
{
    /// <summary>The parameters are in effect now.</summary>
    Applied,

    /// <summary>The version is not newer than the one in effect: nothing done (versions only move forward).</summary>
    NotNewer,

    /// <summary>This node cannot run the parameters (another structure, a price view they do not fit).</summary>
    Refused,
}

/// <summary>
/// Where a node's risk parameters are switched at run time: the instrument catalog (every instrument's tiers and
/// underlying terms, then <see cref="InstrumentCatalog.Params"/>, which every evaluator, check and planner reads at
/// the start of its work) and the price view (oracle and volatility parameters, keeping their state, and the market
/// every snapshot is copied from, so every copy of it follows). Versions only move forward. Thread-safe.
/// <para>Values copied out of the parameters elsewhere follow by themselves: markets take their parameters along
/// when copied (<see cref="Margin.Market.MarketState.CopyFrom"/>), risk arrays recompute on the market's new version,
/// and the what-if calculators rebuild their catalog when the parameters change. The risk supervisor's safe bands
/// depend on the parameters: whoever applies a change asks it for a sweep (<see cref="ParamsFollower"/>).</para>
/// </summary>
public sealed class RiskParamsSwitch
{
    private readonly Lock _gate = new();
    private readonly InstrumentCatalog _catalog;
    private readonly PriceView _prices;
    private ParamsInEffect _inEffect;
    private int _synced;
    private string? _problem;

    /// <summary>A switch over <paramref name="catalog"/> and <paramref name="prices"/>, which run
    /// <paramref name="start"/> (the node's file) at version 0.</summary>
    public RiskParamsSwitch(InstrumentCatalog catalog, PriceView prices, RiskParams start)
    {
        _catalog = catalog ?? throw new ArgumentNullException(nameof(catalog));
        _prices = prices ?? throw new ArgumentNullException(nameof(prices));
        Start = start ?? throw new ArgumentNullException(nameof(start));
        _inEffect = new ParamsInEffect(0, start);
    }

    /// <summary>The parameters the node started with (its file).</summary>
    public RiskParams Start { get; }

    /// <summary>The parameters in effect.</summary>
    public RiskParams Current => _catalog.Params;

    /// <summary>The journal version in effect (0: the node's file, no change applied).</summary>
    public long Version => InEffect.Version;

    /// <summary>The version in effect with its parameters, read as one.</summary>
    public ParamsInEffect InEffect => Volatile.Read(ref _inEffect);

    /// <summary>True once the node has read the journal's version and applied it (readiness waits for it).</summary>
    public bool IsSynced => Volatile.Read(ref _synced) == 1;

    /// <summary>Why the node is not synced, when something stops it (a journaled document it cannot run).</summary>
    public string? Problem => Volatile.Read(ref _problem);

    /// <summary>Null when this node can run <paramref name="next"/>, else the problem.</summary>
    public ParamsProblem? Check(RiskParams next)
    {
        ArgumentNullException.ThrowIfNull(next);
        if (!_catalog.CanApply(next, out var field, out var error) || !_prices.CanApply(next, out field, out error))
        {
            return new ParamsProblem(field, error!);
        }
        return null;
    }

    /// <summary>Puts <paramref name="next"/> in effect as <paramref name="version"/>, unless that version is not newer
    /// than the one in effect or this node cannot run it (then nothing changes).</summary>
    public SwitchOutcome TryApply(long version, RiskParams next, out ParamsProblem? problem)
    {
        ArgumentNullException.ThrowIfNull(next);
        lock (_gate)
        {
            problem = null;
            if (version <= _inEffect.Version)
            {
                return SwitchOutcome.NotNewer;
            }
            // Both halves are checked first, so neither is applied alone.
            problem = Check(next);
            if (problem is not null)
            {
                return SwitchOutcome.Refused;
            }
            if (!_catalog.TryApply(next, out var field, out var error))
            {
                problem = new ParamsProblem(field, error!);
                return SwitchOutcome.Refused;
            }
            if (!_prices.TryApply(next, out field, out error))
            {
                throw new InvalidOperationException($"the price view refused checked parameters: {error}");
            }
            Volatile.Write(ref _inEffect, new ParamsInEffect(version, next));
            return SwitchOutcome.Applied;
        }
    }

    /// <summary>Records that the journal has been read and its version is in effect (or that it cannot be: then
    /// <paramref name="problem"/> says why and the node stays unsynced).</summary>
    internal void MarkSynced(string? problem)
    {
        Volatile.Write(ref _problem, problem);
        if (problem is null)
        {
            Volatile.Write(ref _synced, 1);
        }
    }
}

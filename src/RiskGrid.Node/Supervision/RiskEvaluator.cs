using RiskGrid.Margin.Accounts;
using RiskGrid.Margin.Evaluation;
using RiskGrid.Margin.Instruments;
using RiskGrid.Margin.Market;
using RiskGrid.Margin.Portfolio;
using RiskGrid.Node.Prices;

namespace RiskGrid.Node.Supervision;

/// <summary>What the supervisor learns from evaluating one sub-account.</summary>
public struct EntryRisk
{
    /// <summary>Health of the cross pool (E_MM / MM; +∞ without requirement).</summary>
    public double Health { get; set; }

    /// <summary>The lowest health over the cross pool and the isolated positions: the queue's priority.</summary>
    public double WorstHealth { get; set; }

    /// <summary>E_MM and MM of the cross pool, micro-dollars.</summary>
    public long EquityMmMicros { get; set; }

    /// <summary>MM of the cross pool, micro-dollars.</summary>
    public long MaintenanceMicros { get; set; }

    /// <summary>Raw equity of the cross pool (ADL leverage), micro-dollars.</summary>
    public long EquityRawMicros { get; set; }

    /// <summary>The cross pool is below maintenance (§9).</summary>
    public bool CrossLiquidatable { get; set; }

    /// <summary>At least one isolated position is below its own maintenance.</summary>
    public bool IsolatedLiquidatable { get; set; }

    /// <summary>Liquidatable, but an index it depends on is stale or inside the wick guard: must wait (§8).</summary>
    public bool Blocked { get; set; }

    /// <summary>Blocked by a stale (or unpriced) index, as opposed to the wick guard.</summary>
    public bool BlockedByStale { get; set; }

    /// <summary>Bit u set when the sub-account depends on underlying u.</summary>
    public ulong Depends { get; set; }

    /// <summary>Safe band: no index move smaller than this fraction (each underlying) can make it liquidatable.</summary>
    public double Band { get; set; }

    /// <summary>
    /// An underlying or collateral asset the sub-account depends on has never been priced: nothing was evaluated,
    /// the sub-account is neither warned nor liquidated, and it is evaluated again when that price first arrives.
    /// </summary>
    public bool Unpriced { get; set; }

    /// <summary>True when any pool is liquidatable.</summary>
    public readonly bool Liquidatable => CrossLiquidatable || IsolatedLiquidatable;
}

/// <summary>
/// Evaluates tracked sub-accounts for the supervisor against one market at a time, with its own copies of the market
/// and risk arrays (so it never contends with the entities' checks), and bounds how far each is from liquidation.
/// <para><b>Safe band.</b> For each pool (the cross pool and each isolated position) with surplus X = E_MM − MM and
/// each underlying u it depends on, the surplus is probed at the index moved by ±h (<see
/// cref="SupervisorSettings.ProbeMove"/>, every other price fixed, collateral on u moving with it): the steeper
/// secant g_u bounds how fast X falls per relative move. A joint move of k underlyings by at most m each costs at
/// most Σ g_u·m, so the pool stays solvent while m &lt; X / (k·max g_u); the band keeps a safety factor
/// (<see cref="SupervisorSettings.BandSafety"/>) for curvature (options, tiers) and is capped at h, beyond which the
/// secant says nothing. A changed volatility multiplier moves MM everywhere: the supervisor sweeps then.</para>
/// The probe markets are shared by every sub-account of a cycle, so their risk arrays are computed once per cycle.
/// </summary>
public sealed class RiskEvaluator
{
    private readonly InstrumentCatalog _catalog;
    private readonly MarginEvaluator _evaluator;
    private readonly SupervisorSettings _settings;
    private readonly MarginResult _result;
    private readonly MarginResult _probeResult;
    private readonly MarketState _market;
    private readonly RiskArrays _arrays;
    private readonly MarketState[] _probes;
    private readonly RiskArrays[] _probeArrays;
    private readonly long[] _probeBuilt;
    private readonly int _underlyings;
    private long _cycle;
    private MarketSnapshot? _snapshot;
    private long[] _crossX = new long[8];

    public RiskEvaluator(InstrumentCatalog catalog, SupervisorSettings settings)
    {
        _catalog = catalog ?? throw new ArgumentNullException(nameof(catalog));
        _settings = settings ?? throw new ArgumentNullException(nameof(settings));
        _evaluator = new MarginEvaluator(catalog);
        _underlyings = catalog.Params.Underlyings.Count;
        _result = new MarginResult(_underlyings);
        _probeResult = new MarginResult(_underlyings);
        _market = new MarketState(catalog.Params);
        _arrays = new RiskArrays(catalog);
        _probes = new MarketState[2 * _underlyings];
        _probeArrays = new RiskArrays[2 * _underlyings];
        _probeBuilt = new long[2 * _underlyings];
        for (var i = 0; i < _probes.Length; i++)
        {
            _probes[i] = new MarketState(catalog.Params);
            _probeArrays[i] = new RiskArrays(catalog);
            _probeBuilt[i] = -1;
        }
    }

    /// <summary>The market of the current cycle.</summary>
    public MarketState Market => _market;

    /// <summary>The snapshot of the current cycle (oracle states).</summary>
    public MarketSnapshot? Snapshot => _snapshot;

    /// <summary>Evaluations run (base and probes).</summary>
    public long Evaluations { get; private set; }

    /// <summary>Starts a cycle on <paramref name="snapshot"/>.</summary>
    public void SetMarket(MarketSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (ReferenceEquals(snapshot, _snapshot))
        {
            return;
        }
        _snapshot = snapshot;
        _market.CopyFrom(snapshot.Market);
        _cycle++;
    }

    /// <summary>True when every underlying <paramref name="account"/> depends on has an index.</summary>
    public bool IsPriced(SubAccountPortfolio account) =>
        Accounts.MarketGuards.IsPriced(account, _market, _catalog);

    /// <summary>Evaluates <paramref name="account"/> in full: health, liquidatable pools, block, band.</summary>
    public void Evaluate(SubAccountPortfolio account, ref EntryRisk risk, bool withBand)
    {
        ArgumentNullException.ThrowIfNull(account);
        risk = default;
        risk.Depends = Depends(account, out var crossDepends);
        if (!IsPriced(account))
        {
            risk.Unpriced = true;
            risk.Health = double.PositiveInfinity;
            risk.WorstHealth = double.PositiveInfinity;
            risk.Band = double.NaN;
            return;
        }
        _evaluator.Evaluate(account, _market, _arrays, _result);
        Evaluations++;
        risk.Health = _result.Health;
        risk.WorstHealth = _result.Health;
        risk.EquityMmMicros = _result.EquityMmMicros;
        risk.MaintenanceMicros = _result.MaintenanceMarginMicros;
        risk.EquityRawMicros = _result.EquityRawMicros;
        risk.CrossLiquidatable = _result.BelowMaintenance;
        var n = account.PositionCount;
        if (_crossX.Length < n + 1)
        {
            _crossX = new long[Math.Max(n + 1, 2 * _crossX.Length)];
        }
        _crossX[0] = _result.EquityMmMicros - _result.MaintenanceMarginMicros;
        var positions = account.Positions;
        var blockMask = 0UL;
        if (risk.CrossLiquidatable)
        {
            blockMask |= crossDepends;
        }
        for (var i = 0; i < n; i++)
        {
            _crossX[i + 1] = long.MaxValue;
            if (!positions[i].IsIsolated || positions[i].SizeLots == 0)
            {
                continue;
            }
            var mm = _result.PositionMmMicros[i];
            var eq = _result.IsolatedEquityMicros[i];
            _crossX[i + 1] = eq - mm;
            if (mm > 0)
            {
                var h = (double)eq / mm;
                risk.WorstHealth = Math.Min(risk.WorstHealth, h);
                if (eq < mm)
                {
                    risk.IsolatedLiquidatable = true;
                    blockMask |= 1UL << _catalog[positions[i].Instrument].UnderlyingId;
                }
            }
        }
        if (blockMask != 0 && _snapshot is not null)
        {
            for (var u = 0; u < _underlyings; u++)
            {
                if ((blockMask & (1UL << u)) == 0)
                {
                    continue;
                }
                var oracle = _snapshot.Oracle(u);
                if (!oracle.CanLiquidate)
                {
                    risk.Blocked = true;
                    risk.BlockedByStale |= oracle.IsStale;
                }
            }
        }
        risk.Band = withBand ? Band(account, risk.Depends, crossDepends) : 0;
    }

    // The safe band (see the class remarks); 0 when a pool is already at or below maintenance.
    private double Band(SubAccountPortfolio account, ulong depends, ulong crossDepends)
    {
        var h = _settings.ProbeMove;
        if (depends == 0)
        {
            return double.PositiveInfinity;
        }
        var n = account.PositionCount;
        for (var k = 0; k <= n; k++)
        {
            if (_crossX[k] != long.MaxValue && _crossX[k] <= 0)
            {
                return 0;
            }
        }
        var crossK = BitCount(crossDepends);
        var band = h;
        var positions = account.Positions;
        for (var u = 0; u < _underlyings; u++)
        {
            if ((depends & (1UL << u)) == 0)
            {
                continue;
            }
            for (var dir = 0; dir < 2; dir++)
            {
                var probe = Probe(u, dir);
                _evaluator.Evaluate(account, _probes[probe], _probeArrays[probe], _probeResult);
                Evaluations++;
                if ((crossDepends & (1UL << u)) != 0)
                {
                    var x = _probeResult.EquityMmMicros - _probeResult.MaintenanceMarginMicros;
                    band = Math.Min(band, Safe(_crossX[0], x, crossK, h));
                }
                for (var i = 0; i < n; i++)
                {
                    if (_crossX[i + 1] == long.MaxValue || _catalog[positions[i].Instrument].UnderlyingId != u)
                    {
                        continue;
                    }
                    var x = _probeResult.IsolatedEquityMicros[i] - _probeResult.PositionMmMicros[i];
                    band = Math.Min(band, Safe(_crossX[i + 1], x, 1, h));
                }
            }
        }
        return band;
    }

    // The relative move a pool with surplus x0 survives, given its surplus x at a move of h.
    private double Safe(long x0, long x, int k, double h)
    {
        if (x0 <= 0)
        {
            return 0;
        }
        var slope = Math.Abs((double)x - x0) / h;
        if (slope <= 0)
        {
            return h;
        }
        return Math.Min(h, _settings.BandSafety * x0 / (slope * Math.Max(1, k)));
    }

    private int Probe(int u, int dir)
    {
        var i = 2 * u + dir;
        if (_probeBuilt[i] != _cycle)
        {
            var p = _probes[i];
            p.CopyFrom(_market);
            var s = _market.Index(u);
            if (double.IsFinite(s))
            {
                p.SetIndex(u, s * (dir == 0 ? 1 - _settings.ProbeMove : 1 + _settings.ProbeMove), _market.IsFresh(u));
            }
            _probeBuilt[i] = _cycle;
        }
        return i;
    }

    // Underlyings the sub-account depends on (positions and non-USD collateral); `cross` only those of the cross pool.
    private ulong Depends(SubAccountPortfolio account, out ulong cross)
    {
        var all = 0UL;
        cross = 0UL;
        foreach (ref readonly var p in account.Positions)
        {
            var bit = 1UL << _catalog[p.Instrument].UnderlyingId;
            if (p.SizeLots == 0)
            {
                continue;
            }
            all |= bit;
            if (!p.IsIsolated)
            {
                cross |= bit;
            }
        }
        var balances = account.Balances;
        var parameters = _catalog.Params;
        if (cross != 0)
        {
            for (var a = 1; a < balances.Length; a++)
            {
                var u = parameters.AssetUnderlyingId(a);
                if (balances[a] != 0 && u >= 0)
                {
                    cross |= 1UL << u;
                }
            }
        }
        return all | cross;
    }

    private static int BitCount(ulong x) => System.Numerics.BitOperations.PopCount(x);
}

using RiskGrid.Margin;
using RiskGrid.Margin.Accounts;
using RiskGrid.Margin.Checks;
using RiskGrid.Margin.Evaluation;
using RiskGrid.Margin.Instruments;
using RiskGrid.Margin.Market;
using RiskGrid.Margin.Portfolio;
using RiskGrid.Node.Accounts;

namespace RiskGrid.Node.Books;

/// <summary>
/// Draws one account from the spec and sizes it so that it opens healthy: the positions are built on a
/// <see cref="SubAccountPortfolio"/> exactly as <see cref="AccountState"/> would hold them after the commands
/// (fills with their fees and premiums, isolated margin moved out of the USD balance), evaluated with the margin
/// core at the start market, and scaled down until the initial margin is at most the spec's share of the
/// initial-weighted equity (every isolated position likewise of its own margin). Where the minimum of one lot still
/// asks too much, the USD deposit is topped up instead. Owns its scratch: one planner per thread.
/// </summary>
internal sealed class AccountPlanner
{
    /// <summary>The main sub-account's name.</summary>
    public const string Main = "main";

    /// <summary>The second sub-account's name.</summary>
    public const string HedgeSubAccount = "hedge";

    private const int MaxIterations = 40;
    private const int MaxScalingRounds = 12;

    private readonly BookUniverse _u;
    private readonly BookSpec _spec;
    private readonly MarketState _market;
    private readonly RiskArrays _arrays;
    private readonly MarginEvaluator _evaluator;
    private readonly MarginResult _result;
    private readonly SubAccountPortfolio _portfolio;
    private readonly double[] _pick;
    private readonly double[] _sizes;
    private readonly List<Leg> _legs = new(16);
    private readonly double _usage;

    // The account being planned.
    private BookMode _mode;
    private long _usdMicros;
    private int _assetId;
    private long _assetUnits;
    private long _structureUnits;
    private bool _scaled;
    private bool _toppedUp;

    public AccountPlanner(BookUniverse universe)
    {
        _u = universe;
        _spec = universe.Spec;
        var p = universe.Catalog.Params;
        _market = new MarketState(p);
        _market.SetAsOf(universe.Start.AtMs);
        for (var u = 0; u < universe.Index.Length; u++)
        {
            if (double.IsFinite(universe.Index[u]))
            {
                _market.SetIndex(u, universe.Index[u]);
                _market.SetVolatility(u, universe.Volatility[u]);
            }
        }
        _arrays = new RiskArrays(universe.Catalog);
        _evaluator = new MarginEvaluator(universe.Catalog);
        _result = new MarginResult(p.Underlyings.Count);
        _portfolio = new SubAccountPortfolio(p, 16);
        _pick = new double[universe.LinearInstruments.Length];
        _sizes = new double[Math.Max(1, _spec.Positions.Max)];
        _usage = _spec.Health.MaxInitialMarginUsage;
    }

    /// <summary>The commands that open account <paramref name="number"/> of the book seeded with
    /// <paramref name="seed"/>.</summary>
    public AccountOpening Open(long seed, int number)
    {
        var rng = BookRandom.ForAccount(seed, number);
        var spec = _spec;
        _legs.Clear();
        _scaled = _toppedUp = false;
        _structureUnits = 0;

        // The draws, always in this order (the stream is the account's identity).
        var whale = rng.Chance(spec.Whales.Share);
        var equity = whale
            ? spec.Equity.MedianUsd * rng.LogUniform(spec.Whales.MinMultiple, spec.Whales.MaxMultiple)
            : Math.Clamp(spec.Equity.MedianUsd * Math.Exp(spec.Equity.Sigma * rng.Gaussian()), spec.Equity.MinUsd,
                spec.Equity.MaxUsd);
        _mode = (BookMode)rng.Pick(_u.ModeShares);
        var hasOptions = rng.Chance(spec.Options.Share);
        var leverage = _u.LeverageValues[rng.Pick(_u.LeverageShares)];
        if (whale)
        {
            leverage = Math.Min(leverage, spec.Whales.MaxLeverage);
        }
        var primary = _u.AssetIds[rng.Pick(_u.AssetShares)];
        var hedged = rng.Chance(spec.Hedge.Share);
        var count = Math.Min(spec.Positions.Max,
            1 + rng.NegativeBinomial(spec.Positions.Mean - 1, spec.Positions.Dispersion));
        if (hasOptions)
        {
            equity = Math.Max(equity, spec.Options.MinEquityUsd);
        }
        var hedgeEquity = hedged ? equity * spec.Hedge.EquityFraction : 0;
        var mainEquity = equity - hedgeEquity;
        var usdValue = Deposits(primary, mainEquity);

        var structure = hasOptions ? DrawStructure(rng, mainEquity) : OptionStructure.None;
        var linear = DrawLinear(rng, count - _legs.Count, structure);
        SizeLinear(linear, leverage, _mode == BookMode.Isolated
            ? usdValue * spec.Isolated.MarginFraction * (hasOptions ? 0.5 : 1)
            : mainEquity);
        FitMain();

        var hedge = hedged ? PlanHedge(hedgeEquity) : default;
        return Commands(number, whale, leverage, structure, hedged, hedge);
    }

    /// <summary>Sets the main deposits; returns the USD part's value.</summary>
    private double Deposits(int primary, double mainEquity)
    {
        var usdValue = primary == 0 ? mainEquity : mainEquity * _spec.Collateral.UsdFraction;
        _usdMicros = (long)Math.Floor(usdValue) * Micros.PerUnit;
        _assetId = primary;
        _assetUnits = 0;
        if (primary != 0)
        {
            var a = _u.Catalog.Params.Assets[primary];
            var price = _market.AssetPrice(primary);
            _assetUnits = (long)Math.Floor((mainEquity - usdValue) / price * FixedPoint.Scale(a.Decimals));
        }
        if (_usdMicros <= 0 && _assetUnits <= 0)
        {
            _usdMicros = Micros.PerUnit;
        }
        return _usdMicros / Micros.PerUnitDouble;
    }

    private OptionStructure DrawStructure(BookRandom rng, double mainEquity)
    {
        var o = _spec.Options;
        var kind = rng.Pick(_u.StructureShares);
        var u = _u.UnderlyingIds[rng.Pick(_u.UnderlyingShares)];
        var tenor = rng.Below(_u.OptionExpiries.Length);
        var otm = rng.Uniform(o.Otm.Min, o.Otm.Max);
        var width = rng.Uniform(o.SpreadWidth.Min, o.SpreadWidth.Max);
        var notionalToEquity = rng.Uniform(o.NotionalToEquity.Min, o.NotionalToEquity.Max);
        var bullish = rng.Chance(_spec.Positions.LongShare);
        var sell = rng.Chance(o.ShortStrangleShare);
        var s = _u.Index[u];
        var step = _u.StrikeStep[u];
        OptionStructure structure;
        switch (kind)
        {
            case 0:
                structure = OptionStructure.CoveredCall;
                _legs.Add(Leg.Structure(_u.Perpetual[u], s, _u.CoverRatio[u]));
                AddOption(u, tenor, _u.StrikeUp(u, s * (1 + otm)), true, -1, 0);
                break;
            case 1:
                structure = sell ? OptionStructure.ShortStrangle : OptionStructure.LongStrangle;
                AddOption(u, tenor, _u.StrikeUp(u, s * (1 + otm)), true, sell ? -1 : 1, 0);
                AddOption(u, tenor, _u.StrikeDown(u, s * (1 - otm)), false, sell ? -1 : 1, 0);
                break;
            default:
                structure = bullish ? OptionStructure.BullCallSpread : OptionStructure.BearPutSpread;
                var near = bullish ? _u.StrikeUp(u, s) : _u.StrikeDown(u, s);
                var far = bullish
                    ? Math.Max(near + step, _u.StrikeNear(u, near + s * width))
                    : Math.Max(step, Math.Min(near - step, _u.StrikeNear(u, near - s * width)));
                AddOption(u, tenor, near, bullish, 1, far);
                AddOption(u, tenor, far, bullish, -1, near);
                break;
        }
        var optionLot = _legs[^1].Instrument.LotSize;
        _structureUnits = Math.Max(1, (long)Math.Round(notionalToEquity * mainEquity / (s * optionLot)));
        SetStructureLots();
        return structure;
    }

    private void AddOption(int u, int tenor, double strike, bool isCall, long ratio, double avoid)
    {
        var (option, price) = _u.Option(u, tenor, strike, isCall, avoid);
        _legs.Add(Leg.Structure(option, price, ratio));
    }

    /// <summary>Draws up to <paramref name="wanted"/> linear instruments without replacement (a sub-account holds one
    /// position per instrument) and their directions; the first drawn gets the largest size.</summary>
    private int DrawLinear(BookRandom rng, int wanted, OptionStructure structure)
    {
        Array.Copy(_u.LinearWeights, _pick, _pick.Length);
        if (structure == OptionStructure.CoveredCall)
        {
            var cover = Array.IndexOf(_u.LinearInstruments, _legs[0].Instrument);
            if (cover >= 0)
            {
                _pick[cover] = 0;
            }
        }
        var drawn = 0;
        var firstSign = 0;
        for (; drawn < wanted; drawn++)
        {
            var i = rng.Pick(_pick);
            if (i < 0)
            {
                break;
            }
            _pick[i] = 0;
            var instrument = _u.LinearInstruments[i];
            var follows = rng.Chance(_spec.Positions.SameDirection);
            var own = rng.Chance(_spec.Positions.LongShare) ? 1 : -1;
            var sign = drawn > 0 && follows ? firstSign : own;
            firstSign = drawn == 0 ? sign : firstSign;
            _legs.Add(Leg.Linear(instrument, _u.Index[instrument.UnderlyingId], sign,
                _mode == BookMode.Isolated));
        }
        var sizes = _sizes.AsSpan(0, drawn);
        var total = 0.0;
        for (var j = 0; j < drawn; j++)
        {
            sizes[j] = rng.Exponential();
            total += sizes[j];
        }
        sizes.Sort((a, b) => b.CompareTo(a));
        for (var j = 0; j < drawn; j++)
        {
            sizes[j] /= total;
        }
        return drawn;
    }

    /// <summary>Cross: the gross notional is leverage × budget, split by the drawn sizes. Isolated: the budget is the
    /// USD moved into the positions, each levered on its own margin.</summary>
    private void SizeLinear(int drawn, double leverage, double budgetUsd)
    {
        var first = _legs.Count - drawn;
        for (var j = 0; j < drawn; j++)
        {
            var leg = _legs[first + j];
            var share = budgetUsd * _sizes[j];
            if (leg.Isolated)
            {
                leg.MarginMicros = Math.Max(Micros.PerUnit, (long)Math.Floor(share) * Micros.PerUnit);
                share = leg.MarginMicros / Micros.PerUnitDouble;
            }
            var lots = Math.Max(1, (long)Math.Round(share * leverage / (leg.Instrument.LotSize * leg.Price)));
            leg.Lots = leg.Sign * lots;
            _legs[first + j] = leg;
        }
    }

    private void SetStructureLots()
    {
        for (var i = 0; i < _legs.Count; i++)
        {
            if (_legs[i].Ratio != 0)
            {
                var leg = _legs[i];
                leg.Lots = checked(_structureUnits * leg.Ratio);
                _legs[i] = leg;
            }
        }
    }

    /// <summary>Builds, evaluates and shrinks (or tops up) the main sub-account until it opens healthy.</summary>
    private void FitMain()
    {
        for (var iteration = 0; iteration < MaxIterations; iteration++)
        {
            var shortfall = BuildMain();
            if (shortfall > 0)
            {
                // A SetIsolatedMargin would find less USD than it moves: more USD from the start.
                TopUp(shortfall);
                continue;
            }
            _evaluator.Evaluate(_portfolio, _market, _arrays, _result);
            var healthy = FitIsolated();
            var im = _result.InitialMarginMicros;
            var equity = _result.EquityImMicros;
            if (im > _usage * equity)
            {
                healthy = false;
                var f = equity > 0 ? Math.Clamp(_usage * equity / im * 0.98, 0.01, 0.98) : 0.5;
                if (iteration >= MaxScalingRounds || !ScaleCross(f))
                {
                    TopUp((long)Math.Ceiling(im / _usage) - equity);
                }
            }
            if (healthy)
            {
                return;
            }
        }
        throw new InvalidOperationException("the book generator could not open an account healthily");
    }

    /// <summary>Every isolated position's IM within the usage of its margin; false (and adjusted) otherwise.</summary>
    private bool FitIsolated()
    {
        var healthy = true;
        for (var i = 0; i < _legs.Count; i++)
        {
            var leg = _legs[i];
            if (!leg.Isolated)
            {
                continue;
            }
            var im = _result.PositionImMicros[_portfolio.IndexOf(leg.Instrument.Id)];
            if (im <= _usage * leg.MarginMicros)
            {
                continue;
            }
            healthy = false;
            var lots = Math.Abs(leg.Lots);
            if (lots > 1)
            {
                var f = Math.Clamp(_usage * leg.MarginMicros / im * 0.98, 0.01, 0.98);
                leg.Lots = leg.Sign * Math.Max(1, (long)Math.Floor(lots * f));
                _scaled = true;
            }
            else
            {
                leg.MarginMicros = RoundUpToDollar((long)Math.Ceiling(im / _usage));
            }
            _legs[i] = leg;
        }
        return healthy;
    }

    /// <summary>Scales every cross position (and the option structure) by <paramref name="f"/>, at least one lot
    /// each; false when nothing could shrink.</summary>
    private bool ScaleCross(double f)
    {
        var changed = false;
        for (var i = 0; i < _legs.Count; i++)
        {
            var leg = _legs[i];
            if (leg.Isolated || leg.Ratio != 0)
            {
                continue;
            }
            var lots = Math.Max(1, (long)Math.Floor(Math.Abs(leg.Lots) * f));
            if (lots != Math.Abs(leg.Lots))
            {
                leg.Lots = leg.Sign * lots;
                _legs[i] = leg;
                changed = true;
            }
        }
        var units = Math.Max(1, (long)Math.Floor(_structureUnits * f));
        if (_structureUnits > 0 && units != _structureUnits)
        {
            _structureUnits = units;
            SetStructureLots();
            changed = true;
        }
        _scaled |= changed;
        return changed;
    }

    private void TopUp(long deficitMicros)
    {
        _usdMicros += RoundUpToDollar(deficitMicros + deficitMicros / 100 + Micros.PerUnit);
        _toppedUp = true;
    }

    /// <summary>The main sub-account as <see cref="AccountState"/> holds it after the commands, in their order:
    /// deposits, isolated fills each followed by its margin, then cross fills. Returns how much USD the tightest
    /// SetIsolatedMargin lacks (0 when every one finds its margin in the balance).</summary>
    private long BuildMain()
    {
        var p = _portfolio;
        p.Clear();
        p.Mode = _mode == BookMode.Portfolio ? MarginMode.Portfolio : MarginMode.Standard;
        p.Balances[0] = _usdMicros;
        if (_assetId != 0)
        {
            p.Balances[_assetId] += _assetUnits;
        }
        long shortfall = 0;
        for (var pass = 0; pass < 2; pass++)
        {
            for (var i = 0; i < _legs.Count; i++)
            {
                var leg = _legs[i];
                if (leg.Isolated != (pass == 0))
                {
                    continue;
                }
                leg.FeeMicros = Fee(leg);
                _legs[i] = leg;
                MarginChecks.ApplyFill(p, leg.Instrument, leg.Lots, leg.Price, leg.FeeMicros);
                if (leg.Isolated)
                {
                    shortfall = Math.Max(shortfall, leg.MarginMicros - p.Balances[0]);
                    var j = p.IndexOf(leg.Instrument.Id);
                    p.Balances[0] -= leg.MarginMicros;
                    p[j].IsolatedMarginMicros = leg.MarginMicros;
                    p[j].IsIsolated = true;
                }
            }
        }
        return shortfall;
    }

    private long Fee(in Leg leg)
    {
        var units = Math.Abs(leg.Lots) * leg.Instrument.LotSize;
        var fees = _spec.Fees;
        if (leg.Instrument.IsLinear)
        {
            return Micros.RoundRequirementUp(units * leg.Price * fees.LinearTakerRate);
        }
        var s = _u.Index[leg.Instrument.UnderlyingId];
        return Micros.RoundRequirementUp(Math.Min(units * s * fees.OptionTakerRate,
            units * leg.Price * fees.OptionFeeCap));
    }

    /// <summary>The hedge sub-account: USD and one perpetual against the main book's largest linear position (or
    /// its option structure's first leg).</summary>
    private Leg PlanHedge(double hedgeEquity)
    {
        var usd = Math.Max(1, (long)Math.Floor(hedgeEquity)) * Micros.PerUnit;
        var main = _legs.FindIndex(l => l.Ratio == 0);
        var against = _legs[main >= 0 ? main : 0];
        var u = against.Instrument.UnderlyingId;
        var mainSign = Math.Sign(against.Lots);
        var perp = _u.Perpetual[u];
        var s = _u.Index[u];
        var notional = usd / Micros.PerUnitDouble * _spec.Hedge.Leverage;
        var lots = Math.Max(1, (long)Math.Round(notional / (perp.LotSize * s)));
        var leg = Leg.Linear(perp, s, -mainSign, false);
        leg.MarginMicros = usd; // the hedge's deposit, carried here
        for (var iteration = 0; ; iteration++)
        {
            leg.Lots = leg.Sign * lots;
            leg.FeeMicros = Fee(leg);
            _portfolio.Clear();
            _portfolio.Balances[0] = leg.MarginMicros;
            MarginChecks.ApplyFill(_portfolio, perp, leg.Lots, s, leg.FeeMicros);
            _evaluator.Evaluate(_portfolio, _market, _arrays, _result);
            var im = _result.InitialMarginMicros;
            var equity = _result.EquityImMicros;
            if (im <= _usage * equity)
            {
                return leg;
            }
            if (lots > 1 && iteration < MaxScalingRounds)
            {
                lots = Math.Max(1, (long)Math.Floor(lots * Math.Clamp(_usage * equity / im * 0.98, 0.01, 0.98)));
                _scaled = true;
            }
            else if (iteration < MaxIterations)
            {
                leg.MarginMicros += RoundUpToDollar((long)Math.Ceiling(im / _usage) - equity + Micros.PerUnit);
                _toppedUp = true;
            }
            else
            {
                throw new InvalidOperationException("the book generator could not open a hedge sub-account healthily");
            }
        }
    }

    private AccountOpening Commands(int number, bool whale, double leverage,
        OptionStructure structure, bool hedged, Leg hedge)
    {
        var at = _u.Start.AtMs;
        var p = _u.Catalog.Params;
        var id = BookGenerator.AccountId(number);
        var commands = new List<IAccountCommand>(_legs.Count * 2 + 4);
        var deposits = 0;
        var fills = 0;
        if (_usdMicros > 0)
        {
            commands.Add(new Deposit(id, $"dep-{number}-{deposits++}", Main, p.Assets[0].Name, _usdMicros, at));
        }
        if (_assetId != 0 && _assetUnits > 0)
        {
            commands.Add(new Deposit(id, $"dep-{number}-{deposits++}", Main, p.Assets[_assetId].Name, _assetUnits, at));
        }
        if (_mode == BookMode.Portfolio)
        {
            commands.Add(new SetMode(id, $"mode-{number}", Main, MarginMode.Portfolio, at));
        }
        var tally = new Tally();
        for (var pass = 0; pass < 2; pass++)
        {
            foreach (var leg in _legs)
            {
                if (leg.Isolated != (pass == 0))
                {
                    continue;
                }
                var k = fills++;
                commands.Add(new ApplyFill(id, $"open-{number}-{k}", Main, leg.Instrument.Name, leg.Lots, leg.Price,
                    leg.FeeMicros, at));
                if (leg.Isolated)
                {
                    commands.Add(new SetIsolatedMargin(id, $"iso-{number}-{k}", Main, leg.Instrument.Name,
                        leg.MarginMicros, at));
                }
                tally.Add(leg);
            }
        }
        var equityMicros = _usdMicros + (_assetId != 0
            ? Micros.RoundValueDown(_assetUnits / (double)FixedPoint.Scale(p.Assets[_assetId].Decimals) *
                                    _market.AssetPrice(_assetId))
            : 0);
        if (hedged)
        {
            commands.Add(new Deposit(id, $"dep-{number}-{deposits}", HedgeSubAccount, p.Assets[0].Name,
                hedge.MarginMicros, at));
            commands.Add(new ApplyFill(id, $"open-{number}-{fills}", HedgeSubAccount, hedge.Instrument.Name,
                hedge.Lots, hedge.Price, hedge.FeeMicros, at));
            equityMicros += hedge.MarginMicros;
            tally.Add(hedge);
        }
        var profile = new AccountProfile(number, _mode, whale, p.Assets[_assetId].Name, equityMicros, leverage,
            structure, hedged, tally.Perpetuals, tally.Futures, tally.Options, tally.Isolated, tally.Longs,
            tally.Shorts, Micros.RoundValueDown(tally.Gross), Micros.RoundValueDown(tally.FutureNotional), _scaled,
            _toppedUp);
        return new AccountOpening(id, profile, commands);
    }

    private static long RoundUpToDollar(long micros) =>
        (micros + Micros.PerUnit - 1) / Micros.PerUnit * Micros.PerUnit;

    /// <summary>Positions by kind and direction, and linear notional at the start marks (USD).</summary>
    private struct Tally
    {
        public int Perpetuals;
        public int Futures;
        public int Options;
        public int Isolated;
        public int Longs;
        public int Shorts;
        public double Gross;
        public double FutureNotional;

        public void Add(in Leg leg)
        {
            Isolated += leg.Isolated ? 1 : 0;
            if (!leg.Instrument.IsLinear)
            {
                Options++;
                return;
            }
            var notional = Math.Abs(leg.Lots) * leg.Instrument.LotSize * leg.Price;
            Gross += notional;
            if (leg.Instrument.Kind == InstrumentKind.Future)
            {
                Futures++;
                FutureNotional += notional;
            }
            else
            {
                Perpetuals++;
            }
            Longs += leg.Lots > 0 ? 1 : 0;
            Shorts += leg.Lots < 0 ? 1 : 0;
        }
    }

    /// <summary>A planned position: a free linear position (ratio 0), or a leg of the option structure whose size is
    /// <c>units × Ratio</c> lots.</summary>
    private struct Leg
    {
        public Instrument Instrument;
        public long Lots;
        public long Ratio;
        public int Sign;
        public double Price;
        public bool Isolated;
        public long MarginMicros;
        public long FeeMicros;

        public static Leg Linear(Instrument instrument, double price, int sign, bool isolated) => new()
        {
            Instrument = instrument, Price = price, Sign = sign, Lots = sign, Isolated = isolated,
        };

        public static Leg Structure(Instrument instrument, double price, long ratio) => new()
        {
            Instrument = instrument, Price = price, Ratio = ratio, Sign = Math.Sign(ratio), Lots = ratio,
        };
    }
}

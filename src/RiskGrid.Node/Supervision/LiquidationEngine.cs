using System.Collections.Concurrent;
using System.Globalization;
using Akka.Actor;
using Akka.Event;
using RiskGrid.Margin;
using RiskGrid.Margin.Accounts;
using RiskGrid.Margin.Evaluation;
using RiskGrid.Margin.Instruments;
using RiskGrid.Margin.Liquidation;
using RiskGrid.Margin.Market;
using RiskGrid.Margin.Portfolio;
using RiskGrid.Node.Accounts;
using RiskGrid.Node.Prices;
using RiskGrid.Node.Time;

namespace RiskGrid.Node.Supervision;

/// <summary>How a liquidation attempt ended.</summary>
public enum LiquidationStatus
{
    /// <summary>Every planned close was applied (the account is restored, or closed out).</summary>
    Completed,

    /// <summary>Some closes were applied; the liquidity budget cut the rest (it waits for the next evaluation).</summary>
    Throttled,

    /// <summary>Nothing to do: healthy on the latest state.</summary>
    Healthy,

    /// <summary>An index it depends on is stale or inside the wick guard: must wait.</summary>
    Blocked,

    /// <summary>The account moved on while the plan ran (a fill, a shard move): re-detected on its new state.</summary>
    Stale,

    /// <summary>The account is not on this node any more, or an ask failed.</summary>
    Failed,
}

/// <summary>What one liquidation attempt did.</summary>
public sealed record LiquidationOutcome(LiquidationCandidate Candidate, LiquidationStatus Status, LiquidationKind Kind,
    int Steps, int AdlSteps, long FeesMicros, long CoveredMicros, long BadDebtMicros, double HealthAfter);

/// <summary>
/// One liquidation of a sub-account (§9), run by the engine's stream: plans with the margin core on the latest copy
/// of the account and the node's market, cuts each close to the instrument's liquidity budget, and sends each close
/// to the account entity as an <see cref="ApplyReduction"/> whose id is derived from (account, sub-account, journal
/// position, step): a plan made twice on the same state has the same ids, so the entity applies it once; a plan made on
/// an old state is refused (<see cref="RejectionCode.Conflict"/>). The cross pool and each isolated position are
/// planned and closed separately: an isolated position's closes settle into its own margin.
/// <para>Bankruptcy: before closing, the fund grants what it can of the planned deficit; what it cannot cover is
/// auto-deleveraged: the best-ranked opposite positions across the cluster are reduced at the bankrupt account's
/// bankruptcy price (the price that moves the uncovered deficit onto them), and the bankrupt account closes those lots
/// at the same price. After the closes, the fund covers whatever raw deficit is still left (rounding, a thin
/// opposite side) and books what its balance cannot pay as bad debt.</para>
/// </summary>
public sealed class LiquidationEngine
{
    private readonly InstrumentCatalog _catalog;
    private readonly Func<MarketSnapshot> _market;
    private readonly RiskBookFeed _feed;
    private readonly IActorRef _accounts;
    private readonly IActorRef _fund;
    private readonly IAdlSource _adl;
    private readonly SupervisorSettings _settings;
    private readonly LiquidityBudget _budget;
    private readonly IGridClock _clock;
    private readonly ILoggingAdapter? _log;
    private readonly ConcurrentBag<Worker> _workers = [];

    public LiquidationEngine(InstrumentCatalog catalog, Func<MarketSnapshot> market, RiskBookFeed feed,
        IActorRef accounts, IActorRef fund, IAdlSource adl, SupervisorSettings settings, IGridClock clock,
        ILoggingAdapter? log = null)
    {
        _catalog = catalog ?? throw new ArgumentNullException(nameof(catalog));
        _market = market ?? throw new ArgumentNullException(nameof(market));
        _feed = feed ?? throw new ArgumentNullException(nameof(feed));
        _accounts = accounts ?? throw new ArgumentNullException(nameof(accounts));
        _fund = fund ?? throw new ArgumentNullException(nameof(fund));
        _adl = adl ?? throw new ArgumentNullException(nameof(adl));
        _settings = settings ?? throw new ArgumentNullException(nameof(settings));
        _clock = clock ?? throw new ArgumentNullException(nameof(clock));
        _budget = new LiquidityBudget(settings.BudgetOf, () => clock.NowMs);
        _log = log;
    }

    /// <summary>The engine's liquidity budget.</summary>
    public LiquidityBudget Budget => _budget;

    /// <summary>Liquidates <paramref name="candidate"/> as far as the latest state, prices and budget allow.</summary>
    public async Task<LiquidationOutcome> RunAsync(LiquidationCandidate candidate)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        if (!_workers.TryTake(out var w))
        {
            w = new Worker(_catalog);
        }
        try
        {
            return await RunAsync(candidate, w).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException or OperationCanceledException)
        {
            _log?.Warning("Liquidation of {0}/{1} timed out: re-detected on the next evaluation", candidate.AccountId,
                candidate.SubAccount);
            return Outcome(candidate, LiquidationStatus.Failed);
        }
        finally
        {
            _workers.Add(w);
        }
    }

    private async Task<LiquidationOutcome> RunAsync(LiquidationCandidate c, Worker w)
    {
        if (!_feed.TryGetLatest(c.AccountId, out var copy))
        {
            return Outcome(c, LiquidationStatus.Failed);
        }
        var subIndex = IndexOf(copy, c.SubAccount);
        if (subIndex < 0)
        {
            return Outcome(c, LiquidationStatus.Failed);
        }
        var snapshot = _market();
        w.Market.CopyFrom(snapshot.Market);
        var portfolio = copy.Subs[subIndex];
        var run = new Run(c, copy.SequenceNr);

        // The cross pool first, then each isolated position on its own.
        w.Evaluator.Evaluate(portfolio, w.Market, w.Arrays, w.Result);
        var isolated = new List<int>();
        for (var i = 0; i < portfolio.PositionCount; i++)
        {
            ref readonly var p = ref portfolio.Positions[i];
            if (p.IsIsolated && p.SizeLots != 0 && w.Result.PositionMmMicros[i] > 0 &&
                w.Result.IsolatedEquityMicros[i] < w.Result.PositionMmMicros[i])
            {
                isolated.Add(i);
            }
        }
        var crossDue = w.Result.BelowMaintenance;
        if (!crossDue && isolated.Count == 0)
        {
            return Outcome(c, LiquidationStatus.Healthy, health: w.Result.Health);
        }
        if (crossDue && !CanLiquidate(portfolio, snapshot, isolatedOnly: -1))
        {
            crossDue = false;
            run.Blocked = true;
        }
        if (crossDue)
        {
            w.Planner.Plan(portfolio, w.Market, w.Arrays, w.Plan);
            if (w.Plan.Kind != LiquidationKind.None &&
                !await ExecutePoolAsync(run, w, portfolio, "", w.Result.EquityRawMicros).ConfigureAwait(false))
            {
                return run.Finish(this);
            }
        }
        foreach (var i in isolated)
        {
            if (!CanLiquidate(portfolio, snapshot, isolatedOnly: i))
            {
                run.Blocked = true;
                continue;
            }
            // An isolated position is margined alone: a one-position pool whose only collateral is its margin.
            var pool = w.IsolatedPool;
            pool.Clear();
            pool.Mode = MarginMode.Standard;
            Array.Clear(pool.Balances);
            pool.Balances[0] = portfolio.Positions[i].IsolatedMarginMicros;
            var single = portfolio.Positions[i];
            single.IsIsolated = false;
            single.IsolatedMarginMicros = 0;
            pool.Add(single);
            w.Evaluator.Evaluate(pool, w.Market, w.Arrays, w.Result);
            w.Planner.Plan(pool, w.Market, w.Arrays, w.Plan);
            if (w.Plan.Kind != LiquidationKind.None &&
                !await ExecutePoolAsync(run, w, pool, _catalog[single.Instrument].Name, w.Result.EquityRawMicros)
                    .ConfigureAwait(false))
            {
                return run.Finish(this);
            }
        }
        return run.Finish(this);
    }

    // Executes the plan in w.Plan for one pool (isolatedInstrument "" = the cross pool); false when the run must stop.
    private async Task<bool> ExecutePoolAsync(Run run, Worker w, SubAccountPortfolio pool, string isolatedInstrument,
        long equityRawMicros)
    {
        var c = run.Candidate;
        var plan = w.Plan;
        var kind = plan.Kind;
        run.Kind = Worse(run.Kind, kind);
        var liquidationId = "liq:" + Hash(c.AccountId, c.SubAccount, isolatedInstrument, run.BasisSequenceNr);
        var steps = new List<Step>(plan.Count);
        var slipAndFees = 0L;
        foreach (ref readonly var close in plan.Steps)
        {
            var ins = _catalog[close.Instrument];
            var sign = Math.Sign(pool.Positions[close.PositionIndex].SizeLots);
            steps.Add(new Step(ins, sign, close.ReduceLots, close.Price, close.FeeMicros));
            slipAndFees += close.SlippageMicros + close.FeeMicros;
        }
        var healthAfter = plan.HealthAfter;
        var now = _clock.NowMs;

        // Bankruptcy: what the fund's balance cannot cover of the planned deficit is auto-deleveraged.
        var deficit = Math.Max(0, -(equityRawMicros - slipAndFees));
        if (deficit > 0)
        {
            var fund = await _fund.Ask<FundView>(GetFund.Instance, _settings.AskTimeout).ConfigureAwait(false);
            var uncovered = deficit - Math.Clamp(fund.BalanceMicros, 0, deficit);
            if (uncovered > 0)
            {
                steps = await DeleverageAsync(run, steps, uncovered).ConfigureAwait(false);
            }
        }

        // The closes, in order, each cut to the instrument's liquidity budget.
        var k = 0;
        foreach (var step in steps)
        {
            var lots = step.Lots;
            var adl = step.Counterparties is not null;
            var notional = lots * step.Instrument.LotSize * step.Price;
            if (!adl)
            {
                var allowed = _budget.Take(step.Instrument.Name, notional);
                if (allowed < notional)
                {
                    var fit = (long)Math.Floor(allowed / (step.Instrument.LotSize * step.Price));
                    _budget.Refund(step.Instrument.Name, allowed - fit * step.Instrument.LotSize * step.Price);
                    run.Throttled = true;
                    if (fit <= 0)
                    {
                        break;
                    }
                    lots = fit;
                }
            }
            var fee = lots == step.Lots ? step.FeeMicros
                : Math.Min(step.FeeMicros, Micros.RoundRequirementUp(step.FeeMicros * (double)lots / step.Lots));
            var command = new ApplyReduction(c.AccountId, liquidationId + ":" + k.ToString(CultureInfo.InvariantCulture),
                c.SubAccount, step.Instrument.Name, ReductionKind.Liquidation, -step.Sign * lots, step.Price, fee, now,
                liquidationId, kind, run.SequenceNr);
            var reply = await _accounts.Ask<IAccountReply>(command, _settings.AskTimeout).ConfigureAwait(false);
            k++;
            switch (reply)
            {
                case CommandAccepted accepted:
                    run.SequenceNr = accepted.SequenceNr;
                    run.Steps++;
                    run.Fees += fee;
                    if (adl)
                    {
                        // The bankrupt's side is applied: now the opposite side, at the same price.
                        await ReduceCounterpartiesAsync(run, liquidationId, k - 1, step, now).ConfigureAwait(false);
                    }
                    break;
                case CommandRejected { Code: RejectionCode.Conflict }:
                case CommandRepeated:
                    run.Stale = true;
                    return false;
                case CommandRejected rejected:
                    _log?.Warning("Liquidation step {0} refused: {1} ({2})", command.CommandId, rejected.Message,
                        rejected.Field);
                    run.Failed = true;
                    return false;
                default:
                    run.Failed = true;
                    return false;
            }
            if (run.Throttled)
            {
                break;
            }
        }
        run.HealthAfter = run.Throttled ? double.NaN : healthAfter;

        // The fund covers the raw deficit left after the closes (from its balance, the rest booked as bad debt). The
        // payout id names the journal position after the closes: a retry on the same state asks for the same payout
        // (the fund answers it again and delivers it once); once delivered, nothing is left to cover.
        if (!run.Throttled && _feed.TryGetLatest(c.AccountId, out var after) && after.SequenceNr == run.SequenceNr)
        {
            var left = RawEquityLeft(w, after, c.SubAccount, isolatedInstrument);
            if (left < 0 && NothingOpen(after, c.SubAccount, isolatedInstrument))
            {
                var payoutId = "cov:" + Hash(c.AccountId, c.SubAccount, isolatedInstrument, run.SequenceNr);
                var covered = await _fund.Ask<DeficitCovered>(new CoverDeficit(payoutId, c.AccountId, c.SubAccount,
                    isolatedInstrument, -left, true, now), _settings.AskTimeout).ConfigureAwait(false);
                if (covered.GrantedMicros > 0)
                {
                    await PayAsync(run, payoutId, c, isolatedInstrument, covered.GrantedMicros, now).ConfigureAwait(false);
                    run.Covered += covered.GrantedMicros - covered.BadDebtMicros;
                    run.BadDebt += covered.BadDebtMicros;
                }
            }
        }
        return !run.Throttled;
    }

    // Allocates the uncovered deficit to ranked opposite positions at the bankruptcy price and splits the bankrupt's
    // closes accordingly: each ADL part carries its counterparties, reduced right after the bankrupt's close succeeds.
    private async Task<List<Step>> DeleverageAsync(Run run, List<Step> steps, long uncovered)
    {
        var c = run.Candidate;
        var result = new List<Step>(steps.Count + 4);
        var left = uncovered;
        foreach (var step in steps)
        {
            if (left <= 0 || !step.Instrument.IsLinear)
            {
                result.Add(step);
                continue;
            }
            // Ask for twice the lots, so a counterparty whose position shrank meanwhile has a stand-in.
            var candidates = await _adl.FindAsync(new FindAdlCandidates(step.Instrument.Name, step.Sign < 0,
                2 * step.Lots, c.AccountId)).ConfigureAwait(false);
            var depth = 0L;
            foreach (var cand in candidates)
            {
                depth += Math.Abs(cand.SizeLots);
            }
            var lots = Math.Min(step.Lots, depth);
            if (lots <= 0)
            {
                result.Add(step);
                continue;
            }
            // The price that moves the uncovered deficit onto the counterparties; a short's buy-back price cannot go
            // below zero.
            var units = step.Instrument.LotSize;
            var shift = Micros.ToUsd(left) / (lots * units);
            var price = step.Sign > 0 ? step.Price + shift : Math.Max(0, step.Price - shift);
            left -= Micros.RoundValueDown(Math.Abs(price - step.Price) * lots * units);
            result.Add(step with { Lots = lots, Price = price, FeeMicros = 0, Counterparties = candidates });
            if (lots < step.Lots)
            {
                result.Add(step with { Lots = step.Lots - lots });
            }
        }
        return result;
    }

    // Reduces the counterparties of an ADL close (idempotent ids under the liquidation id); returns lots taken.
    private async Task<long> ReduceCounterpartiesAsync(Run run, string liquidationId, int stepIndex, Step step, long now)
    {
        long taken = 0;
        var n = 0;
        foreach (var cand in step.Counterparties!)
        {
            if (taken >= step.Lots)
            {
                break;
            }
            var want = Math.Min(step.Lots - taken, Math.Abs(cand.SizeLots));
            var id = "adl:" + Hash(liquidationId, cand.AccountId, cand.SubAccount, stepIndex) + ":" +
                     n.ToString(CultureInfo.InvariantCulture);
            n++;
            var reply = await _accounts.Ask<IAccountReply>(new ApplyReduction(cand.AccountId, id, cand.SubAccount,
                step.Instrument.Name, ReductionKind.AutoDeleveraging, step.Sign * want, step.Price, 0, now,
                liquidationId, LiquidationKind.Bankrupt), _settings.AskTimeout).ConfigureAwait(false);
            if (reply is CommandAccepted or CommandRepeated)
            {
                taken += want;
                run.AdlSteps++;
            }
        }
        if (taken < step.Lots)
        {
            _log?.Warning("ADL of {0}: counterparties took {1} of {2} lots (positions moved since the ranking)",
                liquidationId, taken, step.Lots);
        }
        return taken;
    }

    private async Task PayAsync(Run run, string payoutId, LiquidationCandidate c, string instrument, long amount,
        long now)
    {
        var reply = await _accounts.Ask<IAccountReply>(new ReceiveInsurance(c.AccountId, payoutId, c.SubAccount,
            instrument, amount, now), _settings.AskTimeout).ConfigureAwait(false);
        if (reply is CommandAccepted accepted)
        {
            run.SequenceNr = accepted.SequenceNr;
            _fund.Tell(new ConfirmPayout(payoutId, now));
        }
        else if (reply is CommandRepeated)
        {
            _fund.Tell(new ConfirmPayout(payoutId, now));
        }
    }

    // True when the pool has no open position left (the cross pool: none that is not isolated).
    private bool NothingOpen(AccountCopy copy, string sub, string isolatedInstrument)
    {
        var i = IndexOf(copy, sub);
        if (i < 0)
        {
            return true;
        }
        foreach (ref readonly var p in copy.Subs[i].Positions)
        {
            var open = p.SizeLots != 0 && (isolatedInstrument.Length == 0
                ? !p.IsIsolated
                : p.IsIsolated && _catalog[p.Instrument].Name == isolatedInstrument);
            if (open)
            {
                return false;
            }
        }
        return true;
    }

    // Raw equity of the pool on a copy: the cross pool, or an isolated position's margin plus its uPnL.
    private long RawEquityLeft(Worker w, AccountCopy copy, string sub, string isolatedInstrument)
    {
        var i = IndexOf(copy, sub);
        if (i < 0)
        {
            return 0;
        }
        var portfolio = copy.Subs[i];
        w.Evaluator.Evaluate(portfolio, w.Market, w.Arrays, w.Result);
        if (isolatedInstrument.Length == 0)
        {
            return w.Result.EquityRawMicros;
        }
        var id = _catalog.Resolve(isolatedInstrument).Id;
        var k = portfolio.IndexOf(id);
        return k < 0 ? 0 : w.Result.IsolatedEquityMicros[k];
    }

    // §8: a pool is liquidated only when every index it depends on is fresh and outside the wick guard.
    private bool CanLiquidate(SubAccountPortfolio p, MarketSnapshot snapshot, int isolatedOnly)
    {
        for (var i = 0; i < p.PositionCount; i++)
        {
            ref readonly var pos = ref p.Positions[i];
            if (isolatedOnly >= 0 ? i != isolatedOnly : pos.IsIsolated)
            {
                continue;
            }
            if (!snapshot.Oracle(_catalog[pos.Instrument].UnderlyingId).CanLiquidate)
            {
                return false;
            }
        }
        if (isolatedOnly < 0)
        {
            for (var a = 1; a < p.Balances.Length; a++)
            {
                var u = _catalog.Params.AssetUnderlyingId(a);
                if (p.Balances[a] != 0 && u >= 0 && !snapshot.Oracle(u).CanLiquidate)
                {
                    return false;
                }
            }
        }
        return true;
    }

    private static int IndexOf(AccountCopy copy, string sub)
    {
        for (var i = 0; i < copy.SubNames.Count; i++)
        {
            if (copy.SubNames[i] == sub)
            {
                return i;
            }
        }
        return -1;
    }

    private static LiquidationKind Worse(LiquidationKind a, LiquidationKind b) => (LiquidationKind)Math.Max((int)a, (int)b);

    private static LiquidationOutcome Outcome(LiquidationCandidate c, LiquidationStatus status, double health = double.NaN) =>
        new(c, status, LiquidationKind.None, 0, 0, 0, 0, 0, health);

    /// <summary>A short stable id (FNV-1a 64 of the parts), so command ids stay within 64 characters.</summary>
    internal static string Hash(string a, string b, string c, long n)
    {
        var h = 14695981039346656037UL;
        foreach (var s in (ReadOnlySpan<string>)[a, "\u0000", b, "\u0000", c, "\u0000"])
        {
            foreach (var ch in s)
            {
                h = (h ^ ch) * 1099511628211UL;
            }
        }
        for (var i = 0; i < 8; i++)
        {
            h = (h ^ (byte)(n >> (8 * i))) * 1099511628211UL;
        }
        return h.ToString("x16", CultureInfo.InvariantCulture);
    }

    private sealed record Step(Instrument Instrument, int Sign, long Lots, double Price, long FeeMicros,
        IReadOnlyList<AdlCandidate>? Counterparties = null);

    private sealed class Run(LiquidationCandidate candidate, long basisSequenceNr)
    {
        public LiquidationCandidate Candidate { get; } = candidate;
        public long BasisSequenceNr { get; } = basisSequenceNr;
        public long SequenceNr { get; set; } = basisSequenceNr;
        public LiquidationKind Kind { get; set; }
        public int Steps { get; set; }
        public int AdlSteps { get; set; }
        public long Fees { get; set; }
        public long Covered { get; set; }
        public long BadDebt { get; set; }
        public double HealthAfter { get; set; } = double.NaN;
        public bool Throttled { get; set; }
        public bool Blocked { get; set; }
        public bool Stale { get; set; }
        public bool Failed { get; set; }

        public LiquidationOutcome Finish(LiquidationEngine _)
        {
            var status = Failed ? LiquidationStatus.Failed
                : Stale ? LiquidationStatus.Stale
                : Throttled ? LiquidationStatus.Throttled
                : Steps == 0 && Blocked ? LiquidationStatus.Blocked
                : Steps == 0 && Kind == LiquidationKind.None ? LiquidationStatus.Healthy
                : LiquidationStatus.Completed;
            return new LiquidationOutcome(Candidate, status, Kind, Steps, AdlSteps, Fees, Covered, BadDebt, HealthAfter);
        }
    }

    private sealed class Worker
    {
        public Worker(InstrumentCatalog catalog)
        {
            Evaluator = new MarginEvaluator(catalog);
            Planner = new LiquidationPlanner(Evaluator);
            Result = new MarginResult(catalog.Params.Underlyings.Count);
            Plan = new LiquidationPlan();
            Market = new MarketState(catalog.Params);
            Arrays = new RiskArrays(catalog);
            IsolatedPool = new SubAccountPortfolio(catalog.Params, 1);
        }

        public MarginEvaluator Evaluator { get; }
        public LiquidationPlanner Planner { get; }
        public MarginResult Result { get; }
        public LiquidationPlan Plan { get; }
        public MarketState Market { get; }
        public RiskArrays Arrays { get; }
        public SubAccountPortfolio IsolatedPool { get; }
    }
}

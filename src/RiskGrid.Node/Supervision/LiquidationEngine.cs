using System.Collections.Concurrent;
using System.Diagnostics;
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
    private readonly RiskMetrics? _metrics;
    private readonly ConcurrentBag<Worker> _workers = [];
    private readonly Worker _planWorker;
    private readonly ExecutionGate _executing = new();

    public LiquidationEngine(InstrumentCatalog catalog, Func<MarketSnapshot> market, RiskBookFeed feed,
        IActorRef accounts, IActorRef fund, IAdlSource adl, SupervisorSettings settings, IGridClock clock,
        ILoggingAdapter? log = null, RiskMetrics? metrics = null)
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
        _planWorker = new Worker(catalog);
        _log = log;
        _metrics = metrics;
    }

    // Where a liquidation's time goes (RiskMetrics.Stage), from a Stopwatch timestamp taken before the stage.
    private void Timed(EngineStage stage, long startedTicks) => _metrics?.Stage(stage).RecordSince(startedTicks);

    /// <summary>The engine's liquidity budget.</summary>
    public LiquidityBudget Budget => _budget;

    /// <summary>Liquidates <paramref name="candidate"/> as far as the latest state, prices and budget allow (prepare
    /// and execute in one go).</summary>
    public async Task<LiquidationOutcome> RunAsync(LiquidationCandidate candidate)
    {
        var prepared = await PrepareAsync(candidate).ConfigureAwait(false);
        return prepared.Outcome ?? await ExecuteAsync(prepared).ConfigureAwait(false);
    }

    /// <summary>
    /// The sequential half, called in queue order: plans every pool of the candidate on its latest copy and the
    /// node's market, and takes the closes' liquidity budget, so plans and budget do not depend on how parallel
    /// executions interleave. A plan with a deficit to cover (a bankruptcy: the fund's balance and the ADL ranking
    /// decide it) in stepped mode waits until no other liquidation is executing and is executed here, one at a time, in
    /// queue order.
    /// The result carries an outcome when it is finished; otherwise <see cref="ExecuteAsync"/> applies it.
    /// </summary>
    public async Task<PreparedLiquidation> PrepareAsync(LiquidationCandidate candidate)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        var started = Stopwatch.GetTimestamp();
        var prepared = Prepare(candidate, _planWorker);
        Timed(EngineStage.Prepare, started);
        // Live, bankruptcies execute in parallel like the rest (the counterparties-first ADL keeps every side paired
        // whatever the interleaving); stepped (a reproducible replay), each runs alone once nothing else executes.
        if (prepared.Outcome is not null || !prepared.HasDeficit || !_settings.Stepped)
        {
            if (prepared.Outcome is null)
            {
                _executing.Enter();
            }
            return prepared;
        }
        await _executing.WaitIdleAsync().ConfigureAwait(false);
        prepared.Outcome = await ExecuteCoreAsync(prepared).ConfigureAwait(false);
        return prepared;
    }

    /// <summary>The parallel half: applies a prepared liquidation's closes (and covers, for a bankruptcy).</summary>
    public async Task<LiquidationOutcome> ExecuteAsync(PreparedLiquidation prepared)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        if (prepared.Outcome is not null)
        {
            return prepared.Outcome;
        }
        var started = Stopwatch.GetTimestamp();
        try
        {
            return await ExecuteCoreAsync(prepared).ConfigureAwait(false);
        }
        finally
        {
            Timed(prepared.HasDeficit ? EngineStage.ExecuteBankruptcy : EngineStage.Execute, started);
            _executing.Exit();
        }
    }

    private async Task<LiquidationOutcome> ExecuteCoreAsync(PreparedLiquidation prepared)
    {
        if (!_workers.TryTake(out var w))
        {
            w = new Worker(_catalog);
        }
        try
        {
            w.Market.CopyFrom(_market().Market);
            foreach (var pool in prepared.Pools)
            {
                if (!await ExecutePoolAsync(prepared.Run, w, pool).ConfigureAwait(false))
                {
                    break;
                }
            }
            return prepared.Run.Finish();
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException or OperationCanceledException)
        {
            _log?.Warning("Liquidation of {0}/{1} timed out: re-detected on the next evaluation",
                prepared.Run.Candidate.AccountId, prepared.Run.Candidate.SubAccount);
            return Outcome(prepared.Run.Candidate, LiquidationStatus.Failed);
        }
        finally
        {
            _workers.Add(w);
        }
    }

    private PreparedLiquidation Prepare(LiquidationCandidate c, Worker w)
    {
        if (!_feed.TryGetLatest(c.AccountId, out var copy))
        {
            return PreparedLiquidation.Done(Outcome(c, LiquidationStatus.Failed));
        }
        var subIndex = IndexOf(copy, c.SubAccount);
        if (subIndex < 0)
        {
            return PreparedLiquidation.Done(Outcome(c, LiquidationStatus.Failed));
        }
        var snapshot = _market();
        w.Market.CopyFrom(snapshot.Market);
        var portfolio = copy.Subs[subIndex];
        var run = new Run(c, copy.SequenceNr);
        var pools = new List<PoolPlan>();

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
            return PreparedLiquidation.Done(Outcome(c, LiquidationStatus.Healthy, health: w.Result.Health));
        }
        var now = _clock.NowMs;
        if (crossDue && !CanLiquidate(portfolio, snapshot, isolatedOnly: -1))
        {
            run.Blocked = true;
        }
        else if (crossDue)
        {
            var raw = w.Result.EquityRawMicros;
            w.Planner.Plan(portfolio, w.Market, w.Arrays, w.Plan);
            if (w.Plan.Kind != LiquidationKind.None)
            {
                pools.Add(PoolOf(run, w.Plan, portfolio, "", raw));
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
            var raw = w.Result.EquityRawMicros;
            w.Planner.Plan(pool, w.Market, w.Arrays, w.Plan);
            if (w.Plan.Kind != LiquidationKind.None)
            {
                pools.Add(PoolOf(run, w.Plan, pool, _catalog[single.Instrument].Name, raw));
            }
        }
        _ = now;
        if (pools.Count == 0)
        {
            return PreparedLiquidation.Done(run.Finish());
        }
        return new PreparedLiquidation(run, pools);
    }

    // A pool's plan as closes, each cut to the instrument's liquidity budget (taken now, in queue order); closes
    // after the first one the budget cuts are left for the next evaluation.
    private PoolPlan PoolOf(Run run, LiquidationPlan plan, SubAccountPortfolio pool, string isolatedInstrument,
        long equityRawMicros)
    {
        var c = run.Candidate;
        var steps = new List<Step>(plan.Count);
        var slipAndFees = 0L;
        var throttled = false;
        foreach (ref readonly var close in plan.Steps)
        {
            slipAndFees += close.SlippageMicros + close.FeeMicros;
            if (throttled)
            {
                continue;
            }
            var ins = _catalog[close.Instrument];
            var sign = Math.Sign(pool.Positions[close.PositionIndex].SizeLots);
            var lots = close.ReduceLots;
            var unitNotional = ins.LotSize * close.Price;
            var notional = lots * unitNotional;
            var allowed = _budget.Take(ins.Name, notional);
            if (allowed < notional)
            {
                var fit = (long)Math.Floor(allowed / unitNotional);
                _budget.Refund(ins.Name, allowed - fit * unitNotional);
                throttled = true;
                if (fit <= 0)
                {
                    continue;
                }
                lots = fit;
            }
            var fee = lots == close.ReduceLots ? close.FeeMicros
                : Math.Min(close.FeeMicros, Micros.RoundRequirementUp(close.FeeMicros * (double)lots / close.ReduceLots));
            steps.Add(new Step(ins, sign, lots, close.Price, fee));
        }
        var liquidationId = "liq:" + Hash(c.AccountId, c.SubAccount, isolatedInstrument, run.BasisSequenceNr);
        // Only a plan that runs to its end may leave a deficit to cover (a cut plan keeps positions open).
        var deficit = throttled ? 0 : Math.Max(0, -(equityRawMicros - slipAndFees));
        return new PoolPlan(isolatedInstrument, plan.Kind, liquidationId, steps, throttled, deficit, plan.HealthAfter);
    }

    // Executes one pool's closes; false when the run must stop (a conflict, a refusal, the budget).
    private async Task<bool> ExecutePoolAsync(Run run, Worker w, PoolPlan pool)
    {
        var c = run.Candidate;
        var steps = pool.Steps;
        var now = _clock.NowMs;
        run.Kind = Worse(run.Kind, pool.Kind);

        // Bankruptcy: what the fund's balance cannot cover of the planned deficit is auto-deleveraged.
        if (pool.DeficitMicros > 0)
        {
            var asked = Stopwatch.GetTimestamp();
            var fund = await _fund.Ask<FundView>(GetFund.Instance, _settings.AskTimeout).ConfigureAwait(false);
            Timed(EngineStage.FundBalance, asked);
            var uncovered = pool.DeficitMicros - Math.Clamp(fund.BalanceMicros, 0, pool.DeficitMicros);
            if (uncovered > 0)
            {
                steps = await DeleverageAsync(run, steps, uncovered).ConfigureAwait(false);
            }
        }

        steps = [.. steps];
        for (var k = 0; k < steps.Count; k++)
        {
            var step = steps[k];
            if (step.Counterparties is not null)
            {
                // The opposite side first, at the bankruptcy price: the bankrupt account then closes at that price
                // exactly the lots the counterparties took (a position that moved since the ranking takes fewer), so
                // no ADL price is ever credited without its payer. A retry on the same state has the same
                // liquidation id, so these reductions are not applied twice.
                // The decision is recorded by the fund the first time: a retry of an interrupted liquidation (here or
                // on another node) reduces the same counterparties at the same price, so they are repeats.
                var asked = Stopwatch.GetTimestamp();
                var recorded = await _fund.Ask<ReserveAdl>(new ReserveAdl(pool.LiquidationId + ":" +
                    k.ToString(CultureInfo.InvariantCulture), step.Price, step.Lots, step.Counterparties, now),
                    _settings.AskTimeout).ConfigureAwait(false);
                step = step with { Price = recorded.Price, Lots = recorded.Lots, Counterparties = recorded.Candidates };
                Timed(EngineStage.AdlReservation, asked);
                var taken = await ReduceCounterpartiesAsync(run, pool.LiquidationId, k, step, now).ConfigureAwait(false);
                if (taken < step.Lots)
                {
                    // The rest of this close goes to the market.
                    steps.Insert(k + 1, step with { Lots = step.Lots - taken, Price = step.MarketPrice, Counterparties = null });
                }
                if (taken == 0)
                {
                    continue;
                }
                step = step with { Lots = taken };
            }
            var command = new ApplyReduction(c.AccountId,
                pool.LiquidationId + ":" + k.ToString(CultureInfo.InvariantCulture), c.SubAccount, step.Instrument.Name,
                ReductionKind.Liquidation, -step.Sign * step.Lots, step.Price, step.FeeMicros, now, pool.LiquidationId,
                pool.Kind, run.SequenceNr);
            var sent = Stopwatch.GetTimestamp();
            var reply = await _accounts.Ask<IAccountReply>(command, _settings.AskTimeout).ConfigureAwait(false);
            Timed(EngineStage.Close, sent);
            switch (reply)
            {
                case CommandAccepted accepted:
                    run.SequenceNr = accepted.SequenceNr;
                    run.Steps++;
                    run.Fees += step.FeeMicros;
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
        }
        if (pool.Throttled)
        {
            run.Throttled = true;
            return false;
        }
        run.HealthAfter = pool.HealthAfter;

        // The fund covers the raw deficit left after the closes (from its balance, the rest booked as bad debt). The
        // payout id names the journal position after the closes: a retry on the same state asks for the same payout
        // (the fund answers it again and delivers it once); once delivered, nothing is left to cover.
        var isolatedInstrument = pool.IsolatedInstrument;
        if (_feed.TryGetLatest(c.AccountId, out var after) && after.SequenceNr == run.SequenceNr)
        {
            var left = RawEquityLeft(w, after, c.SubAccount, isolatedInstrument);
            if (left < 0 && NothingOpen(after, c.SubAccount, isolatedInstrument))
            {
                var payoutId = "cov:" + Hash(c.AccountId, c.SubAccount, isolatedInstrument, run.SequenceNr);
                var asked = Stopwatch.GetTimestamp();
                var covered = await _fund.Ask<DeficitCovered>(new CoverDeficit(payoutId, c.AccountId, c.SubAccount,
                    isolatedInstrument, -left, true, now), _settings.AskTimeout).ConfigureAwait(false);
                Timed(EngineStage.Cover, asked);
                if (covered.GrantedMicros > 0)
                {
                    asked = Stopwatch.GetTimestamp();
                    await PayAsync(run, payoutId, c, isolatedInstrument, covered.GrantedMicros, now).ConfigureAwait(false);
                    Timed(EngineStage.Payout, asked);
                    run.Covered += covered.GrantedMicros - covered.BadDebtMicros;
                    run.BadDebt += covered.BadDebtMicros;
                }
            }
        }
        return true;
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
            // The answer reserves these lots of the best-ranked counterparties and adds stand-ins (up to twice the
            // lots), so a counterparty whose position shrank meanwhile has a replacement.
            var asked = Stopwatch.GetTimestamp();
            var candidates = await _adl.FindAsync(new FindAdlCandidates(step.Instrument.Name, step.Sign < 0,
                step.Lots, c.AccountId)).ConfigureAwait(false);
            Timed(EngineStage.AdlCandidates, asked);
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
            // The shift is capped at half the execution price (a short's buy-back price must stay positive, and a
            // counterparty is not closed at an absurd price); what the cap leaves uncovered is the fund's, as bad
            // debt if need be.
            var units = step.Instrument.LotSize;
            var shift = Math.Min(Micros.ToUsd(left) / (lots * units), 0.5 * step.Price);
            var price = step.Sign > 0 ? step.Price + shift : step.Price - shift;
            left -= Micros.RoundValueDown(Math.Abs(price - step.Price) * lots * units);
            result.Add(step with { Lots = lots, Price = price, FeeMicros = 0, Counterparties = candidates,
                MarketPrice = step.Price });
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
            var sent = Stopwatch.GetTimestamp();
            var reply = await _accounts.Ask<IAccountReply>(new ApplyReduction(cand.AccountId, id, cand.SubAccount,
                step.Instrument.Name, ReductionKind.AutoDeleveraging, step.Sign * want, step.Price, 0, now,
                liquidationId, LiquidationKind.Bankrupt), _settings.AskTimeout).ConfigureAwait(false);
            Timed(EngineStage.CounterpartyReduction, sent);
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

    internal sealed record Step(Instrument Instrument, int Sign, long Lots, double Price, long FeeMicros,
        IReadOnlyList<AdlCandidate>? Counterparties = null, double MarketPrice = 0);

    internal sealed class Run(LiquidationCandidate candidate, long basisSequenceNr)
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

        public LiquidationOutcome Finish()
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

    /// <summary>Counts executions in flight; a bankruptcy waits until none is.</summary>
    private sealed class ExecutionGate
    {
        private readonly Lock _gate = new();
        private int _count;
        private TaskCompletionSource? _idle;

        public void Enter()
        {
            lock (_gate)
            {
                _count++;
            }
        }

        public void Exit()
        {
            TaskCompletionSource? idle = null;
            lock (_gate)
            {
                if (--_count == 0)
                {
                    idle = _idle;
                    _idle = null;
                }
            }
            idle?.TrySetResult();
        }

        public Task WaitIdleAsync()
        {
            lock (_gate)
            {
                if (_count == 0)
                {
                    return Task.CompletedTask;
                }
                _idle ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                return _idle.Task;
            }
        }
    }
}

/// <summary>One pool's prepared closes: the cross pool ("" instrument) or an isolated position.</summary>
internal sealed record PoolPlan(string IsolatedInstrument, LiquidationKind Kind, string LiquidationId,
    List<LiquidationEngine.Step> Steps, bool Throttled, long DeficitMicros, double HealthAfter);

/// <summary>A liquidation planned by <see cref="LiquidationEngine.PrepareAsync"/>: finished (with its outcome) or
/// waiting for <see cref="LiquidationEngine.ExecuteAsync"/>.</summary>
public sealed class PreparedLiquidation
{
    internal PreparedLiquidation(LiquidationEngine.Run run, List<PoolPlan> pools)
    {
        Run = run;
        Pools = pools;
        foreach (var p in pools)
        {
            HasDeficit |= p.DeficitMicros > 0;
        }
    }

    private PreparedLiquidation(LiquidationOutcome outcome)
    {
        Outcome = outcome;
        Run = null!;
        Pools = [];
    }

    internal LiquidationEngine.Run Run { get; }

    internal List<PoolPlan> Pools { get; }

    /// <summary>True when a pool's plan leaves a deficit (a bankruptcy: executed alone, in queue order).</summary>
    public bool HasDeficit { get; }

    /// <summary>The outcome, once finished.</summary>
    public LiquidationOutcome? Outcome { get; internal set; }

    internal static PreparedLiquidation Done(LiquidationOutcome outcome) => new(outcome);
}

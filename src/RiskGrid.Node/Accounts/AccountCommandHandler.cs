using RiskGrid.Margin;
using RiskGrid.Margin.Accounts;
using RiskGrid.Margin.Checks;
using RiskGrid.Margin.Evaluation;
using RiskGrid.Margin.Instruments;

namespace RiskGrid.Node.Accounts;

/// <summary>
/// Decides a command against an account's state: either the event to persist or a rejection, never both, and never a
/// change of the state (that is <see cref="AccountState.Apply"/>'s job, after the event is stored). Margin checks
/// (§10) run on private copies against the node's latest market. One handler serves every entity of a node: the
/// margin tools it needs are per thread.
/// </summary>
public sealed class AccountCommandHandler
{
    /// <summary>Longest id (account, sub-account, command) accepted.</summary>
    public const int MaxIdLength = 64;

    [ThreadStatic] private static CheckTools? t_tools;

    private readonly InstrumentCatalog _catalog;
    private readonly IMarketAccessor _market;
    private readonly AccountSettings _settings;

    public AccountCommandHandler(InstrumentCatalog catalog, IMarketAccessor market, AccountSettings settings)
    {
        _catalog = catalog ?? throw new ArgumentNullException(nameof(catalog));
        _market = market ?? throw new ArgumentNullException(nameof(market));
        _settings = settings ?? throw new ArgumentNullException(nameof(settings));
    }

    /// <summary>The catalog instruments resolve through.</summary>
    public InstrumentCatalog Catalog => _catalog;

    /// <summary>The settings (retention, snapshots, limits).</summary>
    public AccountSettings Settings => _settings;

    /// <summary>Journal write latency of this node's account entities (persist to persisted), HdrHistogram µs.</summary>
    public Supervision.LatencyRecorder JournalWrites { get; } = new();

    /// <summary>True when <paramref name="id"/> is a valid account, sub-account or command id: 1–64 characters of
    /// letters, digits and <c>._:-</c>.</summary>
    public static bool IsValidId(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > MaxIdLength)
        {
            return false;
        }
        foreach (var c in id)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or ':' or '-'))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// Decides <paramref name="command"/>: returns the event to persist, or null with <paramref name="rejection"/>.
    /// A command id already applied is the caller's business (see <see cref="SameBody"/>).
    /// </summary>
    public IAccountEvent? Decide(AccountState state, IAccountCommand command, out CommandRejected? rejection)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(command);
        if (!IsValidId(command.CommandId))
        {
            rejection = Malformed("commandId", "commandId must be 1-64 characters of letters, digits and ._:-");
            return null;
        }
        if (!state.Exists && command is not Deposit)
        {
            rejection = new CommandRejected(RejectionCode.NotFound, "accountId",
                $"account {command.AccountId} does not exist: a deposit opens it");
            return null;
        }
        rejection = null;
        return command switch
        {
            Deposit d => DecideDeposit(state, d, out rejection),
            Withdraw w => DecideWithdraw(state, w, out rejection),
            Transfer t => DecideTransfer(state, t, out rejection),
            ApplyFill f => DecideFill(state, f, out rejection),
            SetMode m => DecideMode(state, m, out rejection),
            SetIsolatedMargin i => DecideIsolated(state, i, out rejection),
            PayFunding p => DecideFunding(state, p, out rejection),
            ApplyReduction r => DecideReduction(state, r, out rejection),
            IssueMarginCall c => DecideMarginCall(state, c, out rejection),
            ReceiveInsurance i => DecideInsurance(state, i, out rejection),
            _ => throw new ArgumentException($"unknown account command {command.GetType().Name}", nameof(command)),
        };
    }

    /// <summary>True when <paramref name="command"/> has the same body as the command that produced
    /// <paramref name="applied"/> (the command id and timestamp aside): a genuine repeat.</summary>
    public static bool SameBody(IAccountCommand command, IAccountEvent applied) =>
        CommandFingerprint.Of(command) == CommandFingerprint.Of(applied);

    /// <summary>What-if of an order (§10) on a copy; changes nothing.</summary>
    public IAccountReply CheckOrder(AccountState state, CheckOrder query)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(query);
        if (!state.Exists)
        {
            return new CommandRejected(RejectionCode.NotFound, "accountId", $"account {query.AccountId} does not exist");
        }
        if (!TryGetSub(state, query.SubAccount, "subAccount", out var sub, out var rejection) ||
            !TryResolve(query.Instrument, out var instrument, out rejection) ||
            !TryTrade(query.SizeLots, query.Price, 0, out rejection) ||
            !TryNotional(PositionLots(sub!, instrument!), query.SizeLots, instrument!, query.Price, out rejection))
        {
            return rejection!;
        }
        var tools = Tools;
        var market = _market.Current;
        CheckResult result;
        lock (market.Gate)
        {
            var copy = tools.Copy;
            copy.CopyFrom(sub!.Portfolio);
            if (copy.IndexOf(instrument!.Id) < 0)
            {
                copy.Add(new Position(instrument.Id, 1, query.Price));
            }
            if (!MarketGuards.IsPriced(copy, market.Market, _catalog))
            {
                return new OrderChecked(false, Unpriced);
            }
            result = tools.Checks.Order(sub.Portfolio, market.Market, market.Arrays, instrument, query.SizeLots,
                query.Price);
        }
        return new OrderChecked(result.Accepted, Figures(result));
    }

    private Deposited? DecideDeposit(AccountState state, Deposit d, out CommandRejected? rejection)
    {
        if (!TryNewOrExistingSub(state, d.SubAccount, "subAccount", out var sub, out rejection) ||
            !TryAsset(d.Asset, out var asset, out rejection) || !TryPositive(d.Units, "amount", out rejection))
        {
            return null;
        }
        var balance = sub?.Portfolio.Balances[asset] ?? 0;
        var deposited = sub?.LedgerTotals[Ledger.AssetSlot(asset, Ledger.Deposits)] ?? 0;
        if (balance > long.MaxValue - d.Units || deposited > long.MaxValue - d.Units)
        {
            rejection = Malformed("amount", "the balance would exceed what the grid can hold");
            return null;
        }
        return new Deposited(d.CommandId, d.SubAccount, d.Asset, d.Units, d.AtMs);
    }

    private Withdrawn? DecideWithdraw(AccountState state, Withdraw w, out CommandRejected? rejection)
    {
        if (!TryGetSub(state, w.SubAccount, "subAccount", out var sub, out rejection) ||
            !TryAsset(w.Asset, out var asset, out rejection) || !TryPositive(w.Units, "amount", out rejection) ||
            !TryWithdrawal(sub!, asset, w.Units, out rejection))
        {
            return null;
        }
        return new Withdrawn(w.CommandId, w.SubAccount, w.Asset, w.Units, w.AtMs);
    }

    private Transferred? DecideTransfer(AccountState state, Transfer t, out CommandRejected? rejection)
    {
        if (!TryGetSub(state, t.FromSubAccount, "fromSubAccount", out var from, out rejection) ||
            !TryNewOrExistingSub(state, t.ToSubAccount, "toSubAccount", out var to, out rejection) ||
            !TryAsset(t.Asset, out var asset, out rejection) || !TryPositive(t.Units, "amount", out rejection))
        {
            return null;
        }
        if (t.FromSubAccount == t.ToSubAccount)
        {
            rejection = Malformed("toSubAccount", "a transfer needs two different sub-accounts");
            return null;
        }
        if ((to?.Portfolio.Balances[asset] ?? 0) > long.MaxValue - t.Units)
        {
            rejection = Malformed("amount", "the balance would exceed what the grid can hold");
            return null;
        }
        return TryWithdrawal(from!, asset, t.Units, out rejection)
            ? new Transferred(t.CommandId, t.FromSubAccount, t.ToSubAccount, t.Asset, t.Units, t.AtMs)
            : null;
    }

    private FillApplied? DecideFill(AccountState state, ApplyFill f, out CommandRejected? rejection)
    {
        if (!TryGetSub(state, f.SubAccount, "subAccount", out var sub, out rejection) ||
            !TryResolve(f.Instrument, out var instrument, out rejection) ||
            !TryTrade(f.SizeLots, f.Price, f.FeeMicros, out rejection) ||
            !TryEffect(sub!, instrument!, f.SizeLots, f.Price, f.FeeMicros, out var effect, out rejection))
        {
            return null;
        }
        return new FillApplied(f.CommandId, f.SubAccount, f.Instrument, f.SizeLots, f.Price, f.FeeMicros,
            effect.RealisedPnlMicros, effect.PremiumMicros, effect.NewSizeLots, effect.NewEntryPrice, f.AtMs);
    }

    private ReductionApplied? DecideReduction(AccountState state, ApplyReduction r, out CommandRejected? rejection)
    {
        if (!TryGetSub(state, r.SubAccount, "subAccount", out var sub, out rejection) ||
            !TryResolve(r.Instrument, out var instrument, out rejection) ||
            !TryTrade(r.SizeLots, r.Price, r.FeeMicros, out rejection))
        {
            return null;
        }
        if (r.Kind is not (ReductionKind.Liquidation or ReductionKind.AutoDeleveraging))
        {
            rejection = Malformed("kind", "kind must be LIQUIDATION or AUTO_DELEVERAGING");
            return null;
        }
        if (r.ExpectedSequenceNr > 0 && r.ExpectedSequenceNr != state.SequenceNr)
        {
            rejection = new CommandRejected(RejectionCode.Conflict, "expectedSequenceNr",
                $"the plan was made at event {r.ExpectedSequenceNr}; the account is at {state.SequenceNr}");
            return null;
        }
        var i = sub!.IndexOf(instrument!);
        var size = i >= 0 ? sub.Portfolio[i].SizeLots : 0;
        if (size == 0 || Math.Sign(size) == Math.Sign(r.SizeLots) || Math.Abs(r.SizeLots) > Math.Abs(size))
        {
            rejection = Malformed("size", $"a reduction must close part of the position ({size} lots held)");
            return null;
        }
        if (!TryEffect(sub, instrument!, r.SizeLots, r.Price, r.FeeMicros, out var effect, out rejection))
        {
            return null;
        }
        return new ReductionApplied(r.CommandId, r.SubAccount, r.Instrument, r.Kind, r.SizeLots, r.Price, r.FeeMicros,
            effect.RealisedPnlMicros, effect.PremiumMicros, effect.NewSizeLots, effect.NewEntryPrice, r.AtMs,
            r.LiquidationId, r.Plan);
    }

    private static MarginCallIssued? DecideMarginCall(AccountState state, IssueMarginCall c,
        out CommandRejected? rejection)
    {
        if (!TryGetSub(state, c.SubAccount, "subAccount", out _, out rejection))
        {
            return null;
        }
        if (double.IsNaN(c.Health) || c.Health < 0 || c.MaintenanceMicros < 0)
        {
            rejection = Malformed("health", "health must be a number ≥ 0 and maintenance ≥ 0");
            return null;
        }
        return new MarginCallIssued(c.CommandId, c.SubAccount, c.Health, c.EquityMmMicros, c.MaintenanceMicros, c.AtMs);
    }

    private InsuranceReceived? DecideInsurance(AccountState state, ReceiveInsurance i, out CommandRejected? rejection)
    {
        if (!TryGetSub(state, i.SubAccount, "subAccount", out var sub, out rejection))
        {
            return null;
        }
        if (i.AmountMicros <= 0)
        {
            rejection = Malformed("amount", "an insurance cover must be > 0");
            return null;
        }
        if (i.Instrument.Length > 0)
        {
            if (!TryResolve(i.Instrument, out var instrument, out rejection))
            {
                return null;
            }
            var k = sub!.IndexOf(instrument!);
            if (k < 0 || !sub.Portfolio[k].IsIsolated)
            {
                rejection = Malformed("instrument", $"{i.Instrument} is not an isolated position of {i.SubAccount}");
                return null;
            }
        }
        return new InsuranceReceived(i.CommandId, i.SubAccount, i.Instrument, i.AmountMicros, i.AtMs);
    }

    private ModeChanged? DecideMode(AccountState state, SetMode m, out CommandRejected? rejection)
    {
        if (!TryGetSub(state, m.SubAccount, "subAccount", out var sub, out rejection))
        {
            return null;
        }
        if (m.Mode is not (MarginMode.Standard or MarginMode.Portfolio))
        {
            rejection = Malformed("mode", "mode must be STANDARD or PORTFOLIO");
            return null;
        }
        if (sub!.Portfolio.Mode != m.Mode)
        {
            var market = _market.Current;
            CheckResult result;
            lock (market.Gate)
            {
                if (!MarketGuards.IsPriced(sub.Portfolio, market.Market, _catalog))
                {
                    rejection = new CommandRejected(RejectionCode.Refused, "mode", UnpricedMessage, Unpriced);
                    return null;
                }
                result = Tools.Checks.ModeSwitch(sub.Portfolio, market.Market, market.Arrays, m.Mode);
            }
            if (!result.Accepted)
            {
                rejection = Refused("mode", result, $"the {m.Mode} mode's initial margin is not met");
                return null;
            }
        }
        return new ModeChanged(m.CommandId, m.SubAccount, m.Mode, m.AtMs);
    }

    private IsolatedMarginSet? DecideIsolated(AccountState state, SetIsolatedMargin c, out CommandRejected? rejection)
    {
        if (!TryGetSub(state, c.SubAccount, "subAccount", out var sub, out rejection) ||
            !TryResolve(c.Instrument, out var instrument, out rejection))
        {
            return null;
        }
        if (!instrument!.IsLinear)
        {
            rejection = Malformed("instrument", "only perpetuals and futures can be isolated");
            return null;
        }
        if (c.MarginMicros < 0)
        {
            rejection = Malformed("margin", "margin must not be negative");
            return null;
        }
        var portfolio = sub!.Portfolio;
        var i = portfolio.IndexOf(instrument.Id);
        var current = i >= 0 ? portfolio[i].IsolatedMarginMicros : 0;
        var delta = c.MarginMicros - current;
        if (i < 0 && c.MarginMicros == 0)
        {
            rejection = new CommandRejected(RejectionCode.NotFound, "instrument",
                $"no position in {c.Instrument} to return to the cross pool");
            return null;
        }
        if (delta > 0 && portfolio.Balances[0] < delta)
        {
            rejection = new CommandRejected(RejectionCode.Refused, "margin",
                $"the cross pool holds {FixedPoint.Format(portfolio.Balances[0], 6)} USD, {FixedPoint.Format(delta, 6)} needed");
            return null;
        }
        var tools = Tools;
        var copy = tools.Copy;
        copy.CopyFrom(portfolio);
        var j = i >= 0 ? i : copy.Add(new Position(instrument.Id, 0, 0));
        copy.Balances[0] -= delta;
        copy[j].IsolatedMarginMicros = c.MarginMicros;
        copy[j].IsIsolated = c.MarginMicros > 0;
        var market = _market.Current;
        lock (market.Gate)
        {
            if (!MarketGuards.IsPriced(copy, market.Market, _catalog))
            {
                rejection = new CommandRejected(RejectionCode.Refused, "margin", UnpricedMessage, Unpriced);
                return null;
            }
            var evaluator = tools.Evaluator;
            evaluator.Evaluate(portfolio, market.Market, market.Arrays, tools.Before);
            evaluator.Evaluate(copy, market.Market, market.Arrays, tools.After);
            var fresh = tools.Checks.AllFresh(copy, market.Market);
            var before = tools.Before;
            var after = tools.After;
            var figures = new CheckFigures("", before.FreeCollateralMicros, after.FreeCollateralMicros,
                before.InitialMarginMicros, after.InitialMarginMicros, before.MaintenanceMarginMicros,
                after.MaintenanceMarginMicros);
            // Money leaving the cross pool (more isolated margin, or a position coming back) must leave its IM met;
            // money leaving an isolated position must leave that position's own IM met. Both need fresh indices.
            var crossLoses = delta > 0 || (c.MarginMicros == 0 && i >= 0 && portfolio[i].IsIsolated);
            var isolatedLoses = delta < 0 && c.MarginMicros > 0;
            if ((crossLoses || isolatedLoses) && !fresh)
            {
                rejection = new CommandRejected(RejectionCode.Refused, "margin",
                    "an index this account depends on is stale", figures with { Outcome = "STALE_INDEX" });
                return null;
            }
            if (crossLoses && after.FreeCollateralMicros < 0)
            {
                rejection = new CommandRejected(RejectionCode.Refused, "margin",
                    "the cross pool's initial margin would not be met", figures with { Outcome = "BREAKS_INITIAL_MARGIN" });
                return null;
            }
            if (isolatedLoses && after.IsolatedEquityMicros[j] < after.PositionImMicros[j])
            {
                rejection = new CommandRejected(RejectionCode.Refused, "margin",
                    "the isolated position's initial margin would not be met",
                    figures with { Outcome = "BREAKS_INITIAL_MARGIN" });
                return null;
            }
        }
        return new IsolatedMarginSet(c.CommandId, c.SubAccount, c.Instrument, c.MarginMicros, c.AtMs);
    }

    private FundingPaid? DecideFunding(AccountState state, PayFunding p, out CommandRejected? rejection)
    {
        if (!TryResolve(p.Instrument, out var instrument, out rejection))
        {
            return null;
        }
        if (instrument!.Kind != InstrumentKind.Perpetual)
        {
            rejection = Malformed("instrument", "funding is paid on perpetuals only");
            return null;
        }
        if (!double.IsFinite(p.Rate) || Math.Abs(p.Rate) >= 1)
        {
            rejection = Malformed("rate", "rate must be a finite fraction between -1 and 1");
            return null;
        }
        if (!double.IsFinite(p.Mark) || p.Mark <= 0)
        {
            rejection = Malformed("mark", "mark must be a positive finite price");
            return null;
        }
        var payments = new List<FundingPayment>();
        foreach (var sub in state.SubAccounts)
        {
            var i = sub.IndexOf(instrument);
            if (i >= 0 && sub.Portfolio[i].SizeLots != 0)
            {
                payments.Add(new FundingPayment(sub.Name,
                    FundingSettlement.Payment(sub.Portfolio[i].SizeLots, instrument.LotSize, p.Mark, p.Rate)));
            }
        }
        return new FundingPaid(p.CommandId, p.Instrument, p.Rate, p.Mark, payments, p.AtMs);
    }

    private bool TryWithdrawal(SubAccountState sub, int asset, long units, out CommandRejected? rejection)
    {
        var market = _market.Current;
        CheckResult result;
        lock (market.Gate)
        {
            if (!MarketGuards.IsPriced(sub.Portfolio, market.Market, _catalog))
            {
                rejection = sub.Portfolio.Balances[asset] < units
                    ? new CommandRejected(RejectionCode.Refused, "amount", Insufficient(sub, asset, units),
                        Unpriced with { Outcome = "INSUFFICIENT_BALANCE" })
                    : new CommandRejected(RejectionCode.Refused, "amount", UnpricedMessage, Unpriced);
                return false;
            }
            result = Tools.Checks.Withdrawal(sub.Portfolio, market.Market, market.Arrays, asset, units);
        }
        rejection = result.Outcome switch
        {
            CheckOutcome.Accepted => null,
            CheckOutcome.InsufficientBalance => Refused("amount", result, Insufficient(sub, asset, units)),
            CheckOutcome.StaleIndex => Refused("amount", result, "an index this account depends on is stale"),
            _ => Refused("amount", result, "the withdrawal would leave initial margin unmet (E_IM - IM < 0)"),
        };
        return rejection is null;
    }

    private string Insufficient(SubAccountState sub, int asset, long units)
    {
        var a = _catalog.Params.Assets[asset];
        return $"the sub-account holds {FixedPoint.Format(sub.Portfolio.Balances[asset], a.Decimals)} {a.Name}, " +
               $"{FixedPoint.Format(units, a.Decimals)} asked";
    }

    private static bool TryEffect(SubAccountState sub, Instrument instrument, long sizeLots, double price,
        long feeMicros, out FillEffect effect, out CommandRejected? rejection)
    {
        var i = sub.IndexOf(instrument);
        var size = i >= 0 ? sub.Portfolio[i].SizeLots : 0;
        var entry = i >= 0 ? sub.Portfolio[i].EntryPrice : 0;
        if (!TryNotional(size, sizeLots, instrument, price, out rejection))
        {
            effect = default;
            return false;
        }
        try
        {
            effect = FillMath.Apply(instrument, size, entry, sizeLots, price);
            _ = checked(sub.Portfolio.Balances[0] + effect.UsdChangeMicros - feeMicros);
        }
        catch (OverflowException)
        {
            effect = default;
            rejection = Malformed("size", "the fill's amounts exceed what the grid can hold");
            return false;
        }
        rejection = null;
        return true;
    }

    private static long PositionLots(SubAccountState sub, Instrument instrument)
    {
        var i = sub.IndexOf(instrument);
        return i >= 0 ? sub.Portfolio[i].SizeLots : 0;
    }

    private static bool TryNotional(long sizeLots, long fillLots, Instrument instrument, double price,
        out CommandRejected? rejection)
    {
        rejection = Math.Abs((double)fillLots * instrument.LotSize * price) > MaxNotionalUsd ||
                    Math.Abs((double)(sizeLots + fillLots) * instrument.LotSize * price) > MaxNotionalUsd
            ? Malformed("size", $"the notional would exceed {MaxNotionalUsd:0} USD")
            : null;
        return rejection is null;
    }

    private bool TryNewOrExistingSub(AccountState state, string name, string field, out SubAccountState? sub,
        out CommandRejected? rejection)
    {
        if (!IsValidId(name))
        {
            sub = null;
            rejection = Malformed(field, $"{field} must be 1-64 characters of letters, digits and ._:-");
            return false;
        }
        sub = state.Find(name);
        if (sub is null && state.SubAccounts.Count >= _settings.MaxSubAccounts)
        {
            rejection = new CommandRejected(RejectionCode.Refused, field,
                $"the account already has {_settings.MaxSubAccounts} sub-accounts");
            return false;
        }
        rejection = null;
        return true;
    }

    private static bool TryGetSub(AccountState state, string name, string field, out SubAccountState? sub,
        out CommandRejected? rejection)
    {
        if (!IsValidId(name))
        {
            sub = null;
            rejection = Malformed(field, $"{field} must be 1-64 characters of letters, digits and ._:-");
            return false;
        }
        sub = state.Find(name);
        rejection = sub is null
            ? new CommandRejected(RejectionCode.NotFound, field, $"no sub-account {name} in this account")
            : null;
        return sub is not null;
    }

    private bool TryResolve(string name, out Instrument? instrument, out CommandRejected? rejection)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxIdLength ||
            !_catalog.TryResolve(name, out var found, out var error))
        {
            instrument = null;
            rejection = new CommandRejected(RejectionCode.NotFound, "instrument", $"unknown instrument {name}");
            return false;
        }
        _ = error;
        instrument = found;
        rejection = null;
        return true;
    }

    private bool TryAsset(string asset, out int id, out CommandRejected? rejection)
    {
        id = string.IsNullOrEmpty(asset) ? -1 : _catalog.Params.AssetId(asset);
        rejection = id < 0 ? new CommandRejected(RejectionCode.NotFound, "asset", $"unknown asset {asset}") : null;
        return id >= 0;
    }

    private static bool TryPositive(long units, string field, out CommandRejected? rejection)
    {
        rejection = units > 0 ? null : Malformed(field, $"{field} must be positive");
        return units > 0;
    }

    private static bool TryTrade(long sizeLots, double price, long feeMicros, out CommandRejected? rejection)
    {
        rejection = sizeLots == 0 ? Malformed("size", "size must be positive")
            : !double.IsFinite(price) || price <= 0 ? Malformed("price", "price must be a positive finite number")
            : price > MaxPrice ? Malformed("price", $"price must be at most {MaxPrice:0}")
            : feeMicros < 0 ? Malformed("fee", "fee must not be negative")
            : null;
        return rejection is null;
    }

    /// <summary>Largest price accepted, USD per unit: far above any real price, far below what overflows micros.</summary>
    public const double MaxPrice = 1e9;

    /// <summary>Largest notional of a position or a fill, USD: keeps every product of size and price (and the §6
    /// scenarios' multiples of it) inside a long of micro-dollars (9.2e12 USD).</summary>
    public const double MaxNotionalUsd = 1e11;

    private const string UnpricedMessage = "an underlying this account depends on has never been priced on this node";

    private static readonly CheckFigures Unpriced = new("STALE_INDEX", 0, 0, 0, 0, 0, 0);

    private static CommandRejected Malformed(string field, string message) =>
        new(RejectionCode.Malformed, field, message);

    private static CommandRejected Refused(string field, CheckResult result, string message) =>
        new(RejectionCode.Refused, field, message, Figures(result));

    /// <summary>The figures of a check result.</summary>
    public static CheckFigures Figures(CheckResult r) => new(OutcomeName(r.Outcome), r.FreeCollateralBeforeMicros,
        r.FreeCollateralAfterMicros, r.InitialMarginBeforeMicros, r.InitialMarginAfterMicros,
        r.MaintenanceBeforeMicros, r.MaintenanceAfterMicros);

    /// <summary>The API name of a check outcome.</summary>
    public static string OutcomeName(CheckOutcome outcome) => outcome switch
    {
        CheckOutcome.Accepted => "ACCEPTED",
        CheckOutcome.InsufficientBalance => "INSUFFICIENT_BALANCE",
        CheckOutcome.BreaksInitialMargin => "BREAKS_INITIAL_MARGIN",
        CheckOutcome.StaleIndex => "STALE_INDEX",
        _ => outcome.ToString(),
    };

    private CheckTools Tools => t_tools is { } t && ReferenceEquals(t.Catalog, _catalog)
        ? t
        : t_tools = new CheckTools(_catalog);

    private sealed class CheckTools
    {
        public CheckTools(InstrumentCatalog catalog)
        {
            Catalog = catalog;
            Evaluator = new MarginEvaluator(catalog);
            Checks = new MarginChecks(Evaluator);
            Copy = new SubAccountPortfolio(catalog.Params);
            Before = new MarginResult(catalog.Params.Underlyings.Count);
            After = new MarginResult(catalog.Params.Underlyings.Count);
        }

        public InstrumentCatalog Catalog { get; }
        public MarginEvaluator Evaluator { get; }
        public MarginChecks Checks { get; }
        public SubAccountPortfolio Copy { get; }
        public MarginResult Before { get; }
        public MarginResult After { get; }
    }
}

using System.Globalization;
using Akka.Actor;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using RiskGrid.Api.Accounts;
using RiskGrid.Api.Http;
using RiskGrid.Margin.Instruments;
using RiskGrid.Margin.Liquidation;
using RiskGrid.Node.Accounts;
using RiskGrid.Node.Hosting;
using RiskGrid.Node.Supervision;

namespace RiskGrid.Api.Supervision;

/// <summary>The page a supervision route reads: events stamped at or after <c>SinceMs</c> (grid clock, Unix ms),
/// after journal position <c>After</c> (the <c>next</c> of the previous answer), at most <c>Limit</c>.</summary>
public readonly record struct PageQuery(long SinceMs, long After, int Limit);

/// <summary>
/// The venue's view of the risk tier, read from the journal (every node answers for the whole cluster):
/// <c>GET /v1/liquidations</c> (every forced close, grouped by liquidation), <c>GET /v1/margin-calls</c> and
/// <c>GET /v1/insurance-fund</c> (totals and history with the running balance). Pages by <c>since</c> (time) and
/// <c>after</c> (journal position); a malformed one is 400 naming the parameter, a journal or fund that does not
/// answer in time is 503.
/// </summary>
public static class SupervisionEndpoints
{
    /// <summary>Events per answer when no <c>limit</c> is given.</summary>
    public const int DefaultLimit = 1_000;

    /// <summary>The largest <c>limit</c>.</summary>
    public const int MaxLimit = 10_000;

    /// <summary>Maps the routes on the <c>/v1</c> group.</summary>
    public static IEndpointRouteBuilder MapSupervisionEndpoints(this IEndpointRouteBuilder v1, GridNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var journal = new SupervisionJournal(node.System, node.Accounts.Settings.AskTimeout);
        var catalog = node.Accounts.Catalog;

        v1.MapGet("/liquidations", async (HttpRequest request, CancellationToken ct) =>
        {
            if (ReadPage(request, out var page) is { } bad)
            {
                return bad;
            }
            TaggedPage read;
            try
            {
                read = await journal.ReadTaggedAsync<ReductionApplied>(AccountEntity.LiquidationTag, page.After,
                    page.SinceMs, page.Limit, ct).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return JournalTimeout();
            }
            return TypedResults.Json(new LiquidationsResponse(Group(read.Events, catalog), Next(read, page), read.More),
                SupervisionJsonContext.Default.LiquidationsResponse);
        });

        v1.MapGet("/margin-calls", async (HttpRequest request, CancellationToken ct) =>
        {
            if (ReadPage(request, out var page) is { } bad)
            {
                return bad;
            }
            TaggedPage read;
            try
            {
                read = await journal.ReadTaggedAsync<MarginCallIssued>(AccountEntity.MarginCallTag, page.After,
                    page.SinceMs, page.Limit, ct).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return JournalTimeout();
            }
            var calls = read.Events.Select(t => MarginCall(t, (MarginCallIssued)t.Event)).ToList();
            return TypedResults.Json(new MarginCallsResponse(calls, Next(read, page), read.More),
                SupervisionJsonContext.Default.MarginCallsResponse);
        });

        v1.MapGet("/insurance-fund", async (HttpRequest request, CancellationToken ct) =>
        {
            if (ReadPage(request, out var page) is { } bad)
            {
                return bad;
            }
            FundView view;
            IReadOnlyList<(long SequenceNr, IFundEvent Event)> history;
            try
            {
                view = await node.InsuranceFund.Ask<FundView>(GetFund.Instance, node.SupervisorSettings.AskTimeout,
                    ct).ConfigureAwait(false);
                history = await journal.ReadFundAsync(ct).ConfigureAwait(false);
            }
            catch (AskTimeoutException)
            {
                return ApiErrors.Unavailable("the insurance fund did not answer in time; retry");
            }
            catch (TimeoutException)
            {
                return JournalTimeout();
            }
            return TypedResults.Json(Fund(view, history, page), SupervisionJsonContext.Default.InsuranceFundResponse);
        });
        return v1;
    }

    /// <summary>Reads <c>since</c>, <c>after</c> and <c>limit</c>; null when they are well formed, else the 400
    /// naming the first one at fault.</summary>
    internal static IResult? ReadPage(HttpRequest request, out PageQuery page)
    {
        page = default;
        if (!TryQueryLong(request, "since", 0, out var since))
        {
            return ApiErrors.BadRequest("since must be a time in Unix milliseconds (an integer ≥ 0)", "since");
        }
        if (!TryQueryLong(request, "after", 0, out var after))
        {
            return ApiErrors.BadRequest("after must be the next of an earlier answer (an integer ≥ 0)", "after");
        }
        if (!TryQueryLong(request, "limit", DefaultLimit, out var limit) || limit is < 1 or > MaxLimit)
        {
            return ApiErrors.BadRequest($"limit must be an integer in [1, {MaxLimit}]", "limit");
        }
        page = new PageQuery(since, after, (int)limit);
        return null;
    }

    // Digits only: no sign, no spaces, no exponent; absent means the default.
    private static bool TryQueryLong(HttpRequest request, string name, long fallback, out long value)
    {
        var values = request.Query[name];
        if (values.Count == 0)
        {
            value = fallback;
            return true;
        }
        value = 0;
        return values.Count == 1 && long.TryParse(values[0], NumberStyles.None, CultureInfo.InvariantCulture,
            out value);
    }

    private static IResult JournalTimeout() => ApiErrors.Unavailable("the journal did not answer in time; retry");

    // The cursor of the next request: the last event read, or where this one started when it read nothing.
    private static long Next(TaggedPage read, PageQuery page) =>
        read.Events.Count == 0 ? page.After : read.Events[^1].Offset;

    /// <summary>Steps grouped by liquidation id, groups in the order of their first step.</summary>
    internal static List<LiquidationJson> Group(IReadOnlyList<TaggedAccountEvent> events, InstrumentCatalog catalog)
    {
        var byId = new Dictionary<string, LiquidationGroup>(StringComparer.Ordinal);
        var groups = new List<LiquidationGroup>();
        foreach (var t in events)
        {
            var r = (ReductionApplied)t.Event;
            // Events written before liquidation ids were recorded stand alone.
            var id = r.LiquidationId.Length > 0 ? r.LiquidationId : r.CommandId;
            if (!byId.TryGetValue(id, out var g))
            {
                g = new LiquidationGroup(id);
                byId.Add(id, g);
                groups.Add(g);
            }
            g.Add(t, r, catalog);
        }
        return groups.Select(g => g.ToJson()).ToList();
    }

    private static MarginCallJson MarginCall(TaggedAccountEvent t, MarginCallIssued m) => new(t.AccountId,
        m.SubAccount, m.CommandId, t.SequenceNr, AccountJsonMapping.Finite(m.Health),
        AccountJsonMapping.Usd(m.EquityMmMicros), AccountJsonMapping.Usd(m.MaintenanceMicros),
        AccountJsonMapping.Time(m.AtMs), m.AtMs);

    /// <summary>The fund's totals and the page of its history, each entry with the balance after it (the balance
    /// runs over the whole journal, whatever the page).</summary>
    internal static InsuranceFundResponse Fund(FundView view, IReadOnlyList<(long SequenceNr, IFundEvent Event)> history,
        PageQuery page)
    {
        var entries = new List<FundEntryJson>();
        var balance = 0L;
        var more = false;
        foreach (var (seq, e) in history)
        {
            var delta = e switch
            {
                FundSeeded s => s.AmountMicros,
                FeesSettled f => f.DeltaMicros,
                PayoutGranted p => -p.GrantedMicros,
                _ => 0,
            };
            balance += delta;
            if (seq <= page.After || e.AtMs < page.SinceMs)
            {
                continue;
            }
            if (entries.Count == page.Limit)
            {
                more = true;
                break;
            }
            entries.Add(FundEntry(seq, e, delta, balance));
        }
        var next = entries.Count == 0 ? page.After : entries[^1].SequenceNr;
        return new InsuranceFundResponse(AccountJsonMapping.Usd(view.BalanceMicros),
            AccountJsonMapping.Usd(view.OpeningMicros), AccountJsonMapping.Usd(view.InflowsMicros),
            AccountJsonMapping.Usd(view.PayoutsMicros), AccountJsonMapping.Usd(view.BadDebtMicros), view.PendingPayouts,
            view.SequenceNr, entries, next, more);
    }

    private static FundEntryJson FundEntry(long seq, IFundEvent e, long delta, long balance)
    {
        var at = AccountJsonMapping.Time(e.AtMs);
        var amount = AccountJsonMapping.Usd(delta);
        var after = AccountJsonMapping.Usd(balance);
        return e switch
        {
            FundSeeded => new FundEntryJson(seq, "SEEDED", at, e.AtMs, amount, after),
            FeesSettled f => new FundEntryJson(seq, "FEES_SETTLED", at, e.AtMs, amount, after)
            {
                AccountId = f.AccountId, CumulativeFees = AccountJsonMapping.Usd(f.CumulativeMicros),
            },
            PayoutGranted p => new FundEntryJson(seq, "PAYOUT_GRANTED", at, e.AtMs, amount, after)
            {
                PayoutId = p.PayoutId, AccountId = p.AccountId, SubAccount = p.SubAccount,
                Instrument = p.Instrument.Length == 0 ? null : p.Instrument,
                Requested = AccountJsonMapping.Usd(p.RequestedMicros), BadDebt = AccountJsonMapping.Usd(p.BadDebtMicros),
            },
            PayoutConfirmed c => new FundEntryJson(seq, "PAYOUT_CONFIRMED", at, e.AtMs, amount, after)
            {
                PayoutId = c.PayoutId,
            },
            _ => new FundEntryJson(seq, "UNKNOWN", at, e.AtMs, amount, after),
        };
    }

    /// <summary>The steps of one liquidation id seen so far.</summary>
    private sealed class LiquidationGroup(string id)
    {
        private readonly List<LiquidationStepJson> _steps = [];
        private string? _accountId;
        private string? _subAccount;
        private LiquidationKind _plan;
        private long _feesMicros;
        private long _firstMs = long.MaxValue;
        private long _lastMs = long.MinValue;

        public void Add(TaggedAccountEvent t, ReductionApplied r, InstrumentCatalog catalog)
        {
            if (r.Kind == ReductionKind.Liquidation && _accountId is null)
            {
                _accountId = t.AccountId;
                _subAccount = r.SubAccount;
            }
            if (_plan == LiquidationKind.None || r.Kind == ReductionKind.Liquidation)
            {
                _plan = r.Plan;
            }
            _feesMicros += r.FeeMicros;
            _firstMs = Math.Min(_firstMs, r.AtMs);
            _lastMs = Math.Max(_lastMs, r.AtMs);
            var instrument = catalog.TryResolve(r.Instrument, out var resolved, out _) ? resolved : null;
            _steps.Add(new LiquidationStepJson(t.AccountId, r.SubAccount, AccountJsonMapping.ReductionKindName(r.Kind),
                r.CommandId, t.SequenceNr, r.Instrument, Size(r.SizeLots, instrument), r.Price,
                AccountJsonMapping.Usd(r.FeeMicros), AccountJsonMapping.Usd(r.RealisedPnlMicros),
                AccountJsonMapping.Usd(r.PremiumMicros), Size(r.NewSizeLots, instrument),
                AccountJsonMapping.Time(r.AtMs), r.AtMs));
        }

        public LiquidationJson ToJson() => new(id, _accountId, _subAccount, AccountJsonMapping.PlanName(_plan),
            _accountId is null ? "AUTO_DELEVERAGING" : "LIQUIDATION", AccountJsonMapping.Usd(_feesMicros),
            AccountJsonMapping.Time(_firstMs), _firstMs, AccountJsonMapping.Time(_lastMs), _lastMs, _steps);

        // An instrument no longer listed keeps its lots readable.
        private static string Size(long lots, Instrument? instrument) => instrument is null
            ? lots.ToString(CultureInfo.InvariantCulture) + " lots"
            : AccountJsonMapping.Size(lots, instrument);
    }
}

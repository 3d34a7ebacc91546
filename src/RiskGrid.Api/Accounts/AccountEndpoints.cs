using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using RiskGrid.Api.Http;
using RiskGrid.Margin.Accounts;
using RiskGrid.Margin.Instruments;
using RiskGrid.Margin.Parameters;
using RiskGrid.Node.Accounts;

namespace RiskGrid.Api.Accounts;

/// <summary>
/// The account routes of API.md: each reads and checks its body (400 naming the field), turns decimal strings into
/// the grid's fixed-point units, asks the account's entity through the shard region (any node routes to any
/// account), and maps the answer: 200 applied (a repeated commandId gets the first answer), 404 unknown account,
/// sub-account or instrument, 409 a commandId reused with another body, 422 refused by a margin check (with the
/// check's figures), 503 when the entity did not answer in time (retry with the same commandId).
/// </summary>
public static class AccountEndpoints
{
    /// <summary>Maps the routes on the <c>/v1</c> group.</summary>
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder v1, AccountService accounts)
    {
        ArgumentNullException.ThrowIfNull(accounts);
        var catalog = accounts.Catalog;
        var p = catalog.Params;

        v1.MapPost("/accounts/{acct}/deposits", (string acct, HttpRequest request, CancellationToken ct) =>
            Collateral(acct, request, accounts, deposit: true, ct));
        v1.MapPost("/accounts/{acct}/withdrawals", (string acct, HttpRequest request, CancellationToken ct) =>
            Collateral(acct, request, accounts, deposit: false, ct));

        v1.MapPost("/accounts/{acct}/transfers", async (string acct, HttpRequest request, CancellationToken ct) =>
        {
            var (b, refused) = await ReadAsync(acct, request, AccountJsonContext.Default.TransferRequest, ct).ConfigureAwait(false);
            if (refused is not null)
            {
                return refused;
            }
            if (Amount(p, b.Asset, b.Amount, out var units) is { } badAmount)
            {
                return badAmount;
            }
            return await Send(accounts, new Transfer(acct, b.CommandId, b.FromSubAccount, b.ToSubAccount, b.Asset, units,
                accounts.Clock.NowMs), ct).ConfigureAwait(false);
        });

        v1.MapPost("/accounts/{acct}/fills", async (string acct, HttpRequest request, CancellationToken ct) =>
        {
            var (b, refused) = await ReadAsync(acct, request, AccountJsonContext.Default.FillRequest, ct).ConfigureAwait(false);
            if (refused is not null)
            {
                return refused;
            }
            if (Trade(catalog, b.Instrument, b.Side, b.Size, b.Price, out var instrument, out var lots,
                    out var price) is { } badTrade)
            {
                return badTrade;
            }
            long fee = 0;
            if (b.Fee is { } feeElement &&
                !AccountJsonMapping.TryUnits(feeElement, p.Assets[0], true, out fee, out var error))
            {
                return ApiErrors.BadRequest(error, "fee");
            }
            return await Send(accounts, new ApplyFill(acct, b.CommandId, b.SubAccount, instrument!.Name, lots, price, fee,
                accounts.Clock.NowMs), ct).ConfigureAwait(false);
        });

        v1.MapPost("/accounts/{acct}/orders/check", async (string acct, HttpRequest request, CancellationToken ct) =>
        {
            var (b, refused) = await ReadAsync(acct, request, AccountJsonContext.Default.OrderCheckRequest, ct).ConfigureAwait(false);
            if (refused is not null)
            {
                return refused;
            }
            if (Trade(catalog, b.Instrument, b.Side, b.Size, b.Price, out var instrument, out var lots,
                    out var price) is { } badTrade)
            {
                return badTrade;
            }
            return await Ask(accounts, new CheckOrder(acct, b.SubAccount, instrument!.Name, lots, price),
                reply => reply is OrderChecked c
                    ? TypedResults.Json(new OrderCheckResponse(c.Accepted, AccountJsonMapping.Check(c.Check)),
                        AccountJsonContext.Default.OrderCheckResponse)
                    : null, ct).ConfigureAwait(false);
        });

        v1.MapPut("/accounts/{acct}/subaccounts/{sub}/mode",
            async (string acct, string sub, HttpRequest request, CancellationToken ct) =>
            {
                var (b, refused) = await ReadAsync(acct, request, AccountJsonContext.Default.ModeRequest, ct).ConfigureAwait(false);
                if (refused is not null)
                {
                    return refused;
                }
                MarginMode? mode = b.Mode switch
                {
                    "STANDARD" => MarginMode.Standard,
                    "PORTFOLIO" => MarginMode.Portfolio,
                    _ => null,
                };
                return mode is null
                    ? ApiErrors.BadRequest("mode must be STANDARD or PORTFOLIO", "mode")
                    : await Send(accounts, new SetMode(acct, b.CommandId, sub, mode.Value, accounts.Clock.NowMs), ct)
                        .ConfigureAwait(false);
            });

        v1.MapPut("/accounts/{acct}/subaccounts/{sub}/isolated/{instrument}",
            async (string acct, string sub, string instrument, HttpRequest request, CancellationToken ct) =>
            {
                var (b, refused) = await ReadAsync(acct, request, AccountJsonContext.Default.IsolatedMarginRequest, ct).ConfigureAwait(false);
                if (refused is not null)
                {
                    return refused;
                }
                if (!catalog.TryResolve(instrument, out _, out _))
                {
                    return ApiErrors.NotFound($"unknown instrument {instrument}", "instrument");
                }
                if (!AccountJsonMapping.TryUnits(b.Margin, p.Assets[0], true, out var margin, out var error))
                {
                    return ApiErrors.BadRequest(error, "margin");
                }
                return await Send(accounts, new SetIsolatedMargin(acct, b.CommandId, sub, instrument, margin,
                    accounts.Clock.NowMs), ct).ConfigureAwait(false);
            });

        v1.MapGet("/accounts/{acct}", async (string acct, CancellationToken ct) =>
        {
            if (BadAccount(acct) is { } bad)
            {
                return bad;
            }
            return await Ask(accounts, new GetAccount(acct),
                reply => reply is AccountView view ? Render(view, accounts) : null, ct).ConfigureAwait(false);
        });

        v1.MapGet("/accounts/{acct}/events", async (string acct, HttpRequest request, CancellationToken ct) =>
        {
            if (BadAccount(acct) is { } bad)
            {
                return bad;
            }
            if (!TryQueryLong(request, "from", 1, out var from) || from < 1)
            {
                return ApiErrors.BadRequest("from must be a sequence number ≥ 1", "from");
            }
            if (!TryQueryLong(request, "limit", AccountService.MaxEventsPerRead, out var limit) || limit < 1 ||
                limit > AccountService.MaxEventsPerRead)
            {
                return ApiErrors.BadRequest($"limit must be in [1, {AccountService.MaxEventsPerRead}]", "limit");
            }
            IReadOnlyList<JournalEntry> entries;
            try
            {
                entries = await accounts.ReadEventsAsync(acct, from, (int)limit, ct).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return ApiErrors.Unavailable("the journal did not answer in time");
            }
            if (entries.Count == 0 &&
                (from == 1 || (await accounts.ReadEventsAsync(acct, 1, 1, ct).ConfigureAwait(false)).Count == 0))
            {
                return ApiErrors.NotFound($"account {acct} does not exist", "accountId");
            }
            var events = entries.Select(e => AccountJsonMapping.Event(e.Event, catalog, e.SequenceNr)).ToList();
            long? next = entries.Count == limit ? entries[^1].SequenceNr + 1 : null;
            return TypedResults.Json(new EventsResponse(acct, events, next), AccountJsonContext.Default.EventsResponse);
        });
        return v1;
    }

    private static async Task<IResult> Collateral(string acct, HttpRequest request, AccountService accounts,
        bool deposit, CancellationToken ct)
    {
        var (b, refused) = await ReadAsync(acct, request, AccountJsonContext.Default.CollateralRequest, ct).ConfigureAwait(false);
        if (refused is not null)
        {
            return refused;
        }
        if (Amount(accounts.Catalog.Params, b.Asset, b.Amount, out var units) is { } badAmount)
        {
            return badAmount;
        }
        var now = accounts.Clock.NowMs;
        IAccountCommand command = deposit
            ? new Deposit(acct, b.CommandId, b.SubAccount, b.Asset, units, now)
            : new Withdraw(acct, b.CommandId, b.SubAccount, b.Asset, units, now);
        return await Send(accounts, command, ct).ConfigureAwait(false);
    }

    /// <summary>The body of a request on account <paramref name="acct"/>, or the 400 that refuses the body or the
    /// account id (nothing is sent to the grid).</summary>
    private static async Task<(T Body, IResult? Refused)> ReadAsync<T>(string acct, HttpRequest request,
        JsonTypeInfo<T> type, CancellationToken ct)
        where T : class
    {
        var body = await JsonBody.ReadAsync(request, type, ct).ConfigureAwait(false);
        if (!body.IsValid)
        {
            return (null!, body.Error!);
        }
        return BadAccount(acct) is { } bad ? (null!, bad) : (body.Value!, null);
    }

    /// <summary>A positive amount of a known asset in its own units, or the 404/400 that refuses it.</summary>
    private static IResult? Amount(RiskParams p, string assetName, JsonElement amount, out long units)
    {
        units = 0;
        var asset = p.AssetId(assetName);
        if (asset < 0)
        {
            return ApiErrors.NotFound($"unknown asset {assetName}", "asset");
        }
        return AccountJsonMapping.TryUnits(amount, p.Assets[asset], false, out units, out var error)
            ? null
            : ApiErrors.BadRequest(error, "amount");
    }

    private static IResult? BadAccount(string acct) => AccountCommandHandler.IsValidId(acct)
        ? null
        : ApiErrors.BadRequest("account ids are 1-64 characters of letters, digits and ._:-", "accountId");

    private static IResult? Trade(InstrumentCatalog catalog, string instrumentName, string side, JsonElement size,
        JsonElement priceElement, out Instrument? instrument, out long lots, out double price)
    {
        lots = 0;
        price = 0;
        if (!catalog.TryResolve(instrumentName, out instrument, out _))
        {
            instrument = null;
            return ApiErrors.NotFound($"unknown instrument {instrumentName}", "instrument");
        }
        var sign = side switch
        {
            "BUY" => 1,
            "SELL" => -1,
            _ => 0,
        };
        if (sign == 0)
        {
            return ApiErrors.BadRequest("side must be BUY or SELL", "side");
        }
        if (!AccountJsonMapping.TryLots(size, instrument, out lots, out var error))
        {
            return ApiErrors.BadRequest(error, "size");
        }
        lots *= sign;
        return AccountJsonMapping.TryPrice(priceElement, out price)
            ? null
            : ApiErrors.BadRequest("price must be a positive finite number", "price");
    }

    private static Task<IResult> Send(AccountService accounts, IAccountCommand command, CancellationToken ct) =>
        Ask(accounts, command, reply => reply is CommandAccepted a
            ? TypedResults.Json(new CommandResponse(a.CommandId, a.SequenceNr,
                AccountJsonMapping.Event(a.Event, accounts.Catalog, a.SequenceNr)), AccountJsonContext.Default.CommandResponse)
            : null, ct);

    private static async Task<IResult> Ask(AccountService accounts, IAccountMessage message,
        Func<IAccountReply, IResult?> onSuccess, CancellationToken ct)
    {
        IAccountReply reply;
        try
        {
            reply = await accounts.AskAsync(message, ct).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return ApiErrors.Unavailable(
                $"account {message.AccountId} did not answer in time; retry (with the same commandId)");
        }
        catch (AccountsOverloadedException e)
        {
            return ApiErrors.Unavailable(e.Message);
        }
        if (onSuccess(reply) is { } ok)
        {
            return ok;
        }
        return reply is CommandRejected r
            ? r.Code switch
            {
                RejectionCode.Malformed => ApiErrors.BadRequest(r.Message, r.Field),
                RejectionCode.NotFound => ApiErrors.NotFound(r.Message, r.Field),
                RejectionCode.CommandIdReused or RejectionCode.Conflict => ApiErrors.Conflict(r.Message, r.Field),
                _ => TypedResults.Json(new RefusalResponse(r.Message, r.Field,
                        r.Check is null ? null : AccountJsonMapping.Check(r.Check)),
                    AccountJsonContext.Default.RefusalResponse, statusCode: StatusCodes.Status422UnprocessableEntity),
            }
            : ApiErrors.Result(StatusCodes.Status500InternalServerError, $"unexpected reply {reply.GetType().Name}", null);
    }

    private static Microsoft.AspNetCore.Http.HttpResults.JsonHttpResult<AccountResponse> Render(AccountView view, AccountService accounts)
    {
        var catalog = accounts.Catalog;
        var p = catalog.Params;
        var subs = new List<SubAccountJson>(view.SubAccounts.Count);
        long asOf = 0;
        var buffer = new ArrayBufferWriter<byte>(1024);
        foreach (var s in view.SubAccounts)
        {
            buffer.ResetWrittenCount();
            asOf = accounts.Metrics.Write(s, buffer);
            using var metrics = JsonDocument.Parse(buffer.WrittenMemory);
            var balances = new Dictionary<string, string>(s.Balances.Count);
            foreach (var b in s.Balances)
            {
                balances[b.Asset] = AccountJsonMapping.Amount(b.Units, p.Assets[p.AssetId(b.Asset)].Decimals);
            }
            var positions = new List<PositionJson>(s.Positions.Count);
            foreach (var pos in s.Positions)
            {
                catalog.TryResolve(pos.Instrument, out var instrument, out _);
                positions.Add(new PositionJson(pos.Instrument, AccountJsonMapping.Size(pos.SizeLots, instrument),
                    pos.EntryPrice, AccountJsonMapping.Usd(pos.RealisedPnlMicros), pos.Isolated,
                    AccountJsonMapping.Usd(pos.IsolatedMarginMicros)));
            }
            var ledger = s.Ledger.Select(l => new LedgerJson(l.Name, l.Asset,
                AccountJsonMapping.Amount(l.Units, p.Assets[p.AssetId(l.Asset)].Decimals))).ToList();
            subs.Add(new SubAccountJson(s.Name, AccountJsonMapping.ModeName(s.Mode), balances, positions, ledger,
                metrics.RootElement.Clone()));
        }
        return TypedResults.Json(new AccountResponse(view.AccountId, view.SequenceNr, AccountJsonMapping.Time(asOf), subs),
            AccountJsonContext.Default.AccountResponse);
    }

    private static bool TryQueryLong(HttpRequest request, string name, long fallback, out long value)
    {
        var text = request.Query[name].ToString();
        if (text.Length == 0)
        {
            value = fallback;
            return true;
        }
        return long.TryParse(text, System.Globalization.NumberStyles.None,
            System.Globalization.CultureInfo.InvariantCulture, out value);
    }
}

using System.Globalization;
using System.Text.Json;
using RiskGrid.Margin;
using RiskGrid.Margin.Accounts;
using RiskGrid.Margin.Instruments;
using RiskGrid.Margin.Liquidation;
using RiskGrid.Margin.Parameters;
using RiskGrid.Node.Accounts;

namespace RiskGrid.Api.Accounts;

/// <summary>Between the API's decimal strings and the grid's fixed-point units, both ways, exactly.</summary>
public static class AccountJsonMapping
{
    private const string DecimalFormat = "0.############################";

    /// <summary>Largest size accepted in instrument units (a venue's sanity bound; the grid's fixed point holds more).</summary>
    private const decimal MaxUnits = 1_000_000_000m;

    /// <summary>A decimal from a JSON string (<c>"12.5"</c>, no exponent, no separators) or number.</summary>
    public static bool TryDecimal(JsonElement element, out decimal value)
    {
        value = 0;
        return element.ValueKind switch
        {
            JsonValueKind.String => decimal.TryParse(element.GetString(),
                NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture,
                out value),
            JsonValueKind.Number => element.TryGetDecimal(out value),
            _ => false,
        };
    }

    /// <summary>A price: a positive finite number, from a JSON number or decimal string.</summary>
    public static bool TryPrice(JsonElement element, out double price)
    {
        price = double.NaN;
        if (element.ValueKind == JsonValueKind.Number)
        {
            price = element.GetDouble();
        }
        else if (element.ValueKind == JsonValueKind.String &&
                 !double.TryParse(element.GetString(), NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign,
                     CultureInfo.InvariantCulture, out price))
        {
            price = double.NaN;
        }
        return double.IsFinite(price) && price > 0;
    }

    /// <summary>An amount of <paramref name="asset"/> in its units; false (with the reason) when malformed, not
    /// positive (unless <paramref name="allowZero"/>), or finer than the asset's decimals.</summary>
    public static bool TryUnits(JsonElement element, AssetParams asset, bool allowZero, out long units,
        out string error)
    {
        units = 0;
        if (!TryDecimal(element, out var value))
        {
            error = "must be a decimal string or number";
            return false;
        }
        if (value < 0 || (value == 0 && !allowZero))
        {
            error = allowZero ? "must not be negative" : "must be positive";
            return false;
        }
        if (!FixedPoint.TryToUnits(value, asset.Decimals, out units))
        {
            error = $"must have at most {asset.Decimals} decimals and fit the grid";
            return false;
        }
        error = "";
        return true;
    }

    /// <summary>A positive size in whole lots of <paramref name="instrument"/>.</summary>
    public static bool TryLots(JsonElement element, Instrument instrument, out long lots, out string error)
    {
        lots = 0;
        if (!TryDecimal(element, out var value) || value <= 0)
        {
            error = "must be a positive decimal string or number";
            return false;
        }
        if (value > MaxUnits)
        {
            error = $"must be at most {MaxUnits.ToString(CultureInfo.InvariantCulture)}";
            return false;
        }
        var inLots = value / instrument.Lot;
        if (inLots != decimal.Truncate(inLots) || inLots > long.MaxValue / 2)
        {
            error = $"must be a whole number of lots ({instrument.Lot.ToString(DecimalFormat, CultureInfo.InvariantCulture)})";
            return false;
        }
        lots = (long)inLots;
        error = "";
        return true;
    }

    /// <summary>Signed lots as a signed decimal string of units.</summary>
    public static string Size(long lots, Instrument instrument) =>
        (lots * instrument.Lot).ToString(DecimalFormat, CultureInfo.InvariantCulture);

    /// <summary>Units of an asset as a decimal string.</summary>
    public static string Amount(long units, int decimals) => FixedPoint.Format(units, decimals);

    /// <summary>Micro-dollars as a decimal string.</summary>
    public static string Usd(long micros) => FixedPoint.Format(micros, 6);

    /// <summary>Unix milliseconds as ISO 8601 UTC.</summary>
    public static string Time(long ms) =>
        DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(ms, MinTimeMs, MaxTimeMs))
            .ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static readonly long MinTimeMs = DateTimeOffset.MinValue.ToUnixTimeMilliseconds();
    private static readonly long MaxTimeMs = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    /// <summary>The API name of a margin mode.</summary>
    public static string ModeName(MarginMode mode) => mode == MarginMode.Portfolio ? "PORTFOLIO" : "STANDARD";

    /// <summary>The figures of a margin check.</summary>
    public static CheckJson Check(CheckFigures f) => new(f.Outcome, Usd(f.FreeCollateralBeforeMicros),
        Usd(f.FreeCollateralAfterMicros), Usd(f.InitialMarginBeforeMicros), Usd(f.InitialMarginAfterMicros),
        Usd(f.MaintenanceBeforeMicros), Usd(f.MaintenanceAfterMicros));

    /// <summary>An event as the API shows it.</summary>
    public static AccountEventJson Event(IAccountEvent e, InstrumentCatalog catalog, long? sequenceNr = null)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(catalog);
        var p = catalog.Params;
        var at = Time(e.AtMs);
        return e switch
        {
            Deposited d => new AccountEventJson("DEPOSITED", d.CommandId, at)
            {
                SubAccount = d.SubAccount, Asset = d.Asset, Amount = AssetAmount(p, d.Asset, d.Units),
            },
            Withdrawn w => new AccountEventJson("WITHDRAWN", w.CommandId, at)
            {
                SubAccount = w.SubAccount, Asset = w.Asset, Amount = AssetAmount(p, w.Asset, w.Units),
            },
            Transferred t => new AccountEventJson("TRANSFERRED", t.CommandId, at)
            {
                FromSubAccount = t.FromSubAccount, ToSubAccount = t.ToSubAccount, Asset = t.Asset,
                Amount = AssetAmount(p, t.Asset, t.Units),
            },
            FillApplied f => Trade("FILL_APPLIED", f.CommandId, at, f.SubAccount, f.Instrument, null, f.SizeLots,
                f.Price, f.FeeMicros, f.RealisedPnlMicros, f.PremiumMicros, f.NewSizeLots, f.NewEntryPrice, catalog),
            ReductionApplied r => Trade("REDUCTION_APPLIED", r.CommandId, at, r.SubAccount, r.Instrument,
                ReductionKindName(r.Kind), r.SizeLots, r.Price, r.FeeMicros, r.RealisedPnlMicros, r.PremiumMicros,
                r.NewSizeLots, r.NewEntryPrice, catalog) with
            {
                LiquidationId = r.LiquidationId.Length == 0 ? null : r.LiquidationId, Plan = PlanName(r.Plan),
            },
            MarginCallIssued m => new AccountEventJson("MARGIN_CALL_ISSUED", m.CommandId, at)
            {
                SubAccount = m.SubAccount, Health = Finite(m.Health), EquityMm = Usd(m.EquityMmMicros),
                MaintenanceMargin = Usd(m.MaintenanceMicros),
            },
            InsuranceReceived i => new AccountEventJson("INSURANCE_RECEIVED", i.CommandId, at)
            {
                SubAccount = i.SubAccount, Instrument = i.Instrument.Length == 0 ? null : i.Instrument, Asset = "USD",
                Amount = Usd(i.AmountMicros),
            },
            ModeChanged m => new AccountEventJson("MODE_CHANGED", m.CommandId, at)
            {
                SubAccount = m.SubAccount, Mode = ModeName(m.Mode),
            },
            IsolatedMarginSet i => new AccountEventJson("ISOLATED_MARGIN_SET", i.CommandId, at)
            {
                SubAccount = i.SubAccount, Instrument = i.Instrument, Margin = Usd(i.MarginMicros),
            },
            FundingPaid f => new AccountEventJson("FUNDING_PAID", f.CommandId, at)
            {
                Instrument = f.Instrument, Rate = f.Rate, Mark = f.Mark,
                Payments = f.Payments.Select(x => new FundingPaymentJson(x.SubAccount, Usd(x.PaymentMicros))).ToList(),
            },
            _ => throw new ArgumentException($"unknown event {e.GetType().Name}", nameof(e)),
        } with { SequenceNr = sequenceNr };
    }

    /// <summary>The API name of a forced reduction's kind.</summary>
    public static string ReductionKindName(ReductionKind kind) =>
        kind == ReductionKind.Liquidation ? "LIQUIDATION" : "AUTO_DELEVERAGING";

    /// <summary>The API name of a liquidation plan (§9); null for none (events written before plans were
    /// recorded).</summary>
    public static string? PlanName(LiquidationKind plan) => plan switch
    {
        LiquidationKind.Partial => "PARTIAL",
        LiquidationKind.Backstop => "BACKSTOP",
        LiquidationKind.Bankrupt => "BANKRUPT",
        _ => null,
    };

    /// <summary>A number JSON can carry (strict JSON has no NaN or infinity): non-finite values become 0.</summary>
    public static double Finite(double x) => double.IsFinite(x) ? x : 0;

    private static AccountEventJson Trade(string type, string commandId, string at, string sub, string instrumentName,
        string? kind, long sizeLots, double price, long fee, long realised, long premium, long newSize, double newEntry,
        InstrumentCatalog catalog)
    {
        catalog.TryResolve(instrumentName, out var instrument, out _);
        return new AccountEventJson(type, commandId, at)
        {
            SubAccount = sub, Instrument = instrumentName, Kind = kind, Size = Size(sizeLots, instrument),
            Price = price, Fee = Usd(fee), RealisedPnl = Usd(realised), Premium = Usd(premium),
            NewSize = Size(newSize, instrument), NewEntryPrice = newEntry,
        };
    }

    private static string AssetAmount(RiskParams p, string asset, long units)
    {
        var id = p.AssetId(asset);
        return Amount(units, id >= 0 ? p.Assets[id].Decimals : 0);
    }
}

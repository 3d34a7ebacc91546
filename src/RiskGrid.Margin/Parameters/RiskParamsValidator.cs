using System.Globalization;

namespace RiskGrid.Margin.Parameters;

/// <summary>Checks every parameter once, at start; messages read <c>key = value: problem</c>.</summary>
internal static class RiskParamsValidator
{
    public static List<string> Validate(IReadOnlyList<AssetParams> assets, IReadOnlyList<UnderlyingParams> underlyings,
        PortfolioParams portfolio, LiquidationParams liquidation, PriceParams prices, VolatilityParams volatility)
    {
        var e = new List<string>();
        var underlyingNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var u in underlyings)
        {
            if (!underlyingNames.Add(u.Name))
            {
                e.Add($"underlyings.{u.Name}: defined twice");
            }
        }
        if (assets.Count == 0 || assets[0].Name != AssetParams.Usd)
        {
            e.Add("assets.USD: the settlement asset USD must be defined (and first)");
        }
        var assetNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var a in assets)
        {
            var k = $"assets.{a.Name}";
            if (!assetNames.Add(a.Name))
            {
                e.Add($"{k}: defined twice");
            }
            InRange(e, $"{k}.initialWeight", a.InitialWeight, 0, 1, lowOpen: false);
            InRange(e, $"{k}.maintenanceWeight", a.MaintenanceWeight, 0, 1, lowOpen: false);
            if (a.InitialWeight > a.MaintenanceWeight)
            {
                e.Add($"{k}.initialWeight = {F(a.InitialWeight)}: must not exceed maintenanceWeight ({F(a.MaintenanceWeight)})");
            }
            NonNegative(e, $"{k}.imf", a.Imf);
            if (a.Decimals is < 0 or > 12)
            {
                e.Add($"{k}.decimals = {a.Decimals}: must be in [0, 12]");
            }
            if (a.Name == AssetParams.Usd)
            {
                if (a.PriceIndex is not null)
                {
                    e.Add($"{k}.priceIndex = {a.PriceIndex}: USD is the settlement asset and has no index");
                }
                if (a.Decimals != 6)
                {
                    e.Add($"{k}.decimals = {a.Decimals}: USD is held in micro-dollars (6)");
                }
                if (a.InitialWeight != 1 || a.MaintenanceWeight != 1 || a.Imf != 0)
                {
                    e.Add($"{k}: USD has weight 1 and no size factor");
                }
            }
            else if (a.PriceIndex is null)
            {
                e.Add($"{k}.priceIndex: missing (name the underlying whose index prices {a.Name})");
            }
            else if (!underlyingNames.Contains(a.PriceIndex))
            {
                e.Add($"{k}.priceIndex = {a.PriceIndex}: no such underlying");
            }
        }
        foreach (var u in underlyings)
        {
            ValidateUnderlying(e, u);
        }
        ValidatePortfolio(e, portfolio, underlyingNames);
        ValidateLiquidation(e, liquidation);
        ValidatePrices(e, prices);
        Positive(e, "volatility.ewmaHalfLifeSeconds", volatility.EwmaHalfLifeSeconds);
        Positive(e, "volatility.mmRampSeconds", volatility.MmRampSeconds);
        InRange(e, "volatility.journalThreshold", volatility.JournalThreshold, 0, 1, lowOpen: true);
        return e;
    }

    private static void ValidateUnderlying(List<string> e, UnderlyingParams u)
    {
        var k = $"underlyings.{u.Name}";
        InRange(e, $"{k}.scanRange", u.ScanRange, 0, 1, lowOpen: true);
        InRange(e, $"{k}.volShockUp", u.VolShockUp, 0, 10, lowOpen: false);
        InRange(e, $"{k}.volShockDown", u.VolShockDown, 0, 1, lowOpen: false, highOpen: true);
        if (!(u.ExtremeMultiple >= 1) || !double.IsFinite(u.ExtremeMultiple))
        {
            e.Add($"{k}.extremeMultiple = {F(u.ExtremeMultiple)}: must be ≥ 1");
        }
        InRange(e, $"{k}.extremeCoverage", u.ExtremeCoverage, 0, 1, lowOpen: false);
        InRange(e, $"{k}.shortOptionMinimum", u.ShortOptionMinimum, 0, 1, lowOpen: false);
        Positive(e, $"{k}.refVol", u.RefVol);
        if (!(u.MaxVolMultiplier >= 1) || !double.IsFinite(u.MaxVolMultiplier))
        {
            e.Add($"{k}.maxVolMultiplier = {F(u.MaxVolMultiplier)}: must be ≥ 1");
        }
        if (u.LinearLot <= 0)
        {
            e.Add($"{k}.linear.lot = {u.LinearLot}: must be > 0");
        }
        if (u.OptionLot <= 0)
        {
            e.Add($"{k}.options.lot = {u.OptionLot}: must be > 0");
        }
        ValidateTiers(e, $"{k}.linear.tiers", u.LinearTiers);
        InRange(e, $"{k}.options.optionIm", u.OptionIm, 0, 1, lowOpen: true);
        InRange(e, $"{k}.options.optionImFloor", u.OptionImFloor, 0, 1, lowOpen: false);
        InRange(e, $"{k}.options.optionMm", u.OptionMm, 0, 1, lowOpen: true);
        if (u.OptionMm > u.OptionIm)
        {
            e.Add($"{k}.options.optionMm = {F(u.OptionMm)}: must not exceed optionIm ({F(u.OptionIm)})");
        }
    }

    internal static void ValidateTiers(List<string> e, string k, TierTable table)
    {
        var tiers = table.Tiers;
        for (var i = 0; i < tiers.Length; i++)
        {
            var t = tiers[i];
            InRange(e, $"{k}[{i}].imr", t.Imr, 0, 1, lowOpen: true);
            InRange(e, $"{k}[{i}].mmr", t.Mmr, 0, 1, lowOpen: true);
            if (t.Mmr > t.Imr)
            {
                e.Add($"{k}[{i}].mmr = {F(t.Mmr)}: must not exceed imr ({F(t.Imr)})");
            }
            if (i < tiers.Length - 1 && !(t.NotionalCap > 0 && double.IsFinite(t.NotionalCap)))
            {
                e.Add($"{k}[{i}].cap = {F(t.NotionalCap)}: must be a positive number");
            }
            if (i > 0)
            {
                if (i < tiers.Length - 1 && !(t.NotionalCap > tiers[i - 1].NotionalCap))
                {
                    e.Add($"{k}[{i}].cap = {F(t.NotionalCap)}: caps must ascend");
                }
                if (t.Imr < tiers[i - 1].Imr || t.Mmr < tiers[i - 1].Mmr)
                {
                    e.Add($"{k}[{i}]: rates must not fall as notional grows");
                }
            }
        }
    }

    /// <summary>Per-instrument tier overrides (§2, §5): the id names a linear instrument of a configured underlying
    /// (<c>U-PERP</c> or <c>U-YYYYMMDD</c>) and its table obeys the tier rules.</summary>
    internal static void ValidateInstrumentTiers(List<string> e, IReadOnlyDictionary<string, TierTable> instrumentTiers,
        IReadOnlyList<UnderlyingParams> underlyings)
    {
        foreach (var (id, table) in instrumentTiers)
        {
            var k = $"instruments.{id}";
            var dash = id.IndexOf('-', StringComparison.Ordinal);
            var underlying = dash < 0 ? id : id[..dash];
            var suffix = dash < 0 ? "" : id[(dash + 1)..];
            var linear = suffix == "PERP" || DateOnly.TryParseExact(suffix, "yyyyMMdd", CultureInfo.InvariantCulture,
                DateTimeStyles.None, out _);
            if (!linear)
            {
                e.Add($"{k}: tiers apply to linear instruments only ({underlying}-PERP or {underlying}-YYYYMMDD)");
            }
            var known = false;
            foreach (var u in underlyings)
            {
                known |= u.Name == underlying;
            }
            if (!known)
            {
                e.Add($"{k}: no such underlying {underlying}");
            }
            if (table is null)
            {
                e.Add($"{k}.tiers: missing");
                continue;
            }
            ValidateTiers(e, $"{k}.tiers", table);
        }
    }

    private static void ValidatePortfolio(List<string> e, PortfolioParams p, HashSet<string> underlyings)
    {
        if (!(p.ImMultiplier >= 1) || !double.IsFinite(p.ImMultiplier))
        {
            e.Add($"portfolio.imMultiplier = {F(p.ImMultiplier)}: must be ≥ 1");
        }
        for (var i = 0; i < p.CreditPairs.Count; i++)
        {
            var c = p.CreditPairs[i];
            var k = $"portfolio.creditPairs[{i}]";
            if (!underlyings.Contains(c.First))
            {
                e.Add($"{k}.first = {c.First}: no such underlying");
            }
            if (!underlyings.Contains(c.Second))
            {
                e.Add($"{k}.second = {c.Second}: no such underlying");
            }
            if (c.First == c.Second)
            {
                e.Add($"{k}: a pair needs two different underlyings");
            }
            InRange(e, $"{k}.rate", c.Rate, 0, 1, lowOpen: false);
        }
    }

    private static void ValidateLiquidation(List<string> e, LiquidationParams l)
    {
        if (!(l.TargetHealth >= 1) || !double.IsFinite(l.TargetHealth))
        {
            e.Add($"liquidation.targetHealth = {F(l.TargetHealth)}: must be ≥ 1");
        }
        InRange(e, "liquidation.backstopHealth", l.BackstopHealth, 0, 1, lowOpen: false);
        InRange(e, "liquidation.liquidationSlippage", l.LiquidationSlippage, 0, 0.5, lowOpen: false);
        InRange(e, "liquidation.liquidationFee", l.LiquidationFee, 0, 0.5, lowOpen: false);
        if (l.CooldownMs < 0)
        {
            e.Add($"liquidation.cooldownMs = {l.CooldownMs}: must be ≥ 0");
        }
        if (!(l.WarnHealth >= 1) || !double.IsFinite(l.WarnHealth))
        {
            e.Add($"liquidation.warnHealth = {F(l.WarnHealth)}: must be ≥ 1");
        }
    }

    private static void ValidatePrices(List<string> e, PriceParams p)
    {
        if (p.StaleMs <= 0)
        {
            e.Add($"prices.staleMs = {p.StaleMs}: must be > 0");
        }
        if (p.MinSources is < 1)
        {
            e.Add($"prices.minSources = {p.MinSources}: must be ≥ 1");
        }
        InRange(e, "prices.jumpFraction", p.JumpFraction, 0, 1, lowOpen: true);
        if (p.JumpWindowMs <= 0)
        {
            e.Add($"prices.jumpWindowMs = {p.JumpWindowMs}: must be > 0");
        }
        if (p.ConfirmMs < 0)
        {
            e.Add($"prices.confirmMs = {p.ConfirmMs}: must be ≥ 0");
        }
    }

    private static void InRange(List<string> e, string key, double v, double lo, double hi, bool lowOpen,
        bool highOpen = false)
    {
        var ok = double.IsFinite(v) && (lowOpen ? v > lo : v >= lo) && (highOpen ? v < hi : v <= hi);
        if (!ok)
        {
            e.Add($"{key} = {F(v)}: must be in {(lowOpen ? "(" : "[")}{F(lo)}, {F(hi)}{(highOpen ? ")" : "]")}");
        }
    }

    private static void Positive(List<string> e, string key, double v)
    {
        if (!(v > 0) || !double.IsFinite(v))
        {
            e.Add($"{key} = {F(v)}: must be > 0");
        }
    }

    private static void NonNegative(List<string> e, string key, double v)
    {
        if (!(v >= 0) || !double.IsFinite(v))
        {
            e.Add($"{key} = {F(v)}: must be ≥ 0");
        }
    }

    private static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}

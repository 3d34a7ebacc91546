namespace RiskGrid.Margin.Parameters;

/// <summary>
/// Which parameter changes a running grid can take (a run-time change, <c>PUT /v1/admin/params</c>). State is stored
/// against the structure of the parameters: balances per asset id in units of 10^-decimals, positions per instrument
/// in lots, instrument ids resolved against the underlyings, per-instrument tier overrides bound to instruments at
/// resolution. So the set and order of assets and underlyings, each asset's decimals and price index, the lot sizes
/// and the set of per-instrument tier overrides must stay as they are; every numeric risk value (weights, size
/// factors, scan ranges, volatility shocks and references, tiers, option rates, the portfolio multiplier and credit
/// pairs, liquidation, price and volatility parameters) may change.
/// </summary>
public static class RiskParamsCompatibility
{
    /// <summary>
    /// True when <paramref name="next"/> keeps the structure of <paramref name="current"/>; otherwise false with the
    /// first offending key (<c>assets.BTC.decimals</c>, below <c>riskgrid.risk</c>) and why.
    /// </summary>
    public static bool IsCompatible(RiskParams current, RiskParams next, out string? field, out string? error)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(next);
        return Assets(current.Assets, next.Assets, out field, out error)
               && Underlyings(current.Underlyings, next.Underlyings, out field, out error)
               && Overrides(current.InstrumentTiers, next.InstrumentTiers, out field, out error);
    }

    private static bool Assets(IReadOnlyList<AssetParams> current, IReadOnlyList<AssetParams> next, out string? field,
        out string? error)
    {
        for (var i = 0; i < Math.Max(current.Count, next.Count); i++)
        {
            if (i >= next.Count || i >= current.Count || current[i].Name != next[i].Name)
            {
                var name = i < next.Count ? next[i].Name : current[i].Name;
                return Refuse($"assets.{name}",
                    "the set and order of assets cannot change at run time (balances are stored by asset)",
                    out field, out error);
            }
            var (was, now) = (current[i], next[i]);
            if (was.Decimals != now.Decimals)
            {
                return Refuse($"assets.{now.Name}.decimals",
                    $"cannot change at run time ({was.Decimals}): balances are stored in units of 10^-decimals",
                    out field, out error);
            }
            if (was.PriceIndex != now.PriceIndex)
            {
                return Refuse($"assets.{now.Name}.priceIndex",
                    $"cannot change at run time ({was.PriceIndex ?? "none"})", out field, out error);
            }
        }
        field = error = null;
        return true;
    }

    private static bool Underlyings(IReadOnlyList<UnderlyingParams> current, IReadOnlyList<UnderlyingParams> next,
        out string? field, out string? error)
    {
        for (var i = 0; i < Math.Max(current.Count, next.Count); i++)
        {
            if (i >= next.Count || i >= current.Count || current[i].Name != next[i].Name)
            {
                var name = i < next.Count ? next[i].Name : current[i].Name;
                return Refuse($"underlyings.{name}",
                    "the set and order of underlyings cannot change at run time (instruments are resolved against " +
                    "them)",
                    out field, out error);
            }
            var (was, now) = (current[i], next[i]);
            if (was.LinearLot != now.LinearLot)
            {
                return Refuse($"underlyings.{now.Name}.linear.lot",
                    $"cannot change at run time ({was.LinearLot}): positions are stored in lots", out field, out error);
            }
            if (was.OptionLot != now.OptionLot)
            {
                return Refuse($"underlyings.{now.Name}.options.lot",
                    $"cannot change at run time ({was.OptionLot}): positions are stored in lots", out field, out error);
            }
        }
        field = error = null;
        return true;
    }

    private static bool Overrides(IReadOnlyDictionary<string, TierTable> current,
        IReadOnlyDictionary<string, TierTable> next, out string? field, out string? error)
    {
        var differs = next.Keys.Where(id => !current.ContainsKey(id))
            .Concat(current.Keys.Where(id => !next.ContainsKey(id)))
            .Order(StringComparer.Ordinal)
            .FirstOrDefault();
        if (differs is not null)
        {
            return Refuse($"instruments.{differs}",
                "the set of per-instrument tier overrides cannot change at run time (change an override's tiers " +
                "instead)",
                out field, out error);
        }
        field = error = null;
        return true;
    }

    private static bool Refuse(string key, string message, out string? field, out string? error)
    {
        field = key;
        error = $"{key}: {message}";
        return false;
    }
}

namespace RiskGrid.Margin.Parameters;

/// <summary>
/// One bracket of a linear instrument's margin table (§5): applies to notional N ≤ <see cref="NotionalCap"/> (USD).
/// <see cref="CumulativeIm"/>/<see cref="CumulativeMm"/> (USD) make requirements continuous at the caps:
/// cum_1 = 0, cum_k = cum_{k−1} + cap_{k−1} × (rate_k − rate_{k−1}).
/// </summary>
public readonly record struct MarginTier(double NotionalCap, double Imr, double Mmr, double CumulativeIm,
    double CumulativeMm);

/// <summary>A validated tier table: caps ascending, the last open-ended (+∞).</summary>
public sealed class TierTable
{
    private readonly MarginTier[] _tiers;

    private TierTable(MarginTier[] tiers) => _tiers = tiers;

    /// <summary>The tiers, caps ascending, the last with cap +∞.</summary>
    public ReadOnlySpan<MarginTier> Tiers => _tiers;

    /// <summary>Builds a table from (cap, imr, mmr) rows; the last row's cap is replaced by +∞.</summary>
    public static TierTable Create(IReadOnlyList<(double Cap, double Imr, double Mmr)> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0)
        {
            throw new ArgumentException("a tier table needs at least one tier", nameof(rows));
        }
        var tiers = new MarginTier[rows.Count];
        double cumI = 0, cumM = 0;
        for (var k = 0; k < rows.Count; k++)
        {
            if (k > 0)
            {
                cumI += rows[k - 1].Cap * (rows[k].Imr - rows[k - 1].Imr);
                cumM += rows[k - 1].Cap * (rows[k].Mmr - rows[k - 1].Mmr);
            }
            var cap = k == rows.Count - 1 ? double.PositiveInfinity : rows[k].Cap;
            tiers[k] = new MarginTier(cap, rows[k].Imr, rows[k].Mmr, cumI, cumM);
        }
        return new TierTable(tiers);
    }

    /// <summary>The first tier whose cap is ≥ <paramref name="notionalUsd"/>.</summary>
    public ref readonly MarginTier For(double notionalUsd)
    {
        var tiers = _tiers;
        for (var k = 0; k < tiers.Length - 1; k++)
        {
            if (notionalUsd <= tiers[k].NotionalCap)
            {
                return ref tiers[k];
            }
        }
        return ref tiers[^1];
    }

    /// <summary>Maintenance requirement in USD before the volatility multiplier: N × mmr_k − cumM_k.</summary>
    public double MaintenanceUsd(double notionalUsd)
    {
        ref readonly var t = ref For(notionalUsd);
        return notionalUsd * t.Mmr - t.CumulativeMm;
    }

    /// <summary>Initial requirement in USD before the volatility multiplier: N × imr_k − cumI_k.</summary>
    public double InitialUsd(double notionalUsd)
    {
        ref readonly var t = ref For(notionalUsd);
        return notionalUsd * t.Imr - t.CumulativeIm;
    }
}

using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;
using RiskGrid.Margin.Accounts;
using RiskGrid.Margin.Evaluation;
using RiskGrid.Margin.Instruments;
using RiskGrid.Margin.Market;
using RiskGrid.Margin.Parameters;

namespace RiskGrid.Margin.Portfolio;

/// <summary>
/// Portfolio (scenario) margin of MARGIN.md §6 for the cross (non-isolated) positions of a sub-account.
/// <para>
/// Per underlying g: the 45 scenario PnLs Σ q × riskArray[k] (q signed units), <c>scan_g = max(0, −min PnL)</c>,
/// raised to <c>extremeCoverage × max(0, −PnL(±extremeMultiple × P))</c>; <c>som_g = shortOptionMinimum × S × Σ|q|</c>
/// over short options; <c>R_g = max(scan_g, som_g)</c>; net delta <c>D_g = Σ q × ∂price/∂S × S</c> (USD). Then the
/// inter-commodity credit over the configured pairs in order, and
/// <c>MM = max(Σ R_g − credit, Σ som_g)</c>; IM is the same computation on the v^IM risk arrays, times
/// <c>imMultiplier</c>.
/// </para>
/// <para>
/// Arithmetic runs in <see cref="double"/>; MM and IM are rounded up once at the end (§1). Reported group figures come
/// from the MM computation: scan and som rounded up, credit rounded down. Allocates nothing per call (per-underlying
/// accumulators live on the stack). Reads the shared <see cref="RiskArrays"/> and refreshes entries that are out of
/// date, so the usual <see cref="RiskArrays"/> threading rule applies.
/// </para>
/// </summary>
public sealed class PortfolioMarginCalculator
{
    // Per underlying row: MM scan (45 scenarios, extreme down, extreme up), the same for IM, Σ|q| of short options,
    // net delta (Σ q × delta while accumulating, then × S in USD), and presence (0 or 1).
    private const int ScanWidth = RiskArrays.Scenarios + 2;
    private const int MmScanOffset = 0;
    private const int ImScanOffset = ScanWidth;
    private const int ShortUnitsSlot = 2 * ScanWidth;
    private const int DeltaSlot = ShortUnitsSlot + 1;
    private const int PresentSlot = DeltaSlot + 1;
    private const int RowWidth = PresentSlot + 1;

    // After the rows: per underlying the scan of the computation under way and the remaining |D| of the credit.
    private const int ScratchWidth = 2;

    // 8 KB of stack covers 10 underlyings; beyond that a pooled buffer (no allocation once the pool is warm).
    private const int StackLimitDoubles = 1024;

    private readonly InstrumentCatalog _catalog;

    public PortfolioMarginCalculator(InstrumentCatalog catalog) =>
        _catalog = catalog ?? throw new ArgumentNullException(nameof(catalog));

    /// <summary>
    /// §6: sets <see cref="MarginResult.MaintenanceMarginMicros"/> and <see cref="MarginResult.InitialMarginMicros"/>
    /// (rounded up), <see cref="MarginResult.CreditMicros"/> (MM credit, rounded down) and, per underlying,
    /// <see cref="MarginResult.GroupPresent"/>, <see cref="MarginResult.GroupScanMicros"/> and
    /// <see cref="MarginResult.GroupShortOptionMinimumMicros"/> (MM figures, rounded up) and
    /// <see cref="MarginResult.GroupNetDeltaUsd"/>. Isolated positions are ignored (they use §5). Other fields of
    /// <paramref name="result"/> are left alone; its group arrays must cover every underlying (as after
    /// <see cref="MarginEvaluator"/>'s reset).
    /// </summary>
    public void Evaluate(SubAccountPortfolio account, MarketState market, RiskArrays arrays, MarginResult result)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(market);
        ArgumentNullException.ThrowIfNull(arrays);
        ArgumentNullException.ThrowIfNull(result);
        var underlyings = market.UnderlyingCount;
        if (result.GroupPresent.Length < underlyings)
        {
            throw new ArgumentException("the result's group arrays do not cover every underlying", nameof(result));
        }
        var length = underlyings * (RowWidth + ScratchWidth);
        double[]? rented = null;
        Span<double> work = length <= StackLimitDoubles
            ? stackalloc double[length]
            : (rented = ArrayPool<double>.Shared.Rent(length)).AsSpan(0, length);
        try
        {
            work.Clear();
            var rows = work[..(underlyings * RowWidth)];
            var scan = work.Slice(underlyings * RowWidth, underlyings);
            var remaining = work.Slice(underlyings * (RowWidth + 1), underlyings);
            Accumulate(account, market, arrays, rows, -1, withInitial: true);

            var p = _catalog.Params;
            var mm = Requirement(p, market, rows, MmScanOffset, scan, remaining, out var credit);
            ReportGroups(p, market, rows, scan, result);
            result.GroupsWritten = true;
            result.CreditMicros = Micros.RoundValueDown(credit);
            result.MaintenanceMarginMicros = Micros.RoundRequirementUp(mm);

            var im = Requirement(p, market, rows, ImScanOffset, scan, remaining, out _) * p.Portfolio.ImMultiplier;
            result.InitialMarginMicros = Micros.RoundRequirementUp(im);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<double>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// The portfolio MM (§6, micro-dollars, rounded up) the cross pool would have with the position at
    /// <paramref name="positionIndex"/> closed in full, every price unchanged: bit-for-bit the
    /// <see cref="MarginResult.MaintenanceMarginMicros"/> of the account with that position removed. For the §9
    /// greedy liquidation order; costs about half an <see cref="Evaluate"/> (no IM, no collateral).
    /// </summary>
    public long MaintenanceWithoutPosition(SubAccountPortfolio account, MarketState market, RiskArrays arrays,
        int positionIndex)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(market);
        ArgumentNullException.ThrowIfNull(arrays);
        ArgumentOutOfRangeException.ThrowIfNegative(positionIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(positionIndex, account.PositionCount);
        var underlyings = market.UnderlyingCount;
        var length = underlyings * (RowWidth + ScratchWidth);
        double[]? rented = null;
        Span<double> work = length <= StackLimitDoubles
            ? stackalloc double[length]
            : (rented = ArrayPool<double>.Shared.Rent(length)).AsSpan(0, length);
        try
        {
            work.Clear();
            var rows = work[..(underlyings * RowWidth)];
            var scan = work.Slice(underlyings * RowWidth, underlyings);
            var remaining = work.Slice(underlyings * (RowWidth + 1), underlyings);
            Accumulate(account, market, arrays, rows, positionIndex, withInitial: false);
            return Micros.RoundRequirementUp(
                Requirement(_catalog.Params, market, rows, MmScanOffset, scan, remaining, out _));
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<double>.Shared.Return(rented);
            }
        }
    }

    // Sums the cross positions (all but `skip`) into the per-underlying rows, in position order, so that skipping a
    // position gives exactly the sums of the account without it.
    private void Accumulate(SubAccountPortfolio account, MarketState market, RiskArrays arrays, Span<double> rows,
        int skip, bool withInitial)
    {
        var positions = account.Positions;
        for (var i = 0; i < positions.Length; i++)
        {
            ref readonly var pos = ref positions[i];
            if (i == skip || pos.IsIsolated)
            {
                continue;
            }
            var id = pos.Instrument;
            var ins = _catalog[id];
            arrays.EnsureScenarios(id, market);
            var q = ins.Units(pos.SizeLots);
            var row = rows.Slice(ins.UnderlyingId * RowWidth, RowWidth);
            // The MM and IM arrays lie back to back in both the risk array and the row: one pass covers both.
            AddScaled(row.Slice(MmScanOffset, withInitial ? 2 * ScanWidth : ScanWidth), q,
                arrays.ScanPair(id, withInitial));
            if (!ins.IsLinear && q < 0)
            {
                row[ShortUnitsSlot] -= q;
            }
            row[DeltaSlot] += q * arrays.Delta(id);
            row[PresentSlot] = 1;
        }
        var underlyings = rows.Length / RowWidth;
        for (var g = 0; g < underlyings; g++)
        {
            // An underlying without positions may never have been priced (NaN): leave its row at zero.
            if (rows[g * RowWidth + PresentSlot] != 0)
            {
                rows[g * RowWidth + DeltaSlot] *= market.Index(g);
            }
        }
    }

    private static void AddScaled(Span<double> sum, double q, ReadOnlySpan<double> perUnit)
    {
        if (perUnit.Length < sum.Length)
        {
            throw new ArgumentException("risk array shorter than the accumulator", nameof(perUnit));
        }
        var k = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var width = Vector<double>.Count;
            var vq = new Vector<double>(q);
            ref var s0 = ref MemoryMarshal.GetReference(sum);
            ref var p0 = ref MemoryMarshal.GetReference(perUnit);
            for (; k <= sum.Length - width; k += width)
            {
                var acc = Vector.LoadUnsafe(ref s0, (nuint)k) + vq * Vector.LoadUnsafe(ref p0, (nuint)k);
                acc.StoreUnsafe(ref s0, (nuint)k);
            }
        }
        for (; k < sum.Length; k++)
        {
            sum[k] += q * perUnit[k];
        }
    }

    // §6 for one set of risk arrays (MM or IM, before imMultiplier), in USD. Leaves scan_g in `scan`.
    private static double Requirement(RiskParams p, MarketState market, ReadOnlySpan<double> rows, int scanOffset,
        Span<double> scan, Span<double> remaining, out double credit)
    {
        double sumR = 0, sumSom = 0;
        for (var g = 0; g < scan.Length; g++)
        {
            var row = rows.Slice(g * RowWidth, RowWidth);
            if (row[PresentSlot] == 0)
            {
                scan[g] = 0;
                remaining[g] = 0;
                continue;
            }
            var up = p.Underlyings[g];
            scan[g] = GroupScan(row.Slice(scanOffset, ScanWidth), up.ExtremeCoverage);
            var som = ShortOptionMinimum(up, market.Index(g), row);
            sumR += Math.Max(scan[g], som);
            sumSom += som;
            remaining[g] = Math.Abs(row[DeltaSlot]);
        }
        credit = Credit(p.CreditPairIds, rows, scan, remaining);
        return Math.Max(sumR - credit, sumSom);
    }

    // scan_g = max(0, −min over the 45 scenarios), then max with extremeCoverage × max(0, −PnL(±extreme)).
    private static double GroupScan(ReadOnlySpan<double> pnl, double extremeCoverage)
    {
        var min = 0.0;
        for (var k = 0; k < RiskArrays.Scenarios; k++)
        {
            var x = pnl[k];
            min = x < min ? x : min;
        }
        var extremeLoss = Math.Max(0, -Math.Min(pnl[RiskArrays.Scenarios], pnl[RiskArrays.Scenarios + 1]));
        return Math.Max(-min, extremeCoverage * extremeLoss);
    }

    // som_g = shortOptionMinimum × S × Σ|q| over short options.
    private static double ShortOptionMinimum(UnderlyingParams up, double index, ReadOnlySpan<double> row) =>
        up.ShortOptionMinimum * index * row[ShortUnitsSlot];

    // SPAN-style credit: pairs in the order listed; each takes rate × scan share of the matched delta, measured
    // against the original |D| (§6 as written), and consumes the matched delta from both legs.
    private static double Credit((int First, int Second, double Rate)[] pairs, ReadOnlySpan<double> rows,
        ReadOnlySpan<double> scan, Span<double> remaining)
    {
        var credit = 0.0;
        for (var i = 0; i < pairs.Length; i++)
        {
            var (g, h, rate) = pairs[i];
            var dg = rows[g * RowWidth + DeltaSlot];
            var dh = rows[h * RowWidth + DeltaSlot];
            if (!((dg < 0 && dh > 0) || (dg > 0 && dh < 0)))
            {
                continue;
            }
            var m = Math.Min(remaining[g], remaining[h]);
            if (!(m > 0))
            {
                continue;
            }
            credit += rate * (scan[g] * m / Math.Abs(dg) + scan[h] * m / Math.Abs(dh));
            remaining[g] -= m;
            remaining[h] -= m;
        }
        return credit;
    }

    private static void ReportGroups(RiskParams p, MarketState market, ReadOnlySpan<double> rows,
        ReadOnlySpan<double> scan, MarginResult result)
    {
        for (var g = 0; g < scan.Length; g++)
        {
            var row = rows.Slice(g * RowWidth, RowWidth);
            var present = row[PresentSlot] != 0;
            result.GroupPresent[g] = present;
            result.GroupScanMicros[g] = present ? Micros.RoundRequirementUp(scan[g]) : 0;
            result.GroupShortOptionMinimumMicros[g] = present
                ? Micros.RoundRequirementUp(ShortOptionMinimum(p.Underlyings[g], market.Index(g), row))
                : 0;
            result.GroupNetDeltaUsd[g] = present ? row[DeltaSlot] : 0;
        }
    }
}

namespace RiskGrid.Node.Accounts;

/// <summary>
/// Where a sub-account's money came from and went to, exactly, in the assets' own units. Per asset: deposits,
/// withdrawals, transfers in and out; in USD also trading fees, liquidation fees, realised PnL, option premium,
/// funding and insurance-fund cover received. The conservation invariant a venue audits:
/// <c>balance(a) [+ Σ isolated margin for USD] = deposits − withdrawals + transfers in − transfers out
/// [− fees − liquidation fees + realised PnL + premium + funding + insurance for USD]</c>, for every asset a, exactly.
/// </summary>
public static class Ledger
{
    /// <summary>Per-asset slots, in this order, <see cref="PerAsset"/> per asset.</summary>
    public static readonly string[] AssetSlotNames = ["deposits", "withdrawals", "transfersIn", "transfersOut"];

    /// <summary>USD-only slots after the per-asset block.</summary>
    public static readonly string[] UsdSlotNames = ["fees", "liquidationFees", "realisedPnl", "premium", "funding", "insurance"];

    /// <summary>Number of per-asset slots.</summary>
    public const int PerAsset = 4;

    internal const int Deposits = 0;
    internal const int Withdrawals = 1;
    internal const int TransfersIn = 2;
    internal const int TransfersOut = 3;

    internal const int Fees = 0;
    internal const int LiquidationFees = 1;
    internal const int RealisedPnl = 2;
    internal const int Premium = 3;
    internal const int Funding = 4;
    internal const int Insurance = 5;

    /// <summary>Length of a ledger array for <paramref name="assetCount"/> assets.</summary>
    public static int Length(int assetCount) => assetCount * PerAsset + UsdSlotNames.Length;

    internal static int AssetSlot(int assetId, int slot) => assetId * PerAsset + slot;

    internal static int UsdSlot(int assetCount, int slot) => assetCount * PerAsset + slot;

    /// <summary>
    /// What the balance of <paramref name="assetId"/> must be by the ledger (for USD, balance plus isolated margin).
    /// </summary>
    public static long Expected(ReadOnlySpan<long> ledger, int assetCount, int assetId)
    {
        var b = assetId * PerAsset;
        var expected = ledger[b + Deposits] - ledger[b + Withdrawals] + ledger[b + TransfersIn] - ledger[b + TransfersOut];
        if (assetId == 0)
        {
            var u = assetCount * PerAsset;
            expected += -ledger[u + Fees] - ledger[u + LiquidationFees] + ledger[u + RealisedPnl] + ledger[u + Premium] +
                        ledger[u + Funding] + ledger[u + Insurance];
        }
        return expected;
    }
}

namespace RiskGrid.Margin.Checks;

/// <summary>
/// Perpetual funding (§10): at each funding time every position pays or receives −q × mark × rate into its USD
/// balance. Each payment is rounded down (a receipt rounds down, a payment rounds up in size); the rounding
/// residue goes to the insurance fund, so the payments plus the fund's share sum to exactly zero.
/// </summary>
public static class FundingSettlement
{
    /// <summary>
    /// Fills <paramref name="paymentsMicros"/> (one per position, + received, − paid) and returns the insurance
    /// fund's share, −Σ payments.
    /// </summary>
    public static long Settle(ReadOnlySpan<long> sizesLots, double lotSize, double mark, double rate,
        Span<long> paymentsMicros)
    {
        if (paymentsMicros.Length < sizesLots.Length)
        {
            throw new ArgumentException("one payment slot per position is needed", nameof(paymentsMicros));
        }
        if (!double.IsFinite(mark) || mark < 0 || !double.IsFinite(rate))
        {
            throw new ArgumentOutOfRangeException(nameof(mark), "mark and rate must be finite, mark ≥ 0");
        }
        long sum = 0;
        for (var i = 0; i < sizesLots.Length; i++)
        {
            var payment = Micros.RoundValueDown(-(sizesLots[i] * lotSize) * mark * rate);
            paymentsMicros[i] = payment;
            sum += payment;
        }
        return -sum;
    }

    /// <summary>One position's payment, rounded down (the fund keeps the residue).</summary>
    public static long Payment(long sizeLots, double lotSize, double mark, double rate) =>
        Micros.RoundValueDown(-(sizeLots * lotSize) * mark * rate);
}

namespace RiskGrid.Node.Books;

/// <summary>
/// The market a book opens at: the grid clock (Unix milliseconds, the <c>AtMs</c> of every command and the valuation
/// time of its options), an index per underlying (USD) and, optionally, a volatility per underlying (annualised
/// fraction). Without one, an underlying's volatility is its <c>refVol</c>, the σ a node's estimator starts from
/// (MARGIN.md §7), so option fills are priced at the mark a freshly started node computes.
/// </summary>
public sealed record StartMarket(long AtMs, IReadOnlyDictionary<string, double> Indices,
    IReadOnlyDictionary<string, double>? Volatilities = null)
{
    /// <summary>BTC 60,000, ETH 3,000, SOL 150 at <paramref name="atMs"/>, volatilities at refVol.</summary>
    public static StartMarket Default(long atMs) => new(atMs,
        new Dictionary<string, double>(StringComparer.Ordinal) { ["BTC"] = 60_000, ["ETH"] = 3_000, ["SOL"] = 150 });
}

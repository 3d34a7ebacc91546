namespace RiskGrid.Margin.Parameters;

/// <summary>
/// A collateral asset (§2, §3). Weights are fractions (1 = no haircut). <see cref="Imf"/> is the size factor
/// (0 = off). <see cref="PriceIndex"/> names the underlying whose index prices the asset (null for USD).
/// Balances are held in units of 10^-<see cref="Decimals"/> of the asset.
/// </summary>
public sealed record AssetParams(
    string Name,
    double InitialWeight,
    double MaintenanceWeight,
    double Imf,
    string? PriceIndex,
    int Decimals)
{
    /// <summary>The settlement asset's name.</summary>
    public const string Usd = "USD";
}

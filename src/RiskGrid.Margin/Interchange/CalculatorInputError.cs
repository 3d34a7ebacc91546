namespace RiskGrid.Margin.Interchange;

/// <summary>
/// A calculator document that was refused (§11): <see cref="Field"/> is the JSON path of the offending field
/// (<c>account.positions[1].size</c>, <c>prices.BTC</c>), or null when the problem has no single field (a file that
/// cannot be read); <see cref="Message"/> says what is wrong with it.
/// </summary>
public sealed record CalculatorInputError(string? Field, string Message);

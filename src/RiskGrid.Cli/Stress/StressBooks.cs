using RiskGrid.Margin.Instruments;
using RiskGrid.Node.Accounts;
using RiskGrid.Node.Books;

namespace RiskGrid.Cli.Stress;

/// <summary>Variants of a generated book for comparisons.</summary>
internal static class StressBooks
{
    /// <summary>
    /// The same account with every linear position isolated (the cross-vs-isolated comparison): portfolio mode is
    /// dropped, and after each fill of a linear instrument the position gets isolated margin equal to its notional
    /// divided by the account's target leverage, taken from the sub-account's USD (so the account's equity is
    /// split over its positions as its leverage says). Where USD runs short (collateral in other assets), the
    /// position stays in the cross pool. Options stay in the cross pool (they cannot be isolated).
    /// </summary>
    public static IReadOnlyList<IAccountCommand> Isolate(AccountOpening opening, InstrumentCatalog catalog)
    {
        var leverage = Math.Max(1, opening.Profile.TargetLeverage);
        var usd = new Dictionary<string, long>(StringComparer.Ordinal);
        var isolated = new HashSet<(string, string)>();
        var result = new List<IAccountCommand>(opening.Commands.Count * 2);
        var n = 0;
        foreach (var c in opening.Commands)
        {
            switch (c)
            {
                case SetMode:
                    continue;
                case Deposit d when d.Asset == "USD":
                    usd[d.SubAccount] = usd.GetValueOrDefault(d.SubAccount) + d.Units;
                    result.Add(c);
                    break;
                case SetIsolatedMargin s:
                    usd[s.SubAccount] = usd.GetValueOrDefault(s.SubAccount) - s.MarginMicros;
                    isolated.Add((s.SubAccount, s.Instrument));
                    result.Add(c);
                    break;
                case ApplyFill f:
                    result.Add(c);
                    var ins = catalog.Resolve(f.Instrument);
                    if (!ins.IsLinear)
                    {
                        usd[f.SubAccount] = usd.GetValueOrDefault(f.SubAccount) - f.FeeMicros -
                                            (long)Math.Round(ins.Units(f.SizeLots) * f.Price * 1_000_000);
                        break;
                    }
                    usd[f.SubAccount] = usd.GetValueOrDefault(f.SubAccount) - f.FeeMicros;
                    if (isolated.Contains((f.SubAccount, f.Instrument)))
                    {
                        break;
                    }
                    var margin = (long)Math.Round(Math.Abs(ins.Units(f.SizeLots)) * f.Price / leverage * 1_000_000);
                    if (margin <= 0 || margin > usd.GetValueOrDefault(f.SubAccount))
                    {
                        break;
                    }
                    usd[f.SubAccount] -= margin;
                    isolated.Add((f.SubAccount, f.Instrument));
                    result.Add(new SetIsolatedMargin(f.AccountId, $"isox-{++n}", f.SubAccount, f.Instrument, margin, f.AtMs));
                    break;
                default:
                    result.Add(c);
                    break;
            }
        }
        return result;
    }
}

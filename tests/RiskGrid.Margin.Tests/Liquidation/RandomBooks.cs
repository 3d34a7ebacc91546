using CsCheck;

namespace RiskGrid.Margin.Tests.Liquidation;

/// <summary>Seeded random standard-mode books near or below maintenance, for property tests.</summary>
internal static class RandomBooks
{
    public static readonly Gen<int> Standard = Gen.Int[0, int.MaxValue];

    private static readonly (string Name, decimal Lot, double Price)[] Perps =
        [("BTC-PERP", 0.001m, 60_000), ("ETH-PERP", 0.01m, 3_000), ("SOL-PERP", 0.1m, 150)];

    private static readonly string[] Options =
        ["BTC-20261225-65000-C", "BTC-20261225-55000-P", "ETH-20261225-3200-C", "SOL-20261225-140-P"];

    public static Book Build(int seed)
    {
        var rnd = new Random(seed);
        var b = new Book();
        var n = rnd.Next(1, 5);
        double notional = 0;
        var used = new HashSet<string>();
        for (var i = 0; i < n; i++)
        {
            var (name, lot, price) = Perps[rnd.Next(Perps.Length)];
            if (!used.Add(name))
            {
                continue;
            }
            var lots = rnd.Next(1, 5_000) * (rnd.Next(2) == 0 ? -1 : 1);
            var entry = price * (1 + (rnd.NextDouble() - 0.5) * 0.1);
            b.Add(name, lots * lot, Math.Round(entry, 2));
            notional += Math.Abs(lots * (double)lot * price);
        }
        if (rnd.Next(3) == 0)
        {
            var opt = Options[rnd.Next(Options.Length)];
            var lot = b.Catalog.Resolve(opt).Lot;
            b.Add(opt, rnd.Next(1, 20) * lot * (rnd.Next(2) == 0 ? -1 : 1));
        }
        // Collateral around the requirement so that books land healthy, partial, backstop or bankrupt.
        var usd = Math.Round((decimal)(notional * rnd.NextDouble() * 0.05), 2);
        b.Usd(usd);
        if (rnd.Next(4) == 0)
        {
            b.Asset("BTC", Math.Round((decimal)rnd.NextDouble() * 0.1m, 8));
        }
        return b;
    }
}

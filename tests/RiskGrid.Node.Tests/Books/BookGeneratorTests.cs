using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using RiskGrid.Margin.Evaluation;
using RiskGrid.Margin.Instruments;
using RiskGrid.Margin.Pricing;
using RiskGrid.Node.Accounts;
using RiskGrid.Node.Books;
using RiskGrid.Node.Serialization;
using RiskGrid.Node.Tests.Accounts;
using Xunit.Abstractions;

namespace RiskGrid.Node.Tests.Books;

/// <summary>The stress lab's synthetic book: seeded, shaped like its spec, and every account opens healthy through the
/// real command handler.</summary>
public sealed class BookGeneratorTests
{
    private const long Seed = 20_261_121;

    private static readonly string BooksDirectory = Path.Combine(RepositoryRoot(), "config", "books");
    private static readonly string DefaultText = File.ReadAllText(Path.Combine(BooksDirectory, "default.conf"));
    private static readonly BookSpec DefaultSpec = BookSpec.Parse(DefaultText);

    private readonly ITestOutputHelper _output;

    public BookGeneratorTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void TheSameSeedGivesTheSameCommandsByteForByte()
    {
        // Two generators on two catalogs: nothing but the seed, spec and market decides the commands.
        var first = Digest(Generator(DefaultSpec).Generate(Seed, 1, 3_000));
        var second = Digest(Generator(DefaultSpec).Generate(Seed, 1, 3_000));

        Assert.Equal(first, second);
    }

    [Fact]
    public void ADifferentSeedGivesADifferentBook()
    {
        var generator = Generator(DefaultSpec);

        Assert.NotEqual(Digest(generator.Generate(Seed, 1, 500)), Digest(generator.Generate(Seed + 1, 1, 500)));
    }

    [Fact]
    public void AnAccountIsTheSameWhereverTheBookStarts()
    {
        var generator = Generator(DefaultSpec);
        var whole = generator.Generate(Seed, 1, 1_210).Skip(1_200).ToList();

        var slice = generator.Generate(Seed, 1_201, 10).ToList();
        var alone = generator.Open(Seed, 1_205);

        Assert.Equal(Digest(whole), Digest(slice));
        Assert.Equal(Digest(whole.Skip(4).Take(1)), Digest([alone]));
        Assert.Equal("acct-001205", alone.AccountId);
    }

    [Fact]
    public void TheMixOverTwentyThousandAccountsFollowsTheSpec()
    {
        var spec = DefaultSpec;
        var summary = BookSummary.Of(Generator(spec).Generate(Seed, 1, 20_000));
        _output.WriteLine(summary.ToString());
        var n = (double)summary.Accounts;

        // A share of n draws has σ = sqrt(p(1−p)/n) ≤ 0.0036 at n = 20,000: 0.015 is over four σ.
        Assert.Equal(spec.Modes.Standard, summary.AccountsIn(BookMode.Standard) / n, 0.015);
        Assert.Equal(spec.Modes.Isolated, summary.AccountsIn(BookMode.Isolated) / n, 0.015);
        Assert.Equal(spec.Modes.Portfolio, summary.AccountsIn(BookMode.Portfolio) / n, 0.015);
        foreach (var (asset, share) in spec.Collateral.Primary)
        {
            Assert.Equal(share, summary.AccountsCollateralisedIn(asset) / n, 0.015);
        }
        Assert.Equal(spec.Options.Share, summary.OptionAccounts / n, 0.015);
        Assert.Equal(spec.Hedge.Share, summary.Hedged / n, 0.01);
        // About 2,000 option accounts: σ ≤ 0.011, so 0.04.
        var options = (double)summary.OptionAccounts;
        var s = spec.Options.Structures;
        Assert.Equal(s.CoveredCall, summary.AccountsWith(OptionStructure.CoveredCall) / options, 0.04);
        Assert.Equal(s.Strangle, (summary.AccountsWith(OptionStructure.ShortStrangle) +
                                  summary.AccountsWith(OptionStructure.LongStrangle)) / options, 0.04);
        Assert.Equal(s.VerticalSpread, (summary.AccountsWith(OptionStructure.BullCallSpread) +
                                        summary.AccountsWith(OptionStructure.BearPutSpread)) / options, 0.04);
        // Whales: 0.0005 × 20,000 = 10 expected (Poisson, σ ≈ 3).
        Assert.InRange(summary.Whales, 1, 25);
        // Direction: covered-call covers are always long and hedges lean against the book, a percent or so.
        Assert.Equal(spec.Positions.LongShare, summary.LongLinear / (double)(summary.LongLinear + summary.ShortLinear),
            0.02);
        Assert.Equal(summary.Positions, summary.Perpetuals + summary.Futures + summary.OptionLegs);
    }

    [Fact]
    public void TheFirstPositionOfEveryAccountFollowsTheInstrumentMix()
    {
        var spec = DefaultSpec;
        var catalog = new TestMarket().Catalog;
        var generator = new BookGenerator(spec, catalog, StartMarket.Default(TestMarket.AsOfMs));
        var byUnderlying = new Dictionary<string, int>(StringComparer.Ordinal);
        int perpetuals = 0, futures = 0, accounts = 0;
        foreach (var opening in generator.Generate(Seed, 1, 20_000))
        {
            if (opening.Profile.Structure != OptionStructure.None)
            {
                continue; // the structure's legs come first in those
            }
            // The largest linear position is the first one drawn, from the unconditioned mix.
            var largest = opening.Commands.OfType<ApplyFill>().Where(f => f.SubAccount == "main")
                .MaxBy(f => Math.Abs(f.SizeLots) * catalog.Resolve(f.Instrument).LotSize * f.Price)!;
            var instrument = catalog.Resolve(largest.Instrument);
            var u = catalog.Params.Underlyings[instrument.UnderlyingId].Name;
            byUnderlying[u] = byUnderlying.GetValueOrDefault(u) + 1;
            perpetuals += instrument.Kind == InstrumentKind.Perpetual ? 1 : 0;
            futures += instrument.Kind == InstrumentKind.Future ? 1 : 0;
            accounts++;
        }

        foreach (var (name, share) in spec.Underlyings)
        {
            Assert.Equal(share, byUnderlying[name] / (double)accounts, 0.02);
        }
        Assert.Equal(spec.Instruments.PerpetualShare, perpetuals / (double)accounts, 0.02);
        Assert.Equal(spec.Instruments.FutureShare, futures / (double)accounts, 0.02);
    }

    [Fact]
    public void AccountsHoldAboutFivePositions()
    {
        var summary = BookSummary.Of(Generator(DefaultSpec).Generate(Seed, 1, 20_000));

        // 1 + NB(mean 4, r 2) has mean 5; the cap of 12 trims about 0.13, option legs and hedges add a little.
        Assert.InRange(summary.AveragePositions, 4.7, 5.3);
        Assert.True(summary.MaxPositions <= DefaultSpec.Positions.Max + 1, $"max {summary.MaxPositions}");
    }

    [Theory]
    [InlineData("default.conf", 3_000)]
    [InlineData("options-heavy.conf", 2_000)]
    [InlineData("whales.conf", 1_000)]
    public void EveryAccountOpensThroughTheRealHandlerAndIsHealthy(string file, int accounts)
    {
        var spec = BookSpec.LoadFile(Path.Combine(BooksDirectory, file));
        var market = new TestMarket();
        // A freshly started node values options at refVol (its estimator's starting σ).
        foreach (var u in market.Params.Underlyings)
        {
            market.Set(u.Name, StartMarket.Default(0).Indices[u.Name], u.RefVol);
        }
        var generator = new BookGenerator(spec, market.Catalog, StartMarket.Default(TestMarket.AsOfMs));

        OpenAndCheck(market, generator.Generate(Seed, 1, accounts));
    }

    [Fact]
    public void AccountsOpenHealthyAtAMarketWithOtherVolatilities()
    {
        var market = new TestMarket(); // σ: BTC 0.55, ETH 0.70, SOL 0.90
        var vols = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["BTC"] = 0.55, ["ETH"] = 0.70, ["SOL"] = 0.90,
        };
        var start = StartMarket.Default(TestMarket.AsOfMs) with { Volatilities = vols };
        var spec = BookSpec.LoadFile(Path.Combine(BooksDirectory, "options-heavy.conf"));

        OpenAndCheck(market, new BookGenerator(spec, market.Catalog, start).Generate(Seed + 7, 1, 1_000));
    }

    [Fact]
    public void TheHeadroomAbsorbsANodeThatValuesOptionsBelowRefVol()
    {
        // Priced at refVol (BTC 0.60, ETH 0.75, SOL 1.00), marked by a node at 0.55 / 0.70 / 0.90: long options lose
        // up to a few percent of equity, inside the 10 % headroom.
        var market = new TestMarket();
        var spec = BookSpec.LoadFile(Path.Combine(BooksDirectory, "options-heavy.conf"));

        OpenAndCheck(market, new BookGenerator(spec, market.Catalog, StartMarket.Default(TestMarket.AsOfMs))
            .Generate(Seed + 11, 1, 2_000));
    }

    [Fact]
    public void OptionFillsArePricedAtTheStartMarkAndEveryCommandAtTheStartTime()
    {
        var catalog = new TestMarket().Catalog;
        var start = StartMarket.Default(TestMarket.AsOfMs);
        var options = 0;
        foreach (var opening in new BookGenerator(DefaultSpec, catalog, start).Generate(Seed, 1, 2_000))
        {
            Assert.IsType<Deposit>(opening.Commands[0]);
            Assert.All(opening.Commands, c => Assert.Equal(start.AtMs, c.AtMs));
            Assert.All(opening.Commands, c => Assert.Equal(opening.AccountId, c.AccountId));
            Assert.Equal(opening.Commands.Count, opening.Commands.Select(c => c.CommandId).Distinct().Count());
            foreach (var fill in opening.Commands.OfType<ApplyFill>())
            {
                var i = catalog.Resolve(fill.Instrument);
                var s = start.Indices[catalog.Params.Underlyings[i.UnderlyingId].Name];
                var expected = i.IsLinear
                    ? s
                    : Black76.PriceAndDelta(i.IsCall, s, i.Strike, i.Underlying.RefVol,
                        Black76.YearsToExpiry(i.ExpiryMs, start.AtMs), out _);
                Assert.Equal(expected, fill.Price);
                Assert.True(i.ExpiryMs > start.AtMs, fill.Instrument);
                options += i.IsLinear ? 0 : 1;
            }
        }
        Assert.True(options > 100, $"{options} option fills");
    }

    [Fact]
    public void ExpiriesFallOnFridaysInTheCatalogsNaming()
    {
        var catalog = new TestMarket().Catalog;
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var opening in new BookGenerator(DefaultSpec, catalog, StartMarket.Default(TestMarket.AsOfMs))
                     .Generate(Seed, 1, 3_000))
        {
            foreach (var fill in opening.Commands.OfType<ApplyFill>())
            {
                var i = catalog.Resolve(fill.Instrument);
                if (i.Kind != InstrumentKind.Perpetual)
                {
                    Assert.Equal(DayOfWeek.Friday, DateTimeOffset.FromUnixTimeMilliseconds(i.ExpiryMs).DayOfWeek);
                    names.Add(fill.Instrument.Split('-')[1]);
                }
            }
        }
        // 2026-11-21 (a Saturday) + 30 days → last Friday of December; options + 7 / 28 / 91 days → next Friday.
        Assert.Contains("20261225", names);
        Assert.Contains("20261204", names);
        Assert.Contains("20270226", names);
    }

    [Theory]
    [InlineData("sigma = 1.5", "sigma = -1", "equity.sigma = -1: must be in [0, 4]")]
    [InlineData("accounts = 100000", "accounts = lots", "accounts = lots: not a number")]
    [InlineData("accounts = 100000", "accounts = 1.5", "accounts = 1.5: not a whole number")]
    [InlineData("standard = 0.80", "standard = 0.70", "modes: shares sum to 0.9, must sum to 1")]
    [InlineData("{ x = 50, share = 0.05 }", "{ x = 500, share = 0.05 }", "leverage[7].x = 500: must be in [1, 100]")]
    [InlineData("tenorsDays = [7, 28, 91]", "tenorsDays = [7, 0, 91]",
        "options.tenorsDays[1] = 0: must be a whole number of days in [1, 3650]")]
    [InlineData("SOL = 5", "SOL = 2.5", "options.strikeStep.SOL = 2.5: must be a whole number of USD")]
    [InlineData("SOL = 5", "", "options.strikeStep.SOL: missing (every underlying with a share needs a strike grid)")]
    [InlineData("maxInitialMarginUsage = 0.90", "maxInitialMarginUsage = 1.5",
        "health.maxInitialMarginUsage = 1.5: must be in [0.05, 0.99]")]
    [InlineData("usdFraction = 0.30", "usdFraction = 0.30\n    usdFractoin = 0.3",
        "collateral.usdFractoin: unknown key (expected one of primary, usdFraction)")]
    [InlineData("longShare = 0.55", "", "positions.longShare: missing")]
    [InlineData("minMultiple = 100\n    maxMultiple = 1000", "minMultiple = 100\n    maxMultiple = 10",
        "whales.maxMultiple = 10: must be at least whales.minMultiple (100)")]
    public void LoadRejectsABadValueNamingTheKey(string good, string bad, string error)
    {
        Assert.Contains(good, DefaultText, StringComparison.Ordinal);

        var e = Assert.Throws<BookSpecException>(() => BookSpec.Parse(DefaultText.Replace(good, bad,
            StringComparison.Ordinal)));

        Assert.Contains(error, e.Errors);
        Assert.Contains(error, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheGeneratorRefusesAnUnderlyingTheParametersLack()
    {
        var spec = DefaultSpec with
        {
            Underlyings = [new NamedShare("BTC", 0.5), new NamedShare("ETH", 0.3), new NamedShare("XRP", 0.2)],
        };

        var e = Assert.Throws<BookSpecException>(() => Generator(spec));

        Assert.Contains("underlyings.XRP: no such underlying in the risk parameters", e.Errors);
    }

    [Theory]
    [InlineData("default.conf")]
    [InlineData("options-heavy.conf")]
    [InlineData("whales.conf")]
    public void TheShippedBooksLoad(string file)
    {
        var spec = BookSpec.LoadFile(Path.Combine(BooksDirectory, file));

        Assert.Equal(100_000, spec.Accounts);
        Assert.Equal(20_000, spec.Equity.MedianUsd);
        Assert.Equal(["BTC", "ETH", "SOL"], spec.Underlyings.Select(u => u.Name));
        Assert.Equal(["USD", "BTC", "ETH", "SOL"], spec.Collateral.Primary.Select(a => a.Name));
    }

    [Fact]
    public void AHundredThousandAccountsStreamQuickly()
    {
        var generator = Generator(DefaultSpec);
        var summary = new BookSummary();
        var clock = Stopwatch.StartNew();

        foreach (var opening in generator.Generate(Seed))
        {
            summary.Add(opening);
        }

        clock.Stop();
        _output.WriteLine(
            $"{summary.Accounts} accounts, {summary.Commands} commands in {clock.ElapsedMilliseconds} ms");
        _output.WriteLine(summary.ToString());
        Assert.Equal(100_000, summary.Accounts);
        Assert.InRange(summary.Whales, 20, 90); // 50 expected
    }

    /// <summary>Applies every command through the handler and the state (as the entity does), then checks every
    /// sub-account at the market: IM met (free collateral ≥ 0), not liquidatable, every isolated position's equity
    /// at least its IM, and balances equal to the ledger.</summary>
    private void OpenAndCheck(TestMarket market, IEnumerable<AccountOpening> openings)
    {
        var handler = market.Handler();
        var evaluator = new MarginEvaluator(market.Catalog);
        var result = new MarginResult(market.Params.Underlyings.Count);
        var summary = new BookSummary();
        foreach (var opening in openings)
        {
            summary.Add(opening);
            var state = new AccountState(market.Catalog, 86_400_000);
            long seq = 0;
            foreach (var command in opening.Commands)
            {
                var e = handler.Decide(state, command, out var rejection);
                Assert.True(e is not null, $"{opening.AccountId} {command}: {rejection}");
                state.Apply(e!, ++seq);
            }
            foreach (var sub in state.SubAccounts)
            {
                evaluator.Evaluate(sub.Portfolio, market.Market, market.Arrays, result);
                var where = $"{opening.AccountId}/{sub.Name} {opening.Profile}";
                Assert.True(result.FreeCollateralMicros >= 0,
                    $"{where}: free collateral {result.FreeCollateralMicros}");
                Assert.False(result.BelowMaintenance, $"{where}: E_MM {result.EquityMmMicros} < MM " +
                                                       $"{result.MaintenanceMarginMicros}");
                Assert.True(result.EquityMmMicros >= result.MaintenanceMarginMicros, where);
                for (var i = 0; i < sub.Portfolio.PositionCount; i++)
                {
                    if (sub.Portfolio[i].IsIsolated)
                    {
                        Assert.True(result.IsolatedEquityMicros[i] >= result.PositionImMicros[i],
                            $"{where}: isolated {i}");
                    }
                }
                Assert.True(sub.IsConserved(out var detail), detail);
            }
            Assert.Equal(opening.Profile.Positions, state.SubAccounts.Sum(s => s.Portfolio.PositionCount));
        }
        _output.WriteLine(summary.ToString());
    }

    private static BookGenerator Generator(BookSpec spec) =>
        new(spec, new TestMarket().Catalog, StartMarket.Default(TestMarket.AsOfMs));

    /// <summary>SHA-256 of the commands as the grid's serializer writes them, with their account ids.</summary>
    private static string Digest(IEnumerable<AccountOpening> openings)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var w = new WireWriter(256);
        foreach (var opening in openings)
        {
            foreach (var command in opening.Commands)
            {
                w.Reset();
                w.String(command.GetType().Name);
                AccountSerializer.Write(w, command);
                hash.AppendData(w.ToArray());
            }
        }
        return Convert.ToHexString(hash.GetHashAndReset());
    }

    /// <summary>The directory holding RiskGrid.sln: walked up to from the test binaries, else from this source file
    /// (builds with <c>--artifacts-path</c> put the binaries outside the repository).</summary>
    private static string RepositoryRoot([CallerFilePath] string sourceFile = "")
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(sourceFile) ?? "" })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "RiskGrid.sln")))
                {
                    return dir.FullName;
                }
            }
        }
        throw new InvalidOperationException("RiskGrid.sln not found above " + AppContext.BaseDirectory);
    }
}

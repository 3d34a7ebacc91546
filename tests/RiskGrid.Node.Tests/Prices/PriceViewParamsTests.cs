using RiskGrid.Margin.Parameters;
using RiskGrid.Node.Prices;
using RiskGrid.Node.Time;

namespace RiskGrid.Node.Tests.Prices;

/// <summary>A run-time parameter change on the price view: the oracles and volatility estimators take the new
/// parameters and keep their state, the change is published (a new version whose snapshot carries the new
/// parameters), and what cannot fit the view's tables is refused, changing nothing.</summary>
public sealed class PriceViewParamsTests
{
    [Fact]
    public void ANewStalenessAppliesAtOnceKeepsTheIndexAndIsPublished()
    {
        var clock = new ManualGridClock(PriceFixtures.StartMs);
        var view = PriceFixtures.View(clock, PriceFixtures.OneSource);
        var signals = 0;
        using var subscription = view.Subscribe(_ => Interlocked.Increment(ref signals));
        Assert.True(view.Submit("manual", "BTC", 60_000, clock.NowMs).IsAccepted);
        clock.Advance(2_000);
        view.Evaluate();
        var before = view.Current;
        subscription.Take();
        var signalled = Volatile.Read(ref signals);
        Assert.True(before.Oracle(0).CanLiquidate); // age 2,000 < staleMs 3,000
        var next = With(p => p with { StaleMs = 1_000 });

        Assert.True(view.TryApply(next, out var field, out var error), error);

        var after = view.Current;
        Assert.Null(field);
        Assert.True(after.Version > before.Version);
        Assert.Same(next, view.Parameters);
        Assert.Same(next, after.Market.Params);
        Assert.True(after.Oracle(0).IsStale); // age 2,000 ≥ 1,000
        Assert.Equal(60_000, after.Oracle(0).Index);
        Assert.Equal(60_000, after.Market.Index(0));
        Assert.True(Volatile.Read(ref signals) > signalled);
    }

    [Fact]
    public void AMinimumOfSourcesBeyondTheViewsTablesIsRefusedAndChangesNothing()
    {
        var clock = new ManualGridClock(PriceFixtures.StartMs);
        var view = PriceFixtures.View(clock, new PriceViewOptions { MaxSourcesPerUnderlying = 3 });
        var version = view.Version;

        Assert.False(view.TryApply(With(p => p with { MinSources = 4 }), out var field, out var error));

        Assert.Equal("prices.minSources", field);
        Assert.Contains("exceeds the 3 sources", error, StringComparison.Ordinal);
        Assert.Same(PriceFixtures.Params, view.Parameters);
        Assert.Equal(version, view.Version);
        Assert.True(view.TryApply(With(p => p with { MinSources = 3 }), out _, out _));
        Assert.Equal(3, view.Report().Underlying("BTC").MinSources);
    }

    private static RiskParams With(Func<PriceParams, PriceParams> prices)
    {
        var p = PriceFixtures.Params;
        return RiskParams.Create(p.Assets, p.Underlyings, p.Portfolio, p.Liquidation, prices(p.Prices), p.Volatility);
    }
}

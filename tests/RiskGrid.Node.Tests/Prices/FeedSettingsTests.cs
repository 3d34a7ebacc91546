using RiskGrid.Node.Prices;

namespace RiskGrid.Node.Tests.Prices;

/// <summary>The shipped <c>config/feed.conf</c> loads, is copied and embedded unchanged, and bad files are refused
/// naming the key and the value.</summary>
public sealed class FeedSettingsTests
{
    private static readonly string Shipped =
        File.ReadAllText(Path.Combine(MarketData.RepositoryRoot(), "config", "feed.conf"));

    [Fact]
    public void TheShippedFileIsCopiedNextToTheAssemblyAndEmbeddedUnchanged()
    {
        Assert.Equal(Shipped, File.ReadAllText(Path.Combine(AppContext.BaseDirectory, FeedSettings.DefaultFileName)));
        Assert.Equal(Shipped, FeedSettings.ReadEmbeddedDefault());
    }

    [Fact]
    public void TheShippedFileHoldsTheDocumentedDefaults()
    {
        var settings = FeedSettings.Parse(Shipped);

        Assert.Equal(["tcp://127.0.0.1:5556"], settings.Subscribe);
        Assert.Equal("tcp://127.0.0.1:5556", settings.Publish);
        Assert.Equal(TimeSpan.FromSeconds(1), settings.SnapshotInterval);
        Assert.Equal(8, settings.Oracle.MaxSourcesPerUnderlying);
        Assert.Equal(3, settings.Oracle.ExpectedSourcesFor("BTC"));
        Assert.Equal(2, settings.Oracle.ExpectedSourcesFor("XRP"));
    }

    [Theory]
    [InlineData("receiveHighWatermark = 1000", "receiveHighWatermark = 0",
        "riskgrid.feed.receiveHighWatermark = 0: must be in [1, 10000000]")]
    [InlineData("subscribe = [\"tcp://127.0.0.1:5556\"]", "subscribe = [\"udp://x:1\"]",
        "riskgrid.feed.subscribe[0] = udp://x:1")]
    [InlineData("snapshotIntervalMs = 1000", "snapshotIntervalMs = soon",
        "riskgrid.feed.snapshotIntervalMs = soon: not a whole number")]
    [InlineData("maxSourcesPerUnderlying = 8", "maxSourcesPerUnderlying = 8\n    colour = blue",
        "riskgrid.feed.oracle.colour: unknown key")]
    [InlineData("gapLogIntervalMs = 10000", "", "riskgrid.feed.gapLogIntervalMs: missing")]
    public void ABadFileIsRefusedNamingTheKeyAndTheValue(string replace, string with, string expected)
    {
        Assert.Contains(replace, Shipped, StringComparison.Ordinal);

        var error = Assert.Throws<FeedSettingsException>(() => FeedSettings.Parse(Shipped.Replace(replace, with,
            StringComparison.Ordinal)));

        Assert.Contains(error.Errors, e => e.StartsWith(expected, StringComparison.Ordinal));
    }
}

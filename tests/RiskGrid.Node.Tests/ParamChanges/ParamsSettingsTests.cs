using Akka.Configuration;
using RiskGrid.Node.Hosting;
using RiskGrid.Node.ParamChanges;

namespace RiskGrid.Node.Tests.ParamChanges;

/// <summary><c>riskgrid.params</c>: the shipped values, defaults for missing keys, a bad value refused naming it.</summary>
public sealed class ParamsSettingsTests
{
    [Fact]
    public void TheShippedFileSetsThePollIntervalAndABadValueIsRefused()
    {
        var shipped = ParamsSettings.From(NodeConfig.Load(null));
        var bad = ConfigurationFactory.ParseString("riskgrid.params.poll-interval = 0s");

        Assert.Equal(ParamsSettings.Default, shipped);
        Assert.Equal(TimeSpan.FromSeconds(5), shipped.PollInterval);
        Assert.Equal(ParamsSettings.Default, ParamsSettings.From(Config.Empty));
        var e = Assert.Throws<ConfigurationException>(() => ParamsSettings.From(bad));
        Assert.Contains("riskgrid.params.poll-interval", e.Message, StringComparison.Ordinal);
    }
}

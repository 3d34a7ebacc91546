using Akka.Configuration;

namespace RiskGrid.Node.ParamChanges;

/// <summary>How a node follows run-time parameter changes (<c>riskgrid.params</c>), validated once.</summary>
/// <param name="PollInterval">How often the node asks the parameter journal for its version, so a node that missed a
/// broadcast (or joined later) catches up.</param>
/// <param name="RetryInterval">How soon a node asks again while it has not read the journal yet (at start).</param>
/// <param name="AskTimeout">Timeout of a request to the parameter entity.</param>
public sealed record ParamsSettings(TimeSpan PollInterval, TimeSpan RetryInterval, TimeSpan AskTimeout)
{
    /// <summary>The defaults (<c>config/risk-params.conf</c>'s <c>riskgrid.params</c>).</summary>
    public static ParamsSettings Default { get; } =
        new(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));

    /// <summary>Reads <c>riskgrid.params</c>; a missing key keeps its default, a bad value throws naming the
    /// key.</summary>
    public static ParamsSettings From(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        const string root = "riskgrid.params";
        var d = Default;
        var s = config.HasPath(root) ? config.GetConfig(root) : Config.Empty;
        var settings = new ParamsSettings(
            s.HasPath("poll-interval") ? s.GetTimeSpan("poll-interval") : d.PollInterval,
            s.HasPath("retry-interval") ? s.GetTimeSpan("retry-interval") : d.RetryInterval,
            s.HasPath("ask-timeout") ? s.GetTimeSpan("ask-timeout") : d.AskTimeout);
        foreach (var (key, value) in new[]
                 {
                     ("poll-interval", settings.PollInterval), ("retry-interval", settings.RetryInterval),
                     ("ask-timeout", settings.AskTimeout),
                 })
        {
            if (value <= TimeSpan.Zero)
            {
                throw new ConfigurationException($"{root}.{key} = {value}: must be positive");
            }
        }
        return settings;
    }
}

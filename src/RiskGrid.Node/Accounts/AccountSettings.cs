using Akka.Configuration;

namespace RiskGrid.Node.Accounts;

/// <summary>Settings of the account entities (<c>riskgrid.accounts</c>), validated once.</summary>
public sealed record AccountSettings(int SnapshotEvery, TimeSpan DedupeRetention, int MaxSubAccounts,
    TimeSpan AskTimeout, int MaxInFlight = 4_000)
{
    /// <summary>The defaults of <c>config/accounts.conf</c>.</summary>
    public static AccountSettings Default { get; } =
        new(100, TimeSpan.FromHours(24), 32, TimeSpan.FromSeconds(10));

    /// <summary>Reads <c>riskgrid.accounts</c> from <paramref name="config"/>; a missing key keeps its default, a bad
    /// value throws naming the key.</summary>
    public static AccountSettings From(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        const string root = "riskgrid.accounts";
        var d = Default;
        var section = config.HasPath(root) ? config.GetConfig(root) : Config.Empty;
        var settings = new AccountSettings(
            section.HasPath("snapshot-every") ? section.GetInt("snapshot-every") : d.SnapshotEvery,
            section.HasPath("dedupe-retention") ? section.GetTimeSpan("dedupe-retention") : d.DedupeRetention,
            section.HasPath("max-sub-accounts") ? section.GetInt("max-sub-accounts") : d.MaxSubAccounts,
            section.HasPath("ask-timeout") ? section.GetTimeSpan("ask-timeout") : d.AskTimeout,
            section.HasPath("max-in-flight") ? section.GetInt("max-in-flight") : d.MaxInFlight);
        settings.Validate(root);
        return settings;
    }

    private void Validate(string root)
    {
        if (SnapshotEvery < 1)
        {
            throw new ConfigurationException($"{root}.snapshot-every = {SnapshotEvery}: must be at least 1");
        }
        if (DedupeRetention <= TimeSpan.Zero)
        {
            throw new ConfigurationException($"{root}.dedupe-retention = {DedupeRetention}: must be positive");
        }
        if (MaxSubAccounts is < 1 or > 1024)
        {
            throw new ConfigurationException($"{root}.max-sub-accounts = {MaxSubAccounts}: must be in [1, 1024]");
        }
        if (AskTimeout <= TimeSpan.Zero)
        {
            throw new ConfigurationException($"{root}.ask-timeout = {AskTimeout}: must be positive");
        }
        if (MaxInFlight < 1)
        {
            throw new ConfigurationException($"{root}.max-in-flight = {MaxInFlight}: must be at least 1");
        }
    }
}

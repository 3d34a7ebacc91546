using Akka.Configuration;
using RiskGrid.Api.Security;
using RiskGrid.Node.Hosting;

namespace RiskGrid.Api.Tests.Security;

public sealed class ApiTokensTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("riskgrid-tokens-").FullName;

    [Fact]
    public void FirstStartGeneratesRandomTokensInAnOwnerOnlyFileAndLaterStartsReuseThem()
    {
        var settings = Settings();
        var first = ApiTokens.Resolve(settings, _ => null);
        var path = Path.Combine(_directory, ApiTokens.FileName);

        Assert.Equal(path, first.Source);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
        var lines = File.ReadAllLines(path).ToDictionary(l => l[..l.IndexOf('=')], l => l[(l.IndexOf('=') + 1)..]);
        Assert.True(lines["api"].Length >= 40);
        Assert.NotEqual(lines["api"], lines["admin"]);
        Assert.Equal(AccessLevel.Api, first.Check("Bearer " + lines["api"]));
        Assert.Equal(AccessLevel.Admin, first.Check("Bearer " + lines["admin"]));

        var second = ApiTokens.Resolve(settings, _ => null);
        Assert.Equal(AccessLevel.Admin, second.Check("Bearer " + lines["admin"]));
    }

    [Fact]
    public void EnvironmentTokensWinAndNoFileIsWritten()
    {
        var environment = new Dictionary<string, string>
        {
            [ApiTokens.ApiTokenVariable] = "environment-api-token-1",
            [ApiTokens.AdminTokenVariable] = "environment-admin-token-1",
        };
        var tokens = ApiTokens.Resolve(Settings(), name => environment.GetValueOrDefault(name));

        Assert.Equal(AccessLevel.Api, tokens.Check("Bearer environment-api-token-1"));
        Assert.Equal(AccessLevel.Admin, tokens.Check("bearer environment-admin-token-1"));
        Assert.False(File.Exists(Path.Combine(_directory, ApiTokens.FileName)));
    }

    [Fact]
    public void ConfiguredTokensAreUsedWhenTheEnvironmentHasNone()
    {
        var tokens = ApiTokens.Resolve(Settings("""
            riskgrid.node.tokens { api = "configured-api-token", admin = "configured-admin-token" }
            """), _ => null);

        Assert.Equal(AccessLevel.Api, tokens.Check("Bearer configured-api-token"));
        Assert.Equal(AccessLevel.None, tokens.Check("Bearer configured-api-tokenX"));
        Assert.Equal(AccessLevel.None, tokens.Check("Basic configured-api-token"));
        Assert.Equal(AccessLevel.None, tokens.Check(null));
    }

    [Fact]
    public void ShortEnvironmentTokenIsRefusedNamingTheVariable()
    {
        var e = Assert.Throws<NodeSettingsException>(() =>
            ApiTokens.Resolve(Settings(), name => name == ApiTokens.ApiTokenVariable ? "short" : null));

        Assert.Contains(ApiTokens.ApiTokenVariable, e.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private NodeSettings Settings(string extra = "") =>
        NodeSettings.From(NodeConfig.Load(null, ConfigurationFactory.ParseString(
            $"riskgrid.node.data-dir = \"{_directory}\"\n{extra}")));
}

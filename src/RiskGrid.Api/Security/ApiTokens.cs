using System.Security.Cryptography;
using System.Text;
using RiskGrid.Node.Hosting;

namespace RiskGrid.Api.Security;

/// <summary>What a bearer token allows.</summary>
public enum AccessLevel
{
    /// <summary>No token, or not one of the node's.</summary>
    None,

    /// <summary>The API token: every route but the admin ones.</summary>
    Api,

    /// <summary>The admin token: every route, parameters and prices included.</summary>
    Admin,
}

/// <summary>
/// The node's two bearer tokens. Each comes from the environment (<c>RISKGRID_API_TOKEN</c>,
/// <c>RISKGRID_ADMIN_TOKEN</c>), else the configuration (<c>riskgrid.node.tokens</c>), else the token file
/// <c>&lt;data-dir&gt;/tokens</c>, which is written with random tokens at first start, readable by its owner
/// alone. There is no built-in token. Comparison takes the same time whatever the token sent.
/// </summary>
public sealed class ApiTokens
{
    /// <summary>Environment variable of the API token.</summary>
    public const string ApiTokenVariable = "RISKGRID_API_TOKEN";

    /// <summary>Environment variable of the admin token.</summary>
    public const string AdminTokenVariable = "RISKGRID_ADMIN_TOKEN";

    /// <summary>File name of the generated tokens under the data directory.</summary>
    public const string FileName = "tokens";

    private const int MinTokenLength = 16;
    private const int GeneratedTokenBytes = 32;

    private readonly byte[] _apiHash;
    private readonly byte[] _adminHash;

    private ApiTokens(string api, string admin, string source)
    {
        if (string.Equals(api, admin, StringComparison.Ordinal))
        {
            throw new NodeSettingsException("the API token and the admin token must differ");
        }
        _apiHash = Hash(api);
        _adminHash = Hash(admin);
        Source = source;
    }

    /// <summary>Where the tokens came from, for the log (never the tokens themselves).</summary>
    public string Source { get; }

    /// <summary>Tokens given directly (tests, embedding hosts).</summary>
    public static ApiTokens Of(string api, string admin)
    {
        Check(api, "api token");
        Check(admin, "admin token");
        return new ApiTokens(api, admin, "given by the host");
    }

    /// <summary>
    /// Resolves the tokens of a node: environment, then configuration, then the token file (created with random
    /// tokens, mode 0600, when missing). <paramref name="environment"/> reads a variable (defaults to the
    /// process environment).
    /// </summary>
    public static ApiTokens Resolve(NodeSettings settings, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        environment ??= Environment.GetEnvironmentVariable;
        var api = FromEnvironment(environment, ApiTokenVariable) ?? settings.Tokens.Api;
        var admin = FromEnvironment(environment, AdminTokenVariable) ?? settings.Tokens.Admin;
        if (api is not null && admin is not null)
        {
            return new ApiTokens(api, admin, "the environment or the configuration");
        }
        var path = Path.Combine(settings.DataDirectory, FileName);
        var stored = ReadOrCreateFile(path);
        return new ApiTokens(api ?? stored.Api, admin ?? stored.Admin, path);
    }

    /// <summary>The access an <c>Authorization</c> header value grants.</summary>
    public AccessLevel Check(string? authorization)
    {
        const string scheme = "Bearer ";
        if (authorization is null || !authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return AccessLevel.None;
        }
        // Fixed-length hashes compared in constant time: neither the content nor the length of a token leaks.
        var presented = Hash(authorization[scheme.Length..].Trim());
        var isAdmin = CryptographicOperations.FixedTimeEquals(presented, _adminHash);
        var isApi = CryptographicOperations.FixedTimeEquals(presented, _apiHash);
        return isAdmin ? AccessLevel.Admin : isApi ? AccessLevel.Api : AccessLevel.None;
    }

    private static string? FromEnvironment(Func<string, string?> environment, string variable)
    {
        var value = environment(variable);
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }
        Check(value, variable);
        return value;
    }

    private static void Check(string token, string name)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (token.Length < MinTokenLength || token.Any(char.IsWhiteSpace))
        {
            throw new NodeSettingsException($"{name}: must be at least {MinTokenLength} characters without spaces");
        }
    }

    private static (string Api, string Admin) ReadOrCreateFile(string path)
    {
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var created = (Generate(), Generate());
            WriteOwnerOnly(path, $"api={created.Item1}\nadmin={created.Item2}\n");
            return created;
        }
        if (!OperatingSystem.IsWindows()
            && (File.GetUnixFileMode(path) & ~(UnixFileMode.UserRead | UnixFileMode.UserWrite)) != 0)
        {
            // Someone loosened the mode: the tokens are for the owner alone.
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        string? api = null;
        string? admin = null;
        foreach (var line in File.ReadAllLines(path))
        {
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            var (key, value) = eq < 0 ? (line.Trim(), "") : (line[..eq].Trim(), line[(eq + 1)..].Trim());
            switch (key)
            {
                case "api":
                    api = value;
                    break;
                case "admin":
                    admin = value;
                    break;
                case "":
                    break;
                default:
                    throw new NodeSettingsException($"{path}: unknown key {key} (expected api=... and admin=...)");
            }
        }
        if (api is null || admin is null)
        {
            throw new NodeSettingsException($"{path}: expected the lines api=... and admin=...");
        }
        Check(api, $"{path}: api");
        Check(admin, $"{path}: admin");
        return (api, admin);
    }

    private static void WriteOwnerOnly(string path, string text)
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
        };
        if (!OperatingSystem.IsWindows())
        {
            // Created 0600: the tokens are never readable by others, not even between create and chmod.
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using var stream = new FileStream(path, options);
        stream.Write(Encoding.UTF8.GetBytes(text));
    }

    private static string Generate() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(GeneratedTokenBytes))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));
}

using System.Diagnostics.CodeAnalysis;
using RiskGrid.Margin.Parameters;
using RiskGrid.Node.Configuration;

namespace RiskGrid.Cli;

/// <summary>
/// Where the CLI's risk parameters come from: the default <c>risk-params.conf</c> (next to the application, else
/// the copy embedded in RiskGrid.Node), or the file named by <c>--params</c>.
/// </summary>
internal static class RiskParamsSource
{
    /// <summary>Loads the parameters; false with a reason when the file is missing or invalid.</summary>
    public static bool TryLoad(string? path, [NotNullWhen(true)] out RiskParams? parameters,
        [NotNullWhen(false)] out string? problem)
    {
        try
        {
            parameters = path is null ? RiskParamsReader.LoadDefault() : RiskParamsReader.LoadFile(path);
            problem = null;
            return true;
        }
        catch (RiskParamsException e)
        {
            problem = $"{path ?? RiskParamsReader.DefaultFileName}: {e.Message}";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problem = $"cannot read {path}: {e.Message}";
        }
        parameters = null;
        return false;
    }
}

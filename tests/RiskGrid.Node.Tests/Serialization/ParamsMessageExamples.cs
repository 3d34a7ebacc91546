using RiskGrid.Node.ParamChanges;

namespace RiskGrid.Node.Tests.Serialization;

/// <summary>One example of every message the parameter journal's serializer carries, with every field set to
/// something distinctive (negative numbers, non-ASCII text, a multi-line document).</summary>
internal static class ParamsMessageExamples
{
    private const long At = 1_795_000_000_123;

    private const string Changes = """{"liquidation.targetHealth":1.15,"underlyings.BTC.scanRange":0.18}""";

    private const string Document = """
        riskgrid.risk {
          "liquidation" = { "targetHealth" = 1.15, "note" = "ü" }
        }

        """;

    public static IReadOnlyList<(string Manifest, object Message)> All { get; } =
    [
        ("pchanged.1", new ParamsChanged(3, "p-2026-11-23-ü", -8_123_456_789_012_345, Changes, Document, At)),
        ("ChangeParams.1", new ChangeParams("p-2026-11-23-1", Changes, Document, At)),
        ("GetParams.1", GetParams.Instance),
        ("ParamsState.1", new ParamsState(7, Document)),
        ("ParamsAccepted.1", new ParamsChangeAccepted(2, "p-2026-11-23-1", Changes, Document, true)),
        ("ParamsRejected.1", new ParamsChangeRejected(ParamsRejection.Conflict, "underlyings.BTC.scanRange",
            "underlyings.BTC.scanRange = -0.1: must be in (0, 1]")),
    ];
}

using RiskGrid.Margin.Liquidation;

namespace RiskGrid.Node.Supervision;

/// <summary>Asks a node's supervisor for its best-ranked positions in <paramref name="Instrument"/> on one side
/// (longs when <paramref name="Longs"/>), enough to cover <paramref name="Lots"/>, excluding
/// <paramref name="ExcludeAccountId"/> (the bankrupt account).</summary>
public sealed record FindAdlCandidates(string Instrument, bool Longs, long Lots, string ExcludeAccountId);

/// <summary>A node's answer: candidates ranked by §9's score, best first.</summary>
public sealed record AdlCandidateList(IReadOnlyList<AdlCandidate> Candidates)
{
    /// <inheritdoc />
    public bool Equals(AdlCandidateList? other) => other is not null && Candidates.SequenceEqual(other.Candidates);

    /// <inheritdoc />
    public override int GetHashCode() => Candidates.Count;
}

/// <summary>Where the engine finds auto-deleveraging counterparties: the ranking every supervisor keeps
/// incrementally, merged across the cluster.</summary>
public interface IAdlSource
{
    /// <summary>Ranked candidates (best first) holding the opposite side of a bankrupt position.</summary>
    Task<IReadOnlyList<AdlCandidate>> FindAsync(FindAdlCandidates query);
}

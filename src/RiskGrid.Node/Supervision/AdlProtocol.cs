using RiskGrid.Margin.Liquidation;

namespace RiskGrid.Node.Supervision;

/// <summary>Asks a node's supervisor for its best-ranked positions in <paramref name="Instrument"/> on one side
/// (longs when <paramref name="Longs"/>), excluding <paramref name="ExcludeAccountId"/> (the bankrupt account): the
/// supervisor reserves <paramref name="Lots"/> of the first of them (a concurrent query does not count on those lots)
/// and lists stand-ins after them, up to twice the lots.</summary>
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

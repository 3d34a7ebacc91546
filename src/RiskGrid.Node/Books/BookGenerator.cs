using RiskGrid.Margin.Instruments;

namespace RiskGrid.Node.Books;

/// <summary>
/// Generates a seeded synthetic book for the stress lab (<c>docs/books.md</c>): for account <c>acct-000001</c>,
/// <c>acct-000002</c>, … the commands that open it (deposits, a mode switch, fills at the start marks, isolated
/// margin), drawn from a <see cref="BookSpec"/>. Deterministic: the same spec, catalog parameters, start market and
/// seed give the same commands, byte for byte, and account <c>n</c> does not depend on how many accounts are drawn
/// or in what order. Every account opens healthy at the start market: its IM (and every isolated position's) is met
/// with the spec's headroom, checked with the margin core on the state the commands produce.
/// </summary>
public sealed class BookGenerator
{
    private readonly BookUniverse _universe;

    /// <summary>Resolves <paramref name="spec"/> against <paramref name="catalog"/>'s parameters and
    /// <paramref name="market"/>; throws <see cref="BookSpecException"/> naming the key when the spec names an
    /// underlying or asset the parameters lack, or the market lacks a price the book needs.</summary>
    public BookGenerator(BookSpec spec, InstrumentCatalog catalog, StartMarket market)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(market);
        _universe = new BookUniverse(spec, catalog, market);
    }

    /// <summary>The spec accounts are drawn from.</summary>
    public BookSpec Spec => _universe.Spec;

    /// <summary>The start market (clock and prices) of every command.</summary>
    public StartMarket Market => _universe.Start;

    /// <summary>The id of account number <paramref name="number"/> (from 1): <c>acct-000001</c>.</summary>
    public static string AccountId(int number) => $"acct-{number:D6}";

    /// <summary>The spec's <see cref="BookSpec.Accounts"/> accounts, numbered from 1, lazily: one account's commands
    /// at a time, so a 100,000-account book is never held at once. Each enumeration owns its scratch state; several
    /// may run on different threads.</summary>
    public IEnumerable<AccountOpening> Generate(long seed) => Generate(seed, 1, Spec.Accounts);

    /// <summary><paramref name="count"/> accounts numbered from <paramref name="firstNumber"/> (a slice of a book, for
    /// generating in parallel: the accounts are those of the whole book).</summary>
    public IEnumerable<AccountOpening> Generate(long seed, int firstNumber, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(firstNumber, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return Enumerate(seed, firstNumber, count);
    }

    /// <summary>Account <paramref name="number"/> alone (what <see cref="Generate(long)"/> yields for it).</summary>
    public AccountOpening Open(long seed, int number)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(number, 1);
        return new AccountPlanner(_universe).Open(seed, number);
    }

    private IEnumerable<AccountOpening> Enumerate(long seed, int firstNumber, int count)
    {
        var planner = new AccountPlanner(_universe);
        for (var i = 0; i < count; i++)
        {
            yield return planner.Open(seed, checked(firstNumber + i));
        }
    }
}

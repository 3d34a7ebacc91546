using System.Diagnostics;
using RiskGrid.Node.Accounts;
using RiskGrid.Node.Books;
using RiskGrid.Node.Hosting;

namespace RiskGrid.Load.Supervision;

/// <summary>What opening a book through the entities took.</summary>
internal sealed record BookLoad(int Accounts, int SubAccounts, long Commands, long Rejected, long Retries,
    TimeSpan Elapsed, string? FirstRejection)
{
    public double AccountsPerSecond => Accounts / Elapsed.TotalSeconds;

    public double CommandsPerSecond => Commands / Elapsed.TotalSeconds;
}

/// <summary>
/// Opens a generated book (<see cref="BookGenerator"/>) on a node the way a venue would: every account's commands in
/// order (deposits, mode, fills, isolated margin), each acknowledged before the next, many accounts at once. A
/// timeout or an overloaded node is retried with the same command id (idempotent).
/// </summary>
internal static class BookLoader
{
    public static async Task<BookLoad> OpenAsync(GridNode node, BookGenerator generator, long seed, int accounts,
        int parallelism, TextWriter progress)
    {
        var watch = Stopwatch.StartNew();
        long commands = 0, rejected = 0, retries = 0;
        var subAccounts = 0;
        var opened = 0;
        string? firstRejection = null;
        using var timer = new Timer(_ => progress.WriteLine(FormattableString.Invariant(
                $"    … {Volatile.Read(ref opened):N0} accounts, {Interlocked.Read(ref commands):N0} commands in {watch.Elapsed.TotalSeconds:F0} s")),
            null, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30));
        await Parallel.ForEachAsync(generator.Generate(seed, 1, accounts),
            new ParallelOptions { MaxDegreeOfParallelism = parallelism }, async (opening, ct) =>
            {
                var subs = new HashSet<string>(StringComparer.Ordinal);
                foreach (var command in opening.Commands)
                {
                    if (command is Deposit d)
                    {
                        subs.Add(d.SubAccount);
                    }
                    var (reply, tries) = await SendAsync(node.Accounts, command, ct).ConfigureAwait(false);
                    Interlocked.Add(ref retries, tries);
                    Interlocked.Increment(ref commands);
                    if (reply is not CommandAccepted)
                    {
                        Interlocked.Increment(ref rejected);
                        Interlocked.CompareExchange(ref firstRejection, $"{command}: {reply}", null);
                    }
                }
                Interlocked.Add(ref subAccounts, subs.Count);
                Interlocked.Increment(ref opened);
            }).ConfigureAwait(false);
        return new BookLoad(accounts, subAccounts, commands, rejected, retries, watch.Elapsed, firstRejection);
    }

    /// <summary>The same book through <see cref="GridNode.Import"/>: every account's commands decided as its entity
    /// would, the events written to the journal in batches; entities recover on their first message.</summary>
    public static async Task<BookLoad> ImportAsync(GridNode node, BookGenerator generator, long seed, int accounts,
        TextWriter progress)
    {
        var watch = Stopwatch.StartNew();
        var subAccounts = 0;
        var lastReport = 0L;
        var result = await node.Import.ImportAsync(generator.Generate(seed, 1, accounts).Select(opening =>
            {
                subAccounts += opening.Commands.OfType<Deposit>().Select(d => d.SubAccount).Distinct().Count();
                return (opening.AccountId, opening.Commands);
            }), 1_000, written =>
            {
                if (watch.ElapsedMilliseconds - lastReport > 30_000)
                {
                    lastReport = watch.ElapsedMilliseconds;
                    progress.WriteLine(FormattableString.Invariant(
                        $"    … {written:N0} accounts imported in {watch.Elapsed.TotalSeconds:F0} s"));
                }
            }).ConfigureAwait(false);
        return new BookLoad(result.Accounts, subAccounts, result.Events, result.Refused.Count, 0, watch.Elapsed,
            result.Refused.Count > 0 ? result.Refused[0] : null);
    }

    private static async Task<(IAccountReply Reply, int Retries)> SendAsync(AccountService accounts,
        IAccountCommand command, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return (await accounts.AskAsync(command, ct).ConfigureAwait(false), attempt);
            }
            catch (Exception e) when (attempt < 20 && e is TimeoutException or AccountsOverloadedException)
            {
                await Task.Delay(50 * (attempt + 1), ct).ConfigureAwait(false);
            }
        }
    }
}

using Akka.Actor;
using Akka.Cluster.Sharding;

namespace RiskGrid.Node.Accounts;

/// <summary>
/// Routes <see cref="IAccountMessage"/>s to account entities: entity id = account id, shard id = a stable hash of it
/// (FNV-1a, the same on every node and in every process, unlike <see cref="string.GetHashCode()"/>) modulo the shard
/// count, which must never change for a cluster's life.
/// </summary>
public sealed class AccountMessageExtractor : IMessageExtractor
{
    private readonly int _shards;

    public AccountMessageExtractor(int shards)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shards, 1);
        _shards = shards;
    }

    /// <inheritdoc />
    public string? EntityId(object message) => message switch
    {
        IAccountMessage m => m.AccountId,
        _ => null,
    };

    /// <inheritdoc />
    public object? EntityMessage(object message) => message;

    /// <inheritdoc />
    public string ShardId(object message) => message switch
    {
        IAccountMessage m => ShardOf(m.AccountId),
        _ => throw new ArgumentException($"not an account message: {message.GetType().Name}", nameof(message)),
    };

    /// <inheritdoc />
    public string ShardId(string entityId, object? messageHint = null) => ShardOf(entityId);

    /// <summary>The shard of <paramref name="accountId"/>.</summary>
    public string ShardOf(string accountId)
    {
        var hash = 2166136261u;
        foreach (var c in accountId)
        {
            hash = (hash ^ c) * 16777619u;
        }
        return (hash % (uint)_shards).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>Starts the account shard region on a node.</summary>
public static class AccountSharding
{
    /// <summary>The sharding type name of accounts.</summary>
    public const string TypeName = "account";

    /// <summary>Starts the region (entities hosted here) and returns it.</summary>
    public static IActorRef Start(ActorSystem system, AccountCommandHandler handler, IAccountObserver? observer,
        int shards, TimeSpan passivateIdleAfter, string? role = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(handler);
        var sharding = ClusterSharding.Get(system);
        var settings = ClusterShardingSettings.Create(system)
            .WithPassivateIdleAfter(passivateIdleAfter)
            .WithRememberEntities(false);
        if (role is not null)
        {
            settings = settings.WithRole(role);
        }
        // One props for the whole region: each entity reads its account id from its actor name.
        var props = AccountEntity.Props(null, handler, observer);
        return sharding.Start(TypeName, _ => props, settings,
            new AccountMessageExtractor(shards), sharding.DefaultShardAllocationStrategy(settings),
            AccountEntity.Stop.Instance);
    }
}

using Akka.Actor;
using Akka.Cluster.Sharding;
using RiskGrid.Node.Accounts;

namespace RiskGrid.Node.Hosting;

/// <summary>
/// A cluster-wide singleton kept as one persistent entity under cluster sharding (one entity, one shard), so it moves
/// to a survivor when its node dies and recovers there from its journal: the insurance fund, the parameter journal.
/// Never passivated; handed off with <see cref="AccountEntity.Stop"/>.
/// </summary>
internal static class SingleEntitySharding
{
    /// <summary>Starts the region <paramref name="typeName"/> on a node: every <typeparamref name="TMessage"/> goes to
    /// entity <paramref name="entityId"/>, made by <paramref name="props"/>.</summary>
    public static IActorRef Start<TMessage>(ActorSystem system, string typeName, string entityId, Props props)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(props);
        var sharding = ClusterSharding.Get(system);
        var settings = ClusterShardingSettings.Create(system).WithRememberEntities(false)
            .WithPassivateIdleAfter(TimeSpan.Zero);
        return sharding.Start(typeName, _ => props, settings, new Extractor<TMessage>(entityId),
            sharding.DefaultShardAllocationStrategy(settings), AccountEntity.Stop.Instance);
    }

    private sealed class Extractor<TMessage>(string entityId) : IMessageExtractor
    {
        public string? EntityId(object message) => message is TMessage ? entityId : null;

        public object? EntityMessage(object message) => message;

        public string ShardId(object message) => "0";

        public string ShardId(string entityId, object? messageHint = null) => "0";
    }
}

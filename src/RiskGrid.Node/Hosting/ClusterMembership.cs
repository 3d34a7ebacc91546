using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster;

namespace RiskGrid.Node.Hosting;

/// <summary>The cluster as this node sees it: members by status, and how many of them are unreachable.</summary>
public sealed record MembershipSnapshot(ImmutableDictionary<MemberStatus, int> MembersByStatus, int Unreachable)
{
    /// <summary>Before the first cluster event: no members.</summary>
    public static readonly MembershipSnapshot Empty = new(ImmutableDictionary<MemberStatus, int>.Empty, 0);

    /// <summary>Members in <paramref name="status"/>.</summary>
    public int Count(MemberStatus status) => MembersByStatus.GetValueOrDefault(status);
}

/// <summary>
/// Follows cluster membership and reachability events and keeps the latest <see cref="MembershipSnapshot"/>;
/// <see cref="Changed"/> is raised (on an actor thread) after every event that changes it.
/// </summary>
public sealed class ClusterMembership
{
    private MembershipSnapshot _current = MembershipSnapshot.Empty;

    internal ClusterMembership(ActorSystem system)
    {
        system.ActorOf(Props.Create(() => new Monitor(this)), "cluster-membership");
    }

    /// <summary>Raised with the new snapshot after each change.</summary>
    public event EventHandler<MembershipSnapshot>? Changed;

    /// <summary>The latest snapshot.</summary>
    public MembershipSnapshot Current => Volatile.Read(ref _current);

    private void Publish(MembershipSnapshot snapshot)
    {
        if (snapshot.Unreachable == _current.Unreachable
            && snapshot.MembersByStatus.Count == _current.MembersByStatus.Count
            && snapshot.MembersByStatus.All(p => _current.Count(p.Key) == p.Value))
        {
            return;
        }
        Volatile.Write(ref _current, snapshot);
        Changed?.Invoke(this, snapshot);
    }

    /// <summary>Subscribes to the events and rebuilds the counts from its own view of the members.</summary>
    private sealed class Monitor : UntypedActor
    {
        private readonly ClusterMembership _owner;
        private readonly Dictionary<UniqueAddress, MemberStatus> _members = [];
        private readonly HashSet<UniqueAddress> _unreachable = [];

        public Monitor(ClusterMembership owner) => _owner = owner;

        protected override void PreStart() =>
            Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode
                .InitialStateAsSnapshot, typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));

        protected override void PostStop() => Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);

        protected override void OnReceive(object message)
        {
            switch (message)
            {
                case ClusterEvent.CurrentClusterState state:
                    _members.Clear();
                    _unreachable.Clear();
                    foreach (var member in state.Members)
                    {
                        _members[member.UniqueAddress] = member.Status;
                    }
                    foreach (var member in state.Unreachable)
                    {
                        _unreachable.Add(member.UniqueAddress);
                    }
                    break;
                case ClusterEvent.MemberRemoved removed:
                    _members.Remove(removed.Member.UniqueAddress);
                    _unreachable.Remove(removed.Member.UniqueAddress);
                    break;
                case ClusterEvent.IMemberEvent changed:
                    _members[changed.Member.UniqueAddress] = changed.Member.Status;
                    break;
                case ClusterEvent.UnreachableMember unreachable:
                    _unreachable.Add(unreachable.Member.UniqueAddress);
                    break;
                case ClusterEvent.ReachableMember reachable:
                    _unreachable.Remove(reachable.Member.UniqueAddress);
                    break;
                default:
                    Unhandled(message);
                    return;
            }
            _owner.Publish(new MembershipSnapshot(
                _members.Values.GroupBy(s => s).ToImmutableDictionary(g => g.Key, g => g.Count()),
                _unreachable.Count));
        }
    }
}

using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using Akka.Persistence;
using RiskGrid.Margin.Parameters;
using RiskGrid.Node.Accounts;
using RiskGrid.Node.Configuration;

namespace RiskGrid.Node.ParamChanges;

/// <summary>A message of the parameter journal (bound to its serializer).</summary>
public interface IParamsMessage;

/// <summary>A message for the parameter entity (routed to it by sharding).</summary>
public interface IParamsCommand : IParamsMessage;

/// <summary>The parameter entity's answer.</summary>
public interface IParamsReply : IParamsMessage;

/// <summary>A change of the grid's parameters, as stored in the parameter journal.</summary>
public interface IParamsEvent;

/// <summary>
/// A parameter change (<c>PUT /v1/admin/params</c>): <paramref name="Changes"/> is the request's <c>set</c> in the
/// normalized form of <see cref="RiskParamsChange.TryNormalize"/>; <paramref name="BaseDocument"/> the requesting
/// node's effective parameters (HOCON), the base of the first change only (later ones build on the journal's
/// latest document); <paramref name="AtMs"/> the grid clock. Idempotent by <paramref name="CommandId"/>.
/// </summary>
public sealed record ChangeParams(string CommandId, string Changes, string BaseDocument, long AtMs) : IParamsCommand;

/// <summary>Asks for the journal's current version and document.</summary>
public sealed record GetParams : IParamsCommand
{
    /// <summary>The one instance.</summary>
    public static readonly GetParams Instance = new();
}

/// <summary>The journal's current version (0: no change yet) and document (HOCON; empty at version 0).</summary>
public sealed record ParamsState(long Version, string Document) : IParamsReply;

/// <summary>A change accepted, now or before (<paramref name="Repeated"/>: the command id was seen with the same
/// body): the version it made, its changes and the full document after it.</summary>
public sealed record ParamsChangeAccepted(long Version, string CommandId, string Changes, string Document,
    bool Repeated) : IParamsReply
{
    /// <summary>The paths the change set, in its order.</summary>
    public IReadOnlyList<string> Changed => RiskParamsChange.Paths(Changes);
}

/// <summary>Why a change was refused.</summary>
public enum ParamsRejection : byte
{
    /// <summary>A bad value, path or structural change: nothing changed.</summary>
    Malformed = 1,

    /// <summary>The command id was used before with another body.</summary>
    Conflict = 2,
}

/// <summary>A change refused; nothing changed. <paramref name="Field"/> is <c>commandId</c>, a key below
/// <c>riskgrid.risk</c>, or empty when the change as a whole is at fault.</summary>
public sealed record ParamsChangeRejected(ParamsRejection Code, string Field, string Message) : IParamsReply;

/// <summary>
/// The grid's parameters changed: version <paramref name="Version"/> (1, 2, 3 …) made by
/// <paramref name="CommandId"/> (<paramref name="Fingerprint"/> of its <paramref name="Changes"/>, the normalized
/// <c>set</c>); <paramref name="Document"/> is the full effective parameter document after it (HOCON holding
/// <c>riskgrid.risk</c>). Stored in the journal, and broadcast to every node, which applies it.
/// </summary>
public sealed record ParamsChanged(long Version, string CommandId, long Fingerprint, string Changes, string Document,
    long AtMs) : IParamsEvent;

/// <summary>
/// The grid's risk parameters as a journal: its own persistent entity (one per cluster, hosted by sharding, so it
/// moves when its node dies). A change is built from the latest journaled document (or, for the first, the
/// requesting node's), read by the strict reader, held to the structure of the current set and to what the hosting
/// node can run (<paramref name="check"/>), persisted as <see cref="ParamsChanged"/>, answered, and published on
/// <see cref="Topic"/> for every node to apply. A repeated command id gets its first answer, also after a restart;
/// the same id with another body is a conflict. A refused change persists nothing.
/// </summary>
public sealed class ParamsEntity(Func<RiskParams, ParamsProblem?> check) : UntypedPersistentActor
{
    /// <summary>The entity's persistence id (and entity id).</summary>
    public const string Id = "risk-params";

    /// <summary>The pub-sub topic every node's <see cref="ParamsFollower"/> listens on.</summary>
    public const string Topic = "riskgrid-risk-params";

    private readonly Dictionary<string, ParamsChanged> _byCommand = new(StringComparer.Ordinal);
    private ParamsChanged? _latest;

    /// <inheritdoc />
    public override string PersistenceId => Id;

    /// <summary>Props of the entity; <paramref name="check"/> is what the hosting node can run (a problem, or
    /// null).</summary>
    public static Props Props(Func<RiskParams, ParamsProblem?> check) =>
        Akka.Actor.Props.Create(() => new ParamsEntity(check));

    private long Version => _latest?.Version ?? 0;

    /// <inheritdoc />
    protected override void OnRecover(object message)
    {
        if (message is ParamsChanged e)
        {
            Apply(e);
        }
    }

    /// <inheritdoc />
    protected override void OnCommand(object message)
    {
        switch (message)
        {
            case ChangeParams c:
                Change(c);
                break;
            case GetParams:
                Sender.Tell(new ParamsState(Version, _latest?.Document ?? ""));
                break;
            case AccountEntity.Stop:
                Context.Stop(Self);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void Change(ChangeParams c)
    {
        if (!AccountCommandHandler.IsValidId(c.CommandId))
        {
            Sender.Tell(new ParamsChangeRejected(ParamsRejection.Malformed, "commandId",
                "commandId must be 1-64 characters of letters, digits and ._:-"));
            return;
        }
        var fingerprint = RiskParamsChange.Fingerprint(c.Changes);
        if (_byCommand.TryGetValue(c.CommandId, out var first))
        {
            Sender.Tell(first.Fingerprint == fingerprint
                ? Accepted(first, repeated: true)
                : new ParamsChangeRejected(ParamsRejection.Conflict, "commandId",
                    $"commandId {c.CommandId} already made version {first.Version} with another change"));
            return;
        }
        if (Decide(c) is not { } decided)
        {
            return;
        }
        var sender = Sender;
        Persist(new ParamsChanged(Version + 1, c.CommandId, fingerprint, c.Changes, decided, c.AtMs), e =>
        {
            Apply(e);
            Log.Info("Risk parameters changed version={Version} commandId={CommandId} set={Changes}", e.Version,
                e.CommandId, e.Changes);
            sender.Tell(Accepted(e, repeated: false));
            DistributedPubSub.Get(Context.System).Mediator.Tell(new Publish(Topic, e));
        });
    }

    // The new document, or null after answering with the refusal.
    private string? Decide(ChangeParams c)
    {
        ParamsProblem? problem;
        RiskParams? next = null;
        string? document = null;
        try
        {
            RiskParamsChange.TryApply(_latest?.Document ?? c.BaseDocument, c.Changes, out next, out document,
                out problem);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or RiskParamsException)
        {
            problem = new ParamsProblem(null, $"the change or its base cannot be read: {e.Message}");
        }
        problem ??= check(next!);
        if (problem is not null)
        {
            Sender.Tell(new ParamsChangeRejected(ParamsRejection.Malformed, problem.Field ?? "", problem.Message));
            return null;
        }
        return document;
    }

    private static ParamsChangeAccepted Accepted(ParamsChanged e, bool repeated) =>
        new(e.Version, e.CommandId, e.Changes, e.Document, repeated);

    private void Apply(ParamsChanged e)
    {
        _latest = e;
        _byCommand[e.CommandId] = e;
    }
}

/// <summary>Hosts the parameter entity under cluster sharding (one entity, one shard), so it survives the loss of its
/// node.</summary>
public static class ParamsSharding
{
    /// <summary>The sharding type name.</summary>
    public const string TypeName = "risk-params";

    /// <summary>Starts the region on a node; <paramref name="check"/> is what this node can run.</summary>
    public static IActorRef Start(ActorSystem system, Func<RiskParams, ParamsProblem?> check)
    {
        ArgumentNullException.ThrowIfNull(check);
        return Hosting.SingleEntitySharding.Start<IParamsCommand>(system, TypeName, ParamsEntity.Id,
            ParamsEntity.Props(check));
    }
}

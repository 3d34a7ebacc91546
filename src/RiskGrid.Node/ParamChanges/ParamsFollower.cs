using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using RiskGrid.Margin.Parameters;
using RiskGrid.Node.Configuration;
using RiskGrid.Node.Supervision;

namespace RiskGrid.Node.ParamChanges;

/// <summary>Asks this node's <see cref="ParamsFollower"/> to apply a journaled version it already has (the node
/// that accepted the change applies it before answering its caller). Local to the node.</summary>
public sealed record ApplyParams(long Version, string Document);

/// <summary>The follower's answer to <see cref="ApplyParams"/>: the version now in effect here, and the problem
/// when this node cannot run the document.</summary>
public sealed record ParamsApplied(long Version, ParamsProblem? Problem);

/// <summary>
/// Makes every node run the journal's parameters (MARGIN.md §12 at run time). On each node it applies, through the
/// node's <see cref="RiskParamsSwitch"/>, every version newer than the one in effect, from three paths: the
/// parameter entity's broadcast after each change (cluster pub-sub, <see cref="ParamsEntity.Topic"/>), a poll of the
/// entity's version every <see cref="ParamsSettings.PollInterval"/> (a node that missed a broadcast or joined later
/// catches up), and the API of the node that accepted a change. At start it reads the journal first: the node is
/// synced (and may be ready) once it has the journal's version in effect. The journaled document wins over the
/// node's file; a difference is logged. After each change the risk supervisor sweeps (safe bands depend on the
/// parameters).
/// </summary>
public sealed class ParamsFollower : ReceiveActor, IWithTimers
{
    /// <summary>The follower's name under /user.</summary>
    public const string Name = "risk-params";

    private readonly RiskParamsSwitch _switch;
    private readonly IActorRef _journal;
    private readonly IActorRef _supervisor;
    private readonly ParamsSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private long _reported;

    public ParamsFollower(RiskParamsSwitch paramsSwitch, IActorRef journal, IActorRef supervisor,
        ParamsSettings settings)
    {
        _switch = paramsSwitch;
        _journal = journal;
        _supervisor = supervisor;
        _settings = settings;
        Receive<SubscribeAck>(_ => { });
        Receive<Poll>(_ => _journal.Ask<ParamsState>(GetParams.Instance, _settings.AskTimeout)
            .PipeTo(Self, success: s => s, failure: e => new PollFailed(e.Message)));
        Receive<ParamsState>(OnState);
        Receive<PollFailed>(f =>
        {
            if (!_switch.IsSynced)
            {
                _log.Warning("Risk parameters: the parameter journal did not answer ({Reason}); asking again",
                    f.Reason);
            }
            SchedulePoll();
        });
        Receive<ParamsChanged>(e => Apply(e.Version, e.Document, "broadcast"));
        Receive<ApplyParams>(a =>
        {
            var problem = Apply(a.Version, a.Document, "this node's API");
            Sender.Tell(new ParamsApplied(_switch.Version, problem));
        });
        // The supervisor's report after the sweep this follower asked for.
        Receive<RiskReport>(_ => { });
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props of the follower.</summary>
    public static Props Props(RiskParamsSwitch paramsSwitch, IActorRef journal, IActorRef supervisor,
        ParamsSettings settings) =>
        Akka.Actor.Props.Create(() => new ParamsFollower(paramsSwitch, journal, supervisor, settings));

    /// <inheritdoc />
    protected override void PreStart()
    {
        DistributedPubSub.Get(Context.System).Mediator.Tell(new Subscribe(ParamsEntity.Topic, Self));
        Self.Tell(Poll.Instance);
    }

    private void OnState(ParamsState state)
    {
        var problem = state.Version > 0 ? Apply(state.Version, state.Document, "poll") : null;
        if (!_switch.IsSynced && (problem is not null || _switch.Version >= state.Version))
        {
            _switch.MarkSynced(problem?.Message);
            if (problem is null)
            {
                _log.Info("Risk parameters: journal version={Version} in effect", _switch.Version);
                if (state.Version > 0 && state.Document != RiskParamsDocument.ToHocon(_switch.Start))
                {
                    _log.Warning("Risk parameters: the journaled document (version {Version}) differs from this " +
                                 "node's file; the journal wins", state.Version);
                }
            }
        }
        SchedulePoll();
    }

    // Applies a newer version; the problem when this node cannot run it (logged once per version).
    private ParamsProblem? Apply(long version, string document, string via)
    {
        if (version <= _switch.Version)
        {
            return null;
        }
        ParamsProblem? problem;
        try
        {
            var next = RiskParamsReader.Parse(document);
            if (_switch.TryApply(version, next, out problem) == SwitchOutcome.Applied)
            {
                _log.Info("Risk parameters applied version={Version} via={Via}", version, via);
                _supervisor.Tell(new RunRiskCycle(Sweep: true));
                return null;
            }
        }
        catch (RiskParamsException e)
        {
            problem = new ParamsProblem(null, e.Message);
        }
        if (problem is not null && version > _reported)
        {
            _reported = version;
            _log.Error("Risk parameters version={Version} cannot run on this node (field={Field}): {Problem}", version,
                problem.Field, problem.Message);
        }
        return problem;
    }

    private void SchedulePoll() => Timers.StartSingleTimer(Poll.Instance, Poll.Instance,
        _switch.IsSynced ? _settings.PollInterval : _settings.RetryInterval);

    private sealed class Poll
    {
        public static readonly Poll Instance = new();
    }

    private sealed record PollFailed(string Reason);
}

using Akka.Actor;
using RiskGrid.Margin.Parameters;
using RiskGrid.Node.Configuration;
using RiskGrid.Node.Time;

namespace RiskGrid.Node.ParamChanges;

/// <summary>
/// A node's door to the parameter journal: the version and parameters in effect on this node, and changes
/// (<c>PUT /v1/admin/params</c>) sent to the parameter entity wherever it lives and, once journaled, applied on this
/// node before the caller is answered (the other nodes follow within the broadcast's delay, at worst one poll).
/// </summary>
public sealed class RiskParamsService
{
    private readonly IActorRef _journal;
    private readonly IActorRef _follower;
    private readonly RiskParamsSwitch _switch;
    private readonly IGridClock _clock;

    public RiskParamsService(IActorRef journal, IActorRef follower, RiskParamsSwitch paramsSwitch, IGridClock clock,
        ParamsSettings settings)
    {
        _journal = journal ?? throw new ArgumentNullException(nameof(journal));
        _follower = follower ?? throw new ArgumentNullException(nameof(follower));
        _switch = paramsSwitch ?? throw new ArgumentNullException(nameof(paramsSwitch));
        _clock = clock ?? throw new ArgumentNullException(nameof(clock));
        Settings = settings ?? throw new ArgumentNullException(nameof(settings));
    }

    /// <summary>How the node follows changes.</summary>
    public ParamsSettings Settings { get; }

    /// <summary>The journal version in effect on this node (0: its file, no change yet).</summary>
    public long Version => _switch.Version;

    /// <summary>The parameters in effect on this node.</summary>
    public RiskParams Current => _switch.Current;

    /// <summary>The version in effect on this node with its parameters, read as one.</summary>
    public ParamsInEffect InEffect => _switch.InEffect;

    /// <summary>The parameters this node started with (its file).</summary>
    public RiskParams Start => _switch.Start;

    /// <summary>
    /// Sends a change (<paramref name="changes"/> normalized by <see cref="RiskParamsChange.TryNormalize"/>) to the
    /// parameter entity and, when it is accepted (or repeated), puts its version in effect on this node before
    /// returning. Throws <see cref="TimeoutException"/> when the entity or the follower does not answer in time (the
    /// caller retries with the same command id).
    /// </summary>
    public async Task<IParamsReply> ChangeAsync(string commandId, string changes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(commandId);
        ArgumentNullException.ThrowIfNull(changes);
        var command = new ChangeParams(commandId, changes, RiskParamsDocument.ToHocon(_switch.Current), _clock.NowMs);
        try
        {
            var reply = await _journal.Ask<IParamsReply>(command, Settings.AskTimeout, cancellationToken)
                .ConfigureAwait(false);
            if (reply is ParamsChangeAccepted accepted)
            {
                await _follower.Ask<ParamsApplied>(new ApplyParams(accepted.Version, accepted.Document),
                    Settings.AskTimeout, cancellationToken).ConfigureAwait(false);
            }
            return reply;
        }
        catch (AskTimeoutException e)
        {
            throw new TimeoutException($"the parameter journal did not answer within {Settings.AskTimeout}", e);
        }
    }

    /// <summary>The journal's own version and document (not this node's: see <see cref="Version"/>).</summary>
    public async Task<ParamsState> ReadJournalAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _journal.Ask<ParamsState>(GetParams.Instance, Settings.AskTimeout, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (AskTimeoutException e)
        {
            throw new TimeoutException($"the parameter journal did not answer within {Settings.AskTimeout}", e);
        }
    }
}

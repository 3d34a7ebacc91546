using System.Globalization;
using System.Net;
using System.Text;

namespace RiskGrid.Cluster.Tests;

/// <summary>
/// Keeps one underlying priced on a test cluster through <c>POST /v1/admin/prices</c>: every
/// <c>interval</c> it posts the current level from each of its manual sources, stamped now, to one live node, which
/// relays it to the others (docs/api.md). A level change is posted at once. Posts are serialised and their
/// <c>ts</c> strictly increases, so no node sees a source's ticks out of order.
/// </summary>
internal sealed class ManualPriceFeed : IAsyncDisposable
{
    private readonly HttpClient _admin;
    private readonly Func<IReadOnlyList<NodeProcess>> _live;
    private readonly string _underlying;
    private readonly IReadOnlyList<string> _sources;
    private readonly TimeSpan _interval;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;
    private double _level;
    private long _lastTsMs;
    private int _next;
    private long _posted;
    private long _failed;

    public ManualPriceFeed(HttpClient admin, Func<IReadOnlyList<NodeProcess>> live, string underlying,
        IReadOnlyList<string> sources, double level, TimeSpan interval)
    {
        _admin = admin;
        _live = live;
        _underlying = underlying;
        _sources = sources;
        _level = level;
        _interval = interval;
    }

    public double Level => Volatile.Read(ref _level);

    /// <summary>Source prices accepted by a node.</summary>
    public long Posted => Interlocked.Read(ref _posted);

    /// <summary>Source prices no node accepted (each is followed by the next round anyway).</summary>
    public long Failed => Interlocked.Read(ref _failed);

    public string LastError { get; private set; } = "";

    public void Start() => _loop = Task.Run(async () =>
    {
        while (!_stop.IsCancellationRequested)
        {
            await PostRoundAsync();
            try
            {
                await Task.Delay(_interval, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    });

    /// <summary>Moves the level and posts it from every source now.</summary>
    public async Task SetLevelAsync(double level)
    {
        Volatile.Write(ref _level, level);
        await PostRoundAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
        _gate.Dispose();
    }

    private async Task PostRoundAsync()
    {
        await _gate.WaitAsync();
        try
        {
            var level = Level.ToString("R", CultureInfo.InvariantCulture);
            foreach (var source in _sources)
            {
                if (await PostAsync(source, level))
                {
                    Interlocked.Increment(ref _posted);
                }
                else
                {
                    Interlocked.Increment(ref _failed);
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    // One source price to the next live node; another node on failure.
    private async Task<bool> PostAsync(string source, string level)
    {
        var nodes = _live();
        for (var attempt = 0; attempt < nodes.Count; attempt++)
        {
            var node = nodes[(int)((uint)Interlocked.Increment(ref _next) % (uint)nodes.Count)];
            _lastTsMs = Math.Max(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), _lastTsMs + 1);
            var body =
                $$"""{"source":"{{source}}","underlying":"{{_underlying}}","price":{{level}},"ts":{{_lastTsMs}}}""";
            try
            {
                using var content = new StringContent(body, Encoding.UTF8, "application/json");
                using var response =
                    await _admin.PostAsync(new Uri(node.Http, "/v1/admin/prices"), content, _stop.Token);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return true;
                }
                LastError = $"{node.Name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            }
            catch (HttpRequestException e)
            {
                LastError = $"{node.Name}: {e.Message}";
            }
            catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
            {
                LastError = $"{node.Name}: timeout";
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }
        return false;
    }
}

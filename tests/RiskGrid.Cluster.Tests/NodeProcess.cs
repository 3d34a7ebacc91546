using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace RiskGrid.Cluster.Tests;

/// <summary>
/// One grid node as a real OS process (<c>dotnet riskgrid.dll node --config PROFILE</c>), its output captured to a
/// log file that outlives the test, so a failure can be read afterwards.
/// </summary>
internal sealed class NodeProcess : IDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;

    private NodeProcess(string name, Process process, StreamWriter log, string logPath, Uri http)
    {
        Name = name;
        _process = process;
        _log = log;
        LogPath = logPath;
        Http = http;
    }

    public string Name { get; }
    public string LogPath { get; }
    public Uri Http { get; }
    public bool HasExited => _process.HasExited;

    public static NodeProcess Start(string name, string profilePath, int httpPort, string logPath,
        IReadOnlyDictionary<string, string> environment)
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "riskgrid.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(profilePath)!,
        };
        start.ArgumentList.Add(cli);
        start.ArgumentList.Add("node");
        start.ArgumentList.Add("--config");
        start.ArgumentList.Add(profilePath);
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        var log = new StreamWriter(logPath, append: false) { AutoFlush = true };
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Write(log, e.Data);
        process.ErrorDataReceived += (_, e) => Write(log, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new NodeProcess(name, process, log, logPath, new Uri($"http://127.0.0.1:{httpPort}"));
    }

    /// <summary>SIGKILL: no coordinated shutdown, no goodbye to the cluster.</summary>
    public void KillHard()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
    }

    public string Tail(int lines = 40)
    {
        try
        {
            using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            var all = reader.ReadToEnd().Split('\n');
            return $"--- {Name} ({LogPath}) ---\n" + string.Join('\n', all.TakeLast(lines));
        }
        catch (IOException e)
        {
            return $"--- {Name}: log unreadable: {e.Message}";
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            // Graceful leave (SIGTERM) first; a node that does not leave in time is killed.
            Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])
                .WaitForExit(5_000);
            if (!_process.WaitForExit(30_000))
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        _process.WaitForExit(5_000);
        _process.Dispose();
        lock (_log)
        {
            _log.Dispose();
        }
    }

    /// <summary>
    /// A loopback port free now, below the kernel's ephemeral range: a port the kernel handed out for port 0 could be
    /// handed out again (to an outgoing connection of another test, to PostgreSQL clients) between this call and the
    /// node's bind, which failed a cluster test with "address already in use". Ports below the range are taken only by
    /// an explicit bind. Each port is handed out once per test run.
    /// </summary>
    public static int FreePort()
    {
        var low = EphemeralLow();
        lock (HandedOut)
        {
            for (var attempt = 0; attempt < 1_000; attempt++)
            {
                var port = Random.Shared.Next(15_000, Math.Max(15_001, low));
                if (!HandedOut.Add(port))
                {
                    continue;
                }
                try
                {
                    using var listener = new TcpListener(IPAddress.Loopback, port);
                    listener.Start();
                    return port;
                }
                catch (SocketException)
                {
                    // Taken: try another.
                }
            }
        }
        throw new InvalidOperationException("no free loopback port below the ephemeral range");
    }

    private static readonly HashSet<int> HandedOut = [];

    // The first port of the kernel's ephemeral range (Linux: /proc/sys/net/ipv4/ip_local_port_range), else IANA's.
    private static int EphemeralLow()
    {
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])[' ', '\t', '\n'],
                StringSplitOptions.RemoveEmptyEntries);
            return int.Parse(range[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 49_152;
        }
    }

    private static void Write(StreamWriter log, string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (log)
        {
            try
            {
                log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
                // The process printed after the test closed its log.
            }
        }
    }
}

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

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
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

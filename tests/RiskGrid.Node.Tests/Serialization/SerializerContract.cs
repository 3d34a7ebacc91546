using Akka.Actor;
using Akka.Serialization;

namespace RiskGrid.Node.Tests.Serialization;

/// <summary>
/// What every serializer's contract tests share: a message through the serializer Akka binds for it and back, and the
/// golden files (the bytes of a manifest's first release, in <c>Serialization/golden/MANIFEST.hex</c>). Set
/// <c>RISKGRID_UPDATE_GOLDEN=1</c> to write the golden file of a NEW manifest; never rewrite an existing one: a changed
/// layout needs a new manifest.
/// </summary>
internal static class SerializerContract
{
    private static readonly string GoldenDir = Path.Combine(AppContext.BaseDirectory, "Serialization", "golden");

    /// <summary>The manifests of <paramref name="examples"/> (those <paramref name="include"/> keeps) as theory
    /// data.</summary>
    public static TheoryData<string> ManifestsOf(IEnumerable<(string Manifest, object Message)> examples,
        Func<string, bool>? include = null)
    {
        var data = new TheoryData<string>();
        foreach (var (manifest, _) in examples)
        {
            if (include is null || include(manifest))
            {
                data.Add(manifest);
            }
        }
        return data;
    }

    /// <summary><paramref name="message"/> to bytes and back through the serializer <paramref name="system"/> binds
    /// for it.</summary>
    public static (Serializer Serializer, byte[] Bytes, object Back) RoundTrip(ActorSystem system, object message)
    {
        var serialization = system.Serialization;
        var serializer = serialization.FindSerializerFor(message);
        var bytes = serializer.ToBinary(message);
        var back = serialization.Deserialize(bytes, serializer.Identifier,
            Akka.Serialization.Serialization.ManifestFor(serializer, message));
        return (serializer, bytes, back);
    }

    /// <summary>
    /// The golden bytes of <paramref name="manifest"/>; null when the file was missing and has just been written from
    /// <paramref name="current"/> (update mode). Fails when the file is missing otherwise.
    /// </summary>
    public static byte[]? Golden(string manifest, Func<byte[]> current,
        [System.Runtime.CompilerServices.CallerFilePath] string caller = "")
    {
        var path = Path.Combine(GoldenDir, manifest + ".hex");
        if (!File.Exists(path) && Environment.GetEnvironmentVariable("RISKGRID_UPDATE_GOLDEN") == "1")
        {
            var source = Path.Combine(Path.GetDirectoryName(caller)!, "golden", manifest + ".hex");
            File.WriteAllText(source, Convert.ToHexString(current()) + "\n");
            return null;
        }
        Assert.True(File.Exists(path), $"no golden file for {manifest}: {path}");
        return Convert.FromHexString(File.ReadAllText(path).Trim());
    }
}

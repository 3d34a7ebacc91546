using Akka.Actor;
using Akka.Serialization;
using RiskGrid.Node.ParamChanges;
using RiskGrid.Node.Serialization;

namespace RiskGrid.Node.Tests.Serialization;

/// <summary>
/// Every message of the parameter journal round-trips through the serializer Akka binds for it, and the bytes of the
/// first release (the golden files) still read to the same message. Set <c>RISKGRID_UPDATE_GOLDEN=1</c> to write a
/// golden file for a NEW manifest; never rewrite an existing one: a changed layout needs a new manifest.
/// </summary>
public sealed class ParamsSerializerTests : IDisposable
{
    private static readonly string GoldenDir = Path.Combine(AppContext.BaseDirectory, "Serialization", "golden");
    private readonly ActorSystem _system = ActorSystem.Create("params-serializer-tests", ParamsSerializer.Config);

    public void Dispose() => _system.Dispose();

    public static TheoryData<string> Manifests()
    {
        var data = new TheoryData<string>();
        foreach (var (manifest, _) in ParamsMessageExamples.All)
        {
            data.Add(manifest);
        }
        return data;
    }

    [Fact]
    public void EveryManifestHasAnExampleAndEveryExampleItsManifest()
    {
        Assert.Equal(ParamsSerializer.Manifests.Order(), ParamsMessageExamples.All.Select(e => e.Manifest).Order());
    }

    [Theory]
    [MemberData(nameof(Manifests))]
    public void AkkaBindsTheParamsSerializerAndTheMessageRoundTrips(string manifest)
    {
        var message = Example(manifest);
        var serialization = _system.Serialization;

        var serializer = serialization.FindSerializerFor(message);
        var bytes = serializer.ToBinary(message);
        var back = serialization.Deserialize(bytes, serializer.Identifier,
            Akka.Serialization.Serialization.ManifestFor(serializer, message));

        Assert.IsType<ParamsSerializer>(serializer);
        Assert.Equal(manifest, ((SerializerWithStringManifest)serializer).Manifest(message));
        Assert.Equal(message, back);
        Assert.Equal(bytes, serializer.ToBinary(back));
    }

    [Theory]
    [MemberData(nameof(Manifests))]
    public void GoldenBytesFromTheFirstReleaseStillRead(string manifest)
    {
        var message = Example(manifest);
        var serializer = (ParamsSerializer)_system.Serialization.FindSerializerFor(message);
        var path = Path.Combine(GoldenDir, manifest + ".hex");
        if (!File.Exists(path) && Environment.GetEnvironmentVariable("RISKGRID_UPDATE_GOLDEN") == "1")
        {
            var source = Path.Combine(SourceDir(), "Serialization", "golden", manifest + ".hex");
            File.WriteAllText(source, Convert.ToHexString(serializer.ToBinary(message)) + "\n");
            return;
        }
        Assert.True(File.Exists(path), $"no golden file for {manifest}: {path}");

        var golden = Convert.FromHexString(File.ReadAllText(path).Trim());
        var read = serializer.FromBinary(golden, manifest);

        Assert.Equal(message, read);
        Assert.Equal(golden, serializer.ToBinary(read));
    }

    [Fact]
    public void UnknownManifestsCodesAndTruncatedBytesAreRefused()
    {
        var serializer = new ParamsSerializer((ExtendedActorSystem)_system);
        var bytes = serializer.ToBinary(Example("pchanged.1"));
        var rejected = serializer.ToBinary(Example("ParamsRejected.1"));
        rejected[0] = 9;

        Assert.Throws<System.Runtime.Serialization.SerializationException>(() => serializer.FromBinary(bytes, "nope.1"));
        Assert.Throws<FormatException>(() => serializer.FromBinary(bytes[..^3], "pchanged.1"));
        Assert.Throws<FormatException>(() => serializer.FromBinary([.. bytes, 0], "pchanged.1"));
        Assert.Throws<FormatException>(() => serializer.FromBinary(rejected, "ParamsRejected.1"));
    }

    [Fact]
    public void TheAcceptedReplyListsThePathsTheChangeSet()
    {
        var accepted = Assert.IsType<ParamsChangeAccepted>(Example("ParamsAccepted.1"));

        Assert.Equal(["liquidation.targetHealth", "underlyings.BTC.scanRange"], accepted.Changed);
    }

    private static object Example(string manifest) =>
        ParamsMessageExamples.All.Single(e => e.Manifest == manifest).Message;

    private static string SourceDir([System.Runtime.CompilerServices.CallerFilePath] string file = "") =>
        Path.GetDirectoryName(Path.GetDirectoryName(file))!;
}

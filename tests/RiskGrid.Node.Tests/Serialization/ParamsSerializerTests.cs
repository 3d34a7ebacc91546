using Akka.Actor;
using Akka.Serialization;
using RiskGrid.Node.ParamChanges;
using RiskGrid.Node.Serialization;

namespace RiskGrid.Node.Tests.Serialization;

/// <summary>
/// Every message of the parameter journal round-trips through the serializer Akka binds for it, and the bytes of the
/// first release (the golden files) still read to the same message (<see cref="SerializerContract"/>).
/// </summary>
public sealed class ParamsSerializerTests : IDisposable
{
    private readonly ActorSystem _system = ActorSystem.Create("params-serializer-tests", ParamsSerializer.Config);

    public void Dispose() => _system.Dispose();

    public static TheoryData<string> Manifests() => SerializerContract.ManifestsOf(ParamsMessageExamples.All);

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

        var (serializer, bytes, back) = SerializerContract.RoundTrip(_system, message);

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
        if (SerializerContract.Golden(manifest, () => serializer.ToBinary(message)) is not { } golden)
        {
            return;
        }
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
}

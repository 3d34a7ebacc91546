using Akka.Actor;
using Akka.Serialization;
using RiskGrid.Node.Accounts;
using RiskGrid.Node.Serialization;

namespace RiskGrid.Node.Tests.Serialization;

/// <summary>
/// Every account message round-trips through the serializer Akka binds for it, and the bytes written by earlier
/// versions (the golden files) still read to the same message (<see cref="SerializerContract"/>).
/// </summary>
public sealed class AccountSerializerTests : IDisposable
{
    private readonly ActorSystem _system = ActorSystem.Create("serializer-tests", AccountSerializer.Config);

    public void Dispose() => _system.Dispose();

    public static TheoryData<string> Manifests() => SerializerContract.ManifestsOf(AccountMessageExamples.All);

    public static TheoryData<string> CurrentManifests() =>
        SerializerContract.ManifestsOf(AccountMessageExamples.All, m => !AccountMessageExamples.Legacy.Contains(m));

    [Fact]
    public void EveryManifestHasAnExampleAndEveryExampleItsManifest()
    {
        Assert.Equal(AccountSerializer.Manifests.Order(), AccountMessageExamples.All.Select(e => e.Manifest).Order());
    }

    [Theory]
    [MemberData(nameof(CurrentManifests))]
    public void AkkaBindsTheAccountSerializerAndTheMessageRoundTrips(string manifest)
    {
        var message = Example(manifest);

        var (serializer, bytes, back) = SerializerContract.RoundTrip(_system, message);

        Assert.IsType<AccountSerializer>(serializer);
        Assert.Equal(manifest, ((SerializerWithStringManifest)serializer).Manifest(message));
        Assert.Equal(message.GetType(), back.GetType());
        Assert.Equal(bytes, serializer.ToBinary(back));
        if (message is not (AccountView or AccountSnapshot or FundingPaid))
        {
            Assert.Equal(message, back);
        }
    }

    [Theory]
    [MemberData(nameof(Manifests))]
    public void GoldenBytesFromTheFirstReleaseStillRead(string manifest)
    {
        var message = Example(manifest);
        var serializer = (AccountSerializer)_system.Serialization.FindSerializerFor(message);
        if (SerializerContract.Golden(manifest, () => serializer.ToBinary(message)) is not { } golden)
        {
            return;
        }
        var read = serializer.FromBinary(golden, manifest);

        if (!AccountMessageExamples.Legacy.Contains(manifest))
        {
            Assert.Equal(golden, serializer.ToBinary(read));
        }
        Assert.Equal(serializer.ToBinary(message), serializer.ToBinary(read));
    }

    [Fact]
    public void UnknownManifestAndTruncatedBytesAreRefused()
    {
        var serializer = new AccountSerializer((ExtendedActorSystem)_system);
        var bytes = serializer.ToBinary(AccountMessageExamples.Fill);

        Assert.Throws<System.Runtime.Serialization.SerializationException>(() => serializer.FromBinary(bytes, "nope.1"));
        Assert.Throws<FormatException>(() => serializer.FromBinary(bytes[..^3], "fill.1"));
        Assert.Throws<FormatException>(() => serializer.FromBinary([.. bytes, 0], "fill.1"));
    }

    [Fact]
    public void AFillEventIsSmall()
    {
        var serializer = new AccountSerializer((ExtendedActorSystem)_system);

        // Journal rows are the hot path's I/O: a fill with a short id stays well under 100 bytes.
        Assert.True(serializer.ToBinary(AccountMessageExamples.Fill).Length < 100);
    }

    private static object Example(string manifest) =>
        AccountMessageExamples.All.Single(e => e.Manifest == manifest).Message;
}

using Akka.Actor;
using Akka.Serialization;
using RiskGrid.Node.Accounts;
using RiskGrid.Node.Serialization;

namespace RiskGrid.Node.Tests.Serialization;

/// <summary>
/// Every account message round-trips through the serializer Akka binds for it, and the bytes written by earlier
/// versions (the golden files) still read to the same message. Set <c>RISKGRID_UPDATE_GOLDEN=1</c> to write a
/// golden file for a NEW manifest; never rewrite an existing one: a changed layout needs a new manifest.
/// </summary>
public sealed class AccountSerializerTests : IDisposable
{
    private static readonly string GoldenDir = Path.Combine(AppContext.BaseDirectory, "Serialization", "golden");
    private readonly ActorSystem _system = ActorSystem.Create("serializer-tests", AccountSerializer.Config);

    public void Dispose() => _system.Dispose();

    public static TheoryData<string> Manifests()
    {
        var data = new TheoryData<string>();
        foreach (var (manifest, _) in AccountMessageExamples.All)
        {
            data.Add(manifest);
        }
        return data;
    }

    public static TheoryData<string> CurrentManifests()
    {
        var data = new TheoryData<string>();
        foreach (var (manifest, _) in AccountMessageExamples.All)
        {
            if (!AccountMessageExamples.Legacy.Contains(manifest))
            {
                data.Add(manifest);
            }
        }
        return data;
    }

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
        var serialization = _system.Serialization;

        var serializer = serialization.FindSerializerFor(message);
        var bytes = serializer.ToBinary(message);
        var back = serialization.Deserialize(bytes, serializer.Identifier, Akka.Serialization.Serialization.ManifestFor(serializer, message));

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

    private static string SourceDir([System.Runtime.CompilerServices.CallerFilePath] string file = "") =>
        Path.GetDirectoryName(Path.GetDirectoryName(file))!;
}

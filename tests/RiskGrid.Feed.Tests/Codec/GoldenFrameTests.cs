using System.Globalization;
using RiskGrid.Feed.Codec;

namespace RiskGrid.Feed.Tests.Codec;

/// <summary>The committed golden frames were written by a script from the spec, independently of the codec: the
/// writer must produce them byte for byte and the reader must decode them, in this and every later version.</summary>
public sealed class GoldenFrameTests
{
    private static readonly FixedAscii24 Btc = FixedAscii24.Create("BTC");

    [Fact]
    public void PriceFrameMatchesTheGoldenBytes()
    {
        var header = new TickFrameHeader(TickMessageType.Price, TickFrameFlags.None, 7, 42, 1_760_131_200_123_456_789);
        TickEntry[] entries =
        [
            // 2025-10-10T21:26:24Z = 1,760,131,584,000 ms: Gemini's low of the day.
            TickEntry.PriceTick(FixedAscii24.Create("gemini"), Btc, 107_000, 1_760_131_584_000, 24_001),
            // 2025-10-10T21:20:00Z = 1,760,131,200,000 ms: Binance COIN-M mark low.
            TickEntry.PriceTick(FixedAscii24.Create("binancecm_mark"), Btc, 102_497.48513403, 1_760_131_200_000, 1_441),
        ];
        AssertGolden("price-frame-v1.hex", header, entries);
    }

    [Fact]
    public void ImpliedVolFrameMatchesTheGoldenBytes()
    {
        var header = new TickFrameHeader(
            TickMessageType.ImpliedVol, TickFrameFlags.None, 7, 43, 1_760_131_200_223_456_789);
        TickEntry[] entries =
        [
            TickEntry.ImpliedVolTick(FixedAscii24.Create("deribit"), FixedAscii24.Create("BTC-20261225-100000-C"),
                0.55, 1_760_131_200_000, 9),
        ];
        AssertGolden("implied-vol-frame-v1.hex", header, entries);
    }

    [Fact]
    public void FundingRateSnapshotFrameMatchesTheGoldenBytes()
    {
        var header = new TickFrameHeader(
            TickMessageType.FundingRate, TickFrameFlags.Snapshot, 7, 44, 1_760_131_200_323_456_789);
        TickEntry[] entries =
        [
            // 2025-10-11T00:00:00Z = 1,760,140,800,000 ms.
            TickEntry.Funding(FixedAscii24.Create("binanceum_markidx"), FixedAscii24.Create("BTC-PERP"),
                -0.000125, 1_760_140_800_000, 3),
        ];
        AssertGolden("funding-rate-snapshot-frame-v1.hex", header, entries);
    }

    private static void AssertGolden(string fileName, TickFrameHeader header, TickEntry[] entries)
    {
        var golden = ReadHex(Path.Combine(AppContext.BaseDirectory, "Golden", fileName));
        Assert.Equal(TickFrameLayout.FrameLength(entries.Length), golden.Length);

        var written = new byte[golden.Length];
        Assert.True(TickFrameWriter.TryWrite(written, header, entries, out var length));
        Assert.Equal(golden.Length, length);
        Assert.Equal(Convert.ToHexString(golden), Convert.ToHexString(written));

        Assert.Equal(TickFrameStatus.Ok, TickFrameReader.Open(golden, out var reader));
        Assert.Equal(header with { EntryCount = entries.Length }, reader.Header);
        var i = 0;
        foreach (var entry in reader)
        {
            Assert.Equal(entries[i++], entry);
        }

        Assert.Equal(entries.Length, i);
    }

    /// <summary>Hex bytes separated by white space; '#' starts a comment to the end of the line.</summary>
    private static byte[] ReadHex(string path)
    {
        var bytes = new List<byte>();
        foreach (var line in File.ReadLines(path))
        {
            var data = line.Split('#')[0];
            foreach (var token in data.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
            {
                bytes.Add(byte.Parse(token, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));
            }
        }

        return [.. bytes];
    }
}

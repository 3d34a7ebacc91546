using RiskGrid.Feed.Replay;

namespace RiskGrid.Feed.Tests.Replay;

public sealed class ReplayPacerTests
{
    [Fact]
    public void AtTenTimesSpeedDataSecondsBecomeTenthsOfWallSeconds()
    {
        var clock = new FakeReplayClock();
        var pacer = new ReplayPacer(clock, ReplaySpeed.Parse("10x"));

        Assert.Equal(0, pacer.WaitUntilDue(1_000)); // anchors
        Assert.Equal(100_000_000, pacer.WaitUntilDue(2_000)); // 1,000 ms of data / 10 = 100 ms
        Assert.Equal(0, pacer.WaitUntilDue(2_000)); // same instant: no wait
        clock.Advance(50_000_000); // 50 ms spent publishing counts towards the next wait
        Assert.Equal(150_000_000, pacer.WaitUntilDue(4_000)); // due at +300 ms, now +150 ms
        Assert.Equal(0, pacer.WaitUntilDue(3_000)); // a regression is already due
        Assert.Equal([100_000_000L, 150_000_000], clock.Sleeps);
    }

    [Fact]
    public void AtMaxSpeedNothingWaitsAndTheClockIsNotRead()
    {
        var clock = new FakeReplayClock();
        var pacer = new ReplayPacer(clock, ReplaySpeed.Parse("max"));
        foreach (var ms in new long[] { 0, 60_000, 3_600_000 })
        {
            Assert.Equal(0, pacer.WaitUntilDue(ms));
        }

        Assert.Empty(clock.Sleeps);
        Assert.Equal(0, clock.Reads);
    }

    [Fact]
    public void SlowerThanRealTimeStretchesTheSpacing()
    {
        var clock = new FakeReplayClock();
        var pacer = new ReplayPacer(clock, ReplaySpeed.Times(0.5));
        pacer.WaitUntilDue(0);
        Assert.Equal(2_000_000, pacer.WaitUntilDue(1)); // 1 ms of data at half speed = 2 ms
    }

    [Theory]
    [InlineData("10x", 10.0)]
    [InlineData("10", 10.0)]
    [InlineData("0.5x", 0.5)]
    [InlineData(" 2X ", 2.0)]
    public void SpeedsParseFromTheCommandLine(string text, double factor)
    {
        var speed = ReplaySpeed.Parse(text);
        Assert.Equal(factor, speed.Factor);
        Assert.False(speed.IsMax);
        Assert.True(ReplaySpeed.Parse("MAX").IsMax);
        Assert.Equal("max", ReplaySpeed.Max.ToString());
        Assert.Equal("10x", ReplaySpeed.Times(10).ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("0x")]
    [InlineData("-2x")]
    [InlineData("fast")]
    [InlineData("1e400x")]
    public void BadSpeedsAreRefusedNamingTheOption(string text)
    {
        var error = Assert.Throws<FormatException>(() => ReplaySpeed.Parse(text));
        Assert.StartsWith("--speed", error.Message, StringComparison.Ordinal);
    }
}

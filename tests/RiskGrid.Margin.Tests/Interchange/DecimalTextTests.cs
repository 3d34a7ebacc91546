using System.Text;
using RiskGrid.Margin.Interchange;

namespace RiskGrid.Margin.Tests.Interchange;

public sealed class DecimalTextTests
{
    [Theory]
    [InlineData("0.5", 8, 50_000_000)]
    [InlineData("-12.5", 6, -12_500_000)]
    [InlineData("1.50000000000000000000000000000", 2, 150)]
    [InlineData("0.00000001", 8, 1)]
    [InlineData("1e3", 0, 1000)]
    [InlineData("1.5E-2", 3, 15)]
    [InlineData("-0", 6, 0)]
    [InlineData("000123", 0, 123)]
    [InlineData("9223372036854.775807", 6, long.MaxValue)]
    [InlineData("-9223372036854.775807", 6, -long.MaxValue)]
    public void ScalesExactDecimals(string text, int decimals, long units)
    {
        Assert.Equal(DecimalTextStatus.Ok, DecimalText.TryParse(Encoding.UTF8.GetBytes(text), out var m, out var e));
        Assert.Equal(DecimalTextStatus.Ok, DecimalText.TryScale(m, e, decimals, out var actual));
        Assert.Equal(units, actual);
    }

    [Theory]
    [InlineData("0.123456789", 8, "TooPrecise")]
    [InlineData("9223372036854.775808", 6, "OutOfRange")]
    [InlineData("1e19", 0, "OutOfRange")]
    [InlineData("NaN", 0, "NotANumber")]
    [InlineData("Infinity", 0, "NotANumber")]
    [InlineData("1.2.3", 0, "NotANumber")]
    [InlineData("", 0, "NotANumber")]
    [InlineData("-", 0, "NotANumber")]
    [InlineData(" 1", 0, "NotANumber")]
    [InlineData("1e", 0, "NotANumber")]
    [InlineData("0x10", 0, "NotANumber")]
    public void RefusesWhatIsNotExact(string text, int decimals, string expected)
    {
        var status = DecimalText.TryParse(Encoding.UTF8.GetBytes(text), out var m, out var e);
        if (status == DecimalTextStatus.Ok)
        {
            status = DecimalText.TryScale(m, e, decimals, out _);
        }
        Assert.Equal(expected, status.ToString());
    }

    [Theory]
    [InlineData(0, 6, "0")]
    [InlineData(12_345_678_901, 6, "12345.678901")]
    [InlineData(-1_500_000, 6, "-1.5")]
    [InlineData(3_000_000_000, 6, "3000")]
    [InlineData(1, 6, "0.000001")]
    [InlineData(long.MinValue, 6, "-9223372036854.775808")]
    [InlineData(2017, 3, "2.017")]
    [InlineData(70, 1, "7")]
    public void FormatsUnitsWithoutTrailingZeros(long units, int decimals, string expected)
    {
        Span<byte> buffer = stackalloc byte[48];
        var n = DecimalText.FormatUnits(units, decimals, buffer);
        Assert.Equal(expected, Encoding.UTF8.GetString(buffer[..n]));
    }

    [Theory]
    [InlineData(15, -4, "0.0015")]
    [InlineData(-12, 2, "-1200")]
    [InlineData(123, -1, "12.3")]
    public void FormatsMantissaAndExponent(long mantissa, int exponent, string expected) =>
        Assert.Equal(expected, DecimalText.Format(mantissa, exponent));
}

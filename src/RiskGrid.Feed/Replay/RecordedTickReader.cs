using System.Globalization;

namespace RiskGrid.Feed.Replay;

/// <summary>
/// Streams <see cref="RecordedTick"/>s from one recorded CSV file without allocating per row: lines are split in a
/// reused byte buffer and numbers parsed from UTF-8 spans (invariant culture; prices keep every recorded digit
/// up to double precision).
/// </summary>
/// <remarks>
/// A bar becomes four ticks inside the bar: the open at the bar's open time, then for an up bar (close ≥ open) the
/// low at +⅓ and the high at +⅔ of the bar length, for a down bar the high then the low, and the close at the bar's
/// close time (open + length − 1 ms, as Binance stamps <c>close_time</c>). Binance times above 10^14 are
/// microseconds (newer archives) and are converted to milliseconds. A row that cannot be read throws
/// <see cref="InvalidDataException"/> naming the file and line: a replay is either faithful or stops.
/// </remarks>
public sealed class RecordedTickReader : IRecordedTickSource, IDisposable
{
    private const int InitialBufferBytes = 64 * 1024;
    private const int MaxLineBytes = 1 << 20;
    private const int MaxColumns = 16;
    private const long MicrosecondThreshold = 100_000_000_000_000;

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly MarketDataKind _kind;
    private readonly long _barLengthMs;
    private readonly int _fileIndex;
    private readonly string _name;
    private byte[] _buffer = new byte[InitialBufferBytes];
    private int _start;
    private int _end;
    private bool _endOfStream;
    private long _lineNumber;
    private RecordedLayout _layout;
    private bool _layoutChecked;

    private readonly long[] _barTimesMs = new long[4];
    private readonly double[] _barPrices = new double[4];
    private int _barNext = 4;
    private long _lastTsMs = long.MinValue;

    /// <summary>Reads <paramref name="stream"/> as a recorded file.</summary>
    /// <param name="stream">The CSV bytes (UTF-8 or ASCII; a BOM is skipped).</param>
    /// <param name="kind">Trades or bars, from the file name.</param>
    /// <param name="barLengthMs">Bar length for bars (from the granularity token); ignored for trades.</param>
    /// <param name="fileIndex">Carried into every tick, to tell inputs apart after a merge.</param>
    /// <param name="name">Names the input in error messages.</param>
    /// <param name="layout">The layout, or <see cref="RecordedLayout.Auto"/> to detect it.</param>
    /// <param name="leaveOpen">Leave <paramref name="stream"/> open on dispose.</param>
    public RecordedTickReader(
        Stream stream,
        MarketDataKind kind,
        long barLengthMs,
        int fileIndex,
        string name,
        RecordedLayout layout = RecordedLayout.Auto,
        bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(name);
        if (kind == MarketDataKind.Bars)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(barLengthMs);
        }

        if (layout != RecordedLayout.Auto && !Fits(layout, kind))
        {
            throw new ArgumentException($"layout {layout} does not hold {kind}", nameof(layout));
        }

        _stream = stream;
        _leaveOpen = leaveOpen;
        _kind = kind;
        _barLengthMs = barLengthMs;
        _fileIndex = fileIndex;
        _name = name;
        _layout = layout;
    }

    /// <summary>Data rows read so far (a bar is one row, four ticks).</summary>
    public long RowsRead { get; private set; }

    /// <summary>Rows whose time was earlier than the row before (the merge assumes none).</summary>
    public long TimestampRegressions { get; private set; }

    /// <summary>The layout in use (detected after the first line when created with Auto).</summary>
    public RecordedLayout Layout => _layout;

    /// <summary>Opens <paramref name="file"/> for reading.</summary>
    public static RecordedTickReader Open(MarketDataFile file, int fileIndex, RecordedLayout layout = RecordedLayout.Auto)
    {
        ArgumentNullException.ThrowIfNull(file);
        var stream = new FileStream(file.Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        return new RecordedTickReader(stream, file.Kind, file.BarLengthMs, fileIndex,
            Path.GetFileName(file.Path), layout);
    }

    /// <inheritdoc />
    public bool TryRead(out RecordedTick tick)
    {
        if (_barNext < 4)
        {
            tick = new RecordedTick(_barTimesMs[_barNext], _barPrices[_barNext], _fileIndex);
            _barNext++;
            return true;
        }

        while (TryReadLine(out var line))
        {
            if (line.IsEmpty)
            {
                continue;
            }

            Span<int> starts = stackalloc int[MaxColumns + 1];
            var columns = Split(line, starts);
            if (_lineNumber == 1 && !IsNumber(Field(line, starts, 0)))
            {
                DetectFromHeader(Field(line, starts, 0));
                continue;
            }

            if (!_layoutChecked)
            {
                // The first data row must fit the layout, declared or detected from a header.
                DetectFromColumns(columns);
                _layoutChecked = true;
            }

            RowsRead++;
            tick = _kind == MarketDataKind.Bars ? ReadBar(line, starts, columns) : ReadTrade(line, starts, columns);
            return true;
        }

        tick = default;
        return false;
    }

    /// <summary>Closes the stream unless told to leave it open.</summary>
    public void Dispose()
    {
        if (!_leaveOpen)
        {
            _stream.Dispose();
        }
    }

    private RecordedTick ReadTrade(ReadOnlySpan<byte> line, ReadOnlySpan<int> starts, int columns)
    {
        var binance = _layout == RecordedLayout.BinanceAggTrades;
        RequireColumns(columns, binance ? 7 : 4);
        var tsMs = binance ? ToMs(ParseLong(line, starts, 5, "transact_time")) : ParseLong(line, starts, 0, "ts_ms");
        var price = ParseDouble(line, starts, 1, "price");
        Track(tsMs);
        return new RecordedTick(tsMs, price, _fileIndex);
    }

    private RecordedTick ReadBar(ReadOnlySpan<byte> line, ReadOnlySpan<int> starts, int columns)
    {
        var binance = _layout == RecordedLayout.BinanceKlines;
        RequireColumns(columns, binance ? 7 : 5);
        var openMs = ParseLong(line, starts, 0, binance ? "open_time" : "ts_ms");
        if (binance)
        {
            openMs = ToMs(openMs);
            var closeMs = ToMs(ParseLong(line, starts, 6, "close_time"));
            if (closeMs - openMs != _barLengthMs - 1)
            {
                throw Bad(string.Create(CultureInfo.InvariantCulture,
                    $"close_time − open_time = {closeMs - openMs} ms, but the granularity says {_barLengthMs} ms bars"));
            }
        }

        var open = ParseDouble(line, starts, 1, "open");
        var high = ParseDouble(line, starts, 2, "high");
        var low = ParseDouble(line, starts, 3, "low");
        var close = ParseDouble(line, starts, 4, "close");
        var up = close >= open;

        _barTimesMs[0] = openMs;
        _barTimesMs[1] = openMs + (_barLengthMs / 3);
        _barTimesMs[2] = openMs + (2 * _barLengthMs / 3);
        _barTimesMs[3] = openMs + _barLengthMs - 1;
        _barPrices[0] = open;
        _barPrices[1] = up ? low : high;
        _barPrices[2] = up ? high : low;
        _barPrices[3] = close;
        _barNext = 1;
        Track(openMs);
        return new RecordedTick(openMs, open, _fileIndex);
    }

    private void Track(long tsMs)
    {
        if (tsMs < _lastTsMs)
        {
            TimestampRegressions++;
        }

        _lastTsMs = tsMs;
    }

    private static long ToMs(long time) => time >= MicrosecondThreshold ? time / 1_000 : time;

    private void DetectFromHeader(ReadOnlySpan<byte> firstField)
    {
        var detected = firstField switch
        {
            _ when firstField.SequenceEqual("ts_ms"u8) =>
                _kind == MarketDataKind.Bars ? RecordedLayout.SharedBars : RecordedLayout.SharedTrades,
            _ when firstField.SequenceEqual("open_time"u8) => RecordedLayout.BinanceKlines,
            _ when firstField.SequenceEqual("agg_trade_id"u8) => RecordedLayout.BinanceAggTrades,
            _ => throw Bad("header does not start with ts_ms, open_time or agg_trade_id"),
        };
        Adopt(detected);
    }

    private void DetectFromColumns(int columns)
    {
        var detected = (_kind, columns) switch
        {
            (MarketDataKind.Bars, 6) => RecordedLayout.SharedBars,
            (MarketDataKind.Bars, 12) => RecordedLayout.BinanceKlines,
            (MarketDataKind.Trades, 4) => RecordedLayout.SharedTrades,
            (MarketDataKind.Trades, 7 or 8) => RecordedLayout.BinanceAggTrades,
            _ => throw Bad(string.Create(CultureInfo.InvariantCulture,
                $"{columns} columns fit no {_kind} layout (bars: 6 or 12, trades: 4, 7 or 8)")),
        };
        Adopt(detected);
    }

    private void Adopt(RecordedLayout detected)
    {
        if (!Fits(detected, _kind) || (_layout != RecordedLayout.Auto && _layout != detected))
        {
            throw Bad($"the file looks like {detected}, expected {(_layout == RecordedLayout.Auto ? _kind : _layout)}");
        }

        _layout = detected;
    }

    private static bool Fits(RecordedLayout layout, MarketDataKind kind) => kind == MarketDataKind.Bars
        ? layout is RecordedLayout.SharedBars or RecordedLayout.BinanceKlines
        : layout is RecordedLayout.SharedTrades or RecordedLayout.BinanceAggTrades;

    private void RequireColumns(int columns, int needed)
    {
        if (columns < needed)
        {
            throw Bad(string.Create(CultureInfo.InvariantCulture,
                $"{columns} columns, {_layout} needs at least {needed}"));
        }
    }

    private long ParseLong(ReadOnlySpan<byte> line, ReadOnlySpan<int> starts, int column, string what)
    {
        var field = Field(line, starts, column);
        return long.TryParse(field, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw BadField(what, field);
    }

    private double ParseDouble(ReadOnlySpan<byte> line, ReadOnlySpan<int> starts, int column, string what)
    {
        var field = Field(line, starts, column);
        return double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw BadField(what, field);
    }

    private static bool IsNumber(ReadOnlySpan<byte> field) =>
        double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out _);

    /// <summary>Records where each column starts (starts[i]) and returns the column count; starts[count] is one past
    /// the last column's end plus one, so column i spans [starts[i], starts[i + 1] − 1).</summary>
    private int Split(ReadOnlySpan<byte> line, Span<int> starts)
    {
        var count = 0;
        starts[0] = 0;
        var position = 0;
        while (true)
        {
            var comma = line[position..].IndexOf((byte)',');
            count++;
            if (comma < 0 || count == MaxColumns)
            {
                starts[count] = line.Length + 1;
                return comma < 0 ? count : throw Bad("more columns than any known layout");
            }

            position += comma + 1;
            starts[count] = position;
        }
    }

    private static ReadOnlySpan<byte> Field(ReadOnlySpan<byte> line, ReadOnlySpan<int> starts, int column) =>
        line[starts[column]..(starts[column + 1] - 1)];

    private bool TryReadLine(out ReadOnlySpan<byte> line)
    {
        while (true)
        {
            var available = _buffer.AsSpan(_start, _end - _start);
            var newline = available.IndexOf((byte)'\n');
            if (newline >= 0 || (_endOfStream && !available.IsEmpty))
            {
                var length = newline >= 0 ? newline : available.Length;
                line = available[..length];
                _start += newline >= 0 ? length + 1 : length;
                _lineNumber++;
                if (_lineNumber == 1 && line.StartsWith("\uFEFF"u8))
                {
                    line = line[3..];
                }

                if (!line.IsEmpty && line[^1] == (byte)'\r')
                {
                    line = line[..^1];
                }

                return true;
            }

            if (_endOfStream)
            {
                line = default;
                return false;
            }

            Fill();
        }
    }

    private void Fill()
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            if (_buffer.Length >= MaxLineBytes)
            {
                throw Bad("line longer than 1 MiB");
            }

            Array.Resize(ref _buffer, _buffer.Length * 2);
        }

        var read = _stream.Read(_buffer, _end, _buffer.Length - _end);
        _end += read;
        _endOfStream = read == 0;
    }

    private InvalidDataException BadField(string what, ReadOnlySpan<byte> field) =>
        Bad($"{what} '{System.Text.Encoding.UTF8.GetString(field)}' is not a number");

    private InvalidDataException Bad(string message) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{_name}:{_lineNumber}: {message}"));
}

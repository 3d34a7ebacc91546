namespace RiskGrid.Cli.Calculator;

/// <summary>
/// Splits a byte stream into JSON Lines in batches without a string per line: each <see cref="ReadBatch"/> fills a
/// large buffer and exposes every complete line in it (trimmed of white space and <c>\r</c>; empty lines skipped) as
/// a span that stays valid until the next call. A line longer than the buffer grows it.
/// </summary>
internal sealed class JsonLinesReader
{
    private readonly Stream _stream;
    private byte[] _buffer;
    private int _start;
    private int _end;
    private bool _eof;
    private bool _first = true;
    private (int Start, int Length)[] _lines = new (int, int)[1024];

    public JsonLinesReader(Stream stream, int bufferBytes = 1 << 22)
    {
        _stream = stream;
        _buffer = new byte[bufferBytes];
    }

    /// <summary>Number of lines of the current batch.</summary>
    public int Count { get; private set; }

    /// <summary>Line <paramref name="index"/> of the current batch.</summary>
    public ReadOnlySpan<byte> Line(int index) => _buffer.AsSpan(_lines[index].Start, _lines[index].Length);

    /// <summary>Reads the next batch of non-empty lines; false at the end of the stream.</summary>
    public bool ReadBatch()
    {
        Count = 0;
        while (true)
        {
            Compact();
            Fill();
            var consumed = Split();
            _start = consumed;
            if (Count > 0)
            {
                return true;
            }
            if (_eof && _start == _end)
            {
                return false;
            }
            if (_start == 0 && _end == _buffer.Length)
            {
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }
        }
    }

    private void Compact()
    {
        if (_start == 0)
        {
            return;
        }
        _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
        _end -= _start;
        _start = 0;
    }

    private void Fill()
    {
        while (!_eof && _end < _buffer.Length)
        {
            var n = _stream.Read(_buffer, _end, _buffer.Length - _end);
            if (n == 0)
            {
                _eof = true;
                break;
            }
            _end += n;
        }
        if (_first && _end >= 3 && _buffer[0] == 0xEF && _buffer[1] == 0xBB && _buffer[2] == 0xBF)
        {
            _buffer[0] = _buffer[1] = _buffer[2] = (byte)' ';
        }
        _first = false;
    }

    // Records every complete line in [_start, _end) (and the last one at end of stream); returns where the
    // incomplete rest starts.
    private int Split()
    {
        var pos = _start;
        while (pos < _end)
        {
            var nl = _buffer.AsSpan(pos, _end - pos).IndexOf((byte)'\n');
            if (nl < 0)
            {
                if (!_eof)
                {
                    return pos;
                }
                Add(pos, _end - pos);
                return _end;
            }
            Add(pos, nl);
            pos += nl + 1;
        }
        return pos;
    }

    private void Add(int start, int length)
    {
        var line = _buffer.AsSpan(start, length);
        var trimmedStart = line.Length - line.TrimStart(" \t\r"u8).Length;
        line = line.Trim(" \t\r"u8);
        if (line.IsEmpty)
        {
            return;
        }
        if (Count == _lines.Length)
        {
            Array.Resize(ref _lines, _lines.Length * 2);
        }
        _lines[Count++] = (start + trimmedStart, line.Length);
    }
}

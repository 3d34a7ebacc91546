using RiskGrid.Margin.Instruments;
using RiskGrid.Margin.Parameters;

namespace RiskGrid.Margin.Accounts;

/// <summary>
/// The margin-relevant state of one sub-account (§2): its mode, its collateral pool (a balance per asset in units
/// of 10^-decimals of the asset; only USD may be negative) and its positions. The owner mutates it; evaluators
/// only read it. Reusable: <see cref="Clear"/> keeps the arrays.
/// </summary>
public sealed class SubAccountPortfolio
{
    private Position[] _positions;

    public SubAccountPortfolio(RiskParams parameters, int positionCapacity = 8)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Balances = new long[parameters.Assets.Count];
        _positions = new Position[Math.Max(1, positionCapacity)];
    }

    /// <summary>Standard or portfolio.</summary>
    public MarginMode Mode { get; set; }

    /// <summary>Balance per asset id, in units of 10^-decimals of the asset (USD: micro-dollars).</summary>
    public long[] Balances { get; }

    /// <summary>Number of positions.</summary>
    public int PositionCount { get; private set; }

    /// <summary>The positions (first <see cref="PositionCount"/> entries are live).</summary>
    public Span<Position> Positions => _positions.AsSpan(0, PositionCount);

    /// <summary>The position at <paramref name="index"/>, by reference.</summary>
    public ref Position this[int index] => ref _positions[index];

    /// <summary>Adds a position and returns its index.</summary>
    public int Add(in Position position)
    {
        if (PositionCount == _positions.Length)
        {
            // Half again, not double: an account is resident for a long time and most hold a handful of positions
            // (5 in a capacity of 6 rather than 8: 64 bytes less for every such account).
            Array.Resize(ref _positions, _positions.Length + Math.Max(1, _positions.Length / 2));
        }
        _positions[PositionCount] = position;
        return PositionCount++;
    }

    /// <summary>Index of the position in <paramref name="instrument"/>, or −1.</summary>
    public int IndexOf(InstrumentId instrument)
    {
        for (var i = 0; i < PositionCount; i++)
        {
            if (_positions[i].Instrument == instrument)
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>Removes the position at <paramref name="index"/>, keeping the order of the others.</summary>
    public void RemoveAt(int index)
    {
        Array.Copy(_positions, index + 1, _positions, index, PositionCount - index - 1);
        PositionCount--;
    }

    /// <summary>Removes every position and zeroes every balance.</summary>
    public void Clear()
    {
        PositionCount = 0;
        Array.Clear(Balances);
        Mode = MarginMode.Standard;
    }

    /// <summary>Makes this a copy of <paramref name="other"/> (same parameters), reusing arrays.</summary>
    public void CopyFrom(SubAccountPortfolio other)
    {
        ArgumentNullException.ThrowIfNull(other);
        Mode = other.Mode;
        Array.Copy(other.Balances, Balances, Balances.Length);
        if (_positions.Length < other.PositionCount)
        {
            _positions = new Position[other._positions.Length];
        }
        Array.Copy(other._positions, _positions, other.PositionCount);
        PositionCount = other.PositionCount;
    }
}

namespace RiskGrid.Node.Accounts;

/// <summary>
/// A 64-bit fingerprint of a command's body (its kind and every field but the command id and the timestamp),
/// computed alike from the command and from the event it produced, so that a repeated command id is told apart from
/// a reuse with another body without keeping the event in memory. FNV-1a over the fields in a fixed order: stable
/// across processes and versions (it is rebuilt from events on recovery, never stored in the journal).
/// </summary>
public static class CommandFingerprint
{
    private const ulong Offset = 14695981039346656037;
    private const ulong Prime = 1099511628211;

    /// <summary>The fingerprint of <paramref name="command"/>.</summary>
    public static long Of(IAccountCommand command) => command switch
    {
        Deposit c => Hash(1, c.SubAccount, c.Asset, c.Units),
        Withdraw c => Hash(2, c.SubAccount, c.Asset, c.Units),
        Transfer c => Hash(3, c.FromSubAccount + "\u0000" + c.ToSubAccount, c.Asset, c.Units),
        ApplyFill c => Hash(4, c.SubAccount, c.Instrument, c.SizeLots, Bits(c.Price), c.FeeMicros),
        SetMode c => Hash(5, c.SubAccount, "", (long)c.Mode),
        SetIsolatedMargin c => Hash(6, c.SubAccount, c.Instrument, c.MarginMicros),
        PayFunding c => Hash(7, "", c.Instrument, Bits(c.Rate), Bits(c.Mark)),
        ApplyReduction c => Hash(8, c.SubAccount, c.Instrument, (long)c.Kind, c.SizeLots, Bits(c.Price), c.FeeMicros),
        IssueMarginCall c => Hash(9, c.SubAccount, "", Bits(c.Health), c.EquityMmMicros, c.MaintenanceMicros),
        ReceiveInsurance c => Hash(10, c.SubAccount, c.Instrument, c.AmountMicros),
        _ => throw new ArgumentException($"unknown account command {command?.GetType().Name}", nameof(command)),
    };

    /// <summary>The fingerprint of the command that produced <paramref name="e"/>.</summary>
    public static long Of(IAccountEvent e) => e switch
    {
        Deposited x => Hash(1, x.SubAccount, x.Asset, x.Units),
        Withdrawn x => Hash(2, x.SubAccount, x.Asset, x.Units),
        Transferred x => Hash(3, x.FromSubAccount + "\u0000" + x.ToSubAccount, x.Asset, x.Units),
        FillApplied x => Hash(4, x.SubAccount, x.Instrument, x.SizeLots, Bits(x.Price), x.FeeMicros),
        ModeChanged x => Hash(5, x.SubAccount, "", (long)x.Mode),
        IsolatedMarginSet x => Hash(6, x.SubAccount, x.Instrument, x.MarginMicros),
        FundingPaid x => Hash(7, "", x.Instrument, Bits(x.Rate), Bits(x.Mark)),
        ReductionApplied x => Hash(8, x.SubAccount, x.Instrument, (long)x.Kind, x.SizeLots, Bits(x.Price), x.FeeMicros),
        MarginCallIssued x => Hash(9, x.SubAccount, "", Bits(x.Health), x.EquityMmMicros, x.MaintenanceMicros),
        InsuranceReceived x => Hash(10, x.SubAccount, x.Instrument, x.AmountMicros),
        _ => throw new ArgumentException($"unknown account event {e?.GetType().Name}", nameof(e)),
    };

    private static long Bits(double value) => BitConverter.DoubleToInt64Bits(value);

    private static long Hash(int kind, string a, string b, long x, long y = 0, long z = 0, long w = 0)
    {
        var h = Mix(Offset, (ulong)kind);
        h = Mix(h, a);
        h = Mix(h, b);
        h = Mix(h, (ulong)x);
        h = Mix(h, (ulong)y);
        h = Mix(h, (ulong)z);
        h = Mix(h, (ulong)w);
        return (long)h;
    }

    private static ulong Mix(ulong h, string s)
    {
        foreach (var c in s)
        {
            h = (h ^ c) * Prime;
        }
        return (h ^ 0xFFFF) * Prime;
    }

    private static ulong Mix(ulong h, ulong v)
    {
        for (var i = 0; i < 8; i++)
        {
            h = (h ^ (v & 0xFF)) * Prime;
            v >>= 8;
        }
        return h;
    }
}

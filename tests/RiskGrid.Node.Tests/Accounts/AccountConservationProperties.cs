using CsCheck;
using RiskGrid.Margin.Accounts;
using RiskGrid.Node.Accounts;
using RiskGrid.Node.Serialization;

namespace RiskGrid.Node.Tests.Accounts;

/// <summary>
/// Random command streams against one account (deposits, withdrawals, transfers, fills at wandering prices, isolated
/// margin, funding, reductions, repeats of earlier command ids with the same and with another body): money is never
/// created, lost or applied twice.
/// </summary>
public sealed class AccountConservationProperties
{
    private static readonly string[] Subs = ["main", "hedge", "iso"];
    private static readonly string[] Assets = ["USD", "BTC", "ETH"];
    private static readonly string[] Instruments = ["BTC-PERP", "ETH-PERP", "BTC-20261225", "BTC-20261225-60000-C"];

    private static readonly Gen<Op> GenOp = Gen.Select(Gen.Int[0, 9], Gen.Int[0, 2], Gen.Int[0, 3], Gen.Long[1, 5_000],
        Gen.Double[0.8, 1.2], Gen.Int[0, 40]).Select((kind, sub, which, amount, move, repeat) =>
        new Op(kind, sub, which, amount, move, repeat));

    [Fact]
    public void BalancesAlwaysEqualTheLedgerAndRefusalsAndRepeatsChangeNothing()
    {
        GenOp.Array[1, 60].Sample(ops =>
        {
            var run = new Run();
            foreach (var op in ops)
            {
                run.Step(op);
            }
            run.AssertReplayMatches();
        }, iter: 150);
    }

    private sealed record Op(int Kind, int Sub, int Which, long Amount, double Move, int Repeat);

    private sealed class Run
    {
        private readonly TestMarket _market = new();
        private readonly AccountCommandHandler _handler;
        private readonly AccountState _state;
        private readonly List<IAccountCommand> _accepted = [];
        private readonly List<IAccountEvent> _events = [];
        private long _now = TestMarket.AsOfMs;
        private int _ids;

        public Run()
        {
            _handler = _market.Handler();
            _state = new AccountState(_market.Catalog, 3_600_000);
        }

        public void Step(Op op)
        {
            _now += 1_000;
            _market.Set("BTC", 60_000 * op.Move);
            _market.Set("ETH", 3_000 * op.Move);
            var command = op.Repeat < 4 && _accepted.Count > 0
                ? Repeat(_accepted[op.Repeat % _accepted.Count], op)
                : Build(op);
            var before = Bytes();
            if (_state.TryGetApplied(command.CommandId, out var first))
            {
                // The entity answers a repeat from the dedupe record and persists nothing.
                Assert.Equal(CommandFingerprint.Of(command) == first.Fingerprint,
                    _accepted.Any(a => a.CommandId == command.CommandId && Same(a, command)));
                Assert.Equal(before, Bytes());
                return;
            }
            var e = _handler.Decide(_state, command, out var rejection);
            if (e is null)
            {
                Assert.NotNull(rejection);
                Assert.Equal(before, Bytes());
                return;
            }
            _state.Apply(e, _events.Count + 1);
            _events.Add(e);
            _accepted.Add(command);
            foreach (var s in _state.SubAccounts)
            {
                Assert.True(s.IsConserved(out var detail), detail);
            }
        }

        public void AssertReplayMatches()
        {
            var replayed = new AccountState(_market.Catalog, 3_600_000);
            for (var i = 0; i < _events.Count; i++)
            {
                replayed.Apply(Roundtrip(_events[i]), i + 1);
            }
            Assert.Equal(Bytes(), Bytes(replayed));

            var restored = new AccountState(_market.Catalog, 3_600_000);
            AccountSnapshots.Restore(AccountSnapshots.Take(_state), restored);
            Assert.Equal(Bytes(), Bytes(restored));
        }

        private static bool Same(IAccountCommand a, IAccountCommand b) => a.Equals(WithAt(b, a.AtMs));

        private static IAccountCommand WithAt(IAccountCommand c, long at) => c switch
        {
            Deposit d => d with { AtMs = at },
            Withdraw d => d with { AtMs = at },
            Transfer d => d with { AtMs = at },
            ApplyFill d => d with { AtMs = at },
            SetMode d => d with { AtMs = at },
            SetIsolatedMargin d => d with { AtMs = at },
            PayFunding d => d with { AtMs = at },
            ApplyReduction d => d with { AtMs = at },
            _ => c,
        };

        private IAccountCommand Repeat(IAccountCommand earlier, Op op) => op.Repeat % 2 == 0
            ? WithAt(earlier, _now)
            : earlier switch
            {
                Deposit d => d with { Units = d.Units + 1, AtMs = _now },
                Withdraw d => d with { Units = d.Units + 1, AtMs = _now },
                ApplyFill f => f with { Price = f.Price + 1, AtMs = _now },
                _ => WithAt(earlier, _now),
            };

        private IAccountCommand Build(Op op)
        {
            var id = "c" + _ids++;
            var sub = Subs[op.Sub];
            var price = op.Move * (op.Which % 2 == 0 ? 60_000 : 3_000);
            var instrument = Instruments[op.Which];
            var lots = (op.Amount % 200 - 100) * (op.Which == 3 ? 1 : 10);
            return op.Kind switch
            {
                0 or 1 => new Deposit("a", id, sub, Assets[op.Which % 3], op.Amount * 1_000_000, _now),
                2 => new Withdraw("a", id, sub, Assets[op.Which % 3], op.Amount * 100_000, _now),
                3 => new Transfer("a", id, sub, Subs[(op.Sub + 1) % 3], Assets[op.Which % 3], op.Amount * 100_000, _now),
                4 or 5 => new ApplyFill("a", id, sub, instrument, lots == 0 ? 1 : lots,
                    op.Which == 3 ? 2_500 * op.Move : price, op.Amount, _now),
                6 => new SetIsolatedMargin("a", id, sub, Instruments[op.Which % 2], op.Amount % 3 * 500_000_000, _now),
                7 => new PayFunding("a", id, Instruments[op.Which % 2], (op.Move - 1) / 100, price, _now),
                8 => ReductionOf(id, sub, op),
                _ => new SetMode("a", id, sub, op.Which % 2 == 0 ? MarginMode.Standard : MarginMode.Portfolio, _now),
            };
        }

        private ApplyReduction ReductionOf(string id, string subName, Op op)
        {
            var sub = _state.Find(subName);
            if (sub is null || sub.Portfolio.PositionCount == 0 || sub.Portfolio[0].SizeLots == 0)
            {
                return new ApplyReduction("a", id, subName, "BTC-PERP", ReductionKind.Liquidation, 1, 60_000, 0, _now);
            }
            var p = sub.Portfolio[0];
            var close = -Math.Sign(p.SizeLots) * Math.Max(1, Math.Abs(p.SizeLots) * (op.Amount % 100) / 100);
            return new ApplyReduction("a", id, subName, _market.Catalog[p.Instrument].Name,
                op.Amount % 2 == 0 ? ReductionKind.Liquidation : ReductionKind.AutoDeleveraging, close,
                60_000 * op.Move, op.Amount, _now);
        }

        private string Bytes() => Bytes(_state);

        private static string Bytes(AccountState state)
        {
            var w = new WireWriter();
            AccountSerializer.Write(w, AccountSnapshots.Take(state));
            return Convert.ToHexString(w.ToArray());
        }

        private static IAccountEvent Roundtrip(IAccountEvent e)
        {
            var w = new WireWriter();
            AccountSerializer.Write(w, e);
            var r = new WireReader(w.ToArray());
            var manifest = e switch
            {
                Deposited => "dep.1", Withdrawn => "wdr.1", Transferred => "xfr.1", FillApplied => "fill.1",
                ModeChanged => "mode.1", IsolatedMarginSet => "iso.1", FundingPaid => "fund.1", _ => "red.1",
            };
            return (IAccountEvent)AccountSerializer.Read(ref r, manifest);
        }
    }
}

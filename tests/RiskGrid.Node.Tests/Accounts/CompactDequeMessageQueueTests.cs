using Akka.Actor;
using Akka.Dispatch;
using RiskGrid.Node.Accounts;

namespace RiskGrid.Node.Tests.Accounts;

/// <summary>The entities' mailbox: first in, first out, with put-back at the front (what a persistent actor's
/// stash needs), through growth and shrinking, from many threads at once.</summary>
public sealed class CompactDequeMessageQueueTests
{
    [Fact]
    public void MessagesComeOutInOrderAndAPutBackComesFirst()
    {
        var queue = new CompactDequeMessageQueue();
        for (var i = 0; i < 10; i++)
        {
            queue.Enqueue(ActorRefs.Nobody, new Envelope(i, ActorRefs.NoSender));
        }
        Assert.True(queue.TryDequeue(out var first));
        queue.EnqueueFirst(new Envelope("stashed-b", ActorRefs.NoSender));
        queue.EnqueueFirst(new Envelope("stashed-a", ActorRefs.NoSender));

        var rest = Drain(queue);

        Assert.Equal(0, first.Message);
        Assert.Equal(["stashed-a", "stashed-b", 1, 2, 3, 4, 5, 6, 7, 8, 9], rest);
        Assert.False(queue.HasMessages);
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public async Task ConcurrentSendersLoseNothingAndKeepTheirOwnOrder()
    {
        var queue = new CompactDequeMessageQueue();
        const int Senders = 4;
        const int PerSender = 20_000;
        var received = new List<(int Sender, int N)>();
        var producers = Enumerable.Range(0, Senders).Select(s => Task.Run(() =>
        {
            for (var n = 0; n < PerSender; n++)
            {
                queue.Enqueue(ActorRefs.Nobody, new Envelope((s, n), ActorRefs.NoSender));
            }
        })).ToArray();
        while (received.Count < Senders * PerSender)
        {
            if (queue.TryDequeue(out var e))
            {
                received.Add(((int, int))e.Message);
            }
        }
        await Task.WhenAll(producers);

        Assert.False(queue.HasMessages);
        foreach (var group in received.GroupBy(r => r.Sender))
        {
            Assert.Equal(Enumerable.Range(0, PerSender), group.Select(g => g.N));
        }
    }

    private static List<object> Drain(CompactDequeMessageQueue queue)
    {
        var list = new List<object>();
        while (queue.TryDequeue(out var e))
        {
            list.Add(e.Message);
        }
        return list;
    }
}

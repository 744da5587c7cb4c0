using Azure.Messaging.ServiceBus;
using Cry.Pipeline.Retraining;

namespace Cry.Azure.Tests;

public sealed class ServiceBusDispatcherTests
{
    /// <summary>The SDK's mocking seam: a sender built with its protected constructor that records what it is given.</summary>
    private sealed class RecordingSender : ServiceBusSender
    {
        public List<ServiceBusMessage> Sent { get; } = [];

        public override Task SendMessageAsync(ServiceBusMessage message, CancellationToken cancellationToken = default)
        {
            Sent.Add(message);
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task ServiceBus_SendsTheJobWithTheRunIdAsMessageId_SoAResendIsDeduplicated()
    {
        var sender = new RecordingSender();
        var job = new TrainingJob { RunId = "run-42", SnapshotId = "snap-7", Epochs = 12 };
        var dispatcher = new ServiceBusDispatcher(sender);

        await dispatcher.DispatchAsync(job, TestContext.Current.CancellationToken);
        await dispatcher.DispatchAsync(job, TestContext.Current.CancellationToken); // a retried activity

        Assert.Equal(2, sender.Sent.Count);
        Assert.All(sender.Sent, m => Assert.Equal("run-42", m.MessageId)); // duplicate detection on the queue drops the second
        Assert.Equal("application/json", sender.Sent[0].ContentType);
        var received = TrainingJob.Parse(sender.Sent[0].Body.ToString());
        Assert.Equal(job, received);
    }
}

using Azure.Messaging.ServiceBus;
using Cry.Pipeline.Retraining;

namespace Cry.Azure.Tests;

public sealed class ServiceBusJobReceiverTests
{
    /// <summary>The SDK's mocking seam: a receiver with one queued message that records how it was settled.</summary>
    private sealed class FakeReceiver(ServiceBusReceivedMessage? message) : ServiceBusReceiver
    {
        public List<string> Calls { get; } = [];

        public override Task<ServiceBusReceivedMessage?> ReceiveMessageAsync(TimeSpan? maxWaitTime = null, CancellationToken cancellationToken = default) =>
            Task.FromResult(message);

        public override Task RenewMessageLockAsync(ServiceBusReceivedMessage message, CancellationToken cancellationToken = default)
        {
            lock (Calls)
            {
                Calls.Add("renew");
            }

            return Task.CompletedTask;
        }

        public override Task CompleteMessageAsync(ServiceBusReceivedMessage message, CancellationToken cancellationToken = default)
        {
            Calls.Add("complete");
            return Task.CompletedTask;
        }

        public override Task DeadLetterMessageAsync(ServiceBusReceivedMessage message, string deadLetterReason, string? deadLetterErrorDescription = null, CancellationToken cancellationToken = default)
        {
            Calls.Add($"dead-letter {deadLetterReason}: {deadLetterErrorDescription}");
            return Task.CompletedTask;
        }
    }

    private static ServiceBusReceivedMessage Message(string body) =>
        ServiceBusModelFactory.ServiceBusReceivedMessage(BinaryData.FromString(body), messageId: "run-9", lockedUntil: DateTimeOffset.UtcNow.AddMinutes(1));

    private static readonly TrainingJob s_job = new() { RunId = "run-9", SnapshotId = "snap" };

    [Fact]
    public async Task SuccessfulJob_IsCompleted_AndItsLockIsRenewedWhileTraining()
    {
        var receiver = new FakeReceiver(Message(s_job.ToJson()));
        var (outcome, job, _) = await new ServiceBusJobReceiver(receiver, TimeSpan.FromMilliseconds(20)).ReceiveAndRunAsync(
            async (j, _) =>
            {
                await Task.Delay(200, TestContext.Current.CancellationToken);
                return new TrainingResult(j.RunId, TrainingResult.Succeeded, null, j.SnapshotId, 0.3, DateTimeOffset.UtcNow);
            },
            TimeSpan.FromSeconds(1),
            TestContext.Current.CancellationToken);

        Assert.Equal(ReceiveOutcome.Completed, outcome);
        Assert.Equal(s_job, job);
        Assert.Contains("renew", receiver.Calls);
        Assert.Equal("complete", receiver.Calls[^1]);
    }

    [Fact]
    public async Task FailedJob_IsDeadLetteredWithTheReason()
    {
        var receiver = new FakeReceiver(Message(s_job.ToJson()));
        var (outcome, _, reason) = await new ServiceBusJobReceiver(receiver, TimeSpan.FromMinutes(1)).ReceiveAndRunAsync(
            (j, _) => Task.FromResult(new TrainingResult(j.RunId, TrainingResult.Failed, "burping has 2 groups", j.SnapshotId, null, DateTimeOffset.UtcNow)),
            TimeSpan.FromSeconds(1),
            TestContext.Current.CancellationToken);

        Assert.Equal(ReceiveOutcome.DeadLettered, outcome);
        Assert.Equal("burping has 2 groups", reason);
        Assert.Equal(["dead-letter training failed: burping has 2 groups"], receiver.Calls);
    }

    [Fact]
    public async Task AMessageThatIsNotAJob_IsDeadLettered_WithoutRunningAnything()
    {
        var receiver = new FakeReceiver(Message("{ not json"));
        bool ran = false;
        var (outcome, job, _) = await new ServiceBusJobReceiver(receiver, TimeSpan.FromMinutes(1)).ReceiveAndRunAsync(
            (j, _) =>
            {
                ran = true;
                return Task.FromResult(new TrainingResult(j.RunId, TrainingResult.Succeeded, null, j.SnapshotId, null, DateTimeOffset.UtcNow));
            },
            TimeSpan.FromSeconds(1),
            TestContext.Current.CancellationToken);

        Assert.Equal(ReceiveOutcome.DeadLettered, outcome);
        Assert.Null(job);
        Assert.False(ran);
        Assert.StartsWith("dead-letter not a training job", receiver.Calls.Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoMessage_IsNoJob()
    {
        var (outcome, _, _) = await new ServiceBusJobReceiver(new FakeReceiver(null), TimeSpan.FromMinutes(1)).ReceiveAndRunAsync(
            (_, _) => throw new InvalidOperationException("must not run"), TimeSpan.FromMilliseconds(10), TestContext.Current.CancellationToken);
        Assert.Equal(ReceiveOutcome.NoJob, outcome);
    }
}

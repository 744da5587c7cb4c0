using Azure.Messaging.ServiceBus;
using Cry.Pipeline.Retraining;

namespace Cry.Azure;

/// <summary>What became of one receive.</summary>
public enum ReceiveOutcome
{
    /// <summary>No job was waiting.</summary>
    NoJob,

    /// <summary>The job ran and succeeded; the message is completed.</summary>
    Completed,

    /// <summary>The job failed (or the message was not a job); the message is dead-lettered with the reason.</summary>
    DeadLettered,
}

/// <summary>
/// The training job's side of the <c>training-jobs</c> queue: receive one message (peek-lock), keep its lock renewed
/// while training runs, complete it when the job succeeded, dead-letter it with the reason when it failed (retrying is
/// the orchestration's decision, with a new run id). A job that crashes before settling is redelivered by Service Bus
/// after the lock expires and reruns the same run id, which writes the same paths.
/// </summary>
/// <param name="receiver">A peek-lock receiver on the queue.</param>
/// <param name="renewEvery">How often the lock is renewed while training (below the queue's lock duration).</param>
public sealed class ServiceBusJobReceiver(ServiceBusReceiver receiver, TimeSpan renewEvery)
{
    /// <summary>Receives and runs at most one job.</summary>
    /// <param name="run">Runs the job and returns its result (written to storage by the runner).</param>
    /// <param name="maxWait">How long to wait for a message.</param>
    /// <param name="cancellation">Cancels the wait (not a running job).</param>
    public async Task<(ReceiveOutcome Outcome, TrainingJob? Job, string? Reason)> ReceiveAndRunAsync(
        Func<TrainingJob, CancellationToken, Task<TrainingResult>> run, TimeSpan maxWait, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        var message = await receiver.ReceiveMessageAsync(maxWait, cancellation).ConfigureAwait(false);
        if (message is null)
        {
            return (ReceiveOutcome.NoJob, null, null);
        }

        TrainingJob job;
        try
        {
            job = TrainingJob.Parse(message.Body.ToString());
        }
        catch (InvalidDataException ex)
        {
            await receiver.DeadLetterMessageAsync(message, "not a training job", ex.Message, CancellationToken.None).ConfigureAwait(false);
            return (ReceiveOutcome.DeadLettered, null, ex.Message);
        }

        using var renewing = new CancellationTokenSource();
        var renewal = RenewAsync(message, renewing.Token);
        TrainingResult result;
        try
        {
            result = await run(job, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            await renewing.CancelAsync().ConfigureAwait(false);
            await renewal.ConfigureAwait(false);
        }

        if (result.Status == TrainingResult.Succeeded)
        {
            await receiver.CompleteMessageAsync(message, CancellationToken.None).ConfigureAwait(false);
            return (ReceiveOutcome.Completed, job, null);
        }

        await receiver.DeadLetterMessageAsync(message, "training failed", result.Reason, CancellationToken.None).ConfigureAwait(false);
        return (ReceiveOutcome.DeadLettered, job, result.Reason);
    }

    private async Task RenewAsync(ServiceBusReceivedMessage message, CancellationToken stop)
    {
        try
        {
            while (true)
            {
                await Task.Delay(renewEvery, stop).ConfigureAwait(false);
                await receiver.RenewMessageLockAsync(message, stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // Training ended.
        }
    }
}

using Azure.Messaging.ServiceBus;
using Cry.Pipeline.Retraining;

namespace Cry.Azure;

/// <summary>
/// Azure: a message on the <c>training-jobs</c> queue (duplicate detection on) with the run id as message id, so a
/// re-sent job is dropped by Service Bus; a Container Apps job on a GPU profile receives it (KEDA scaler).
/// </summary>
/// <param name="sender">A sender for the training-jobs queue (managed identity or connection string, as the host configures).</param>
public sealed class ServiceBusDispatcher(ServiceBusSender sender) : ITrainingDispatcher
{
    /// <summary>The queue name.</summary>
    public const string Queue = "training-jobs";

    /// <inheritdoc/>
    public Task DispatchAsync(TrainingJob job, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        var message = new ServiceBusMessage(BinaryData.FromString(job.ToJson()))
        {
            MessageId = job.RunId,
            ContentType = "application/json",
            Subject = "training-job",
        };
        return sender.SendMessageAsync(message, cancellation);
    }
}

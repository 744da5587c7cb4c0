using System.Text.Json;
using Cry.Azure;
using Cry.Pipeline;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace CryFunctions.Functions;

/// <summary>
/// Upload → features. A clip blob under <c>clips/{label}/{name}</c> is accepted or quarantined; an accepted clip fans
/// out one queue message per (variant × spec) to <c>feature-work</c>, each computed by <see cref="ComputeFeatures"/>.
/// A unit that keeps failing lands in <c>feature-work-poison</c> with its message, where an operator sees it. A blob
/// whose label or name <see cref="ClipNames"/> refuses is quarantined with the reason, or left in place and logged
/// when the store cannot address it.
/// </summary>
/// <remarks>
/// The blob trigger's source is fixed at compile time, so there are two functions sharing one handler:
/// <c>ClipUploaded</c> polls the container (what Azurite supports: the local default) and <c>ClipUploadedEventGrid</c>
/// takes Event Grid notifications (what the Flex Consumption plan supports: Azure). Each deployment switches one off
/// with <c>AzureWebJobs.&lt;FunctionName&gt;.Disabled</c>.
/// </remarks>
public sealed class ClipFunctions(ClipIngestion ingestion, ILogger<ClipFunctions> logger)
{
    /// <summary>The feature work queue.</summary>
    public const string WorkQueue = "feature-work";

    /// <summary>Polling blob trigger (Azurite, Elastic Premium, Dedicated).</summary>
    [Function(nameof(ClipUploaded))]
    [QueueOutput(WorkQueue, Connection = AzureConnections.Storage)]
    public Task<string[]> ClipUploaded(
        [BlobTrigger("clips/{label}/{name}", Connection = AzureConnections.Storage)] Stream clip, string label, string name, CancellationToken cancellation) =>
        HandleAsync(label, name, cancellation);

    /// <summary>Event Grid blob trigger (Flex Consumption).</summary>
    [Function(nameof(ClipUploadedEventGrid))]
    [QueueOutput(WorkQueue, Connection = AzureConnections.Storage)]
    public Task<string[]> ClipUploadedEventGrid(
        [BlobTrigger("clips/{label}/{name}", Source = BlobTriggerSource.EventGrid, Connection = AzureConnections.Storage)] Stream clip,
        string label,
        string name,
        CancellationToken cancellation) =>
        HandleAsync(label, name, cancellation);

    /// <summary>One unit of feature work.</summary>
    [Function(nameof(ComputeFeatures))]
    public async Task ComputeFeatures([QueueTrigger(WorkQueue, Connection = AzureConnections.Storage)] FeatureWork work, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(work);
        string? path = await ingestion.ComputeAsync(work, cancellation);
        FunctionsLog.FeaturesComputed(logger, work.SpecId, work.Variant, ClipIngestion.ClipRef(work.Label, work.Name), path is not null);
    }

    /// <summary>The shared handler: accept or quarantine, then the fan-out messages.</summary>
    public async Task<string[]> HandleAsync(string label, string name, CancellationToken cancellation)
    {
        var result = await ingestion.AcceptAsync(label, name, cancellation);
        return [.. result.Work.Select(w => JsonSerializer.Serialize(w))];
    }
}

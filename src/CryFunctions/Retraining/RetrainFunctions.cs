using System.Text.Json;
using Cry.Azure;
using Cry.Pipeline;
using Cry.Pipeline.Retraining;
using Cry.Pipeline.Storage;
using Cry.Serving;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CryFunctions.Retraining;

/// <summary>The retraining activities and the functions that start and feed the orchestration.</summary>
public sealed class RetrainFunctions(
    IArtifactStore store,
    PipelineOptions pipeline,
    ITrainingDispatcher dispatcher,
    IOptions<CryFunctionsOptions> options,
    ILogger<RetrainFunctions> logger)
{
    private static readonly OrchestrationRuntimeStatus[] s_running =
        [OrchestrationRuntimeStatus.Pending, OrchestrationRuntimeStatus.Running, OrchestrationRuntimeStatus.Suspended];

    private string Cache => Path.Combine(options.Value.ModelCache, "evaluation");

    /// <summary>Activity: takes the snapshot and says whether it is the one the champion was trained on.</summary>
    [Function(nameof(RetrainSnapshot))]
    public async Task<SnapshotStep> RetrainSnapshot([ActivityTrigger] bool force, CancellationToken cancellation)
    {
        var snapshot = await DatasetSnapshot.TakeAsync(store, pipeline.Specs[0], options.Value.HoldoutShare, cancellation: cancellation);
        bool unchanged = false;
        if (await ModelEvaluation.ReadChampionAsync(store, cancellation) is { } champion
            && await store.TryReadAsync(Containers.Models, TrainingResult.PathOf(champion.Pointer.ModelId), cancellation) is { } stored)
        {
            unchanged = TrainingResult.Parse(stored.Data)?.SnapshotId == snapshot.SnapshotId;
        }

        FunctionsLog.SnapshotTaken(logger, snapshot.SnapshotId, snapshot.Clips.Count, unchanged, force);
        return new SnapshotStep(snapshot.SnapshotId, snapshot.Clips.Count, snapshot.Clips.Count(c => c.HeldOut), unchanged);
    }

    /// <summary>Activity: sends the job to the configured runner.</summary>
    [Function(nameof(RetrainDispatch))]
    public async Task RetrainDispatch([ActivityTrigger] TrainingJob job, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(job);
        await dispatcher.DispatchAsync(job, cancellation);
        FunctionsLog.RunDispatched(logger, job.RunId, dispatcher.GetType().Name);
    }

    /// <summary>Activity: scores challenger and champion on the snapshot's evaluation groups and promotes when better.</summary>
    [Function(nameof(RetrainEvaluate))]
    public async Task<PromotionDecision> RetrainEvaluate([ActivityTrigger] EvaluateRequest request, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(request);
        var snapshot = await DatasetSnapshot.ReadAsync(store, request.SnapshotId, cancellation);
        var champion = await ModelEvaluation.ReadChampionAsync(store, cancellation);
        var challengerScore = await ModelEvaluation.ScoreAsync(store, request.RunId, snapshot, Cache, cancellation);
        EvaluationResult? championScore = null;
        if (champion is { } current)
        {
            try
            {
                championScore = await ModelEvaluation.ScoreAsync(store, current.Pointer.ModelId, snapshot, Cache, cancellation);
            }
            catch (Cry.Inference.ModelBundleException ex)
            {
                FunctionsLog.ChampionNotScored(logger, current.Pointer.ModelId, ex.Message);
            }
        }

        var decision = await ModelEvaluation.DecideAsync(store, challengerScore, championScore, champion?.ETag, request.Margin, cancellation);
        PipelineMetrics.RetrainingRuns.Add(1, new KeyValuePair<string, object?>("outcome", decision.Promoted ? "promoted" : "not promoted"));
        FunctionsLog.RunDecided(logger, request.RunId, decision.Reason);
        return decision;
    }

    /// <summary>A job's result blob → the orchestration's completion event (polling source: Azurite and non-Flex plans).</summary>
    [Function(nameof(TrainingResultWritten))]
    public Task TrainingResultWritten(
        [BlobTrigger("models/{runId}/result.json", Connection = AzureConnections.Storage)] byte[] content,
        string runId,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellation) => RaiseCompletedAsync(content, client, cancellation);

    /// <summary>The same from Event Grid (Flex Consumption); switched off locally by AzureWebJobs.TrainingResultWrittenEventGrid.Disabled.</summary>
    [Function(nameof(TrainingResultWrittenEventGrid))]
    public Task TrainingResultWrittenEventGrid(
        [BlobTrigger("models/{runId}/result.json", Source = BlobTriggerSource.EventGrid, Connection = AzureConnections.Storage)] byte[] content,
        string runId,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellation) => RaiseCompletedAsync(content, client, cancellation);

    private static async Task RaiseCompletedAsync(byte[] content, DurableTaskClient client, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(client);
        var result = TrainingResult.Parse(content);
        var instance = await client.GetInstanceAsync(RetrainOrchestrator.InstanceId, cancellation);
        if (result is null || instance is null || !s_running.Contains(instance.RuntimeStatus))
        {
            return; // Nobody is waiting (an old or manual run).
        }

        await client.RaiseEventAsync(RetrainOrchestrator.InstanceId, RetrainOrchestrator.CompletedEvent, result, cancellation);
    }

    /// <summary>Scheduled retraining (schedule from Cry__RetrainSchedule, default weekly).</summary>
    [Function(nameof(ScheduledRetrain))]
    public async Task ScheduledRetrain([TimerTrigger("%Cry:RetrainSchedule%")] TimerInfo timer, [DurableClient] DurableTaskClient client, CancellationToken cancellation)
    {
        var (started, _) = await StartAsync(client, options.Value.RetrainRequest(), cancellation);
        FunctionsLog.ScheduledRetrain(logger, started);
    }

    /// <summary>POST /api/retrain[?force=true]: 202 with the status URL, for a new run or the one in progress.</summary>
    [Function(nameof(StartRetrain))]
    public async Task<IResult> StartRetrain(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = "retrain")] HttpRequest request, [DurableClient] DurableTaskClient client, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(request);
        bool force = string.Equals(request.Query["force"], "true", StringComparison.OrdinalIgnoreCase);
        var (started, id) = await StartAsync(client, options.Value.RetrainRequest(force), cancellation);
        return Results.Json(
            new { id, started, statusQueryGetUri = $"/api/retrain/{id}" },
            statusCode: StatusCodes.Status202Accepted);
    }

    /// <summary>GET /api/retrain/{id}: the run's status, step, output or failure.</summary>
    [Function(nameof(RetrainStatus))]
    public async Task<IResult> RetrainStatus(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "retrain/{id}")] HttpRequest request, string id, [DurableClient] DurableTaskClient client, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(client);
        var instance = await client.GetInstanceAsync(id, getInputsAndOutputs: true, cancellation);
        if (instance is null)
        {
            return Problems.NotFound("No such retraining run", $"There is no retraining instance '{id}'.");
        }

        return Results.Json(new
        {
            id,
            runtimeStatus = instance.RuntimeStatus.ToString(),
            createdUtc = instance.CreatedAt,
            lastUpdatedUtc = instance.LastUpdatedAt,
            customStatus = instance.SerializedCustomStatus is { } s ? JsonDocument.Parse(s).RootElement : (JsonElement?)null,
            output = instance.SerializedOutput is { } o ? JsonDocument.Parse(o).RootElement : (JsonElement?)null,
            failure = instance.FailureDetails?.ErrorMessage,
        });
    }

    /// <summary>Starts the singleton unless it is running; returns whether it started and the instance id.</summary>
    public static async Task<(bool Started, string Id)> StartAsync(DurableTaskClient client, RetrainRequest request, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(client);
        var existing = await client.GetInstanceAsync(RetrainOrchestrator.InstanceId, cancellation);
        if (existing is not null && s_running.Contains(existing.RuntimeStatus))
        {
            return (false, RetrainOrchestrator.InstanceId);
        }

        if (existing is not null)
        {
            await client.PurgeInstanceAsync(RetrainOrchestrator.InstanceId, cancellation: cancellation); // A finished run's history makes room for the next.
        }

        await client.ScheduleNewOrchestrationInstanceAsync(
            nameof(RetrainOrchestrator), request, new Microsoft.DurableTask.StartOrchestrationOptions { InstanceId = RetrainOrchestrator.InstanceId }, cancellation);
        return (true, RetrainOrchestrator.InstanceId);
    }
}

using System.Text.Json;
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

/// <summary>The retraining activities, the functions that start and feed the orchestration, and model operations.</summary>
public sealed class RetrainFunctions(
    IArtifactStore store,
    PipelineOptions pipeline,
    ITrainingDispatcher dispatcher,
    IOptions<CryFunctionsOptions> options,
    ILogger<RetrainFunctions> logger)
{
    private static readonly OrchestrationRuntimeStatus[] Running =
        [OrchestrationRuntimeStatus.Pending, OrchestrationRuntimeStatus.Running, OrchestrationRuntimeStatus.Suspended];

    private string Cache => Path.Combine(options.Value.ModelCacheFolder ?? Path.Combine(Path.GetTempPath(), "cryfunctions-models"), "evaluation");

    /// <summary>Activity: takes the snapshot and says whether it is the one the champion was trained on.</summary>
    [Function(RetrainOrchestrator.Snapshot)]
    public async Task<SnapshotStep> TakeSnapshot([ActivityTrigger] bool force, CancellationToken cancellation)
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
    [Function(RetrainOrchestrator.Dispatch)]
    public async Task DispatchJob([ActivityTrigger] TrainingJob job, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(job);
        await dispatcher.DispatchAsync(job, cancellation);
        FunctionsLog.RunDispatched(logger, job.RunId, dispatcher.GetType().Name);
    }

    /// <summary>Activity: scores challenger and champion on the snapshot's evaluation groups and promotes when better.</summary>
    [Function(RetrainOrchestrator.Evaluate)]
    public async Task<PromotionDecision> EvaluateAndPromote([ActivityTrigger] EvaluateRequest request, CancellationToken cancellation)
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
    [Function("TrainingResultWritten")]
    public Task TrainingResultWritten(
        [BlobTrigger("models/{runId}/result.json", Connection = StorageConnection.Name)] byte[] content,
        string runId,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellation) => RaiseCompletedAsync(content, client, cancellation);

    /// <summary>The same from Event Grid (Flex Consumption); switched off locally by AzureWebJobs.TrainingResultWrittenEventGrid.Disabled.</summary>
    [Function("TrainingResultWrittenEventGrid")]
    public Task TrainingResultWrittenEventGrid(
        [BlobTrigger("models/{runId}/result.json", Source = BlobTriggerSource.EventGrid, Connection = StorageConnection.Name)] byte[] content,
        string runId,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellation) => RaiseCompletedAsync(content, client, cancellation);

    private static async Task RaiseCompletedAsync(byte[] content, DurableTaskClient client, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(client);
        var result = TrainingResult.Parse(content);
        var instance = await client.GetInstanceAsync(RetrainOrchestrator.InstanceId, cancellation);
        if (result is null || instance is null || !Running.Contains(instance.RuntimeStatus))
        {
            return; // Nobody is waiting (an old or manual run).
        }

        await client.RaiseEventAsync(RetrainOrchestrator.InstanceId, RetrainOrchestrator.CompletedEvent, result, cancellation);
    }

    /// <summary>Scheduled retraining (schedule from Cry__RetrainSchedule, default weekly).</summary>
    [Function("ScheduledRetrain")]
    public async Task ScheduledRetrain([TimerTrigger("%Cry:RetrainSchedule%")] TimerInfo timer, [DurableClient] DurableTaskClient client, CancellationToken cancellation)
    {
        var (started, _) = await StartAsync(client, new RetrainRequest(Epochs: options.Value.RetrainEpochs, TimeoutMinutes: options.Value.TrainingTimeoutMinutes, Margin: options.Value.PromotionMargin), cancellation);
        FunctionsLog.ScheduledRetrain(logger, started);
    }

    /// <summary>POST /api/retrain[?force=true]: 202 with the status URL, for a new run or the one in progress.</summary>
    [Function("StartRetrain")]
    public async Task<IResult> StartRetrain(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = "retrain")] HttpRequest request, [DurableClient] DurableTaskClient client, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(request);
        bool force = string.Equals(request.Query["force"], "true", StringComparison.OrdinalIgnoreCase);
        var (started, id) = await StartAsync(client, new RetrainRequest(force, options.Value.RetrainEpochs, options.Value.TrainingTimeoutMinutes, options.Value.PromotionMargin), cancellation);
        return Results.Json(
            new { id, started, statusQueryGetUri = $"/api/retrain/{id}" },
            statusCode: StatusCodes.Status202Accepted);
    }

    /// <summary>GET /api/retrain/{id}: the run's status, step, output or failure.</summary>
    [Function("RetrainStatus")]
    public async Task<IResult> RetrainStatus(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "retrain/{id}")] HttpRequest request, string id, [DurableClient] DurableTaskClient client, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(client);
        var instance = await client.GetInstanceAsync(id, getInputsAndOutputs: true, cancellation);
        if (instance is null)
        {
            return Problems.Of(StatusCodes.Status404NotFound, "No such retraining run", $"There is no retraining instance '{id}'.");
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

    /// <summary>GET /api/models: the stored models with their job results, and the champion.</summary>
    [Function("ListModels")]
    public async Task<IResult> ListModels([HttpTrigger(AuthorizationLevel.Admin, "get", Route = "models")] HttpRequest request, CancellationToken cancellation)
    {
        var champion = await ModelEvaluation.ReadChampionAsync(store, cancellation);
        // Snapshots an erased clip was redacted from: a model trained on one learnt from that clip (docs/pipeline.md#erasure).
        var redacted = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var erasure in ErasureRecord.ListAsync(store, cancellation))
        {
            redacted.UnionWith(erasure.RedactedSnapshots);
        }

        var models = new List<object>();
        await foreach (var item in store.ListAsync(Containers.Models, cancellation: cancellation))
        {
            if (item.Path.EndsWith("/result.json", StringComparison.Ordinal) && await store.TryReadAsync(Containers.Models, item.Path, cancellation) is { } stored)
            {
                var result = TrainingResult.Parse(stored.Data);
                models.Add(new
                {
                    modelId = result?.RunId,
                    result?.Status,
                    result?.Reason,
                    result?.SnapshotId,
                    result?.ValidationMacroF1,
                    result?.FinishedUtc,
                    trainedBeforeErasure = result?.SnapshotId is { } id && redacted.Contains(id),
                });
            }
        }

        return Results.Json(new { champion = champion?.Pointer, models });
    }

    /// <summary>POST /api/models/{id}/promote: make a stored model the champion by hand (roll back or forward).</summary>
    [Function("PromoteModel")]
    public async Task<IResult> PromoteModel(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = "models/{id}/promote")] HttpRequest request, string id, CancellationToken cancellation)
    {
        try
        {
            var champion = await ModelEvaluation.ReadChampionAsync(store, cancellation);
            await ModelEvaluation.PromoteAsync(store, id, "promoted by hand", champion?.ETag, cancellation);
            return Results.Json(new { champion = id });
        }
        catch (Cry.Inference.ModelBundleException ex)
        {
            return Problems.Of(StatusCodes.Status404NotFound, "No such model", ex.Message);
        }
        catch (BundleNotPromotableException ex)
        {
            return Problems.Of(StatusCodes.Status409Conflict, "The model cannot be promoted", ex.Message);
        }
        catch (ArgumentException ex)
        {
            return Problems.Of(StatusCodes.Status400BadRequest, "Invalid model id", ex.Message);
        }
        catch (ArtifactConflictException ex)
        {
            return Problems.Of(StatusCodes.Status409Conflict, "The champion changed meanwhile", ex.Message);
        }
    }

    /// <summary>Starts the singleton unless it is running; returns whether it started and the instance id.</summary>
    public static async Task<(bool Started, string Id)> StartAsync(DurableTaskClient client, RetrainRequest request, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(client);
        var existing = await client.GetInstanceAsync(RetrainOrchestrator.InstanceId, cancellation);
        if (existing is not null && Running.Contains(existing.RuntimeStatus))
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

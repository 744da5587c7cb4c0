using Cry.Inference;
using Cry.Pipeline;
using Cry.Pipeline.Retraining;
using Cry.Pipeline.Storage;
using Cry.Serving;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace CryFunctions.Functions;

/// <summary>The model endpoints: the serving champion, the stored models with their job results, and promotion by hand.</summary>
public sealed class ModelFunctions(Predictor predictor, IArtifactStore store, ILogger<ModelFunctions> logger)
{
    /// <summary>GET /api/models/champion.</summary>
    [Function(nameof(Champion))]
    public Task<IResult> Champion([HttpTrigger(AuthorizationLevel.Function, "get", Route = "models/champion")] HttpRequest request) =>
        ServingModel.AnswerAsync(() => Task.FromResult(CryApi.Champion(predictor)), logger);

    /// <summary>GET /api/models: the stored models with their job results, and the champion.</summary>
    [Function(nameof(ListModels))]
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
    [Function(nameof(PromoteModel))]
    public async Task<IResult> PromoteModel(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = "models/{id}/promote")] HttpRequest request, string id, CancellationToken cancellation)
    {
        try
        {
            var champion = await ModelEvaluation.ReadChampionAsync(store, cancellation);
            await ModelEvaluation.PromoteAsync(store, id, "promoted by hand", champion?.ETag, cancellation);
            return Results.Json(new { champion = id });
        }
        catch (ModelBundleException ex)
        {
            return Problems.NotFound("No such model", ex.Message);
        }
        catch (BundleNotPromotableException ex)
        {
            return Problems.Conflict("The model cannot be promoted", ex.Message);
        }
        catch (ArgumentException ex)
        {
            return Problems.BadRequest("Invalid model id", ex.Message);
        }
        catch (ArtifactConflictException ex)
        {
            return Problems.Conflict("The champion changed meanwhile", ex.Message);
        }
    }
}

using System.Text.Json;
using Cry.Audio;
using Cry.Azure;
using Cry.Audio.Augmentation;
using Cry.Features.Specs;
using Cry.Inference;
using Cry.Pipeline;
using Cry.Pipeline.Retraining;
using Cry.Pipeline.Storage;
using Cry.Pipeline.Tests;
using Cry.Serving;
using CryFunctions;
using CryFunctions.Functions;
using CryFunctions.Retraining;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

using Cry.TestSupport;
using Cry.Audio.Wav;

namespace Cry.Cli.Tests;

/// <summary>
/// The whole pipeline on Azurite through the Function classes, with the real local-process training job: a dozen
/// synthetic clips per label uploaded over HTTP → clip trigger → feature units → snapshot → `cry train-job` in its own
/// process (tiny epochs) → result → evaluation and promotion → the predict function answers from the promoted model.
/// </summary>
[Collection("torch")]
public sealed class AzuriteEndToEndTests(Azurite azurite) : IDisposable
{
    private readonly TempFolder _temp = new();

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static DefaultHttpContext Request(string method, byte[]? body = null)
    {
        var context = new DefaultHttpContext { RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider() };
        context.Request.Method = method;
        if (body is not null)
        {
            context.Request.Body = new MemoryStream(body);
            context.Request.ContentLength = body.Length;
            context.Request.ContentType = "audio/wav";
        }

        context.Response.Body = new MemoryStream();
        return context;
    }

    private static async Task<(int Status, JsonElement Body)> Execute(IResult result, DefaultHttpContext context)
    {
        await result.ExecuteAsync(context);
        context.Response.Body.Position = 0;
        return (context.Response.StatusCode, JsonDocument.Parse(context.Response.Body).RootElement.Clone());
    }

    [Fact]
    public async Task UploadToPrediction_ThroughTheFunctions_OnAzurite()
    {
        // The app's real container names, emptied first: this is the only test that uses them unprefixed.
        var service = azurite.Service();
        foreach (string container in new[] { Containers.Clips, Containers.Features, Containers.Quarantine, Containers.Models, Containers.Datasets })
        {
            await service.GetBlobContainerClient(container).DeleteIfExistsAsync(cancellationToken: Cancel);
        }

        IArtifactStore store = new BlobArtifactStore(service);
        var pipeline = new PipelineOptions { Labels = ["burping", "hungry", "tired"], Specs = [TestSpecs.Small], Augmentation = AugmentationPolicy.None, Previews = false };
        var ingestion = new ClipIngestion(store, pipeline);
        var inference = new InferenceOptions { Device = "cpu" };
        using var predictor = new Predictor(new ChampionModelSource(store, _temp["serving"], inference, TimeSpan.Zero), inference);
        var http = new HttpFunctions(predictor, new ServingOptions(), new PredictionGate(new ServingOptions()), store, ingestion, pipeline, NullLogger<HttpFunctions>.Instance);
        var clips = new ClipFunctions(ingestion, NullLogger<ClipFunctions>.Instance);

        ulong seed = 10;
        foreach (string label in pipeline.Labels)
        {
            for (int i = 0; i < 12; i++)
            {
                var upload = Request("POST", WavEncoder.Encode(SyntheticCry.Generate(8000, 1.5, seed++).Samples, 8000));
                var (status, body) = await Execute(await http.UploadClip(upload.Request, label, Cancel), upload);
                Assert.Equal(201, status);
                foreach (string message in await clips.HandleAsync(label, body.GetProperty("name").GetString()!, Cancel))
                {
                    await clips.ComputeFeatures(JsonSerializer.Deserialize<FeatureWork>(message)!, Cancel);
                }
            }
        }

        // The retraining steps, with the real local-process dispatcher starting `cry train-job` from this build.
        string dotnet = Environment.GetEnvironmentVariable("DOTNET") is { Length: > 0 } d ? d : "dotnet";
        var dispatcher = new LocalProcessDispatcher($"{dotnet} {Path.Combine(AppContext.BaseDirectory, "cry.dll")}", new Dictionary<string, string> { [AzureConnections.Storage] = azurite.ConnectionString }, _temp["jobs"]);
        var options = Options.Create(new CryFunctionsOptions { ModelCacheFolder = _temp["cache"] });
        var retrain = new RetrainFunctions(store, pipeline, dispatcher, options, NullLogger<RetrainFunctions>.Instance);
        var snapshot = await retrain.RetrainSnapshot(false, Cancel);
        Assert.Equal(36, snapshot.Clips);
        Assert.False(snapshot.Unchanged);

        var job = new TrainingJob { RunId = "run-e2e", SnapshotId = snapshot.SnapshotId, Epochs = 2, Patience = 0 };
        await retrain.RetrainDispatch(job, Cancel);
        StoredArtifact? result = null;
        var deadline = DateTime.UtcNow.AddMinutes(10); // An out-of-process training job on a busy 2-core machine may take minutes.
        while (result is null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200, Cancel);
            result = await store.TryReadAsync(Containers.Models, job.ResultPath, Cancel);
        }

        Assert.True(result is not null, "the training job wrote no result; its log: " + string.Join('\n', Directory.GetFiles(_temp["jobs"], "*.log").Select(File.ReadAllText)));
        Assert.Equal(TrainingResult.Succeeded, TrainingResult.Parse(result.Data)!.Status);

        var decision = await retrain.RetrainEvaluate(new EvaluateRequest(job.RunId, snapshot.SnapshotId, 0.01), Cancel);
        Assert.True(decision.Promoted, decision.Reason);

        var predict = Request("POST", WavEncoder.Encode(SyntheticCry.Generate(8000, 1.5, 999).Samples, 8000));
        var (predictStatus, prediction) = await Execute(await http.Predict(predict.Request), predict);
        Assert.Equal(200, predictStatus);
        Assert.Equal("run-e2e", prediction.GetProperty("modelId").GetString());
        Assert.Contains(prediction.GetProperty("label").GetString(), pipeline.Labels);

        // Nothing changed since the champion was trained: the next snapshot says so (retraining would skip).
        Assert.True((await retrain.RetrainSnapshot(false, Cancel)).Unchanged);
    }

    public void Dispose() => _temp.Dispose();
}

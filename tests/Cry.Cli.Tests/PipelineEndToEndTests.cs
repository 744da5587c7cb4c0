using Cry.Audio;
using Cry.Audio.Augmentation;
using Cry.Cli.Commands;
using Cry.Features.Specs;
using Cry.Inference;
using Cry.Pipeline;
using Cry.Pipeline.Retraining;
using Cry.Pipeline.Storage;

using Cry.TestSupport;

namespace Cry.Cli.Tests;

/// <summary>
/// The retraining path on a local store, end to end with tiny data: upload → features → snapshot → `cry train-job`
/// → evaluation on held-out groups → promotion → prediction by the promoted model.
/// </summary>
[Collection("torch")]
public sealed class PipelineEndToEndTests : IDisposable
{
    private readonly TempFolder _temp = new();

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task UploadFeaturesSnapshotTrainEvaluatePromotePredict()
    {
        var spec = TestSpecs.Small;
        var store = new LocalArtifactStore(_temp["store"]);
        var options = new PipelineOptions { Labels = ["burping", "hungry", "tired"], Specs = [spec], Augmentation = AugmentationPolicy.None, Previews = false };
        var ingestion = new ClipIngestion(store, options);
        ulong seed = 1;
        foreach (string label in options.Labels)
        {
            for (int i = 0; i < 12; i++)
            {
                string name = $"{Guid.NewGuid()}-{i}.wav";
                await store.WriteAsync(Containers.Clips, $"{label}/{name}", WavEncoder.Encode(SyntheticCry.Generate(8000, 1.5, seed++).Samples, 8000), cancellation: Cancel);
                foreach (var work in (await ingestion.AcceptAsync(label, name, Cancel)).Work)
                {
                    await ingestion.ComputeAsync(work, Cancel);
                }
            }
        }

        var snapshot = await DatasetSnapshot.TakeAsync(store, spec, cancellation: Cancel);
        Assert.Equal(36, snapshot.Clips.Count);
        Assert.Contains(snapshot.Clips, c => c.HeldOut);
        Assert.Equal(snapshot.SnapshotId, (await DatasetSnapshot.TakeAsync(store, spec, cancellation: Cancel)).SnapshotId); // unchanged data, same id

        var job = new TrainingJob { RunId = "run-1", SnapshotId = snapshot.SnapshotId, Epochs = 2, Patience = 0 };
        string jobFile = _temp["job.json"];
        await File.WriteAllTextAsync(jobFile, job.ToJson(), Cancel);
        var (code, output, error) = CliRunner.Run("train-job", "--job", jobFile, "--store", _temp["store"], "--threads", "1");
        Assert.True(code == 0, error);
        Assert.Contains("run-1: succeeded", output, StringComparison.Ordinal);
        var result = TrainingResult.Parse((await store.TryReadAsync(Containers.Models, "run-1/result.json", Cancel))!.Data)!;
        Assert.Equal(TrainingResult.Succeeded, result.Status);

        var score = await ModelEvaluation.ScoreAsync(store, "run-1", snapshot, _temp["cache"], Cancel);
        Assert.Equal(snapshot.Clips.Count(c => c.HeldOut), score.Clips);
        var decision = await ModelEvaluation.DecideAsync(store, score, null, null, 0.01, Cancel);
        Assert.True(decision.Promoted);

        var inference = new InferenceOptions { Device = "cpu" };
        using var predictor = new Predictor(new ChampionModelSource(store, _temp["serving"], inference, TimeSpan.Zero), inference);
        var prediction = predictor.Predict(WavEncoder.Encode(SyntheticCry.Generate(8000, 1.5, 999).Samples, 8000));
        Assert.Equal("run-1", prediction.ModelId);
        Assert.Contains(prediction.Label, options.Labels);

        // A challenger that is not better by the margin is not promoted; the champion keeps serving.
        var champion = await ModelEvaluation.ReadChampionAsync(store, Cancel);
        var same = await ModelEvaluation.DecideAsync(store, score with { ModelId = "run-1" }, score, champion!.Value.ETag, 0.01, Cancel);
        Assert.False(same.Promoted);

        // A job whose snapshot does not exist fails with a result saying why, and a non-zero exit.
        await File.WriteAllTextAsync(jobFile, (job with { RunId = "run-2", SnapshotId = "missing" }).ToJson(), Cancel);
        (code, _, _) = CliRunner.Run("train-job", "--job", jobFile, "--store", _temp["store"], "--threads", "1");
        Assert.Equal(3, code);
        var failed = TrainingResult.Parse((await store.TryReadAsync(Containers.Models, "run-2/result.json", Cancel))!.Data)!;
        Assert.Equal(TrainingResult.Failed, failed.Status);
        Assert.Contains("missing", failed.Reason, StringComparison.Ordinal);
    }

    public void Dispose() => _temp.Dispose();
}

using Cry.Audio;
using Cry.Audio.Augmentation;
using Cry.Cli.Commands;
using Cry.Features.Specs;
using Cry.Inference;
using Cry.Pipeline;
using Cry.Pipeline.Retraining;
using Cry.Pipeline.Storage;

using Cry.TestSupport;
using Cry.Audio.Wav;

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
                string name = $"{RecordingNames.Uuid(seed)}-{i}.wav";
                await store.WriteAsync(Containers.Clips, $"{label}/{name}", WavEncoder.Encode(SyntheticCry.Generate(8000, 1.5, seed++).Samples, 8000), cancellation: Cancel);
                foreach (var work in (await ingestion.AcceptAsync(label, name, Cancel)).Work)
                {
                    await ingestion.ComputeAsync(work, Cancel);
                }
            }
        }

        // Non-cries for the cry detector: noise at several levels, one app instance each.
        var random = new Random(7);
        for (int i = 0; i < 12; i++)
        {
            float level = 0.05f + (0.2f * (float)random.NextDouble());
            var noise = Enumerable.Range(0, 8000 * 2).Select(_ => level * (float)((random.NextDouble() * 2) - 1)).ToArray();
            string name = $"{RecordingNames.Uuid(1000 + (ulong)i)}-noise.wav";
            await store.WriteAsync(Containers.Clips, $"not_cry/{name}", WavEncoder.Encode(noise, 8000), cancellation: Cancel);
            foreach (var work in (await ingestion.AcceptAsync("not_cry", name, Cancel)).Work)
            {
                await ingestion.ComputeAsync(work, Cancel);
            }
        }

        var snapshot = await DatasetSnapshot.TakeAsync(store, spec, cancellation: Cancel);
        Assert.Equal(48, snapshot.Clips.Count);
        Assert.Contains(snapshot.Clips, c => c.HeldOut);
        Assert.Equal(snapshot.SnapshotId, (await DatasetSnapshot.TakeAsync(store, spec, cancellation: Cancel)).SnapshotId); // unchanged data, same id

        // A clip gone since the snapshot (its audio deleted, its tensors and the snapshot's entry left behind) is not trained on.
        var gone = snapshot.Clips.First(c => !c.HeldOut && c.Label == "hungry");
        Assert.True(await store.DeleteAsync(Containers.Clips, $"{gone.Label}/{gone.Name}", Cancel));

        var job = new TrainingJob { RunId = "run-1", SnapshotId = snapshot.SnapshotId, Epochs = 2, Patience = 0 };
        string jobFile = _temp["job.json"];
        await File.WriteAllTextAsync(jobFile, job.ToJson(), Cancel);
        var (code, output, error) = CliRunner.Run("train-job", "--job", jobFile, "--store", _temp["store"], "--threads", "1");
        Assert.True(code == 0, error);
        Assert.Contains("run-1: succeeded", output, StringComparison.Ordinal);
        Assert.Contains("1 clips of the snapshot are gone since it was taken", output + error, StringComparison.Ordinal);
        var result = TrainingResult.Parse((await store.TryReadAsync(Containers.Models, "run-1/result.json", Cancel))!.Data)!;
        Assert.Equal(TrainingResult.Succeeded, result.Status);

        // The job trains the bundle `cry train` makes: the fold models answer together, with the cry detector.
        var manifest = Cry.Features.Models.ModelManifest.Parse(System.Text.Encoding.UTF8.GetString((await store.TryReadAsync(Containers.Models, "run-1/manifest.json", Cancel))!.Data));
        Assert.Equal(Cry.Features.Models.ModelManifest.CurrentFormatVersion, manifest.FormatVersion);
        Assert.Equal("run-1", manifest.ModelId);
        Assert.NotNull(manifest.Detector);
        foreach (var member in manifest.Members!)
        {
            Assert.NotNull(await store.TryReadAsync(Containers.Models, $"run-1/{member.File}", Cancel));
        }

        var score = await ModelEvaluation.ScoreAsync(store, "run-1", snapshot, _temp["cache"], Cancel);
        Assert.Equal(snapshot.Clips.Count(c => c.HeldOut && c.Label != "not_cry"), score.Clips);
        Assert.NotNull(score.CryRecall);
        Assert.Equal(snapshot.Clips.Count(c => c.HeldOut && c.Label == "not_cry"), score.NonCries);
        var decision = await ModelEvaluation.DecideAsync(store, score, null, null, 0.01, Cancel);
        Assert.True(decision.Promoted);

        var inference = new InferenceOptions { Device = "cpu" };
        using var predictor = new Predictor(new ChampionModelSource(store, _temp["serving"], inference, TimeSpan.Zero), inference);
        // The detector's threshold is set for 97 % cry recall, so a fresh cry may fall under it: nearly all must pass.
        var predictions = Enumerable.Range(999, 6).Select(s => predictor.Predict(WavEncoder.Encode(SyntheticCry.Generate(8000, 1.5, (ulong)s).Samples, 8000))).ToList();
        Assert.All(predictions, p => Assert.Equal("run-1", p.ModelId));
        Assert.All(predictions.Where(p => p.CryDetected == true), p => Assert.Contains(p.Label, options.Labels));
        Assert.True(predictions.Count(p => p.CryDetected == true) >= 5, string.Join(", ", predictions.Select(p => $"{p.CryProbability}")));

        // A challenger that is not better by the margin is not promoted; the champion keeps serving.
        var champion = await ModelEvaluation.ReadChampionAsync(store, Cancel);
        var same = await ModelEvaluation.DecideAsync(store, score with { ModelId = "run-1" }, score, champion!.Value.ETag, 0.01, Cancel);
        Assert.False(same.Promoted);

        // Better needs never buy worse detection: no detector, or a cry recall below the champion's, is not promoted.
        var noDetector = await ModelEvaluation.DecideAsync(store, score with { ModelId = "run-1", MacroF1 = score.MacroF1 + 0.2, CryRecall = null }, score, champion.Value.ETag, 0.01, Cancel);
        Assert.False(noDetector.Promoted);
        Assert.Contains("no cry detector", noDetector.Reason, StringComparison.Ordinal);
        var deafer = await ModelEvaluation.DecideAsync(
            store, score with { ModelId = "run-1", MacroF1 = score.MacroF1 + 0.2, CryRecall = score.CryRecall - 0.05 }, score, champion.Value.ETag, 0.01, Cancel);
        Assert.False(deafer.Promoted);
        Assert.Contains("cry recall", deafer.Reason, StringComparison.Ordinal);

        // A job whose snapshot does not exist fails with a result saying why, and a non-zero exit.
        await File.WriteAllTextAsync(jobFile, (job with { RunId = "run-2", SnapshotId = "missing" }).ToJson(), Cancel);
        (code, _, _) = CliRunner.Run("train-job", "--job", jobFile, "--store", _temp["store"], "--threads", "1");
        Assert.Equal(3, code);
        var failed = TrainingResult.Parse((await store.TryReadAsync(Containers.Models, "run-2/result.json", Cancel))!.Data)!;
        Assert.Equal(TrainingResult.Failed, failed.Status);
        Assert.Contains("missing", failed.Reason, StringComparison.Ordinal);

        // A job that arrives after its deadline (it waited in a queue) is not run: nobody waits for its result.
        await File.WriteAllTextAsync(jobFile, (job with { RunId = "run-3", DeadlineUtc = DateTimeOffset.UtcNow.AddMinutes(-1) }).ToJson(), Cancel);
        (code, output, _) = CliRunner.Run("train-job", "--job", jobFile, "--store", _temp["store"], "--threads", "1");
        Assert.Equal(3, code);
        var late = TrainingResult.Parse((await store.TryReadAsync(Containers.Models, "run-3/result.json", Cancel))!.Data)!;
        Assert.Equal(TrainingResult.Failed, late.Status);
        Assert.Contains("after its deadline", late.Reason, StringComparison.Ordinal);
        Assert.Null(await store.TryReadAsync(Containers.Models, "run-3/manifest.json", Cancel));
    }

    public void Dispose() => _temp.Dispose();
}

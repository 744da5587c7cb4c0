using Cry.Features.Npy;
using Cry.Pipeline;
using Cry.Pipeline.Retraining;
using Cry.Pipeline.Storage;
using Cry.Training.Data;
using Cry.Training.Torch.Experiments;

namespace Cry.Training.Torch.Jobs;

/// <summary>
/// The training job of the pipeline, for any host (<c>cry train-job</c>, a container job, a test): reads the job's
/// snapshot and stored feature tensors (and the clips' audio for the cry detector when the snapshot has
/// <c>not_cry/</c> clips), trains the ensemble bundle of <c>cry train</c> on the training groups, stores it under
/// <c>models/{runId}/</c> and a <c>result.json</c> (a failed result with the reason when training cannot run).
/// Rerunning a run id writes the same paths.
/// </summary>
public sealed class TrainingJobRunner
{
    /// <summary>Folds of the job's grouped cross-validation (lowered to the fewest app instances of a need).</summary>
    public const int DefaultFolds = 5;

    private readonly IArtifactStore _store;
    private readonly int _threads;
    private readonly string _commandLine;
    private readonly Action<string> _log;

    /// <summary>Creates a runner over a store.</summary>
    /// <param name="store">Where the snapshot, the tensors and the clips are, and where the bundle and result go.</param>
    /// <param name="threads">CPU threads for training (checked by the training options: a bad count fails the job with the reason).</param>
    /// <param name="commandLine">What started the job, recorded in the bundle's provenance.</param>
    /// <param name="log">Progress lines.</param>
    public TrainingJobRunner(IArtifactStore store, int threads, string commandLine, Action<string> log)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(commandLine);
        ArgumentNullException.ThrowIfNull(log);
        _store = store;
        _threads = threads;
        _commandLine = commandLine;
        _log = log;
    }

    /// <summary>Runs a job; always writes its result (a failed one with the reason when the job cannot be trained).</summary>
    /// <param name="job">The job.</param>
    /// <param name="cancellation">Cancels the job's reads and writes.</param>
    /// <returns>The result, as written to <see cref="TrainingJob.ResultPath"/>.</returns>
    public async Task<TrainingResult> RunAsync(TrainingJob job, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        TrainingResult result;
        string work = Path.Combine(Path.GetTempPath(), "cry-train-job-" + Guid.NewGuid().ToString("N"));
        try
        {
            if (job.DeadlineUtc is { } deadline && deadline <= DateTimeOffset.UtcNow)
            {
                // Queued past its deadline (a busy GPU pool, a job that waited in the queue): nobody waits for it.
                throw new InvalidOperationException(
                    $"The job arrived after its deadline ({deadline:u}): the orchestration that dispatched it no longer waits for its result, so it was not run.");
            }

            var snapshot = await DatasetSnapshot.ReadAsync(_store, job.SnapshotId, cancellation).ConfigureAwait(false);
            var features = await LoadAsync(job, snapshot, work, cancellation).ConfigureAwait(false);
            string folder = Path.Combine(work, "bundle");
            var trained = EnsembleBundle.Train(features, folder, Options(job, features.Dataset), _commandLine, _log);
            await StoredBundle.UploadAsync(_store, job.RunId, folder, cancellation).ConfigureAwait(false);
            result = new TrainingResult(job.RunId, TrainingResult.Succeeded, null, snapshot.SnapshotId, trained.Report.MacroF1, DateTimeOffset.UtcNow);
        }
        catch (Exception ex) when (ex is DatasetException or InvalidDataException or ArgumentException or InvalidOperationException)
        {
            result = new TrainingResult(job.RunId, TrainingResult.Failed, ex.Message, job.SnapshotId, null, DateTimeOffset.UtcNow);
        }
        finally
        {
            if (Directory.Exists(work))
            {
                Directory.Delete(work, recursive: true);
            }
        }

        await _store.WriteAsync(Containers.Models, job.ResultPath, result.ToJson(), cancellation: cancellation).ConfigureAwait(false);
        _log($"job {job.RunId}: {result.Status}{(result.Reason is null ? string.Empty : $": {result.Reason}")}");
        return result;
    }

    // The snapshot's training clips that still exist, with their stored tensors; the audio too (into work/audio) when
    // the snapshot has non-cries, since the cry detector learns from the audio of every clip, not the stored tensors.
    private async Task<FeaturizedDataset> LoadAsync(TrainingJob job, DatasetSnapshot snapshot, string work, CancellationToken cancellation)
    {
        var training = snapshot.Clips.Where(c => !c.HeldOut).ToList();
        _log($"job {job.RunId}: snapshot {snapshot.SnapshotId}, {training.Count} training clips, {snapshot.Clips.Count - training.Count} held out");
        bool detector = training.Any(c => c.Label == ReservedLabels.NotCry);

        // Only clips that still exist: one erased (or expired) since the snapshot is never trained on, even where a
        // tensor of it outlived the erasure.
        var present = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var item in _store.ListAsync(Containers.Clips, cancellation: cancellation).ConfigureAwait(false))
        {
            present.Add(item.Path);
        }

        int erased = training.RemoveAll(c => !present.Contains($"{c.Label}/{c.Name}"));
        if (erased > 0)
        {
            _log($"job {job.RunId}: {erased} clips of the snapshot are gone since it was taken (erased or expired) and are left out");
        }

        var clips = new List<ClipInfo>();
        var tensors = new List<float[][]>();
        foreach (var clip in training)
        {
            string? audio = detector ? await DownloadAudioAsync(clip, work, cancellation).ConfigureAwait(false) : null;
            if (detector && audio is null)
            {
                continue; // Erased since the snapshot.
            }

            string clipId = ClipInfo.MakeClipId(clip.Label, clip.Name);
            if (ReservedLabels.IsReserved(clip.Label))
            {
                if (audio is not null)
                {
                    clips.Add(new ClipInfo(audio, clip.Label, clip.Group, clipId) { Source = $"clips/{clip.Label}" });
                }

                continue; // For the cry detector only: never a need class.
            }

            var variants = await ReadTensorsAsync(clip, snapshot.Spec.Id, cancellation).ConfigureAwait(false);
            if (variants.Length > 0)
            {
                clips.Add(new ClipInfo(audio ?? $"{clip.Label}/{clip.Name}", clip.Label, clip.Group, clipId) { Source = "clips" });
                tensors.Add(variants);
            }
        }

        if (!detector)
        {
            _log($"job {job.RunId}: the snapshot has no {ReservedLabels.NotCry}/ clips, so the bundle has no cry detector (its answers carry cryDetected: null)");
        }

        return FeaturizedDataset.FromTensors(ClipDataset.FromClips(clips), snapshot.Spec, [.. tensors]);
    }

    // The job's training settings; the grouped folds lowered to the fewest app instances of a need.
    private EnsembleOptions Options(TrainingJob job, ClipDataset dataset)
    {
        int[] groups = dataset.GroupCountsPerLabel();
        int folds = Math.Min(DefaultFolds, groups.Min());
        if (folds < 2)
        {
            throw new DatasetException($"'{dataset.Labels[Array.IndexOf(groups, groups.Min())]}' has clips of {groups.Min()} app instance(s); the grouped folds need at least 2 per need.");
        }

        if (folds < DefaultFolds)
        {
            _log($"job {job.RunId}: {DefaultFolds} folds lowered to {folds}, the fewest app instances of a need");
        }

        return new EnsembleOptions
        {
            ModelId = job.RunId,
            Experiment = new ExperimentOptions
            {
                Folds = folds,
                Seed = (ulong)job.Seed,
                Training = new TrainingOptions { Model = job.Model, Epochs = job.Epochs, Patience = job.Patience, Seed = job.Seed, Threads = _threads },
            },
        };
    }

    // The clip's stored variants in order, up to the first missing one (erased since the snapshot).
    private async Task<float[][]> ReadTensorsAsync(SnapshotClip clip, string specId, CancellationToken cancellation)
    {
        var variants = new List<float[]>();
        for (int v = 0; v < clip.Variants; v++)
        {
            var stored = await _store.TryReadAsync(Containers.Features, clip.TensorPath(specId, v), cancellation).ConfigureAwait(false);
            if (stored is null)
            {
                break;
            }

            variants.Add(NpyFile.Read(new MemoryStream(stored.Data)).ToSingleArray());
        }

        return [.. variants];
    }

    // The clip's audio into work/audio/{label}/{name}; null when it was erased since the snapshot.
    private async Task<string?> DownloadAudioAsync(SnapshotClip clip, string work, CancellationToken cancellation)
    {
        var audio = await _store.TryReadAsync(Containers.Clips, $"{clip.Label}/{clip.Name}", cancellation).ConfigureAwait(false);
        if (audio is null)
        {
            return null;
        }

        string path = Path.Combine(work, "audio", clip.Label, clip.Name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllBytesAsync(path, audio.Data, cancellation).ConfigureAwait(false);
        return path;
    }
}

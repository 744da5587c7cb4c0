using System.CommandLine;
using Azure.Storage.Blobs;
using Cry.Features.Npy;
using Cry.Pipeline;
using Cry.Pipeline.Retraining;
using Cry.Pipeline.Storage;
using Cry.Training.Data;
using Cry.Training.Torch;
using Cry.Training.Torch.Experiments;

namespace Cry.Cli.Commands;

/// <summary>
/// <c>cry train-job</c>: the training job's entry point. Reads the job's snapshot and stored feature tensors (and the
/// clips' audio for the cry detector when the snapshot has <c>not_cry/</c> clips), trains the ensemble bundle of
/// <c>cry train</c> on the training groups, stores it under <c>models/{runId}/</c> and a <c>result.json</c> (a failed result
/// with the reason when training cannot run). Rerunning a run id writes the same paths.
/// </summary>
internal static class TrainJobCommand
{
    /// <summary>The environment variable holding the storage connection string (the same name as the Function app's setting).</summary>
    public const string StorageVariable = "CryStorage";

    public static Command Create(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        var jobFile = new Option<string?>("--job") { Description = "The job document (runId, snapshotId, model, epochs, patience, seed)." };
        var fromServiceBus = new Option<bool>("--from-service-bus")
        {
            Description = $"Receive one job from the training-jobs queue ({ServiceBusConnection.Name} or {ServiceBusConnection.Name}__fullyQualifiedNamespace), " +
                "renew its lock while training, complete it on success, dead-letter it with the reason on failure; exit 0 when no job waits.",
        };
        var storage = new Option<string?>("--storage") { Description = $"A storage connection string (default: ${StorageVariable})." };
        var store = new Option<string?>("--store") { Description = "A local artifact folder instead of Azure Storage (the layout `cry` uses without Azure)." };
        var threads = new Option<int>("--threads") { Description = "CPU threads for training.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var command = new Command("train-job", "Run a training job of the pipeline: snapshot + stored features → models/{runId}/ (bundle and result.json).")
        {
            jobFile, fromServiceBus, storage, store, threads,
        };
        command.SetAction(async (parse, cancellation) =>
        {
            if (parse.GetValue(fromServiceBus) == (parse.GetValue(jobFile) is not null))
            {
                throw new UsageException("Give exactly one of --job FILE and --from-service-bus.");
            }

            if (parse.GetValue(fromServiceBus))
            {
                var bus = OpenStore(parse.GetValue(storage), parse.GetValue(store));
                Azure.Messaging.ServiceBus.ServiceBusClient client;
                try
                {
                    client = ServiceBusConnection.CreateClient(ServiceBusConnection.FromEnvironment);
                }
                catch (Exception ex) when (ex is InvalidOperationException or FormatException or ArgumentException)
                {
                    throw new UsageException($"--from-service-bus: {ex.Message}", ex);
                }

                await using var disposeClient = client;
                await using var receiver = client.CreateReceiver(ServiceBusDispatcher.Queue);
                var (outcome, received, reason) = await new ServiceBusJobReceiver(receiver, TimeSpan.FromSeconds(20)).ReceiveAndRunAsync(
                    (job, token) => RunAsync(bus, job, parse.GetValue(threads), "cry " + string.Join(' ', args), message => error.WriteLine($"cry: {message}"), token),
                    TimeSpan.FromSeconds(30),
                    cancellation);
                output.WriteLine($"train-job: {outcome}{(received is null ? string.Empty : $" {received.RunId}")}{(reason is null ? string.Empty : $" ({reason})")}");
                return outcome == ReceiveOutcome.DeadLettered ? ExitCodes.BadInput : ExitCodes.Success;
            }

            TrainingJob job;
            try
            {
                job = TrainingJob.Parse(await File.ReadAllTextAsync(parse.GetValue(jobFile)!, cancellation));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new BadInputException($"{parse.GetValue(jobFile)}: cannot be read: {ex.Message}", ex);
            }
            catch (InvalidDataException ex)
            {
                throw new BadInputException($"{parse.GetValue(jobFile)}: {ex.Message}", ex);
            }

            var artifacts = OpenStore(parse.GetValue(storage), parse.GetValue(store));
            var result = await RunAsync(artifacts, job, parse.GetValue(threads), "cry " + string.Join(' ', args), message => error.WriteLine($"cry: {message}"), cancellation);
            output.WriteLine($"train-job {job.RunId}: {result.Status}{(result.Reason is null ? string.Empty : $" ({result.Reason})")}");
            return result.Status == TrainingResult.Succeeded ? ExitCodes.Success : ExitCodes.BadInput;
        });
        return command;
    }

    /// <summary>Runs a job against a store; always writes a result.</summary>
    public static async Task<TrainingResult> RunAsync(IArtifactStore store, TrainingJob job, int threads, string commandLine, Action<string> log, CancellationToken cancellation)
    {
        TrainingResult result;
        try
        {
            if (job.DeadlineUtc is { } deadline && deadline <= DateTimeOffset.UtcNow)
            {
                // Queued past its deadline (a busy GPU pool, a job that waited in the queue): nobody waits for it.
                throw new InvalidOperationException(
                    $"The job arrived after its deadline ({deadline:u}): the orchestration that dispatched it no longer waits for its result, so it was not run.");
            }

            var snapshot = await DatasetSnapshot.ReadAsync(store, job.SnapshotId, cancellation);
            var training = snapshot.Clips.Where(c => !c.HeldOut).ToList();
            log($"job {job.RunId}: snapshot {snapshot.SnapshotId}, {training.Count} training clips, {snapshot.Clips.Count - training.Count} held out");

            // The cry detector learns from the audio of every clip (its features are not the stored tensors): the audio is
            // read only when there are non-cries to learn from.
            bool detector = training.Any(c => c.Label == ReservedLabels.NotCry);
            string work = Path.Combine(Path.GetTempPath(), "cry-train-job-" + Guid.NewGuid().ToString("N"));
            try
            {
                // Only clips that still exist: one erased (or expired) since the snapshot is never trained on, even where a
                // tensor of it outlived the erasure.
                var present = new HashSet<string>(StringComparer.Ordinal);
                await foreach (var item in store.ListAsync(Containers.Clips, cancellation: cancellation))
                {
                    present.Add(item.Path);
                }

                int erased = training.RemoveAll(c => !present.Contains($"{c.Label}/{c.Name}"));
                if (erased > 0)
                {
                    log($"job {job.RunId}: {erased} clips of the snapshot are gone since it was taken (erased or expired) and are left out");
                }

                var clips = new List<ClipInfo>();
                var tensors = new List<float[][]>();
                foreach (var clip in training)
                {
                    string? audio = detector ? await DownloadAudioAsync(store, clip, work, cancellation) : null;
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

                    var variants = new List<float[]>();
                    for (int v = 0; v < clip.Variants; v++)
                    {
                        var stored = await store.TryReadAsync(Containers.Features, clip.TensorPath(snapshot.Spec.Id, v), cancellation);
                        if (stored is null)
                        {
                            break; // Erased since the snapshot.
                        }

                        variants.Add(NpyFile.Read(new MemoryStream(stored.Data)).ToSingleArray());
                    }

                    if (variants.Count > 0)
                    {
                        clips.Add(new ClipInfo(audio ?? $"{clip.Label}/{clip.Name}", clip.Label, clip.Group, clipId) { Source = "clips" });
                        tensors.Add([.. variants]);
                    }
                }

                if (!detector)
                {
                    log($"job {job.RunId}: the snapshot has no {ReservedLabels.NotCry}/ clips, so the bundle has no cry detector (its answers carry cryDetected: null)");
                }

                var dataset = ClipDataset.FromClips(clips);
                var features = FeaturizedDataset.FromTensors(dataset, snapshot.Spec, [.. tensors]);
                int[] groups = dataset.GroupCountsPerLabel();
                int folds = Math.Min(DefaultFolds, groups.Min());
                if (folds < 2)
                {
                    throw new DatasetException($"'{dataset.Labels[Array.IndexOf(groups, groups.Min())]}' has clips of {groups.Min()} app instance(s); the grouped folds need at least 2 per need.");
                }

                if (folds < DefaultFolds)
                {
                    log($"job {job.RunId}: {DefaultFolds} folds lowered to {folds}, the fewest app instances of a need");
                }

                var options = new EnsembleOptions
                {
                    ModelId = job.RunId,
                    Experiment = new ExperimentOptions
                    {
                        Folds = folds,
                        Seed = (ulong)job.Seed,
                        Training = new TrainingOptions { Model = job.Model, Epochs = job.Epochs, Patience = job.Patience, Seed = job.Seed, Threads = threads },
                    },
                };
                string folder = Path.Combine(work, "bundle");
                var trained = EnsembleBundle.Train(features, folder, options, commandLine, log);
                await StoredBundle.UploadAsync(store, job.RunId, folder, cancellation);
                result = new TrainingResult(job.RunId, TrainingResult.Succeeded, null, snapshot.SnapshotId, trained.Report.MacroF1, DateTimeOffset.UtcNow);
            }
            finally
            {
                if (Directory.Exists(work))
                {
                    Directory.Delete(work, recursive: true);
                }
            }
        }
        catch (Exception ex) when (ex is DatasetException or InvalidDataException or ArgumentException or InvalidOperationException)
        {
            result = new TrainingResult(job.RunId, TrainingResult.Failed, ex.Message, job.SnapshotId, null, DateTimeOffset.UtcNow);
        }

        await store.WriteAsync(Containers.Models, job.ResultPath, result.ToJson(), cancellation: cancellation);
        log($"job {job.RunId}: {result.Status}{(result.Reason is null ? string.Empty : $": {result.Reason}")}");
        return result;
    }

    /// <summary>Folds of the job's grouped cross-validation (lowered to the fewest app instances of a need).</summary>
    public const int DefaultFolds = 5;

    // The clip's audio into work/audio/{label}/{name}; null when it was erased since the snapshot.
    private static async Task<string?> DownloadAudioAsync(IArtifactStore store, SnapshotClip clip, string work, CancellationToken cancellation)
    {
        var audio = await store.TryReadAsync(Containers.Clips, $"{clip.Label}/{clip.Name}", cancellation);
        if (audio is null)
        {
            return null;
        }

        string path = Path.Combine(work, "audio", clip.Label, clip.Name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllBytesAsync(path, audio.Data, cancellation);
        return path;
    }

    private static IArtifactStore OpenStore(string? connection, string? folder)
    {
        if (folder is not null)
        {
            return new LocalArtifactStore(folder);
        }

        connection ??= Environment.GetEnvironmentVariable(StorageVariable);
        string? serviceUri = Environment.GetEnvironmentVariable($"{StorageVariable}__blobServiceUri");
        if (string.IsNullOrWhiteSpace(connection) && !string.IsNullOrWhiteSpace(serviceUri))
        {
            // In Azure: the job's managed identity (CryStorage__clientId names a user-assigned one), as the Bicep sets it.
            var credential = new Azure.Identity.DefaultAzureCredential(new Azure.Identity.DefaultAzureCredentialOptions
            {
                ManagedIdentityClientId = Environment.GetEnvironmentVariable($"{StorageVariable}__clientId"),
            });
            return new BlobArtifactStore(new BlobServiceClient(new Uri(serviceUri), credential));
        }

        if (string.IsNullOrWhiteSpace(connection))
        {
            throw new UsageException(
                $"Name the storage: --storage CONNECTION_STRING, --store FOLDER, the {StorageVariable} environment variable, " +
                $"or {StorageVariable}__blobServiceUri for a managed identity.");
        }

        try
        {
            return new BlobArtifactStore(new BlobServiceClient(connection));
        }
        catch (FormatException ex)
        {
            throw new UsageException($"The storage connection string is not valid: {ex.Message}", ex);
        }
    }
}

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
/// <c>cry train-job</c>: the training job's entry point. Reads the job's snapshot and stored feature tensors, trains
/// on the training groups, stores the bundle under <c>models/{runId}/</c> and a <c>result.json</c> (a failed result
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
            var snapshot = await DatasetSnapshot.ReadAsync(store, job.SnapshotId, cancellation);
            var training = snapshot.Clips.Where(c => !c.HeldOut).ToList();
            log($"job {job.RunId}: snapshot {snapshot.SnapshotId}, {training.Count} training clips, {snapshot.Clips.Count - training.Count} held out");
            var clips = new List<ClipInfo>();
            var tensors = new List<float[][]>();
            int detectorClips = 0;
            foreach (var clip in training)
            {
                if (ReservedLabels.IsReserved(clip.Label))
                {
                    detectorClips++; // For the cry detector only: never a need class.
                    continue;
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
                    clips.Add(new ClipInfo($"{clip.Label}/{clip.Name}", clip.Label, clip.Group, ClipInfo.MakeClipId(clip.Label, clip.Name)));
                    tensors.Add([.. variants]);
                }
            }

            if (detectorClips > 0)
            {
                log($"job {job.RunId}: {detectorClips} clips of {ReservedLabels.NotCry}/ and {ReservedLabels.Cry}/ are kept out of the need classes; this version trains no cry detector, so the model has none");
            }

            var features = FeaturizedDataset.FromTensors(ClipDataset.FromClips(clips), snapshot.Spec, [.. tensors]);
            var options = new ExperimentOptions
            {
                Seed = (ulong)job.Seed,
                Training = new TrainingOptions { Model = job.Model, Epochs = job.Epochs, Patience = job.Patience, Seed = job.Seed, Threads = threads },
            };
            using var final = ModelBundle.Train(features, options, commandLine, log);
            var named = final with { Manifest = final.Manifest with { ModelId = job.RunId } };
            string folder = Path.Combine(Path.GetTempPath(), "cry-train-job-" + Guid.NewGuid().ToString("N"));
            try
            {
                ModelBundle.Write(folder, named);
                foreach (string file in Directory.GetFiles(folder))
                {
                    await store.WriteAsync(Containers.Models, $"{job.RunId}/{Path.GetFileName(file)}", await File.ReadAllBytesAsync(file, cancellation), cancellation: cancellation);
                }
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }

            result = new TrainingResult(job.RunId, TrainingResult.Succeeded, null, snapshot.SnapshotId, final.Validation.MacroF1, DateTimeOffset.UtcNow);
        }
        catch (Exception ex) when (ex is DatasetException or InvalidDataException or ArgumentException or InvalidOperationException)
        {
            result = new TrainingResult(job.RunId, TrainingResult.Failed, ex.Message, job.SnapshotId, null, DateTimeOffset.UtcNow);
        }

        await store.WriteAsync(Containers.Models, job.ResultPath, result.ToJson(), cancellation: cancellation);
        log($"job {job.RunId}: {result.Status}{(result.Reason is null ? string.Empty : $": {result.Reason}")}");
        return result;
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

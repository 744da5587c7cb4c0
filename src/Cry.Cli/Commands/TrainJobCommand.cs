using System.CommandLine;
using Cry.Azure;
using Cry.Pipeline.Retraining;
using Cry.Pipeline.Storage;
using Cry.Training.Torch.Jobs;
using Microsoft.Extensions.Configuration;

namespace Cry.Cli.Commands;

/// <summary>
/// <c>cry train-job</c>: the training job's entry point, from a job file or one Service Bus message. The arguments pick
/// the store and the job; <see cref="TrainingJobRunner"/> does the work.
/// </summary>
internal static class TrainJobCommand
{
    private const string StorageVariable = AzureConnections.Storage;

    public static Command Create(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        var jobFile = new Option<string?>("--job") { Description = "The job document (runId, snapshotId, model, epochs, patience, seed)." };
        var fromServiceBus = new Option<bool>("--from-service-bus")
        {
            Description = $"Receive one job from the training-jobs queue ({AzureConnections.ServiceBus} or {AzureConnections.ServiceBus}__fullyQualifiedNamespace), " +
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
                var runner = Runner(OpenStore(parse.GetValue(storage), parse.GetValue(store)), parse.GetValue(threads), args, error);
                global::Azure.Messaging.ServiceBus.ServiceBusClient client;
                try
                {
                    client = AzureConnections.CreateServiceBus(AzureConnections.FromEnvironment());
                }
                catch (Exception ex) when (ex is InvalidOperationException or FormatException or ArgumentException)
                {
                    throw new UsageException($"--from-service-bus: {ex.Message}", ex);
                }

                await using var disposeClient = client;
                await using var receiver = client.CreateReceiver(ServiceBusDispatcher.Queue);
                var (outcome, received, reason) = await new ServiceBusJobReceiver(receiver, TimeSpan.FromSeconds(20)).ReceiveAndRunAsync(
                    runner.RunAsync,
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

            var result = await Runner(OpenStore(parse.GetValue(storage), parse.GetValue(store)), parse.GetValue(threads), args, error).RunAsync(job, cancellation);
            output.WriteLine($"train-job {job.RunId}: {result.Status}{(result.Reason is null ? string.Empty : $" ({result.Reason})")}");
            return result.Status == TrainingResult.Succeeded ? ExitCodes.Success : ExitCodes.BadInput;
        });
        return command;
    }

    private static TrainingJobRunner Runner(IArtifactStore store, int threads, IReadOnlyList<string> args, TextWriter error) =>
        new(store, threads, "cry " + string.Join(' ', args), message => error.WriteLine($"cry: {message}"));

    private static IArtifactStore OpenStore(string? connection, string? folder)
    {
        if (folder is not null)
        {
            return new LocalArtifactStore(folder);
        }

        var settings = AzureConnections.FromEnvironment();
        if (connection is not null)
        {
            settings = new ConfigurationBuilder()
                .AddConfiguration(settings)
                .AddInMemoryCollection([new(StorageVariable, connection)])
                .Build();
        }

        try
        {
            return new BlobArtifactStore(AzureConnections.CreateBlobService(settings));
        }
        catch (InvalidOperationException ex)
        {
            throw new UsageException(
                $"Name the storage: --storage CONNECTION_STRING, --store FOLDER, the {StorageVariable} environment variable, " +
                $"or {StorageVariable}__blobServiceUri for a managed identity.", ex);
        }
        catch (UriFormatException ex)
        {
            throw new UsageException($"{StorageVariable}__blobServiceUri is not a valid URI: {ex.Message}", ex);
        }
        catch (FormatException ex)
        {
            throw new UsageException($"The storage connection string is not valid: {ex.Message}", ex);
        }
    }
}

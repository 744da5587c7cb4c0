using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cry.Pipeline.Retraining;

/// <summary>
/// A training job: train a model on a snapshot's training groups and store it as <c>models/{runId}/</c> with a
/// <c>result.json</c>. The same document is a Service Bus message body (message id = run id) or a file for
/// <c>cry train-job --job FILE</c>.
/// </summary>
public sealed record TrainingJob
{
    private static readonly JsonSerializerOptions s_json = new() { WriteIndented = true };

    /// <summary>The run's id; the model's id is the same.</summary>
    [JsonPropertyName("runId")]
    public required string RunId { get; init; }

    /// <summary>The snapshot to train on.</summary>
    [JsonPropertyName("snapshotId")]
    public required string SnapshotId { get; init; }

    /// <summary>The network.</summary>
    [JsonPropertyName("model")]
    public string Model { get; init; } = "crynet-xs";

    /// <summary>Maximum epochs.</summary>
    [JsonPropertyName("epochs")]
    public int Epochs { get; init; } = RetrainDefaults.Epochs;

    /// <summary>Early-stopping patience.</summary>
    [JsonPropertyName("patience")]
    public int Patience { get; init; } = RetrainDefaults.Patience;

    /// <summary>Seed of splits and weights.</summary>
    [JsonPropertyName("seed")]
    public long Seed { get; init; } = 1;

    /// <summary>
    /// When the orchestration stops waiting for this job's result (null: no deadline). A job past it is not wanted:
    /// the local dispatcher kills its process then, and <c>cry train-job</c> refuses to start one that arrives late.
    /// </summary>
    [JsonPropertyName("deadlineUtc")]
    public DateTimeOffset? DeadlineUtc { get; init; }

    /// <summary>The path of the job's result under <c>models/</c>.</summary>
    public string ResultPath => TrainingResult.PathOf(RunId);

    /// <summary>The job as JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, s_json);

    /// <summary>Reads a job document.</summary>
    /// <exception cref="InvalidDataException">It is not a valid job.</exception>
    public static TrainingJob Parse(string json)
    {
        try
        {
            var job = JsonSerializer.Deserialize<TrainingJob>(json, s_json) ?? throw new InvalidDataException("The training job is empty.");
            if (string.IsNullOrWhiteSpace(job.RunId) || job.RunId.Contains('/', StringComparison.Ordinal) || string.IsNullOrWhiteSpace(job.SnapshotId))
            {
                throw new InvalidDataException("The training job needs a runId (no '/') and a snapshotId.");
            }

            return job;
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"The training job is not valid JSON: {ex.Message}", ex);
        }
    }
}

/// <summary>What a training job reports in <c>models/{runId}/result.json</c>.</summary>
public sealed record TrainingResult(
    [property: JsonPropertyName("runId")] string RunId,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("reason")] string? Reason,
    [property: JsonPropertyName("snapshotId")] string SnapshotId,
    [property: JsonPropertyName("validationMacroF1")] double? ValidationMacroF1,
    [property: JsonPropertyName("finishedUtc")] DateTimeOffset FinishedUtc)
{
    /// <summary>A job that produced a bundle.</summary>
    public const string Succeeded = "succeeded";

    /// <summary>A job that did not; <see cref="Reason"/> says why.</summary>
    public const string Failed = "failed";

    /// <summary>The result's path under <c>models/</c>.</summary>
    public static string PathOf(string runId) => $"{runId}/result.json";

    /// <summary>The result as JSON bytes.</summary>
    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this);

    /// <summary>Reads a result.</summary>
    public static TrainingResult? Parse(ReadOnlySpan<byte> json) => JsonSerializer.Deserialize<TrainingResult>(json);
}

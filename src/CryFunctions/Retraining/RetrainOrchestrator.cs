using System.Text.Json.Serialization;
using Cry.Pipeline.Retraining;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace CryFunctions.Retraining;

/// <summary>What started a retraining run.</summary>
/// <param name="Force">Train even when the dataset has not changed since the champion.</param>
/// <param name="Epochs">Maximum epochs of the job.</param>
/// <param name="TimeoutMinutes">How long to wait for the job's result.</param>
/// <param name="Margin">How much better (macro-F1) a challenger must be to be promoted.</param>
public sealed record RetrainRequest(
    [property: JsonPropertyName("force")] bool Force = false,
    [property: JsonPropertyName("epochs")] int Epochs = RetrainDefaults.Epochs,
    [property: JsonPropertyName("timeoutMinutes")] double TimeoutMinutes = RetrainDefaults.TimeoutMinutes,
    [property: JsonPropertyName("margin")] double Margin = RetrainDefaults.PromotionMargin);

/// <summary>The snapshot step's answer.</summary>
public sealed record SnapshotStep(
    [property: JsonPropertyName("snapshotId")] string SnapshotId,
    [property: JsonPropertyName("clips")] int Clips,
    [property: JsonPropertyName("evaluationClips")] int EvaluationClips,
    [property: JsonPropertyName("unchanged")] bool Unchanged);

/// <summary>The evaluation step's input.</summary>
public sealed record EvaluateRequest(
    [property: JsonPropertyName("runId")] string RunId,
    [property: JsonPropertyName("snapshotId")] string SnapshotId,
    [property: JsonPropertyName("margin")] double Margin);

/// <summary>How a retraining run ended (a failed or timed-out job fails the orchestration instead).</summary>
public sealed record RetrainOutcome(
    [property: JsonPropertyName("outcome")] string Outcome,
    [property: JsonPropertyName("runId")] string? RunId,
    [property: JsonPropertyName("snapshotId")] string SnapshotId,
    [property: JsonPropertyName("decision")] PromotionDecision? Decision);

/// <summary>
/// Retraining, a singleton Durable orchestration (instance id <see cref="InstanceId"/>): snapshot → dispatch a training
/// job → wait for its result (events for other run ids are ignored) with a timeout → evaluate challenger and champion
/// on the snapshot's held-out groups → promote only when better. A failed or timed-out job fails the orchestration
/// and the champion keeps serving. Custom status names the step.
/// </summary>
public static class RetrainOrchestrator
{
    /// <summary>The singleton's instance id.</summary>
    public const string InstanceId = "retrain";

    /// <summary>The event a finished job raises.</summary>
    public const string CompletedEvent = "TrainingCompleted";

    /// <summary>The orchestrator function.</summary>
    [Function(nameof(RetrainOrchestrator))]
    public static Task<RetrainOutcome> Run([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return RunAsync(context, context.GetInput<RetrainRequest>() ?? new RetrainRequest());
    }

    /// <summary>The orchestration's logic (also registered directly in the Durable test host).</summary>
    public static async Task<RetrainOutcome> RunAsync(TaskOrchestrationContext context, RetrainRequest request)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(request);
        context.SetCustomStatus(new { step = "snapshot" });
        var snapshot = await context.CallActivityAsync<SnapshotStep>(nameof(RetrainFunctions.RetrainSnapshot), request.Force);
        if (snapshot.Clips == 0 || snapshot.EvaluationClips == 0)
        {
            context.SetCustomStatus(new { step = "done" });
            return new RetrainOutcome("skipped: no processed clips, or none in the evaluation groups", null, snapshot.SnapshotId, null);
        }

        if (snapshot.Unchanged && !request.Force)
        {
            context.SetCustomStatus(new { step = "done" });
            return new RetrainOutcome("skipped: the dataset has not changed since the champion was trained", null, snapshot.SnapshotId, null);
        }

        string runId = $"run-{context.CurrentUtcDateTime:yyyyMMdd-HHmmss}-{context.NewGuid():N}"[..32];
        context.SetCustomStatus(new { step = "training", runId });
        var deadline = context.CurrentUtcDateTime.AddMinutes(request.TimeoutMinutes);

        // The job carries the deadline, so whatever runs it stops it when nobody waits for its result any more.
        await context.CallActivityAsync(nameof(RetrainFunctions.RetrainDispatch), new TrainingJob { RunId = runId, SnapshotId = snapshot.SnapshotId, Epochs = request.Epochs, DeadlineUtc = new DateTimeOffset(deadline, TimeSpan.Zero) });

        TrainingResult result;
        while (true)
        {
            var remaining = deadline - context.CurrentUtcDateTime;
            if (remaining <= TimeSpan.Zero)
            {
                throw new TimeoutException($"Training run {runId} did not report within {request.TimeoutMinutes} minutes.");
            }

            try
            {
                result = await context.WaitForExternalEvent<TrainingResult>(CompletedEvent, remaining);
            }
            catch (TaskCanceledException)
            {
                throw new TimeoutException($"Training run {runId} did not report within {request.TimeoutMinutes} minutes.");
            }

            if (result.RunId == runId)
            {
                break;
            }

            // A result of another run (an old job finishing late): not ours, keep waiting.
        }

        if (result.Status != TrainingResult.Succeeded)
        {
            throw new InvalidOperationException($"Training run {runId} failed: {result.Reason}");
        }

        context.SetCustomStatus(new { step = "evaluating", runId });
        var decision = await context.CallActivityAsync<PromotionDecision>(nameof(RetrainFunctions.RetrainEvaluate), new EvaluateRequest(runId, snapshot.SnapshotId, request.Margin));
        context.SetCustomStatus(new { step = "done", runId });
        return new RetrainOutcome(decision.Promoted ? "promoted" : "not promoted", runId, snapshot.SnapshotId, decision);
    }
}

using System.Collections.Concurrent;
using Cry.Pipeline.Retraining;
using CryFunctions.Retraining;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.Logging;

namespace CryFunctions.Tests;

/// <summary>The retraining orchestration in the Durable in-process test host, with the activities replaced by fakes.</summary>
public sealed class RetrainOrchestrationTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>Fakes of the three activities; the dispatch fake answers like a training job would, through the client.</summary>
    private sealed class Fakes
    {
        public SnapshotStep Snapshot { get; init; } = new("snap-1", 40, 8, Unchanged: false);

        /// <summary>What the "job" reports: null = never reports; otherwise the status (and an extra result of another run first).</summary>
        public string? JobStatus { get; init; } = TrainingResult.Succeeded;

        public bool Promote { get; init; } = true;

        public ConcurrentQueue<string> Calls { get; } = new();

        public ConcurrentQueue<DateTimeOffset?> Deadlines { get; } = new();

        public DurableTaskClient? Client { get; set; }

        public void Register(DurableTaskRegistry registry)
        {
            registry.AddOrchestratorFunc<RetrainRequest, RetrainOutcome>(nameof(RetrainOrchestrator), RetrainOrchestrator.RunAsync);
            registry.AddActivityFunc<bool, SnapshotStep>(nameof(RetrainFunctions.RetrainSnapshot), (_, force) =>
            {
                Calls.Enqueue($"snapshot force={force}");
                return Snapshot;
            });
            registry.AddActivityFunc<TrainingJob, bool>(nameof(RetrainFunctions.RetrainDispatch), (context, job) =>
            {
                Calls.Enqueue($"dispatch {job.SnapshotId}");
                Deadlines.Enqueue(job.DeadlineUtc);
                if (JobStatus is { } status)
                {
                    string instance = context.InstanceId;
                    _ = Task.Run(async () =>
                    {
                        await Task.Delay(200);
                        var other = new TrainingResult("run-from-an-older-job", TrainingResult.Succeeded, null, "snap-0", 0.9, DateTimeOffset.UtcNow);
                        await Client!.RaiseEventAsync(instance, RetrainOrchestrator.CompletedEvent, other);
                        var result = new TrainingResult(job.RunId, status, status == TrainingResult.Failed ? "a class has too few groups" : null, job.SnapshotId, 0.3, DateTimeOffset.UtcNow);
                        await Client!.RaiseEventAsync(instance, RetrainOrchestrator.CompletedEvent, result);
                    });
                }

                return true;
            });
            registry.AddActivityFunc<EvaluateRequest, PromotionDecision>(nameof(RetrainFunctions.RetrainEvaluate), (_, request) =>
            {
                Calls.Enqueue($"evaluate {request.RunId}");
                var challenger = new EvaluationResult(request.RunId, request.SnapshotId, 0.3, 0.35, 8);
                var champion = new EvaluationResult("champion", request.SnapshotId, Promote ? 0.2 : 0.4, 0.3, 8);
                return new PromotionDecision(Promote, Promote ? "better" : "not better", challenger, champion);
            });
        }
    }

    private static async Task<(OrchestrationMetadata Instance, Fakes Fakes)> RunAsync(Fakes fakes, RetrainRequest request)
    {
        // The sidecar's request-by-request logging would bury a failing test's message in the run's output.
        var options = new DurableTaskTestHostOptions { LoggerFactory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Warning).AddConsole()) };
        await using var host = await DurableTaskTestHost.StartAsync(fakes.Register, options, Cancel);
        fakes.Client = host.Client;
        string id = await host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(RetrainOrchestrator), request, Cancel);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        var instance = await host.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, timeout.Token);
        return (instance, fakes);
    }

    [Fact]
    public async Task Success_IgnoresOtherRunsResults_EvaluatesAndPromotes()
    {
        var (instance, fakes) = await RunAsync(new Fakes(), new RetrainRequest());
        Assert.Equal(OrchestrationRuntimeStatus.Completed, instance.RuntimeStatus);
        var outcome = instance.ReadOutputAs<RetrainOutcome>()!;
        Assert.Equal("promoted", outcome.Outcome);
        Assert.Equal("snap-1", outcome.SnapshotId);
        Assert.StartsWith("run-", outcome.RunId, StringComparison.Ordinal);
        Assert.Equal(["snapshot force=False", "dispatch snap-1", $"evaluate {outcome.RunId}"], fakes.Calls);
        Assert.Contains("done", instance.SerializedCustomStatus, StringComparison.Ordinal);

        // The job carries the moment the orchestration stops waiting (the request's timeout from dispatch), so its runner can stop it.
        var deadline = Assert.Single(fakes.Deadlines);
        Assert.NotNull(deadline);
        Assert.InRange(deadline.Value - instance.CreatedAt, TimeSpan.FromMinutes(119), TimeSpan.FromMinutes(121));
    }

    [Fact]
    public async Task WorseChallenger_IsNotPromoted()
    {
        var (instance, _) = await RunAsync(new Fakes { Promote = false }, new RetrainRequest());
        Assert.Equal(OrchestrationRuntimeStatus.Completed, instance.RuntimeStatus);
        Assert.Equal("not promoted", instance.ReadOutputAs<RetrainOutcome>()!.Outcome);
    }

    [Fact]
    public async Task FailedJob_FailsTheOrchestration_WithTheReason_AndNothingIsEvaluated()
    {
        var (instance, fakes) = await RunAsync(new Fakes { JobStatus = TrainingResult.Failed }, new RetrainRequest());
        Assert.Equal(OrchestrationRuntimeStatus.Failed, instance.RuntimeStatus);
        Assert.Contains("too few groups", instance.FailureDetails!.ErrorMessage, StringComparison.Ordinal);
        Assert.DoesNotContain(fakes.Calls, c => c.StartsWith("evaluate", StringComparison.Ordinal));
    }

    [Fact]
    public async Task JobThatNeverReports_TimesOut_AndFails()
    {
        var (instance, fakes) = await RunAsync(new Fakes { JobStatus = null }, new RetrainRequest(TimeoutMinutes: 0.05));
        Assert.Equal(OrchestrationRuntimeStatus.Failed, instance.RuntimeStatus);
        Assert.Contains("did not report", instance.FailureDetails!.ErrorMessage, StringComparison.Ordinal);
        Assert.DoesNotContain(fakes.Calls, c => c.StartsWith("evaluate", StringComparison.Ordinal));
    }

    [Fact]
    public async Task UnchangedDataset_IsSkipped_UnlessForced()
    {
        var unchanged = new SnapshotStep("snap-1", 40, 8, Unchanged: true);
        var (skipped, fakes) = await RunAsync(new Fakes { Snapshot = unchanged }, new RetrainRequest());
        Assert.Equal(OrchestrationRuntimeStatus.Completed, skipped.RuntimeStatus);
        Assert.StartsWith("skipped", skipped.ReadOutputAs<RetrainOutcome>()!.Outcome, StringComparison.Ordinal);
        Assert.Equal(["snapshot force=False"], fakes.Calls);

        var (forced, _) = await RunAsync(new Fakes { Snapshot = unchanged }, new RetrainRequest(Force: true));
        Assert.Equal("promoted", forced.ReadOutputAs<RetrainOutcome>()!.Outcome);
    }

    [Fact]
    public async Task Start_IsASingleton_WhileARunIsInProgress()
    {
        var fakes = new Fakes { JobStatus = null };
        // The sidecar's request-by-request logging would bury a failing test's message in the run's output.
        var options = new DurableTaskTestHostOptions { LoggerFactory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Warning).AddConsole()) };
        await using var host = await DurableTaskTestHost.StartAsync(fakes.Register, options, Cancel);
        fakes.Client = host.Client;
        var request = new RetrainRequest(TimeoutMinutes: 0.2);
        var (first, id) = await RetrainFunctions.StartAsync(host.Client, request, Cancel);
        await host.Client.WaitForInstanceStartAsync(id, Cancel);
        var (second, sameId) = await RetrainFunctions.StartAsync(host.Client, request, Cancel);
        Assert.True(first);
        Assert.False(second);
        Assert.Equal(RetrainOrchestrator.InstanceId, sameId);
    }
}

using System.Diagnostics;

namespace Cry.Pipeline.Retraining;

/// <summary>Sends a training job to whatever runs it; the job reports back by writing <c>models/{runId}/result.json</c>.</summary>
public interface ITrainingDispatcher
{
    /// <summary>Dispatches the job. Dispatching the same run id twice must not run it twice where the transport can prevent it.</summary>
    Task DispatchAsync(TrainingJob job, CancellationToken cancellation = default);
}

/// <summary>
/// The local default: starts <c>cry train-job --job FILE</c> as a separate process (the Function app never loads
/// TorchSharp), with the storage connection in its environment, and returns; the process writes the result blob when it ends. A process still running
/// at the job's <see cref="TrainingJob.DeadlineUtc"/> (when the orchestration stops waiting) is killed with its
/// children, and its log says so.
/// </summary>
/// <param name="command">How to start cry, e.g. <c>dotnet /path/to/out/cli/cry.dll</c> or <c>cry</c>.</param>
/// <param name="environment">Variables set for the job, e.g. the app's storage connection string under its setting's name.</param>
/// <param name="workFolder">Where job files and the job's log go.</param>
public sealed class LocalProcessDispatcher(string command, IReadOnlyDictionary<string, string> environment, string workFolder) : ITrainingDispatcher
{
    /// <inheritdoc/>
    public async Task DispatchAsync(TrainingJob job, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        Directory.CreateDirectory(workFolder);
        string jobFile = Path.Combine(workFolder, $"{job.RunId}.job.json");
        await File.WriteAllTextAsync(jobFile, job.ToJson(), cancellation).ConfigureAwait(false);
        string[] parts = command.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0)
        {
            throw new InvalidOperationException("The train-job command is empty: set Cry__TrainJobCommand.");
        }

        var start = new ProcessStartInfo(parts[0]) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string part in parts.Skip(1))
        {
            start.ArgumentList.Add(part);
        }

        start.ArgumentList.Add("train-job");
        start.ArgumentList.Add("--job");
        start.ArgumentList.Add(jobFile);
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value; // Not on the command line, where other users could read a connection string.
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"'{command}' did not start.");
        string log = Path.Combine(workFolder, $"{job.RunId}.log");
        _ = Task.Run(() => WatchAsync(process, job, log), CancellationToken.None);
    }

    private static async Task WatchAsync(Process process, TrainingJob job, string log)
    {
        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            var error = process.StandardError.ReadToEndAsync(CancellationToken.None);
            string ending = string.Empty;
            while (true)
            {
                // CancelAfter takes at most about 24.8 days: a later deadline is waited for in steps.
                var left = job.DeadlineUtc is { } at ? at - DateTimeOffset.UtcNow : Timeout.InfiniteTimeSpan;
                using var step = new CancellationTokenSource();
                if (left != Timeout.InfiniteTimeSpan)
                {
                    step.CancelAfter(left <= TimeSpan.Zero ? TimeSpan.Zero : left > TimeSpan.FromDays(24) ? TimeSpan.FromDays(24) : left);
                }

                try
                {
                    await process.WaitForExitAsync(step.Token).ConfigureAwait(false);
                    break;
                }
                catch (OperationCanceledException) when (job.DeadlineUtc is { } deadline && deadline > DateTimeOffset.UtcNow)
                {
                    // A step of a far deadline ended: wait on.
                }
                catch (OperationCanceledException)
                {
                    ending = Kill(process, job);
                    break;
                }
            }

            try
            {
                // Whole or not at all: whoever sees the log (an operator, a test waiting for it) reads all of it.
                string partial = log + ".tmp";
                await File.WriteAllTextAsync(partial, await output.ConfigureAwait(false) + await error.ConfigureAwait(false) + ending, CancellationToken.None).ConfigureAwait(false);
                File.Move(partial, log, overwrite: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The work folder went away or is full: the job's own result.json still says how it ended.
            }
        }
    }

    private static string Kill(Process process, TrainingJob job)
    {
        try
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(TimeSpan.FromSeconds(30));
        }
        catch (Exception ex) when (ex is InvalidOperationException or AggregateException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            // It ended on its own just now, or a child could not be signalled: what was killed is said below.
            return $"{Environment.NewLine}cry: job {job.RunId} reached its deadline {job.DeadlineUtc:u}; killing it failed in part ({ex.GetType().Name}).{Environment.NewLine}";
        }

        return $"{Environment.NewLine}cry: job {job.RunId} killed at its deadline {job.DeadlineUtc:u}: the orchestration no longer waits for its result.{Environment.NewLine}";
    }
}

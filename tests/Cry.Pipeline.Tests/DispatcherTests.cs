using Cry.Pipeline.Retraining;

namespace Cry.Pipeline.Tests;

public sealed class DispatcherTests
{
    [Fact]
    public async Task LocalProcess_StartsTheCommandWithTheJobFile_AndPassesStorageInTheEnvironment()
    {
        string folder = Path.Combine(Path.GetTempPath(), "cry-dispatch-" + Guid.NewGuid().ToString("N"));
        try
        {
            // A stand-in for `cry`: a shell that records its arguments and the CryStorage variable.
            string script = Path.Combine(folder, "fake-cry.sh");
            Directory.CreateDirectory(folder);
            File.WriteAllText(script, "#!/bin/sh\necho \"$@\" > \"$(dirname \"$0\")/args.txt\"\necho \"$CryStorage\" > \"$(dirname \"$0\")/storage.txt\"\n");
            var dispatcher = new LocalProcessDispatcher($"sh {script}", new Dictionary<string, string> { ["CryStorage"] = "UseDevelopmentStorage=true" }, folder);

            await dispatcher.DispatchAsync(new TrainingJob { RunId = "run-1", SnapshotId = "s" }, TestContext.Current.CancellationToken);

            string args = Path.Combine(folder, "args.txt");
            var deadline = DateTime.UtcNow.AddSeconds(60); // The log is written when the job has ended; a slow machine may take a while to start it.
            while (DateTime.UtcNow < deadline && !File.Exists(Path.Combine(folder, "run-1.log")))
            {
                await Task.Delay(50, TestContext.Current.CancellationToken);
            }

            Assert.True(File.Exists(Path.Combine(folder, "run-1.log")), "the job did not end within 60 s");

            Assert.Equal($"train-job --job {Path.Combine(folder, "run-1.job.json")}", File.ReadAllText(args).Trim());
            Assert.Equal("UseDevelopmentStorage=true", File.ReadAllText(Path.Combine(folder, "storage.txt")).Trim());
            Assert.Equal("run-1", TrainingJob.Parse(File.ReadAllText(Path.Combine(folder, "run-1.job.json"))).RunId);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task LocalProcess_StillRunningAtTheJobsDeadline_IsKilledWithItsChildren_AndItsLogSaysSo()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "The stand-in job is a POSIX shell script, and /proc tells whether its processes live.");
        string folder = Path.Combine(Path.GetTempPath(), "cry-dispatch-" + Guid.NewGuid().ToString("N"));
        try
        {
            // A job that never ends on its own: a shell whose child sleeps for ten minutes.
            string script = Path.Combine(folder, "slow-cry.sh");
            Directory.CreateDirectory(folder);
            File.WriteAllText(script, "#!/bin/sh\necho $$ > \"$(dirname \"$0\")/shell.pid\"\nsleep 600 &\necho $! > \"$(dirname \"$0\")/child.pid\"\nwait\n");
            var dispatcher = new LocalProcessDispatcher($"sh {script}", new Dictionary<string, string> { ["CryStorage"] = "UseDevelopmentStorage=true" }, folder);
            var job = new TrainingJob { RunId = "run-slow", SnapshotId = "s", DeadlineUtc = DateTimeOffset.UtcNow.AddSeconds(2) };

            await dispatcher.DispatchAsync(job, TestContext.Current.CancellationToken);

            string log = Path.Combine(folder, "run-slow.log");
            var until = DateTime.UtcNow.AddSeconds(60);
            while (!File.Exists(log) && DateTime.UtcNow < until)
            {
                await Task.Delay(100, TestContext.Current.CancellationToken);
            }

            Assert.True(File.Exists(log), "The job was not ended within a minute of its deadline.");
            Assert.Contains("killed at its deadline", File.ReadAllText(log), StringComparison.Ordinal);
            foreach (string pidFile in new[] { "shell.pid", "child.pid" })
            {
                string pid = File.ReadAllText(Path.Combine(folder, pidFile)).Trim();
                Assert.False(IsRunning(pid), $"The job's process {pid} ({pidFile}) still runs after its deadline.");
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    // A zombie (ended, not yet reaped by its parent) counts as ended.
    private static bool IsRunning(string pid)
    {
        string stat = $"/proc/{pid}/stat";
        return File.Exists(stat) && !File.ReadAllText(stat).Split(')')[^1].TrimStart().StartsWith('Z');
    }
}

using System.Diagnostics;
using Cry.TestSupport;

namespace Cry.Deployment.Tests;

/// <summary>Files that hold secrets on a developer's machine never reach a commit.</summary>
public sealed class RepositoryTests
{
    [Theory]
    [InlineData("src/CryFunctions/local.settings.json")] // the README tells people to create it with connection strings
    [InlineData("local.settings.json")]
    public void LocalSettingsWithConnectionStrings_AreIgnoredByGit(string path)
    {
        string root = Repository.Root();
        Assert.SkipUnless(Directory.Exists(Path.Combine(root, ".git")) || File.Exists(Path.Combine(root, ".git")), "not a git checkout");
        using var git = Process.Start(new ProcessStartInfo("git", ["-C", root, "check-ignore", "--no-index", "-q", path])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        });
        Assert.SkipWhen(git is null, "git cannot be started");
        git!.WaitForExit();
        Assert.True(git.ExitCode == 0, $"{path} is not in .gitignore: a developer's connection strings could be committed");
    }
}

using System.Text.RegularExpressions;

using Cry.TestSupport;

namespace Cry.Deployment.Tests;

/// <summary>
/// The Dockerfiles, compose file, azd manifest and hook against the repository: no image is built here (no Docker
/// engine), so these checks are what keeps them from drifting — stages, copied paths, published projects, entry points.
/// </summary>
public sealed partial class ContainerAndAzdTests
{
    [GeneratedRegex(@"^FROM\s+(\S+)(?:\s+AS\s+(\S+))?", RegexOptions.Multiline | RegexOptions.IgnoreCase)]
    private static partial Regex From();

    [GeneratedRegex(@"^COPY\s+(?!--from)(.+)$", RegexOptions.Multiline)]
    private static partial Regex Copy();

    [GeneratedRegex(@"dotnet publish\s+(\S+\.csproj)")]
    private static partial Regex Publish();

    [Theory]
    [InlineData("infra/trainer.Dockerfile", "src/Cry.Cli/Cry.Cli.csproj", new[] { "build", "runtime" })]
    [InlineData("infra/functions.Dockerfile", "src/CryFunctions/CryFunctions.csproj", new[] { "build", "runtime" })]
    public void Dockerfile_StagesCopiesAndPublishedProjectMatchTheRepository(string dockerfile, string project, string[] stages)
    {
        string text = File.ReadAllText(Path.Combine(Repository.Root(), dockerfile));
        Assert.Equal(stages, From().Matches(text).Select(m => m.Groups[2].Value));
        foreach (Match copy in Copy().Matches(text))
        {
            string[] parts = copy.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            foreach (string source in parts[..^1])
            {
                Assert.True(File.Exists(Path.Combine(Repository.Root(), source)) || Directory.Exists(Path.Combine(Repository.Root(), source)), $"{dockerfile} copies {source}, which does not exist");
            }
        }

        Assert.Equal(project, Publish().Match(text).Groups[1].Value);
        Assert.Contains("COPY --from=build", text, StringComparison.Ordinal);
    }

    [Fact]
    public void TrainerImage_RunsTheServiceBusJob_WithTheCudaBackend()
    {
        string text = File.ReadAllText(Path.Combine(Repository.Root(), "infra/trainer.Dockerfile"));
        Assert.Contains("-p:TorchBackend=cuda", text, StringComparison.Ordinal);
        Assert.Contains("ENTRYPOINT [\"dotnet\", \"/app/cry.dll\"]", text, StringComparison.Ordinal);
        Assert.Contains("CMD [\"train-job\", \"--from-service-bus\"]", text, StringComparison.Ordinal);
        Assert.Contains("Option<bool>(\"--from-service-bus\")", File.ReadAllText(Path.Combine(Repository.Root(), "src/Cry.Cli/Commands/TrainJobCommand.cs")), StringComparison.Ordinal);
        Assert.Contains("<AssemblyName>cry</AssemblyName>", File.ReadAllText(Path.Combine(Repository.Root(), "src/Cry.Cli/Cry.Cli.csproj")), StringComparison.Ordinal);
        Assert.Contains("'cuda'", File.ReadAllText(Path.Combine(Repository.Root(), "src/Cry.Training.Torch/Cry.Training.Torch.csproj")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("infra/trainer.Dockerfile")]
    [InlineData("infra/functions.Dockerfile")]
    public void Images_InstallFfmpegInTheRuntimeStage_ForThePhoneFormats(string dockerfile)
    {
        string text = File.ReadAllText(Path.Combine(Repository.Root(), dockerfile));
        string runtime = text[text.IndexOf("AS runtime", StringComparison.Ordinal)..];
        Assert.Matches(@"apt-get install -y --no-install-recommends [^\n]*\bffmpeg\b", runtime);
    }

    [Fact]
    public void Azd_PointsAtTheBicepAndBothServices_AndTheHookExists()
    {
        string azure = File.ReadAllText(Path.Combine(Repository.Root(), "azure.yaml"));
        Assert.Contains("path: bicep", azure, StringComparison.Ordinal);
        Assert.Contains("project: src/CryFunctions", azure, StringComparison.Ordinal);
        Assert.Contains("path: infra/trainer.Dockerfile", azure, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(Repository.Root(), "bicep", "main.bicep")));
        Assert.True(File.Exists(Path.Combine(Repository.Root(), "bicep", "main.parameters.json")));
        string hook = File.ReadAllText(Path.Combine(Repository.Root(), "infra/hooks/postdeploy.sh"));
        Assert.Contains("blobs_extension", hook, StringComparison.Ordinal);
        Assert.DoesNotContain("echo \"$key", hook, StringComparison.Ordinal); // the key is never printed
        Assert.DoesNotContain("set -x", hook, StringComparison.Ordinal);
        foreach (string function in new[] { "ClipUploadedEventGrid", "TrainingResultWrittenEventGrid" })
        {
            Assert.Contains(function, hook, StringComparison.Ordinal);
            Assert.Contains($"[Function(nameof({function}))]", File.ReadAllText(Path.Combine(Repository.Root(), function.StartsWith("Clip", StringComparison.Ordinal)
                ? "src/CryFunctions/Functions/ClipFunctions.cs" : "src/CryFunctions/Retraining/RetrainFunctions.cs")), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Compose_HasAzuriteAndTheServiceBusEmulatorWithTheQueue()
    {
        string compose = File.ReadAllText(Path.Combine(Repository.Root(), "infra/docker-compose.yml"));
        Assert.Contains("azurite", compose, StringComparison.Ordinal);
        Assert.Contains("servicebus-emulator", compose, StringComparison.Ordinal);
        Assert.Contains("\"training-jobs\"", File.ReadAllText(Path.Combine(Repository.Root(), "infra/servicebus-emulator.json")), StringComparison.Ordinal);
    }
}

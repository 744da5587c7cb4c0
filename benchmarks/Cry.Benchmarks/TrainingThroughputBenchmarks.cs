using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.CsProj;
using BenchmarkDotNet.Toolchains.DotNetCli;
using Cry.Training.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Cry.Training.Torch.Models;

namespace Cry.Benchmarks;

/// <summary>One CryNet-S training step (forward, backward, Adam) on a batch of 32 random 3 × 64 × 64 images, on 2 CPU threads.</summary>
/// <remarks>
/// Throughput is 32 samples divided by the reported time per operation. The benchmark process is started with the
/// dotnet named by the DOTNET environment variable (set by infra/dotnet-env.sh), so that on Debian 12 it runs on the
/// private .NET root whose libstdc++ TorchSharp can load; BenchmarkDotNet would otherwise use the dotnet on PATH.
/// </remarks>
[MedianColumn]
[Config(typeof(TorchDotNetConfig))]
public class TrainingThroughputBenchmarks
{
    private const int BatchSize = 32;
    private Sequential? _model;
    private optim.Optimizer? _optimizer;
    private Tensor? _inputs;
    private Tensor? _labels;

    [GlobalSetup]
    public void Setup()
    {
        set_num_threads(2);
        random.manual_seed(1);
        _model = ModelFactory.Create(CryNetS.Name, 3, 64, 5);
        _model.train();
        _optimizer = optim.Adam(_model.parameters(), lr: 1e-3);
        _inputs = randn(BatchSize, 3, 64, 64);
        _labels = randint(0, 5, [BatchSize]);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _inputs?.Dispose();
        _labels?.Dispose();
        _optimizer?.Dispose();
        _model?.Dispose();
    }

    /// <summary>The step the trainer takes per batch.</summary>
    [Benchmark]
    public float TrainStep()
    {
        using var scope = NewDisposeScope();
        _optimizer!.zero_grad();
        var loss = nn.functional.cross_entropy(_model!.forward(_inputs!), _labels!);
        loss.backward();
        _optimizer.step();
        return loss.item<float>();
    }
}

/// <summary>Runs every job of the class with the dotnet named by the DOTNET environment variable, when set.</summary>
internal sealed class TorchDotNetConfig : ManualConfig
{
    public TorchDotNetConfig()
    {
        string? dotnet = Environment.GetEnvironmentVariable("DOTNET");
        if (!string.IsNullOrEmpty(dotnet) && File.Exists(dotnet))
        {
            var settings = new NetCoreAppSettings("net10.0", runtimeFrameworkVersion: null, name: ".NET 10.0", customDotNetCliPath: dotnet);
            // A mutator changes the jobs given on the command line (e.g. --job short) instead of adding one.
            AddJob(Job.Default.WithToolchain(CsProjCoreToolchain.From(settings)).AsMutator());
        }
    }
}

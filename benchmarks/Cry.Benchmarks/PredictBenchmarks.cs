using BenchmarkDotNet.Attributes;
using Cry.Audio;
using Cry.Inference;
using Cry.Audio.Wav;

namespace Cry.Benchmarks;

/// <summary>
/// In-process prediction of one recording, on one thread: decode + features + ONNX Runtime (CPU) + calibration, with
/// CryNet-S on tsi-rgb64. Goal for a 7 s clip: p50 ≤ 2 ms, p99 ≤ 5 ms (PyTorch eager inference alone: 8.9 ms;
/// Python features: 5.4 ms). Per-call percentiles come from <c>-- latency</c> (see Program.cs); this class gives
/// BenchmarkDotNet's medians and allocations.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[Config(typeof(TorchDotNetConfig))]
public class PredictBenchmarks
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "cry-bench-" + Guid.NewGuid().ToString("N"));
    private Predictor? _predictor;
    private byte[] _clip = [];
    private byte[] _long = [];

    [GlobalSetup]
    public void Setup()
    {
        BenchmarkBundle.Write(_folder);
        _predictor = Predictor.FromFolder(_folder, new InferenceOptions { Device = "cpu", Threads = 1 });
        _clip = WavEncoder.Encode(SyntheticCry.Generate(8000, 7.0, seed: 1).Samples, 8000);
        _long = WavEncoder.Encode(SyntheticCry.Generate(8000, 60.0, seed: 2).Samples, 8000);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _predictor?.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>A 7 s, 8 kHz, 16-bit clip: one window.</summary>
    [Benchmark(Baseline = true)]
    public PredictionResult Predict7s() => _predictor!.Predict(_clip);

    /// <summary>A 60 s recording: 18 half-overlapping windows in one batch.</summary>
    [Benchmark]
    public PredictionResult Predict60s() => _predictor!.Predict(_long);
}

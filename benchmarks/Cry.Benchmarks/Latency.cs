using System.Diagnostics;
using Cry.Audio;
using Cry.Inference;
using Cry.Audio.Wav;

namespace Cry.Benchmarks;

/// <summary>
/// Per-call latency of in-process prediction of a 7 s clip on one thread: every call is timed on its own, so the
/// percentiles are of single predictions (BenchmarkDotNet reports means of batches of calls).
/// </summary>
internal static class Latency
{
    public static int Run(int calls, int members = 0, string model = Cry.Training.Torch.Models.CryNetS.Name)
    {
        string folder = Path.Combine(Path.GetTempPath(), "cry-latency-" + Guid.NewGuid().ToString("N"));
        try
        {
            if (members > 0)
            {
                BenchmarkBundle.WriteEnsemble(folder, members, model);
            }
            else
            {
                BenchmarkBundle.Write(folder);
            }

            using var predictor = Predictor.FromFolder(folder, new InferenceOptions { Device = "cpu", Threads = 1 });
            byte[] clip = WavEncoder.Encode(SyntheticCry.Generate(8000, 7.0, seed: 1).Samples, 8000);
            for (int i = 0; i < 500; i++)
            {
                predictor.Predict(clip); // Warm-up: JIT, pools, ONNX Runtime's first runs.
            }

            var times = new double[calls];
            for (int i = 0; i < calls; i++)
            {
                long start = Stopwatch.GetTimestamp();
                predictor.Predict(clip);
                times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }

            Array.Sort(times);
            double P(double q) => times[Math.Min(calls - 1, (int)Math.Ceiling(q * calls) - 1)];
            Console.WriteLine($"predict 7 s clip, {(members > 0 ? $"cry detector + {members}-member {model} ensemble + sets" : "one model")}, one thread, {calls} calls: p50 {P(0.5):0.000} ms, p90 {P(0.9):0.000} ms, p99 {P(0.99):0.000} ms, max {times[^1]:0.000} ms");
            Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture}, .NET {Environment.Version}");
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}

using Cry.Audio;
using Cry.TestSupport;

namespace Cry.Inference.Tests;

public sealed class HotSwapModelSourceTests : IDisposable
{
    private static readonly string[] s_labels = ["hungry", "tired"];
    private static readonly InferenceOptions s_cpu = new() { Device = "cpu" };
    private readonly TempBundles _temp = new();

    [Fact]
    public void ChangedBundle_ServesTheNextRequest_WhileALeaseInFlightKeepsTheOldModel()
    {
        string folder = _temp["model"];
        TinyBundle.Create(s_labels, "first").Write(folder);
        var log = new List<string>();
        using var source = new HotSwapModelSource(folder, s_cpu, TimeSpan.Zero, log.Add);
        using var inFlight = source.Acquire();
        Assert.Equal("first", inFlight.Model.Manifest.ModelId);

        var second = TinyBundle.Create(s_labels, "second") with { Bias = [5, -5] };
        second.Write(folder);
        using (var next = source.Acquire())
        {
            Assert.Equal("second", next.Model.Manifest.ModelId);
        }

        // The request that started before the swap still runs on the first model.
        var input = new float[inFlight.Model.InputLength];
        Assert.Equal(2, inFlight.Model.PredictProbabilities(input, 1).Length);
        Assert.Contains(log, line => line.Contains("now serving second", StringComparison.Ordinal));
    }

    [Fact]
    public void AHalfWrittenBundle_KeepsTheCurrentModel_AndIsTakenOnceComplete()
    {
        string folder = _temp["model"];
        TinyBundle.Create(s_labels, "first").Write(folder);
        var log = new List<string>();
        using var source = new HotSwapModelSource(folder, s_cpu, TimeSpan.Zero, log.Add);

        // A new model.onnx next to the old manifest: the manifest's SHA-256 does not match.
        var second = TinyBundle.Create(s_labels, "second") with { Bias = [1, 2] };
        File.WriteAllBytes(Path.Combine(folder, "model.onnx"), second.OnnxBytes());
        using (var lease = source.Acquire())
        {
            Assert.Equal("first", lease.Model.Manifest.ModelId);
        }

        Assert.Contains(log, line => line.Contains("still serving first", StringComparison.Ordinal) && line.Contains("SHA-256", StringComparison.Ordinal));

        second.Write(folder);
        using (var lease = source.Acquire())
        {
            Assert.Equal("second", lease.Model.Manifest.ModelId);
        }
    }

    [Fact]
    public async Task ConcurrentRequestsDuringSwaps_NeverFail()
    {
        string folder = _temp["model"];
        TinyBundle.Create(s_labels, "v0").Write(folder);
        using var predictor = new Predictor(new HotSwapModelSource(folder, s_cpu, TimeSpan.Zero), s_cpu);
        var clip = SyntheticCry.Generate(8000, 2.0, seed: 4);
        using var stop = new CancellationTokenSource();
        var workers = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            int done = 0;
            while (!stop.IsCancellationRequested || done < 3)
            {
                Assert.StartsWith("v", predictor.Predict(clip).ModelId, StringComparison.Ordinal);
                done++;
            }
        }, TestContext.Current.CancellationToken)).ToArray();

        for (int v = 1; v <= 8; v++)
        {
            TinyBundle.Create(s_labels, $"v{v}").Write(folder);
            await Task.Delay(30, TestContext.Current.CancellationToken);
        }

        await stop.CancelAsync();
        await Task.WhenAll(workers); // Throws if any request failed.
        Assert.Equal("v8", predictor.Predict(clip).ModelId); // The next request after the last swap is served by it.
        using var last = predictor.AcquireModel();
        Assert.Equal("v8", last.Model.Manifest.ModelId);
    }

    [Fact]
    public void AReleasedLeaseCannotBeUsed()
    {
        string folder = _temp["model"];
        TinyBundle.Create(s_labels).Write(folder);
        using var source = new HotSwapModelSource(folder, s_cpu);
        var lease = source.Acquire();
        lease.Dispose();
        lease.Dispose(); // Twice is harmless.
        Assert.Throws<ObjectDisposedException>(() => lease.Model);
    }

    public void Dispose() => _temp.Dispose();
}

using Cry.Training.Torch.Onnx;
using Microsoft.ML.OnnxRuntime;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cry.Training.Torch.Tests.Onnx;

/// <summary>Builds test networks, exports them and runs the same inputs through TorchSharp and ONNX Runtime.</summary>
internal static class OnnxParity
{
    /// <summary>The largest absolute difference accepted between the two runtimes' outputs.</summary>
    public const float Tolerance = 1e-4f;

    /// <summary>Gives every BatchNorm2d random affine parameters, then running statistics from a few training-mode forwards, and switches to eval.</summary>
    public static void PrepareForExport(Sequential model, long[] inputShape, int seed)
    {
        using var scope = NewDisposeScope();
        TorchSharp.torch.random.manual_seed(seed);
        using (no_grad())
        {
            foreach (var module in model.modules())
            {
                if (module is BatchNorm2d norm)
                {
                    norm.weight!.uniform_(0.5, 1.5);
                    norm.bias!.uniform_(-0.3, 0.3);
                }
            }

            model.train();
            for (int step = 0; step < 3; step++)
            {
                // Inputs off zero mean and unit variance, so the running statistics move away from their initial 0 and 1.
                var batch = (randn([4, .. inputShape]) * 1.7) + 0.4;
                model.forward(batch);
            }
        }

        model.eval();
    }

    /// <summary>Exports to bytes in memory.</summary>
    public static byte[] Export(Sequential model, long[] inputShape, OnnxExportOptions? options = null)
    {
        using var stream = new MemoryStream();
        OnnxExporter.Export(model, inputShape, stream, options);
        return stream.ToArray();
    }

    /// <summary>A single-threaded CPU session.</summary>
    public static InferenceSession CreateSession(byte[] onnx)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        return new InferenceSession(onnx, options);
    }

    /// <summary>Seeded inputs in [−2, 2).</summary>
    public static float[] RandomInput(int seed, long count)
    {
        var random = new Random(seed);
        float[] values = new float[count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)((random.NextDouble() * 4.0) - 2.0);
        }

        return values;
    }

    /// <summary>The model's output in TorchSharp.</summary>
    public static float[] RunTorch(Sequential model, float[] input, long[] shape)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var output = model.forward(tensor(input, shape));
        return output.contiguous().data<float>().ToArray();
    }

    /// <summary>The model's output in ONNX Runtime, with its shape.</summary>
    public static (float[] Values, long[] Shape) RunOrt(InferenceSession session, float[] input, long[] shape)
    {
        using var value = OrtValue.CreateTensorValueFromMemory(input, shape);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, [OnnxExporter.InputName], [value], [OnnxExporter.OutputName]);
        var output = outputs[0];
        return (output.GetTensorDataAsSpan<float>().ToArray(), output.GetTensorTypeAndShape().Shape);
    }

    /// <summary>Runs batches of 1 and 4 seeded inputs through one session and the model; returns the worst absolute difference.</summary>
    public static float MaxDifference(Sequential model, long[] inputShape, byte[] onnx, int seed, long classes)
    {
        using var session = CreateSession(onnx);
        float worst = 0f;
        float largest = 0f;
        foreach (long batch in new long[] { 1, 4 })
        {
            long[] shape = [batch, .. inputShape];
            float[] input = RandomInput(seed + (int)batch, shape.Aggregate(1L, (a, b) => a * b));
            float[] expected = RunTorch(model, input, shape);
            var (actual, actualShape) = RunOrt(session, input, shape);
            Assert.Equal(new[] { batch, classes }, actualShape);
            Assert.Equal(expected.Length, actual.Length);
            for (int i = 0; i < expected.Length; i++)
            {
                Assert.True(float.IsFinite(expected[i]), "TorchSharp output is not finite.");
                worst = Math.Max(worst, Math.Abs(expected[i] - actual[i]));
                largest = Math.Max(largest, Math.Abs(expected[i]));
            }
        }

        // Outputs near zero would make any graph look right.
        Assert.True(largest > 0.05f, $"The outputs are too small ({largest}) to compare.");

        return worst;
    }
}

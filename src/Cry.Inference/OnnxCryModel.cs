using Cry.Features.Models;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Cry.Inference;

/// <summary>A model bundle loaded for inference: its manifest and one ONNX Runtime session (CPU), checked against each other.</summary>
/// <remarks>
/// <see cref="PredictProbabilities"/> applies the manifest's per-channel normalisation, runs the network and turns the
/// logits into probabilities with the manifest's temperature: p = softmax(logits / T). The session is thread-safe for
/// concurrent runs; dispose the model to release it.
/// </remarks>
public sealed class OnnxCryModel : IDisposable
{
    private readonly InferenceSession _session;
    private readonly string _inputName;

    private OnnxCryModel(ModelManifest manifest, InferenceSession session, string inputName)
    {
        Manifest = manifest;
        _session = session;
        _inputName = inputName;
    }

    /// <summary>The bundle's manifest.</summary>
    public ModelManifest Manifest { get; }

    /// <summary>Floats per input tensor (C × H × W).</summary>
    public int InputLength => Manifest.InputShape[0] * Manifest.InputShape[1] * Manifest.InputShape[2];

    /// <summary>Loads and checks a bundle folder (manifest.json + model.onnx).</summary>
    /// <exception cref="ModelBundleException">The folder, manifest or model is missing, broken or inconsistent.</exception>
    public static OnnxCryModel Load(string folder)
    {
        string manifestPath = Path.Combine(folder, ModelManifest.FileName);
        string modelPath = Path.Combine(folder, "model.onnx");
        if (!Directory.Exists(folder))
        {
            throw new ModelBundleException($"{folder}: model folder not found.");
        }

        if (!File.Exists(manifestPath) || !File.Exists(modelPath))
        {
            throw new ModelBundleException($"{folder}: a model bundle needs {ModelManifest.FileName} and model.onnx.");
        }

        ModelManifest manifest;
        try
        {
            manifest = ModelManifest.Parse(File.ReadAllText(manifestPath));
        }
        catch (InvalidDataException ex)
        {
            throw new ModelBundleException($"{manifestPath}: {ex.Message}", ex);
        }

        InferenceSession session;
        try
        {
            using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
            session = new InferenceSession(modelPath, options);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new ModelBundleException($"{modelPath}: ONNX Runtime cannot load the model: {ex.Message}", ex);
        }

        try
        {
            var input = session.InputMetadata.Single();
            var output = session.OutputMetadata.Single();
            int[] inputDims = input.Value.Dimensions;
            int[] outputDims = output.Value.Dimensions;
            bool inputMatches = inputDims.Length == 4 && inputDims.Skip(1).SequenceEqual(manifest.InputShape);
            bool outputMatches = outputDims.Length == 2 && outputDims[1] == manifest.Labels.Count;
            if (!inputMatches || !outputMatches)
            {
                throw new ModelBundleException(
                    $"{folder}: model.onnx takes [{string.Join(", ", inputDims)}] and gives [{string.Join(", ", outputDims)}], " +
                    $"but the manifest says input ({string.Join(", ", manifest.InputShape)}) and {manifest.Labels.Count} labels.");
            }

            return new OnnxCryModel(manifest, session, input.Key);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>Probabilities (count × labels, row-major) for <paramref name="count"/> feature tensors laid end to end.</summary>
    /// <exception cref="ArgumentException">The input length is not count × <see cref="InputLength"/>.</exception>
    public float[] PredictProbabilities(ReadOnlySpan<float> inputs, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (inputs.Length != count * InputLength)
        {
            throw new ArgumentException($"Expected {count} × {InputLength} values, got {inputs.Length}.", nameof(inputs));
        }

        int classes = Manifest.Labels.Count;
        var probabilities = new float[count * classes];
        const int batch = 64;
        var shape = Manifest.InputShape;
        int plane = shape[1] * shape[2];
        for (int first = 0; first < count; first += batch)
        {
            int n = Math.Min(batch, count - first);
            var data = inputs.Slice(first * InputLength, n * InputLength).ToArray();
            for (int i = 0; i < n; i++)
            {
                for (int c = 0; c < shape[0]; c++)
                {
                    float mean = Manifest.Normalisation.Mean[c], std = Manifest.Normalisation.Std[c];
                    var channel = data.AsSpan((i * InputLength) + (c * plane), plane);
                    for (int p = 0; p < plane; p++)
                    {
                        channel[p] = (channel[p] - mean) / std;
                    }
                }
            }

            var tensor = new DenseTensor<float>(data, [n, shape[0], shape[1], shape[2]]);
            using var results = _session.Run([NamedOnnxValue.CreateFromTensor(_inputName, tensor)]);
            var logits = results[0].AsEnumerable<float>().ToArray();
            Softmax(logits, Manifest.Temperature, probabilities.AsSpan(first * classes, n * classes), classes);
        }

        return probabilities;
    }

    /// <inheritdoc/>
    public void Dispose() => _session.Dispose();

    private static void Softmax(ReadOnlySpan<float> logits, double temperature, Span<float> destination, int classes)
    {
        for (int row = 0; row < logits.Length / classes; row++)
        {
            var z = logits.Slice(row * classes, classes);
            var p = destination.Slice(row * classes, classes);
            double max = double.NegativeInfinity;
            foreach (float v in z)
            {
                max = Math.Max(max, v / temperature);
            }

            double sum = 0;
            for (int k = 0; k < classes; k++)
            {
                double e = Math.Exp((z[k] / temperature) - max);
                p[k] = (float)e;
                sum += e;
            }

            for (int k = 0; k < classes; k++)
            {
                p[k] = (float)(p[k] / sum);
            }
        }
    }
}

using System.Buffers;
using System.Security.Cryptography;
using Cry.Features.Guarantees;
using Cry.Features.Models;
using Microsoft.ML.OnnxRuntime;

namespace Cry.Inference;

/// <summary>A model bundle loaded for inference: its manifest and one ONNX Runtime session, checked against each other.</summary>
/// <remarks>
/// <see cref="PredictProbabilities(ReadOnlySpan{float}, int, Span{float})"/> applies the manifest's per-channel
/// normalisation, runs the network and turns the logits into probabilities with the manifest's temperature:
/// p = softmax(logits / T). One session serves every caller: ONNX Runtime sessions are safe for concurrent runs.
/// Input tensors are built in pooled buffers through the OrtValue API; threads do not spin while idle.
/// Dispose the model to release the session.
/// </remarks>
public sealed class OnnxCryModel : IDisposable
{
    /// <summary>The ONNX file of a single-model (format 1) bundle.</summary>
    public const string SingleModelFile = "model.onnx";

    /// <summary>The metrics file of a bundle.</summary>
    public const string MetricsFile = "metrics.json";

    private readonly Member[] _members;
    private readonly long[] _shape;
    private readonly int _maxBatch;
    private readonly double _temperature;
    private readonly double[] _bias;

    private OnnxCryModel(ModelManifest manifest, Member[] members, string device, int maxBatch)
    {
        Manifest = manifest;
        Folder = string.Empty;
        _members = members;
        Device = device;
        _maxBatch = maxBatch;
        _shape = [.. manifest.InputShape.Select(d => (long)d)];
        _temperature = manifest.Calibration?.Temperature ?? manifest.Temperature;
        _bias = manifest.Calibration is { } c ? [.. c.Bias] : [];
        if (manifest.Conformal is { } conformal)
        {
            var scores = new List<CalibrationScore>();
            for (int label = 0; label < conformal.Scores.Count; label++)
            {
                for (int fold = 0; fold < conformal.Scores[label].Count; fold++)
                {
                    scores.AddRange(conformal.Scores[label][fold].Select(p => new CalibrationScore(label, fold, p)));
                }
            }

            Conformal = MondrianConformal.Fit(scores, manifest.Labels.Count, members.Length, conformal.Alpha);
        }
    }

    /// <summary>The conformal sets of a format-2 bundle; null for a single-model bundle.</summary>
    public MondrianConformal? Conformal { get; }

    /// <summary>The number of models that answer together (1 for a single-model bundle).</summary>
    public int MemberCount => _members.Length;

    /// <summary>The bundle's manifest.</summary>
    public ModelManifest Manifest { get; }

    /// <summary>The bundle folder the model was loaded from.</summary>
    public string Folder { get; private init; }

    /// <summary>The bundle's metrics.json as written by training, or null when the bundle has none.</summary>
    public string? MetricsJson { get; private init; }

    /// <summary>The device the session runs on: "cpu" or "cuda".</summary>
    public string Device { get; }

    /// <summary>Floats per input tensor (C × H × W).</summary>
    public int InputLength => Manifest.InputShape[0] * Manifest.InputShape[1] * Manifest.InputShape[2];

    /// <summary>Loads and checks a bundle folder (manifest.json + model.onnx) for the CPU, one thread.</summary>
    /// <exception cref="ModelBundleException">The folder, manifest or model is missing, broken or inconsistent.</exception>
    public static OnnxCryModel Load(string folder) => Load(folder, new InferenceOptions { Device = "cpu" });

    /// <summary>Loads and checks a bundle folder (manifest.json + model.onnx).</summary>
    /// <param name="folder">The bundle folder.</param>
    /// <param name="options">Device, threads and batch size.</param>
    /// <param name="log">Receives the one line saying that "auto" fell back to the CPU, and why.</param>
    /// <exception cref="ModelBundleException">The folder, manifest or model is missing, broken or inconsistent.</exception>
    /// <exception cref="InferenceDeviceException">Device "cuda" was asked for and ONNX Runtime cannot use CUDA here.</exception>
    public static OnnxCryModel Load(string folder, InferenceOptions options, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        string manifestPath = Path.Combine(folder, ModelManifest.FileName);
        if (!Directory.Exists(folder))
        {
            throw new ModelBundleException($"{folder}: model folder not found.");
        }

        if (!File.Exists(manifestPath))
        {
            throw new ModelBundleException($"{folder}: a model bundle needs {ModelManifest.FileName} and model.onnx (or the member models its manifest lists).");
        }

        ModelManifest manifest;
        try
        {
            manifest = ModelManifest.Parse(File.ReadAllText(manifestPath));
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException)
        {
            throw new ModelBundleException($"{manifestPath}: {ex.Message}", ex);
        }

        var files = manifest.Members is { } listed
            ? listed.Select(m => (m.File, (string?)m.Sha256, m.Normalisation)).ToList()
            : [(SingleModelFile, manifest.ModelSha256, manifest.Normalisation)];
        var members = new List<Member>();
        string device = "cpu";
        try
        {
            foreach (var (file, sha256, normalisation) in files)
            {
                var (session, memberDevice) = LoadMember(folder, file, sha256, manifest, options, log);
                device = memberDevice;
                options = options with { Device = device }; // The other members go where the first went: one fallback line, not k.
                members.Add(new Member(session, session.InputMetadata.Single().Key, session.OutputMetadata.Single().Key, normalisation));
            }

            string metricsPath = Path.Combine(folder, MetricsFile);
            return new OnnxCryModel(manifest, [.. members], device, options.MaxBatch)
            {
                Folder = folder,
                MetricsJson = File.Exists(metricsPath) ? ReadMetrics(metricsPath) : null,
            };
        }
        catch
        {
            foreach (var member in members)
            {
                member.Session.Dispose();
            }

            throw;
        }
    }

    private static (InferenceSession Session, string Device) LoadMember(
        string folder, string file, string? expected, ModelManifest manifest, InferenceOptions options, Action<string>? log)
    {
        string modelPath = Path.Combine(folder, file);
        if (!File.Exists(modelPath))
        {
            throw new ModelBundleException($"{folder}: a model bundle needs {ModelManifest.FileName} and model.onnx (or the member models its manifest lists); {file} is missing.");
        }

        byte[] model;
        try
        {
            model = File.ReadAllBytes(modelPath);
        }
        catch (IOException ex)
        {
            throw new ModelBundleException($"{modelPath}: cannot be read: {ex.Message}", ex);
        }

        if (expected is not null)
        {
            string actual = Convert.ToHexStringLower(SHA256.HashData(model));
            if (actual != expected)
            {
                throw new ModelBundleException(
                    $"{folder}: {file} (SHA-256 {actual[..12]}…) is not the model the manifest describes ({expected[..12]}…); " +
                    "the bundle is incomplete or being replaced.");
            }
        }

        var (session, device) = CreateSession(modelPath, model, options, log);
        try
        {
            if (session.InputMetadata.Count != 1 || session.OutputMetadata.Count != 1)
            {
                throw new ModelBundleException(
                    $"{folder}: {file} has {session.InputMetadata.Count} inputs and {session.OutputMetadata.Count} outputs; a cry model has one of each.");
            }

            var input = session.InputMetadata.Single();
            var output = session.OutputMetadata.Single();
            int[] inputDims = input.Value.Dimensions;
            int[] outputDims = output.Value.Dimensions;
            bool inputMatches = input.Value.ElementType == typeof(float) && inputDims.Length == 4 && inputDims.Skip(1).SequenceEqual(manifest.InputShape);
            bool outputMatches = output.Value.ElementType == typeof(float) && outputDims.Length == 2 && outputDims[1] == manifest.Labels.Count;
            if (!inputMatches || !outputMatches)
            {
                throw new ModelBundleException(
                    $"{folder}: {file} takes [{string.Join(", ", inputDims)}] and gives [{string.Join(", ", outputDims)}], " +
                    $"but the manifest says input ({string.Join(", ", manifest.InputShape)}) and {manifest.Labels.Count} labels.");
            }

            return (session, device);
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
        var probabilities = new float[count * Manifest.Labels.Count];
        PredictProbabilities(inputs, count, probabilities);
        return probabilities;
    }

    /// <summary>Writes probabilities (count × labels, row-major) for <paramref name="count"/> feature tensors laid end to end.</summary>
    /// <exception cref="ArgumentException">The input or destination length does not match <paramref name="count"/>.</exception>
    public void PredictProbabilities(ReadOnlySpan<float> inputs, int count, Span<float> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        int length = InputLength, classes = Manifest.Labels.Count;
        if (inputs.Length != count * length)
        {
            throw new ArgumentException($"Expected {count} × {length} values, got {inputs.Length}.", nameof(inputs));
        }

        if (destination.Length != count * classes)
        {
            throw new ArgumentException($"Expected room for {count} × {classes} probabilities, got {destination.Length}.", nameof(destination));
        }

        if (_members.Length == 1)
        {
            Logits(_members[0], inputs, count, destination);
            Probabilities.Softmax(destination, _temperature, _bias, destination, classes);
            return;
        }

        Combine(PredictMembers(inputs, count).Calibrated, count, destination);
    }

    /// <summary>
    /// Each member's probabilities of <paramref name="count"/> feature tensors, [member][count × labels], both ways from
    /// one run of every member: calibrated (what the answer's probabilities combine) and uncalibrated softmax(logits)
    /// (the scale of the conformal sets and the certification).
    /// </summary>
    public (float[][] Calibrated, float[][] Raw) PredictMembers(ReadOnlySpan<float> inputs, int count)
    {
        int classes = Manifest.Labels.Count;
        if (inputs.Length != count * InputLength)
        {
            throw new ArgumentException($"Expected {count} × {InputLength} values, got {inputs.Length}.", nameof(inputs));
        }

        var calibrated = new float[_members.Length][];
        var raw = new float[_members.Length][];
        for (int m = 0; m < _members.Length; m++)
        {
            var logits = new float[count * classes];
            Logits(_members[m], inputs, count, logits);
            calibrated[m] = new float[logits.Length];
            raw[m] = new float[logits.Length];
            Probabilities.Softmax(logits, _temperature, _bias, calibrated[m], classes);
            Probabilities.Softmax(logits, 1.0, [], raw[m], classes);
        }

        return (calibrated, raw);
    }

    /// <summary>The ensemble's probability of each tensor: the members' calibrated probabilities combined by mean log-probability.</summary>
    public void Combine(float[][] calibrated, int count, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(calibrated);
        int classes = Manifest.Labels.Count;
        var rows = new float[calibrated.Length * classes];
        for (int i = 0; i < count; i++)
        {
            for (int m = 0; m < calibrated.Length; m++)
            {
                calibrated[m].AsSpan(i * classes, classes).CopyTo(rows.AsSpan(m * classes, classes));
            }

            var combined = Probabilities.MeanLogProbability(rows, calibrated.Length, classes);
            for (int k = 0; k < classes; k++)
            {
                destination[(i * classes) + k] = (float)combined[k];
            }
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var member in _members)
        {
            member.Session.Dispose();
        }
    }

    private void Logits(Member member, ReadOnlySpan<float> inputs, int count, Span<float> destination)
    {
        int length = InputLength, classes = Manifest.Labels.Count;
        int channels = Manifest.InputShape[0];
        int plane = length / channels;
        for (int first = 0; first < count; first += _maxBatch)
        {
            int n = Math.Min(_maxBatch, count - first);
            float[] buffer = ArrayPool<float>.Shared.Rent(n * length);
            try
            {
                for (int i = 0; i < n; i++)
                {
                    for (int c = 0; c < channels; c++)
                    {
                        int offset = (i * length) + (c * plane);
                        Normalise(
                            inputs.Slice((first * length) + offset, plane),
                            buffer.AsSpan(offset, plane),
                            member.Normalisation.Mean[c],
                            member.Normalisation.Std[c]);
                    }
                }

                using var input = OrtValue.CreateTensorValueFromMemory(
                    OrtMemoryInfo.DefaultInstance, buffer.AsMemory(0, n * length), [n, _shape[0], _shape[1], _shape[2]]);
                using var runOptions = new RunOptions();
                using var outputs = member.Session.Run(runOptions, member.InputNames, [input], member.OutputNames);
                outputs[0].GetTensorDataAsSpan<float>().CopyTo(destination.Slice(first * classes, n * classes));
            }
            finally
            {
                ArrayPool<float>.Shared.Return(buffer);
            }
        }
    }



    private static (InferenceSession Session, string Device) CreateSession(string modelPath, byte[] model, InferenceOptions options, Action<string>? log)
    {
        if (options.Device != "cpu")
        {
            SessionOptions? cuda = null;
            var env = OrtEnv.Instance();
            var level = env.EnvLogLevel;
            env.EnvLogLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL; // ONNX Runtime would print its own error; the fallback says it in one line.
            try
            {
                cuda = CreateSessionOptions(options);
                cuda.AppendExecutionProvider_CUDA(0);
                var session = new InferenceSession(model, cuda);
                return (session, "cuda");
            }
            catch (Exception ex) when (ex is OnnxRuntimeException or DllNotFoundException or EntryPointNotFoundException)
            {
                if (options.Device == "cuda")
                {
                    throw new InferenceDeviceException($"ONNX Runtime cannot use CUDA here: {FirstLine(ex.Message)}", ex);
                }

                log?.Invoke($"ONNX Runtime: CUDA is not available ({FirstLine(ex.Message)}); running on the CPU.");
            }
            finally
            {
                env.EnvLogLevel = level;
                cuda?.Dispose();
            }
        }

        using var cpu = CreateSessionOptions(options);
        try
        {
            return (new InferenceSession(model, cpu), "cpu");
        }
        catch (OnnxRuntimeException ex)
        {
            throw new ModelBundleException($"{modelPath}: ONNX Runtime cannot load the model: {FirstLine(ex.Message)}", ex);
        }
    }

    private static SessionOptions CreateSessionOptions(InferenceOptions options)
    {
        var session = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = options.Threads,
            InterOpNumThreads = 1,
        };

        // Worker threads that spin while waiting burn a core between requests; a server wants them asleep.
        session.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        session.AddSessionConfigEntry("session.inter_op.allow_spinning", "0");
        return session;
    }

    private static string? ReadMetrics(string path)
    {
        try
        {
            string text = File.ReadAllText(path);
            using var document = System.Text.Json.JsonDocument.Parse(text);
            return document.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object ? text : null;
        }
        catch (Exception ex) when (ex is IOException or System.Text.Json.JsonException)
        {
            return null; // Metrics are informative; a model without readable metrics still serves.
        }
    }

    private static string FirstLine(string message)
    {
        int end = message.IndexOfAny(['\r', '\n']);
        return end < 0 ? message : message[..end];
    }

    private static void Normalise(ReadOnlySpan<float> source, Span<float> destination, float mean, float std)
    {
        float scale = 1f / std;
        for (int p = 0; p < source.Length; p++)
        {
            destination[p] = (source[p] - mean) * scale;
        }
    }

    private sealed record Member(InferenceSession Session, string[] InputNames, string[] OutputNames, InputNormalisation Normalisation)
    {
        public Member(InferenceSession session, string inputName, string outputName, InputNormalisation normalisation)
            : this(session, [inputName], [outputName], normalisation)
        {
        }
    }
}

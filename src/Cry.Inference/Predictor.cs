using System.Buffers;
using System.Diagnostics;
using Cry.Audio;
using Cry.Audio.Dsp;
using Cry.Features;

namespace Cry.Inference;

/// <summary>
/// Audio → the model's answer: decode → resample to the model's rate → windows of the model's duration → the model's
/// feature spec through the same <see cref="FeatureExtractor"/> calls as training → ONNX Runtime → calibrated
/// probabilities, one result per recording.
/// </summary>
/// <remarks>
/// Windows: a recording up to <see cref="SingleWindowFactor"/> windows long is one window, its first duration seconds
/// zero-padded when shorter (exactly the training path, <see cref="FeatureExtractor.PrepareAudio"/>); a longer one is
/// scored window by window with a hop of half a window, the last window ending at the recording's end, and the window
/// probabilities are combined by their mean log-probability (a geometric mean, renormalised). Thread-safe: one
/// predictor serves all requests.
/// </remarks>
public sealed class Predictor : IDisposable
{
    /// <summary>Recordings up to this many windows long are scored as one window, as in training.</summary>
    public const double SingleWindowFactor = 1.25;

    /// <summary>A recording whose peak is below this (−50 dBFS) is reported silent.</summary>
    public const float SilencePeak = 0.0031622776f;

    /// <summary>The threshold used when neither the options nor the bundle give one.</summary>
    public const double DefaultUncertaintyThreshold = 0.5;

    private readonly IModelSource _source;
    private readonly InferenceOptions _options;
    private readonly AudioDecoder _decoder;
    private readonly bool _ownsSource;

    /// <summary>Creates a predictor over a model source.</summary>
    /// <param name="source">Where the current model comes from.</param>
    /// <param name="options">The uncertainty threshold override (device and threads are the source's business).</param>
    /// <param name="decoder">The audio decoder (formats, limits on channels, rate and duration, FFmpeg); default <see cref="AudioDecoder.Default"/>.</param>
    /// <param name="ownsSource">Whether disposing the predictor disposes the source.</param>
    public Predictor(IModelSource source, InferenceOptions? options = null, AudioDecoder? decoder = null, bool ownsSource = true)
    {
        ArgumentNullException.ThrowIfNull(source);
        _source = source;
        _options = options ?? new InferenceOptions();
        _options.Validate();
        _decoder = decoder ?? AudioDecoder.Default;
        _ownsSource = ownsSource;
    }

    /// <summary>Loads a bundle folder (checked for a new bundle every two seconds) and predicts with it.</summary>
    /// <exception cref="ModelBundleException">The bundle cannot be used.</exception>
    /// <exception cref="InferenceDeviceException">The device asked for cannot be used.</exception>
    public static Predictor FromFolder(string folder, InferenceOptions? options = null, Action<string>? log = null)
    {
        options ??= new InferenceOptions();
        return new Predictor(new HotSwapModelSource(folder, options, log: log), options);
    }

    /// <summary>The current model, held until the lease is disposed (for the manifest and metrics).</summary>
    public ModelLease AcquireModel() => _source.Acquire();

    /// <summary>Scores a recording in any supported format (the content decides which).</summary>
    /// <exception cref="AudioFormatException">The bytes are not a usable recording; the message says what is wrong.</exception>
    /// <exception cref="AudioDecoderBusyException">The recording needs FFmpeg and every FFmpeg slot stayed busy.</exception>
    public PredictionResult Predict(ReadOnlySpan<byte> recording)
    {
        long start = Stopwatch.GetTimestamp();
        var signal = _decoder.Decode(recording);
        return Predict(signal, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
    }

    /// <summary>Scores a recording read from a stream (memory bounded by the decoder's limits, not by the stream's claims).</summary>
    /// <exception cref="AudioFormatException">The stream is not a usable recording; the message says what is wrong.</exception>
    /// <exception cref="AudioDecoderBusyException">The recording needs FFmpeg and every FFmpeg slot stayed busy.</exception>
    public PredictionResult Predict(Stream recording)
    {
        ArgumentNullException.ThrowIfNull(recording);
        long start = Stopwatch.GetTimestamp();
        var signal = _decoder.Decode(recording);
        return Predict(signal, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
    }

    /// <summary>Scores a decoded recording.</summary>
    /// <exception cref="AudioFormatException">The recording is empty or too short for the model.</exception>
    public PredictionResult Predict(AudioSignal signal) => Predict(signal, 0);

    /// <summary>
    /// The feature tensors the model gets for a recording: (window start in seconds, C × H × W tensor) in time order,
    /// computed exactly as <see cref="Predict(AudioSignal)"/> does.
    /// </summary>
    /// <exception cref="AudioFormatException">The recording is empty or too short for the model.</exception>
    public static IReadOnlyList<(double StartSeconds, float[] Tensor)> ComputeFeatures(FeatureExtractor extractor, AudioSignal signal)
    {
        ArgumentNullException.ThrowIfNull(extractor);
        var windows = Windows(extractor, signal);
        int length = extractor.ImageShape[0] * extractor.ImageShape[1] * extractor.ImageShape[2];
        var result = new (double, float[])[windows.Starts.Length];
        for (int w = 0; w < result.Length; w++)
        {
            var tensor = new float[length];
            extractor.ComputeImage(windows.Window(w), tensor);
            result[w] = (windows.Starts[w] / (double)extractor.Spec.SampleRate, tensor);
        }

        return result;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_ownsSource)
        {
            _source.Dispose();
        }
    }

    private PredictionResult Predict(AudioSignal signal, double decodeMs)
    {
        ArgumentNullException.ThrowIfNull(signal);
        using var lease = _source.Acquire();
        var model = lease.Model;
        var extractor = lease.Extractor;
        var labels = model.Manifest.Labels;
        int classes = labels.Count;

        long featuresStart = Stopwatch.GetTimestamp();
        var windows = Windows(extractor, signal);
        int count = windows.Starts.Length;
        int length = model.InputLength;
        float[] inputs = ArrayPool<float>.Shared.Rent(count * length);
        float[] probabilities = ArrayPool<float>.Shared.Rent(count * classes);
        try
        {
            for (int w = 0; w < count; w++)
            {
                extractor.ComputeImage(windows.Window(w), inputs.AsSpan(w * length, length));
            }

            double featuresMs = Stopwatch.GetElapsedTime(featuresStart).TotalMilliseconds;
            long inferenceStart = Stopwatch.GetTimestamp();
            model.PredictProbabilities(inputs.AsSpan(0, count * length), count, probabilities.AsSpan(0, count * classes));
            var combined = Combine(probabilities.AsSpan(0, count * classes), count, classes);
            double inferenceMs = Stopwatch.GetElapsedTime(inferenceStart).TotalMilliseconds;

            int best = 0;
            for (int k = 1; k < classes; k++)
            {
                if (combined[k] > combined[best])
                {
                    best = k;
                }
            }

            bool silent = Peak(signal.Samples) < SilencePeak;
            double threshold = _options.UncertaintyThreshold ?? model.Manifest.UncertaintyThreshold ?? DefaultUncertaintyThreshold;
            var windowResults = new WindowPrediction[count];
            for (int w = 0; w < count; w++)
            {
                windowResults[w] = new WindowPrediction(
                    Math.Round(windows.Starts[w] / (double)extractor.Spec.SampleRate, 4),
                    ByLabel(labels, probabilities.AsSpan(w * classes, classes)));
            }

            return new PredictionResult
            {
                Label = labels[best],
                Confidence = Math.Round(combined[best], 6),
                Uncertain = silent || Math.Round(combined[best], 6) < threshold,
                UncertaintyThreshold = threshold,
                Silent = silent,
                Probabilities = ByLabel(labels, combined),
                Windows = windowResults,
                DurationSeconds = signal.DurationSeconds,
                ModelId = model.Manifest.ModelId,
                TimingsMs = new PredictionTimings(Math.Round(decodeMs, 3), Math.Round(featuresMs, 3), Math.Round(inferenceMs, 3)),
            };
        }
        finally
        {
            ArrayPool<float>.Shared.Return(inputs);
            ArrayPool<float>.Shared.Return(probabilities);
        }
    }

    private static WindowSet Windows(FeatureExtractor extractor, AudioSignal signal)
    {
        ArgumentNullException.ThrowIfNull(signal);
        if (extractor.WindowLength is not { } window
            || signal.Samples.Length <= SingleWindowFactor * extractor.Spec.DurationSeconds!.Value * signal.SampleRate)
        {
            // One window, by the very call the training pipeline makes.
            var prepared = extractor.PrepareAudio(signal);
            return new WindowSet(prepared, [0], prepared.Length);
        }

        var resampled = Resampler.Resample(signal, extractor.Spec.SampleRate).Samples;
        var spans = AudioWindows.SlidingToEnd(resampled.Length, window, Math.Max(1, window / 2));
        return new WindowSet(resampled, spans.Select(s => s.Start).ToArray(), window);
    }

    private static double[] Combine(ReadOnlySpan<float> probabilities, int count, int classes)
    {
        var combined = new double[classes];
        if (count == 1)
        {
            for (int k = 0; k < classes; k++)
            {
                combined[k] = probabilities[k];
            }

            return combined;
        }

        double max = double.NegativeInfinity;
        for (int k = 0; k < classes; k++)
        {
            double sum = 0;
            for (int w = 0; w < count; w++)
            {
                sum += Math.Log(Math.Max(probabilities[(w * classes) + k], 1e-30f));
            }

            combined[k] = sum / count;
            max = Math.Max(max, combined[k]);
        }

        double total = 0;
        for (int k = 0; k < classes; k++)
        {
            combined[k] = Math.Exp(combined[k] - max);
            total += combined[k];
        }

        for (int k = 0; k < classes; k++)
        {
            combined[k] /= total;
        }

        return combined;
    }

    private static Dictionary<string, double> ByLabel(IReadOnlyList<string> labels, ReadOnlySpan<float> values)
    {
        var result = new Dictionary<string, double>(labels.Count, StringComparer.Ordinal);
        for (int k = 0; k < labels.Count; k++)
        {
            result[labels[k]] = Math.Round(values[k], 6);
        }

        return result;
    }

    private static Dictionary<string, double> ByLabel(IReadOnlyList<string> labels, double[] values)
    {
        var result = new Dictionary<string, double>(labels.Count, StringComparer.Ordinal);
        for (int k = 0; k < labels.Count; k++)
        {
            result[labels[k]] = Math.Round(values[k], 6);
        }

        return result;
    }

    private static float Peak(ReadOnlySpan<float> samples)
    {
        float peak = 0;
        foreach (float s in samples)
        {
            peak = Math.Max(peak, Math.Abs(s));
        }

        return peak;
    }

    private readonly record struct WindowSet(float[] Samples, int[] Starts, int Length)
    {
        public ReadOnlySpan<float> Window(int index) => Samples.AsSpan(Starts[index], Math.Min(Length, Samples.Length - Starts[index]));
    }
}

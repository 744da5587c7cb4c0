using System.Buffers;
using System.Diagnostics;
using System.Numerics.Tensors;
using Cry.Audio;
using Cry.Audio.Dsp;
using Cry.Features;
using Cry.Features.Detection;
using Cry.Features.Models;
using Cry.Audio.Decoding;

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
/// probabilities are combined by their mean log-probability (a geometric mean, renormalised). With a cry detector every
/// window gets a cry probability; runs of cry windows make the segments, and the need is computed over the cry windows
/// only. The ensemble's members each score the windows: calibrated, combined by mean log-probability, they give the
/// probabilities; uncalibrated, they give the conformal set and decide a confident answer (every member at or above
/// the label's certified threshold). Thread-safe: one predictor serves all requests.
/// </remarks>
public sealed class Predictor : IDisposable
{
    /// <summary>Recordings up to this many windows long are scored as one window, as in training.</summary>
    public const double SingleWindowFactor = RecordingWindows.SingleWindowFactor;

    /// <summary>A recording whose peak is below this (−50 dBFS) is reported silent.</summary>
    public const float SilencePeak = 0.0031622776f;

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
        var windows = RecordingWindows.Plan(extractor, signal);
        int length = extractor.ImageShape[0] * extractor.ImageShape[1] * extractor.ImageShape[2];
        var result = new (double, float[])[windows.Count];
        for (int w = 0; w < result.Length; w++)
        {
            var tensor = new float[length];
            extractor.ComputeImage(windows.Window(w), tensor);
            result[w] = (windows.StartSeconds(w), tensor);
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
        var manifest = model.Manifest;
        var extractor = lease.Extractor;
        var labels = manifest.Labels;
        int classes = labels.Count;

        long featuresStart = Stopwatch.GetTimestamp();
        var windows = RecordingWindows.Plan(extractor, signal);
        int count = windows.Count;
        int length = model.InputLength;
        float[] inputs = ArrayPool<float>.Shared.Rent(count * length);
        try
        {
            for (int w = 0; w < count; w++)
            {
                extractor.ComputeImage(windows.Window(w), inputs.AsSpan(w * length, length));
            }

            bool silent = Peak(signal.Samples) < SilencePeak;
            var (cry, segments) = manifest.Detector is { } detector ? Detect(detector, windows, signal, silent) : (null, []);
            double featuresMs = Stopwatch.GetElapsedTime(featuresStart).TotalMilliseconds;
            long inferenceStart = Stopwatch.GetTimestamp();
            var need = Need(model, inputs.AsSpan(0, count * length), count, segments, cry is not null);
            double inferenceMs = Stopwatch.GetElapsedTime(inferenceStart).TotalMilliseconds;

            bool? cryDetected = cry is null ? null : segments.Count > 0;
            bool answers = cryDetected != false;
            var windowResults = WindowResults(windows, cry, labels, need.Windows);
            int best = Probabilities.ArgMax(need.Combined);
            var certificate = manifest.Certification?.Labels[best];
            bool confident = answers && !silent && certificate?.Threshold is { } threshold && need.MemberMinimum[best] >= threshold;
            return new PredictionResult
            {
                CryDetected = cryDetected,
                CryProbability = cry is null ? null : Math.Round(CryDetection.RecordingScore(cry, manifest.Detector!.MinSegmentWindows), 6),
                Label = answers ? labels[best] : null,
                LabelSet = model.Conformal is null ? null : answers ? need.Set : [],
                SetLevel = model.Conformal is { } conformal ? Math.Round(1 - conformal.Alpha, 6) : null,
                Confidence = answers ? Math.Round(need.Combined[best], 6) : null,
                Uncertain = !confident,
                CertifiedPrecision = confident ? Math.Round(certificate!.CertifiedPrecision!.Value, 4) : null,
                Silent = silent,
                Probabilities = answers ? ByLabel(labels, need.Combined) : null,
                Priors = Priors(manifest),
                Segments = [.. segments.Select(g => new CrySegmentResult(g.StartSeconds, g.EndSeconds, g.CryProbability))],
                Windows = windowResults,
                DurationSeconds = signal.DurationSeconds,
                ModelId = manifest.ModelId,
                TimingsMs = new PredictionTimings(Math.Round(decodeMs, 3), Math.Round(featuresMs, 3), Math.Round(inferenceMs, 3)),
            };
        }
        finally
        {
            ArrayPool<float>.Shared.Return(inputs);
        }
    }

    // Each window's cry probability, and the cry segments (none in a silent recording).
    private static (double[]? Cry, IReadOnlyList<CrySegment> Segments) Detect(CryDetectorModel detector, in RecordingWindows windows, AudioSignal signal, bool silent)
    {
        int count = windows.Count;
        var detectorFeatures = CryDetection.Features(windows);
        var cry = new double[count];
        var starts = new double[count];
        for (int w = 0; w < count; w++)
        {
            cry[w] = detector.Probability(detectorFeatures.AsSpan(w * CryFeatures.Count, CryFeatures.Count));
            starts[w] = windows.StartSeconds(w);
        }

        IReadOnlyList<CrySegment> segments = silent ? [] : CryDetection.Segments(cry, starts, windows.Length / (double)windows.SampleRate, signal.DurationSeconds, detector.Threshold, detector.MinSegmentWindows);
        return (cry, segments);
    }

    // Each window's start, cry probability and need probabilities (rounded as the answer shows them).
    private static WindowPrediction[] WindowResults(in RecordingWindows windows, double[]? cry, IReadOnlyList<string> labels, float[] windowProbabilities)
    {
        int count = windows.Count, classes = labels.Count;
        var windowResults = new WindowPrediction[count];
        for (int w = 0; w < count; w++)
        {
            windowResults[w] = new WindowPrediction(
                Math.Round(windows.StartSeconds(w), 4),
                cry is null ? null : Math.Round(cry[w], 6),
                ByLabel(labels, windowProbabilities.AsSpan(w * classes, classes)));
        }

        return windowResults;
    }

    /// <summary>Each label's share in the training data (from the manifest's priors, else its per-class counts).</summary>
    public static IReadOnlyDictionary<string, double> Priors(Features.Models.ModelManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        if (manifest.Priors is { } priors)
        {
            return priors;
        }

        double total = manifest.TrainingData.PerClass.Values.Sum();
        return manifest.Labels.ToDictionary(
            l => l, l => total > 0 ? Math.Round(manifest.TrainingData.PerClass.GetValueOrDefault(l) / total, 6) : 0, StringComparer.Ordinal);
    }

    // The need over the cry windows (all windows without a detector, or when none is a cry, for the per-window view).
    private static NeedScores Need(OnnxCryModel model, ReadOnlySpan<float> inputs, int count, IReadOnlyList<CrySegment> segments, bool hasDetector)
    {
        int classes = model.Manifest.Labels.Count;
        // One run of every member over every window gives the window probabilities and, over the cry windows, the set.
        var (calibrated, raw) = model.PredictMembers(inputs, count);
        var windowProbabilities = new float[count * classes];
        model.Combine(calibrated, count, windowProbabilities);

        int[] cryWindows = hasDetector && segments.Count > 0
            ? [.. segments.SelectMany(g => Enumerable.Range(g.FirstWindow, g.WindowCount))]
            : [.. Enumerable.Range(0, count)];
        var selected = new float[cryWindows.Length * classes];
        for (int i = 0; i < cryWindows.Length; i++)
        {
            windowProbabilities.AsSpan(cryWindows[i] * classes, classes).CopyTo(selected.AsSpan(i * classes, classes));
        }

        double[] combined = cryWindows.Length == 1
            ? [.. selected.Select(v => (double)v)]
            : Probabilities.MeanLogProbability(selected, cryWindows.Length, classes);

        var perMember = raw.Select(member =>
        {
            var rows = new float[cryWindows.Length * classes];
            for (int i = 0; i < cryWindows.Length; i++)
            {
                member.AsSpan(cryWindows[i] * classes, classes).CopyTo(rows.AsSpan(i * classes, classes));
            }

            return (IReadOnlyList<double>)(cryWindows.Length == 1 ? [.. rows.Select(v => (double)v)] : Probabilities.MeanLogProbability(rows, cryWindows.Length, classes));
        }).ToList();
        var minimum = new double[classes];
        for (int k = 0; k < classes; k++)
        {
            minimum[k] = perMember.Min(p => p[k]);
        }

        IReadOnlyList<string>? set = model.Conformal?.Set(perMember).Select(k => model.Manifest.Labels[k]).ToList();
        if (set is not null)
        {
            // Most probable first by the calibrated ensemble, as the answer shows it.
            set = [.. set.OrderByDescending(l => combined[IndexOf(model.Manifest.Labels, l)])];
        }

        return new NeedScores(windowProbabilities, combined, minimum, set);
    }

    private static int IndexOf(IReadOnlyList<string> labels, string label)
    {
        for (int k = 0; k < labels.Count; k++)
        {
            if (labels[k] == label)
            {
                return k;
            }
        }

        return -1;
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

    private static float Peak(ReadOnlySpan<float> samples) =>
        samples.IsEmpty ? 0 : Math.Abs(TensorPrimitives.MaxMagnitude(samples)); // max |x|; MaxMagnitude keeps the sign

    private sealed record NeedScores(float[] Windows, double[] Combined, double[] MemberMinimum, IReadOnlyList<string>? Set);
}

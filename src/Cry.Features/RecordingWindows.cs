using Cry.Audio;
using Cry.Audio.Dsp;

namespace Cry.Features;

/// <summary>
/// The windows a recording is scored in, the same for the need models and the cry detector, in training and serving.
/// </summary>
/// <remarks>
/// A recording up to <see cref="SingleWindowFactor"/> windows long is one window, its first duration seconds
/// zero-padded when shorter (exactly the training path, <see cref="FeatureExtractor.PrepareAudio"/>); a longer one is
/// cut into windows with a hop of half a window, the last window ending at the recording's end.
/// </remarks>
/// <param name="Samples">The recording at the spec's sample rate (padded when it is one short window).</param>
/// <param name="Starts">Each window's first sample.</param>
/// <param name="Length">Samples per window (the last may be shorter only when the recording is).</param>
/// <param name="SampleRate">The rate of <see cref="Samples"/>.</param>
public readonly record struct RecordingWindows(float[] Samples, int[] Starts, int Length, int SampleRate)
{
    /// <summary>Recordings up to this many windows long are scored as one window, as in training.</summary>
    public const double SingleWindowFactor = 1.25;

    /// <summary>The number of windows.</summary>
    public int Count => Starts.Length;

    /// <summary>One window's samples.</summary>
    public ReadOnlySpan<float> Window(int index) => Samples.AsSpan(Starts[index], Math.Min(Length, Samples.Length - Starts[index]));

    /// <summary>Where a window starts, in seconds from the recording's start.</summary>
    public double StartSeconds(int index) => Starts[index] / (double)SampleRate;

    /// <summary>Cuts a recording into the windows of a spec.</summary>
    /// <exception cref="AudioFormatException">The recording is empty or too short for the spec.</exception>
    public static RecordingWindows Plan(FeatureExtractor extractor, AudioSignal signal)
    {
        ArgumentNullException.ThrowIfNull(extractor);
        ArgumentNullException.ThrowIfNull(signal);
        if (extractor.WindowLength is not { } window
            || signal.Samples.Length <= SingleWindowFactor * extractor.Spec.DurationSeconds!.Value * signal.SampleRate)
        {
            // One window, by the very call the training pipeline makes.
            var prepared = extractor.PrepareAudio(signal);
            return new RecordingWindows(prepared, [0], prepared.Length, extractor.Spec.SampleRate);
        }

        var resampled = Resampler.Resample(signal, extractor.Spec.SampleRate).Samples;
        var spans = AudioWindows.SlidingToEnd(resampled.Length, window, Math.Max(1, window / 2));
        return new RecordingWindows(resampled, [.. spans.Select(s => s.Start)], window, extractor.Spec.SampleRate);
    }
}

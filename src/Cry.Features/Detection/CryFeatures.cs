using System.Buffers;
using System.Numerics;
using Cry.Features.Spectral;

namespace Cry.Features.Detection;

/// <summary>
/// Acoustic functionals of one window of audio for the cry detector: the shape of the log-mel spectrum, how the level
/// moves, how tonal the sound is, and where its pitch lies — numbers that separate an infant's cry (loud, harmonic,
/// f0 roughly 250–900 Hz in bursts) from speech, music and noise without depending on the recording's level.
/// </summary>
/// <remarks>
/// <para>Input: mono samples at <see cref="SampleRate"/> (8 kHz, the band every phone codec keeps, so AMR-NB phone
/// files and wide-band recordings give the same numbers); trailing digital silence (the zero padding of a short
/// clip) is ignored. Every level is relative to the window's loudest frame, so gain and the decoder's scaling drop
/// out.</para>
/// <para>Features (<see cref="Count"/>): per mel band (40, 0–4 kHz) the mean and standard deviation of the dB level
/// over the active frames (within 40 dB of the loudest); the spread of the frame level (sd, 90th − 10th percentile,
/// share of frames within 10 and 20 dB of the loudest); spectral flatness (mean, sd); spectral change (mean and sd of
/// the mean absolute dB difference between frames); and from a normalised autocorrelation every 64 ms, the voicing
/// strength in the infant range (250–900 Hz) and the adult range (70–250 Hz), the shares of frames voiced in each,
/// and the mean and sd of log f0 over voiced frames.</para>
/// <para>Cost: one mel spectrogram (the product's librosa-compatible one) and 100 autocorrelations of 320 samples
/// for a 6.5 s window. Not thread-safe per instance; use one per thread.</para>
/// </remarks>
public sealed class CryFeatures
{
    /// <summary>The sample rate the features are defined at.</summary>
    public const int SampleRate = 8000;

    /// <summary>Mel bands.</summary>
    public const int Bands = 40;

    /// <summary>The number of features.</summary>
    public const int Count = (2 * Bands) + 4 + 2 + 2 + 6;

    private const int HopLength = 128;
    private const int PitchFrame = 320;     // 40 ms
    private const int PitchHop = 512;       // 64 ms
    private const int MinLag = SampleRate / 900;
    private const int SplitLag = SampleRate / 250;
    private const int MaxLag = SampleRate / 70;
    private const double VoicedCorrelation = 0.6;
    private const float ActiveRangeDb = 40f;
    private const float Floor = 1e-10f;

    private readonly MelSpectrogram _mel = new(new MelSpectrogramOptions
    {
        SampleRate = SampleRate, NFft = 512, HopLength = HopLength, Center = true, NMels = Bands, FMin = 0, FMax = 4000, Power = 2.0,
    });

    /// <summary>The features' names, in order (for reports and the manifest).</summary>
    public static IReadOnlyList<string> Names { get; } =
    [
        .. Enumerable.Range(0, Bands).Select(b => $"mel{b}Mean"),
        .. Enumerable.Range(0, Bands).Select(b => $"mel{b}Sd"),
        "levelSd", "levelRange", "share10Db", "share20Db",
        "flatnessMean", "flatnessSd",
        "changeMean", "changeSd",
        "voicingInfant", "voicingAdult", "voicedInfantShare", "voicedAdultShare", "logF0Mean", "logF0Sd",
    ];

    /// <summary>Computes the features of one window.</summary>
    /// <param name="samples">The window at <see cref="SampleRate"/>.</param>
    /// <param name="destination">Room for <see cref="Count"/> values.</param>
    /// <exception cref="ArgumentException">The destination is too small.</exception>
    public void Compute(ReadOnlySpan<float> samples, Span<float> destination)
    {
        if (destination.Length < Count)
        {
            throw new ArgumentException($"Need room for {Count} features.", nameof(destination));
        }

        destination[..Count].Clear();
        int length = samples.Length;
        while (length > 0 && samples[length - 1] == 0f)
        {
            length--;
        }

        samples = samples[..length];
        if (length < 512)
        {
            return; // Nothing (or almost nothing) but silence: every feature 0.
        }

        int frames = _mel.FrameCount(length);
        float[] mel = ArrayPool<float>.Shared.Rent(Bands * frames);
        float[] level = ArrayPool<float>.Shared.Rent(frames);
        try
        {
            _mel.Transform(samples, mel.AsSpan(0, Bands * frames));
            Spectral(mel.AsSpan(0, Bands * frames), frames, level.AsSpan(0, frames), destination);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(mel);
            ArrayPool<float>.Shared.Return(level);
        }

        Pitch(samples, destination[((2 * Bands) + 8)..]);
    }

    private static void Spectral(Span<float> mel, int frames, Span<float> level, Span<float> destination)
    {
        // Frame level in dB (sum over bands) and the loudest frame.
        float loudest = float.NegativeInfinity;
        for (int t = 0; t < frames; t++)
        {
            double sum = 0;
            for (int b = 0; b < Bands; b++)
            {
                sum += mel[(b * frames) + t];
            }

            level[t] = 10f * MathF.Log10((float)Math.Max(sum, Floor));
            loudest = Math.Max(loudest, level[t]);
        }

        // Band levels in dB relative to the loudest frame's total.
        for (int i = 0; i < Bands * frames; i++)
        {
            mel[i] = (10f * MathF.Log10(Math.Max(mel[i], Floor))) - loudest;
        }

        int active = 0;
        for (int t = 0; t < frames; t++)
        {
            active += level[t] >= loudest - ActiveRangeDb ? 1 : 0;
        }

        for (int b = 0; b < Bands; b++)
        {
            double sum = 0, squares = 0;
            for (int t = 0; t < frames; t++)
            {
                if (level[t] >= loudest - ActiveRangeDb)
                {
                    double v = Math.Max(mel[(b * frames) + t], -100f);
                    sum += v;
                    squares += v * v;
                }
            }

            double mean = sum / active;
            destination[b] = (float)mean;
            destination[Bands + b] = (float)Math.Sqrt(Math.Max(0, (squares / active) - (mean * mean)));
        }

        int o = 2 * Bands;
        var relative = new float[frames];
        for (int t = 0; t < frames; t++)
        {
            relative[t] = Math.Max(level[t] - loudest, -100f);
        }

        destination[o] = (float)StandardDeviation(relative);
        Array.Sort(relative);
        destination[o + 1] = relative[(int)(0.9 * (frames - 1))] - relative[(int)(0.1 * (frames - 1))];
        destination[o + 2] = relative.Count(v => v >= -10f) / (float)frames;
        destination[o + 3] = relative.Count(v => v >= -20f) / (float)frames;

        FlatnessAndChange(mel, frames, level, loudest - ActiveRangeDb, active, destination[(o + 4)..]);
    }

    // Flatness (geometric over arithmetic mean of the band powers, in dB terms) and change, over the active frames (level
    // at least activeFrom): their means and spreads into destination[0..4].
    private static void FlatnessAndChange(Span<float> mel, int frames, Span<float> level, float activeFrom, int active, Span<float> destination)
    {
        var flatness = new List<double>(active);
        var change = new List<double>(active);
        for (int t = 0; t < frames; t++)
        {
            if (level[t] < activeFrom)
            {
                continue;
            }

            double logMean = 0, powerMean = 0, delta = 0;
            for (int b = 0; b < Bands; b++)
            {
                double db = Math.Max(mel[(b * frames) + t], -100f);
                logMean += db;
                powerMean += Math.Pow(10, db / 10);
                if (t > 0)
                {
                    delta += Math.Abs(db - Math.Max(mel[(b * frames) + t - 1], -100f));
                }
            }

            flatness.Add((logMean / Bands) - (10 * Math.Log10(powerMean / Bands)));
            if (t > 0)
            {
                change.Add(delta / Bands);
            }
        }

        destination[0] = (float)flatness.Average();
        destination[1] = (float)StandardDeviation(flatness);
        destination[2] = change.Count > 0 ? (float)change.Average() : 0f;
        destination[3] = change.Count > 0 ? (float)StandardDeviation(change) : 0f;
    }

    private static void Pitch(ReadOnlySpan<float> samples, Span<float> destination)
    {
        int count = samples.Length < PitchFrame + MaxLag + 1 ? 0 : 1 + ((samples.Length - PitchFrame - MaxLag - 1) / PitchHop);
        if (count == 0)
        {
            return;
        }

        // Frame energies decide which frames are loud enough to judge (within 30 dB of the loudest).
        var energy = new double[count];
        for (int f = 0; f < count; f++)
        {
            var x = samples.Slice(f * PitchHop, PitchFrame);
            energy[f] = Dot(x, x);
        }

        double loudest = energy.Max();
        double infantSum = 0, adultSum = 0;
        int judged = 0, infantVoiced = 0, adultVoiced = 0;
        var logF0 = new List<double>();
        var correlation = new double[MaxLag + 2];
        for (int f = 0; f < count; f++)
        {
            if (energy[f] <= 1e-3 * loudest || energy[f] <= 0)
            {
                continue;
            }

            judged++;
            var (bestInfant, infantLag, bestAdult, adultLag) = Peaks(samples, f, energy[f], correlation);

            infantSum += bestInfant;
            adultSum += bestAdult;
            bool infant = bestInfant >= VoicedCorrelation && bestInfant >= bestAdult - 0.05;
            bool adult = !infant && bestAdult >= VoicedCorrelation;
            infantVoiced += infant ? 1 : 0;
            adultVoiced += adult ? 1 : 0;
            if (infant || adult)
            {
                logF0.Add(Math.Log(SampleRate / (double)(infant ? infantLag : adultLag)));
            }
        }

        if (judged == 0)
        {
            return;
        }

        destination[0] = (float)(infantSum / judged);
        destination[1] = (float)(adultSum / judged);
        destination[2] = infantVoiced / (float)judged;
        destination[3] = adultVoiced / (float)judged;
        destination[4] = logF0.Count > 0 ? (float)logF0.Average() : 0f;
        destination[5] = logF0.Count > 1 ? (float)StandardDeviation(logF0) : 0f;
    }

    // Frame f's normalised autocorrelation over the lags, and its highest local maximum below and above the split lag
    // (infant and adult pitch ranges). Only local maxima count: a low-pass noise correlates highly at short lags without
    // any period.
    private static (double BestInfant, int InfantLag, double BestAdult, int AdultLag) Peaks(ReadOnlySpan<float> samples, int f, double energy, double[] correlation)
    {
        var x = samples.Slice(f * PitchHop, PitchFrame);
        for (int lag = MinLag - 1; lag <= MaxLag + 1; lag++)
        {
            var y = samples.Slice((f * PitchHop) + lag, PitchFrame);
            double denominator = Math.Sqrt(energy * Dot(y, y));
            correlation[lag] = denominator > 0 ? Dot(x, y) / denominator : 0;
        }

        double bestInfant = 0, bestAdult = 0;
        int infantLag = 0, adultLag = 0;
        for (int lag = MinLag; lag <= MaxLag; lag++)
        {
            double r = correlation[lag];
            if (r <= correlation[lag - 1] || r < correlation[lag + 1])
            {
                continue;
            }

            if (lag < SplitLag && r > bestInfant)
            {
                (bestInfant, infantLag) = (r, lag);
            }
            else if (lag >= SplitLag && r > bestAdult)
            {
                (bestAdult, adultLag) = (r, lag);
            }
        }

        return (bestInfant, infantLag, bestAdult, adultLag);
    }

    private static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        // Vector<float> lanes with a float accumulator per lane; frames are 320 samples, so float sums are exact enough.
        int lanes = Vector<float>.Count;
        var sum = Vector<float>.Zero;
        int i = 0;
        for (; i <= a.Length - lanes; i += lanes)
        {
            sum += new Vector<float>(a.Slice(i, lanes)) * new Vector<float>(b.Slice(i, lanes));
        }

        double total = Vector.Sum(sum);
        for (; i < a.Length; i++)
        {
            total += a[i] * b[i];
        }

        return total;
    }

    private static double StandardDeviation(IReadOnlyCollection<double> values)
    {
        if (values.Count < 2)
        {
            return 0;
        }

        double mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / values.Count);
    }

    private static double StandardDeviation(float[] values)
    {
        double mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / values.Length);
    }
}

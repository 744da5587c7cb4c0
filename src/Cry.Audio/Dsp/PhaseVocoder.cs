using NWaves.Transforms;

namespace Cry.Audio.Dsp;

/// <summary>Phase-vocoder time stretch with librosa's conventions: rate &gt; 1 speeds up, output length round(length / rate).</summary>
/// <remarks>
/// Centred STFT (Hann window, zero padding of half a frame, hop = FFT size / 4), frames read at fractional steps
/// <c>0, rate, 2·rate, …</c> with magnitudes interpolated linearly and phases advanced by each bin's measured
/// instantaneous frequency, then overlap-add divided by the summed squared window.
/// Written here rather than calling NWaves' <c>Operation.TimeStretch</c> because that one rounds the synthesis hop to
/// whole samples (the rate is inexact) and its output gain depends on the rate (about 0.56 at a stretch of 2).
/// </remarks>
internal static class PhaseVocoder
{
    /// <summary>FFT size for a sample rate: the power of two nearest to 64 ms, at least 64.</summary>
    public static int FftSizeFor(int sampleRate)
    {
        double target = 0.064 * sampleRate;
        int size = 64;
        while (size * 2 <= target * Math.Sqrt(2))
        {
            size *= 2;
        }

        return size;
    }

    /// <summary>Stretches <paramref name="input"/> in time by 1 / <paramref name="rate"/>, keeping its pitch.</summary>
    public static float[] Stretch(ReadOnlySpan<float> input, double rate, int fftSize)
    {
        int outputLength = (int)Math.Round(input.Length / rate, MidpointRounding.AwayFromZero);
        var output = new float[outputLength];
        if (input.Length == 0 || outputLength == 0)
        {
            return output;
        }

        int hop = fftSize / 4;
        int bins = (fftSize / 2) + 1;
        var window = new double[fftSize];
        for (int i = 0; i < fftSize; i++)
        {
            window[i] = 0.5 - (0.5 * Math.Cos(2 * Math.PI * i / fftSize));
        }

        var fft = new Fft64(fftSize);
        var re = new double[fftSize];
        var im = new double[fftSize];

        // Analysis: frame t is centred on input sample t·hop.
        int frames = 1 + (input.Length / hop);
        var magnitude = new double[frames + 2, bins];
        var phase = new double[frames + 2, bins];
        Analyse(input, window, hop, frames, fft, re, im, magnitude, phase);

        // Synthesis frames at fractional analysis positions; the two trailing frames above are silent padding.
        int synthesisFrames = 1 + (outputLength / hop);
        var accumulator = new double[bins];
        for (int k = 0; k < bins; k++)
        {
            accumulator[k] = phase[0, k];
        }

        var sum = new double[outputLength];
        var weight = new double[outputLength];
        Synthesise(magnitude, phase, frames, synthesisFrames, rate, window, hop, fft, re, im, accumulator, sum, weight);

        for (int n = 0; n < outputLength; n++)
        {
            output[n] = weight[n] > 1e-8 ? (float)(sum[n] / weight[n]) : 0f;
        }

        return output;
    }

    // The magnitude and phase of each bin of the first `frames` windowed frames (re and im are the FFT's scratch).
    private static void Analyse(
        ReadOnlySpan<float> input, ReadOnlySpan<double> window, int hop, int frames, Fft64 fft, double[] re, double[] im, double[,] magnitude, double[,] phase)
    {
        int fftSize = window.Length;
        int bins = magnitude.GetLength(1);
        for (int t = 0; t < frames; t++)
        {
            int start = (t * hop) - (fftSize / 2);
            for (int i = 0; i < fftSize; i++)
            {
                int n = start + i;
                re[i] = n >= 0 && n < input.Length ? input[n] * window[i] : 0;
                im[i] = 0;
            }

            fft.Direct(re, im);
            for (int k = 0; k < bins; k++)
            {
                magnitude[t, k] = Math.Sqrt((re[k] * re[k]) + (im[k] * im[k]));
                phase[t, k] = Math.Atan2(im[k], re[k]);
            }
        }
    }

    // Overlap-adds the synthesis frames into sum (windowed) and weight (squared window); accumulator holds each bin's phase.
    private static void Synthesise(
        double[,] magnitude,
        double[,] phase,
        int frames,
        int synthesisFrames,
        double rate,
        ReadOnlySpan<double> window,
        int hop,
        Fft64 fft,
        double[] re,
        double[] im,
        Span<double> accumulator,
        Span<double> sum,
        Span<double> weight)
    {
        int fftSize = window.Length;
        int bins = accumulator.Length;
        int outputLength = sum.Length;
        for (int s = 0; s < synthesisFrames; s++)
        {
            double step = s * rate;
            var t = (int)step;
            if (t > frames)
            {
                break;
            }

            double alpha = step - t;
            for (int k = 0; k < bins; k++)
            {
                double mag = ((1 - alpha) * magnitude[t, k]) + (alpha * magnitude[t + 1, k]);
                re[k] = mag * Math.Cos(accumulator[k]);
                im[k] = mag * Math.Sin(accumulator[k]);

                double expected = 2 * Math.PI * k * hop / fftSize;
                double delta = phase[t + 1, k] - phase[t, k] - expected;
                delta -= 2 * Math.PI * Math.Round(delta / (2 * Math.PI));
                accumulator[k] += expected + delta;
            }

            for (int k = 1; k < fftSize / 2; k++)
            {
                re[fftSize - k] = re[k];
                im[fftSize - k] = -im[k];
            }

            im[0] = 0;
            im[fftSize / 2] = 0;
            fft.InverseNorm(re, im);

            int start = (s * hop) - (fftSize / 2);
            for (int i = 0; i < fftSize; i++)
            {
                int n = start + i;
                if (n >= 0 && n < outputLength)
                {
                    sum[n] += re[i] * window[i];
                    weight[n] += window[i] * window[i];
                }
            }
        }
    }
}

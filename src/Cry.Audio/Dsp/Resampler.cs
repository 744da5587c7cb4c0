using System.Numerics;

namespace Cry.Audio.Dsp;

/// <summary>Band-limited sample-rate conversion with a Kaiser-windowed-sinc anti-aliasing filter.</summary>
/// <remarks>
/// <para>
/// Output sample <c>m</c> sits at input time <c>t = m · from / to</c> and is
/// <c>y[m] = Σ_k x[k] · h(t − k)</c>, with <c>h(x) = 2f_c · sinc(2f_c x) · w(x / H)</c>, <c>w</c> the Kaiser window
/// (β from the stopband attenuation A: <c>0.1102 (A − 8.7)</c>), <c>f_c</c> the cutoff in cycles per input sample
/// (half a transition band below the lower Nyquist) and <c>H</c> the half length from Kaiser's estimate
/// <c>N = (A − 7.95) / (14.36 Δf) + 1</c>. Samples outside the input are zero.
/// </para>
/// <para>
/// Integer rates whose reduced ratio <c>L/M</c> has at most 4096 phases use an exact polyphase table; other ratios
/// interpolate linearly in a table of <c>h</c> sampled 512 times per input sample (error below −110 dB).
/// Every phase is normalised to unit sum so DC passes exactly.
/// </para>
/// <para>
/// Written here rather than taken from NWaves so that the stopband attenuation is set exactly, arbitrary real ratios
/// (pitch shift) use the same filter, and the arithmetic runs in a fixed order (no dependence on vector width), so the
/// same input gives the same output on every run.
/// </para>
/// </remarks>
public static class Resampler
{
    private const int MaxPolyphaseCount = 4096;
    private const int TableDensity = 512;

    /// <summary>Number of output samples for <paramref name="inputLength"/> samples: round(length × to / from).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A length or rate is out of range.</exception>
    public static int OutputLength(int inputLength, int fromRate, int toRate)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inputLength);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fromRate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(toRate);
        return checked((int)(((long)inputLength * toRate + (fromRate / 2)) / fromRate));
    }

    /// <summary>Number of output samples for <paramref name="inputLength"/> samples: round(length × ratio).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The length is negative or the ratio is not positive and finite.</exception>
    public static int OutputLength(int inputLength, double ratio)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inputLength);
        ThrowIfBadRatio(ratio);
        return checked((int)Math.Round(inputLength * ratio, MidpointRounding.AwayFromZero));
    }

    /// <summary>Converts <paramref name="input"/> from <paramref name="fromRate"/> to <paramref name="toRate"/> Hz.</summary>
    /// <returns>A new array of <see cref="OutputLength(int, int, int)"/> samples; a copy when the rates are equal.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A rate is not positive.</exception>
    public static float[] Resample(ReadOnlySpan<float> input, int fromRate, int toRate, ResamplerOptions? options = null)
    {
        var output = new float[OutputLength(input.Length, fromRate, toRate)];
        Resample(input, output, fromRate, toRate, options);
        return output;
    }

    /// <summary>Converts <paramref name="input"/> from <paramref name="fromRate"/> to <paramref name="toRate"/> Hz into <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A rate is not positive.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is not exactly <see cref="OutputLength(int, int, int)"/> long.</exception>
    public static void Resample(ReadOnlySpan<float> input, Span<float> destination, int fromRate, int toRate, ResamplerOptions? options = null)
    {
        var length = OutputLength(input.Length, fromRate, toRate);
        ThrowIfWrongDestination(destination, length);
        if (fromRate == toRate)
        {
            input.CopyTo(destination);
            return;
        }

        options ??= ResamplerOptions.Default;
        var gcd = (int)BigInteger.GreatestCommonDivisor(fromRate, toRate);
        int up = toRate / gcd;
        int down = fromRate / gcd;
        var kernel = new KaiserSincKernel((double)toRate / fromRate, options);
        if (up <= MaxPolyphaseCount)
        {
            ResamplePolyphase(input, destination, up, down, kernel);
        }
        else
        {
            ResampleInterpolated(input, destination, (double)fromRate / toRate, kernel);
        }
    }

    /// <summary>Resamples by a real <paramref name="ratio"/> (output rate ÷ input rate).</summary>
    /// <returns>A new array of round(length × ratio) samples; a copy when the ratio is 1.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The ratio is not in [1/1024, 1024].</exception>
    public static float[] Resample(ReadOnlySpan<float> input, double ratio, ResamplerOptions? options = null)
    {
        var output = new float[OutputLength(input.Length, ratio)];
        Resample(input, output, ratio, options);
        return output;
    }

    /// <summary>Resamples by a real <paramref name="ratio"/> (output rate ÷ input rate) into <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The ratio is not in [1/1024, 1024].</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is not exactly <see cref="OutputLength(int, double)"/> long.</exception>
    public static void Resample(ReadOnlySpan<float> input, Span<float> destination, double ratio, ResamplerOptions? options = null)
    {
        var length = OutputLength(input.Length, ratio);
        ThrowIfWrongDestination(destination, length);
        if (ratio == 1.0)
        {
            input.CopyTo(destination);
            return;
        }

        var kernel = new KaiserSincKernel(ratio, options ?? ResamplerOptions.Default);
        ResampleInterpolated(input, destination, 1.0 / ratio, kernel);
    }

    /// <summary>Converts <paramref name="signal"/> to <paramref name="toRate"/> Hz.</summary>
    /// <returns>The same instance when the rate already matches, otherwise a new signal.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="toRate"/> is not positive.</exception>
    public static AudioSignal Resample(AudioSignal signal, int toRate, ResamplerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(signal);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(toRate);
        if (signal.SampleRate == toRate)
        {
            return signal;
        }

        return new AudioSignal(Resample(signal.Samples, signal.SampleRate, toRate, options), toRate);
    }

    private static void ThrowIfBadRatio(double ratio)
    {
        Guard.ThrowIfNotFinite(ratio);
        ArgumentOutOfRangeException.ThrowIfLessThan(ratio, 1.0 / 1024);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ratio, 1024.0);
    }

    private static void ThrowIfWrongDestination(Span<float> destination, int length)
    {
        if (destination.Length != length)
        {
            throw new ArgumentException($"The destination must hold exactly {length} samples; it holds {destination.Length}.", nameof(destination));
        }
    }

    private static void ResamplePolyphase(ReadOnlySpan<float> input, Span<float> destination, int up, int down, KaiserSincKernel kernel)
    {
        int taps = 2 * kernel.HalfWidth;
        var table = new float[up * taps];
        for (int p = 0; p < up; p++)
        {
            kernel.FillTaps((double)p / up, table.AsSpan(p * taps, taps));
        }

        for (int m = 0; m < destination.Length; m++)
        {
            long position = (long)m * down;
            var n = (int)(position / up);
            var phase = (int)(position % up);
            destination[m] = Convolve(input, n - kernel.HalfWidth + 1, table.AsSpan(phase * taps, taps));
        }
    }

    private static void ResampleInterpolated(ReadOnlySpan<float> input, Span<float> destination, double step, KaiserSincKernel kernel)
    {
        int taps = 2 * kernel.HalfWidth;
        var table = kernel.Tabulate(TableDensity);
        Span<float> weights = taps <= 1024 ? stackalloc float[taps] : new float[taps];
        for (int m = 0; m < destination.Length; m++)
        {
            double t = m * step;
            double floor = Math.Floor(t);
            KaiserSincKernel.InterpolateTaps(table, TableDensity, kernel.HalfWidth, t - floor, weights);
            destination[m] = Convolve(input, (int)floor - kernel.HalfWidth + 1, weights);
        }
    }

    // Dot product of the taps with input[start .. start + taps), treating samples outside the input as zero.
    private static float Convolve(ReadOnlySpan<float> input, int start, ReadOnlySpan<float> taps)
    {
        int first = Math.Max(0, -start);
        int last = Math.Min(taps.Length, input.Length - start);
        if (last <= first)
        {
            return 0f;
        }

        var x = input.Slice(start + first, last - first);
        var h = taps[first..last];

        // Scalar, fixed-order double accumulation: the result does not depend on the machine's vector width.
        double sum = 0;
        for (int i = 0; i < x.Length; i++)
        {
            sum += (double)x[i] * h[i];
        }

        return (float)sum;
    }
}

using Cry.Audio.Dsp;

namespace Cry.Audio.Augmentation;

/// <summary>Moves the clip in time by a drawn number of seconds; positive shifts delay it.</summary>
/// <remarks>
/// The shift in samples is <c>round(seconds × rate)</c>. <see cref="Circular"/> rotates (what leaves one end re-enters
/// at the other); otherwise the vacated part is filled with zeros and what is pushed out is dropped.
/// </remarks>
public sealed record TimeShift : IAugmentation
{
    /// <summary>Creates the augmentation; both bounds in [−60, 60] s with min ≤ max.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A bound is out of range or min &gt; max.</exception>
    public TimeShift(double minSeconds, double maxSeconds, bool circular)
    {
        Guard.ThrowIfBadRange(minSeconds, maxSeconds, -60, 60);
        MinSeconds = minSeconds;
        MaxSeconds = maxSeconds;
        Circular = circular;
    }

    /// <summary>Smallest shift in seconds (negative advances the clip).</summary>
    public double MinSeconds { get; }

    /// <summary>Largest shift in seconds.</summary>
    public double MaxSeconds { get; }

    /// <summary>Rotate instead of zero-filling.</summary>
    public bool Circular { get; }

    /// <inheritdoc/>
    public float[] Apply(ReadOnlySpan<float> samples, int sampleRate, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRate);
        double seconds = new SeededRandom(seed).NextDouble(MinSeconds, MaxSeconds);
        var shift = (long)Math.Round(seconds * sampleRate, MidpointRounding.AwayFromZero);
        int n = samples.Length;
        var output = new float[n];
        if (n == 0)
        {
            return output;
        }

        if (Circular)
        {
            var k = (int)(((shift % n) + n) % n);
            samples[..(n - k)].CopyTo(output.AsSpan(k));
            samples[(n - k)..].CopyTo(output);
        }
        else if (Math.Abs(shift) < n)
        {
            var k = (int)shift;
            if (k >= 0)
            {
                samples[..(n - k)].CopyTo(output.AsSpan(k));
            }
            else
            {
                samples[(-k)..].CopyTo(output);
            }
        }

        return output;
    }

    /// <inheritdoc/>
    public IAugmentation Resolve(ulong seed)
    {
        double seconds = new SeededRandom(seed).NextDouble(MinSeconds, MaxSeconds);
        return new TimeShift(seconds, seconds, Circular);
    }
}

using Cry.Audio.Dsp;

namespace Cry.Audio.Augmentation;

/// <summary>Adds white Gaussian noise at a signal-to-noise ratio drawn from [<see cref="MinSnrDb"/>, <see cref="MaxSnrDb"/>] dB.</summary>
/// <remarks>
/// Noise power is <c>mean(x²) / 10^(SNR/10)</c>; the drawn noise is rescaled to exactly that power, so the SNR of the
/// result is the drawn value. A silent clip (zero power) is returned unchanged.
/// </remarks>
public sealed record GaussianNoiseSnr : IAugmentation
{
    /// <summary>Creates the augmentation; both bounds in [−30, 100] dB with min ≤ max.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A bound is out of range or min &gt; max.</exception>
    public GaussianNoiseSnr(double minSnrDb, double maxSnrDb)
    {
        Guard.ThrowIfBadRange(minSnrDb, maxSnrDb, -30, 100);
        MinSnrDb = minSnrDb;
        MaxSnrDb = maxSnrDb;
    }

    /// <summary>Lowest signal-to-noise ratio in dB.</summary>
    public double MinSnrDb { get; }

    /// <summary>Highest signal-to-noise ratio in dB.</summary>
    public double MaxSnrDb { get; }

    /// <inheritdoc/>
    public float[] Apply(ReadOnlySpan<float> samples, int sampleRate, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRate);
        var random = new SeededRandom(seed);
        double snrDb = random.NextDouble(MinSnrDb, MaxSnrDb);
        double power = NoiseMath.Power(samples);
        return NoiseMath.AddNoise(samples, random, power > 0 ? Math.Sqrt(power / Math.Pow(10, snrDb / 10)) : 0, exactRms: true);
    }

    /// <inheritdoc/>
    public IAugmentation Resolve(ulong seed)
    {
        double snrDb = new SeededRandom(seed).NextDouble(MinSnrDb, MaxSnrDb);
        return new GaussianNoiseSnr(snrDb, snrDb);
    }
}

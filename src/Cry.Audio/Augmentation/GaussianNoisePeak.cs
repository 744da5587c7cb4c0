using System.Numerics.Tensors;
using Cry.Audio.Dsp;

namespace Cry.Audio.Augmentation;

/// <summary>Adds white Gaussian noise whose standard deviation is a drawn fraction of the clip's peak amplitude.</summary>
/// <remarks>
/// <c>y = x + a · max|x| · n</c>, <c>n ~ N(0, 1)</c>, <c>a</c> drawn from [<see cref="MinAmplitude"/>, <see cref="MaxAmplitude"/>]:
/// the "noise amplitude 0.01–0.015" of common cry-classification recipes. A silent clip is returned unchanged.
/// </remarks>
public sealed record GaussianNoisePeak : IAugmentation
{
    /// <summary>Creates the augmentation; both amplitudes in [0, 1] with min ≤ max.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A bound is out of range or min &gt; max.</exception>
    public GaussianNoisePeak(double minAmplitude, double maxAmplitude)
    {
        Guard.ThrowIfBadRange(minAmplitude, maxAmplitude, 0, 1);
        MinAmplitude = minAmplitude;
        MaxAmplitude = maxAmplitude;
    }

    /// <summary>Lowest noise standard deviation relative to the peak.</summary>
    public double MinAmplitude { get; }

    /// <summary>Highest noise standard deviation relative to the peak.</summary>
    public double MaxAmplitude { get; }

    /// <inheritdoc/>
    public float[] Apply(ReadOnlySpan<float> samples, int sampleRate, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRate);
        var random = new SeededRandom(seed);
        double amplitude = random.NextDouble(MinAmplitude, MaxAmplitude);
        double peak = samples.IsEmpty ? 0 : Math.Abs(TensorPrimitives.MaxMagnitude(samples)); // max |x|; MaxMagnitude keeps the sign

        return NoiseMath.AddNoise(samples, random, amplitude * peak, exactRms: false);
    }

    /// <inheritdoc/>
    public IAugmentation Resolve(ulong seed)
    {
        double amplitude = new SeededRandom(seed).NextDouble(MinAmplitude, MaxAmplitude);
        return new GaussianNoisePeak(amplitude, amplitude);
    }
}

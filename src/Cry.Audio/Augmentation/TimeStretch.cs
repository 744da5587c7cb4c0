using Cry.Audio.Dsp;

namespace Cry.Audio.Augmentation;

/// <summary>Changes tempo by a rate drawn from [<see cref="MinRate"/>, <see cref="MaxRate"/>] without changing pitch, keeping the input length.</summary>
/// <remarks>
/// librosa's convention: a rate above 1 speeds up. The phase-vocoder output (length <c>len / rate</c>) is cropped at
/// the end when longer than the input and zero-padded at the end when shorter.
/// </remarks>
public sealed record TimeStretch : IAugmentation
{
    /// <summary>Creates the augmentation; both rates in [0.25, 4] with min ≤ max.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A bound is out of range or min &gt; max.</exception>
    public TimeStretch(double minRate, double maxRate)
    {
        Guard.ThrowIfBadRange(minRate, maxRate, 0.25, 4);
        MinRate = minRate;
        MaxRate = maxRate;
    }

    /// <summary>Lowest rate (below 1 slows down).</summary>
    public double MinRate { get; }

    /// <summary>Highest rate (above 1 speeds up).</summary>
    public double MaxRate { get; }

    /// <inheritdoc/>
    public float[] Apply(ReadOnlySpan<float> samples, int sampleRate, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRate);
        double rate = new SeededRandom(seed).NextDouble(MinRate, MaxRate);
        if (rate == 1 || samples.IsEmpty)
        {
            return samples.ToArray();
        }

        var stretched = PhaseVocoder.Stretch(samples, rate, PhaseVocoder.FftSizeFor(sampleRate));
        return FixedLength.Of(stretched, samples.Length);
    }

    /// <inheritdoc/>
    public IAugmentation Resolve(ulong seed)
    {
        double rate = new SeededRandom(seed).NextDouble(MinRate, MaxRate);
        return new TimeStretch(rate, rate);
    }
}

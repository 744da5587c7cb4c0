using Cry.Audio.Dsp;

namespace Cry.Audio.Augmentation;

/// <summary>Shifts pitch by a number of semitones drawn from [<see cref="MinSemitones"/>, <see cref="MaxSemitones"/>], keeping duration.</summary>
/// <remarks>
/// librosa's definition: with <c>r = 2^(−n/12)</c>, time-stretch by rate <c>r</c> with a phase vocoder (length
/// <c>len / r</c>), resample by the ratio <c>r</c> with <see cref="Resampler"/>, then crop or zero-pad to the input length.
/// </remarks>
public sealed record PitchShift : IAugmentation
{
    /// <summary>Creates the augmentation; both bounds in [−24, 24] semitones with min ≤ max.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A bound is out of range or min &gt; max.</exception>
    public PitchShift(double minSemitones, double maxSemitones)
    {
        Guard.ThrowIfBadRange(minSemitones, maxSemitones, -24, 24);
        MinSemitones = minSemitones;
        MaxSemitones = maxSemitones;
    }

    /// <summary>Lowest shift in semitones (negative lowers the pitch).</summary>
    public double MinSemitones { get; }

    /// <summary>Highest shift in semitones.</summary>
    public double MaxSemitones { get; }

    /// <inheritdoc/>
    public float[] Apply(ReadOnlySpan<float> samples, int sampleRate, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRate);
        double semitones = new SeededRandom(seed).NextDouble(MinSemitones, MaxSemitones);
        if (semitones == 0 || samples.IsEmpty)
        {
            return samples.ToArray();
        }

        double rate = Math.Pow(2, -semitones / 12);
        var stretched = PhaseVocoder.Stretch(samples, rate, PhaseVocoder.FftSizeFor(sampleRate));
        var shifted = Resampler.Resample(stretched, rate);
        return FixedLength.Of(shifted, samples.Length);
    }

    /// <inheritdoc/>
    public IAugmentation Resolve(ulong seed)
    {
        double semitones = new SeededRandom(seed).NextDouble(MinSemitones, MaxSemitones);
        return new PitchShift(semitones, semitones);
    }
}

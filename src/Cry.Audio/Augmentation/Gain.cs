using Cry.Audio.Dsp;

namespace Cry.Audio.Augmentation;

/// <summary>Scales the clip by a gain drawn from [<see cref="MinDb"/>, <see cref="MaxDb"/>] dB: <c>y = x · 10^(g/20)</c>.</summary>
/// <remarks>No clipping is applied; samples may leave [−1, 1] for positive gains.</remarks>
public sealed record Gain : IAugmentation
{
    /// <summary>Creates the augmentation; both bounds in [−60, 60] dB with min ≤ max.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A bound is out of range or min &gt; max.</exception>
    public Gain(double minDb, double maxDb)
    {
        Guard.ThrowIfBadRange(minDb, maxDb, -60, 60);
        MinDb = minDb;
        MaxDb = maxDb;
    }

    /// <summary>Lowest gain in dB.</summary>
    public double MinDb { get; }

    /// <summary>Highest gain in dB.</summary>
    public double MaxDb { get; }

    /// <inheritdoc/>
    public float[] Apply(ReadOnlySpan<float> samples, int sampleRate, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRate);
        double factor = Math.Pow(10, new SeededRandom(seed).NextDouble(MinDb, MaxDb) / 20);
        var output = new float[samples.Length];
        for (int i = 0; i < output.Length; i++)
        {
            output[i] = (float)(samples[i] * factor);
        }

        return output;
    }

    /// <inheritdoc/>
    public IAugmentation Resolve(ulong seed)
    {
        double db = new SeededRandom(seed).NextDouble(MinDb, MaxDb);
        return new Gain(db, db);
    }
}

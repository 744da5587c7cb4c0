namespace Cry.Audio.Augmentation;

/// <summary>Shared arithmetic of the noise augmentations.</summary>
internal static class NoiseMath
{
    /// <summary>Mean square of <paramref name="samples"/>; 0 for an empty span.</summary>
    public static double Power(ReadOnlySpan<float> samples)
    {
        if (samples.IsEmpty)
        {
            return 0;
        }

        double sum = 0;
        foreach (float s in samples)
        {
            sum += (double)s * s;
        }

        return sum / samples.Length;
    }

    /// <summary>Adds Gaussian noise of standard deviation <paramref name="sigma"/>; with <paramref name="exactRms"/> the drawn noise is rescaled to RMS exactly <paramref name="sigma"/>.</summary>
    public static float[] AddNoise(ReadOnlySpan<float> samples, SeededRandom random, double sigma, bool exactRms)
    {
        var output = samples.ToArray();
        if (sigma <= 0 || samples.IsEmpty)
        {
            return output;
        }

        var noise = new double[samples.Length];
        double sum = 0;
        for (int i = 0; i < noise.Length; i++)
        {
            noise[i] = random.NextGaussian();
            sum += noise[i] * noise[i];
        }

        double scale = exactRms && sum > 0 ? sigma / Math.Sqrt(sum / noise.Length) : sigma;
        for (int i = 0; i < output.Length; i++)
        {
            output[i] = (float)(output[i] + (scale * noise[i]));
        }

        return output;
    }
}

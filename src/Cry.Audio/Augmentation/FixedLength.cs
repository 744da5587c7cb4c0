namespace Cry.Audio.Augmentation;

/// <summary>Crops or zero-pads at the end to a required length.</summary>
internal static class FixedLength
{
    /// <summary><paramref name="samples"/> itself when it already has <paramref name="length"/> samples, otherwise a cropped or zero-padded copy.</summary>
    public static float[] Of(float[] samples, int length)
    {
        if (samples.Length == length)
        {
            return samples;
        }

        var result = new float[length];
        samples.AsSpan(0, Math.Min(length, samples.Length)).CopyTo(result);
        return result;
    }
}

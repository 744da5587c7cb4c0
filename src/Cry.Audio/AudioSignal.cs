namespace Cry.Audio;

/// <summary>A mono signal in the range [-1, 1] and its sample rate.</summary>
/// <param name="Samples">The samples; the array is owned by the signal.</param>
/// <param name="SampleRate">Samples per second, positive.</param>
public sealed record AudioSignal(float[] Samples, int SampleRate)
{
    /// <summary>Duration in seconds.</summary>
    public double DurationSeconds => (double)Samples.Length / SampleRate;
}

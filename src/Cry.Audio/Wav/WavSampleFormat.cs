namespace Cry.Audio.Wav;

/// <summary>How <see cref="WavEncoder"/> stores each sample.</summary>
public enum WavSampleFormat
{
    /// <summary>16-bit signed PCM, format tag 1; samples are clipped to [-1, 1] and rounded to the nearest step of 1/32768.</summary>
    Pcm16,

    /// <summary>32-bit IEEE float, format tag 3; samples are stored exactly.</summary>
    Float32,
}

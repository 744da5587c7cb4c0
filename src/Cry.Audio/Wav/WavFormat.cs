namespace Cry.Audio.Wav;

/// <summary>How one sample of one channel is stored.</summary>
internal enum WavEncoding
{
    /// <summary>8-bit unsigned PCM, centre 128.</summary>
    UInt8,

    /// <summary>16-bit signed little-endian PCM.</summary>
    Int16,

    /// <summary>24-bit signed little-endian PCM.</summary>
    Int24,

    /// <summary>32-bit signed little-endian PCM.</summary>
    Int32,

    /// <summary>32-bit little-endian IEEE float.</summary>
    Float32,

    /// <summary>64-bit little-endian IEEE float.</summary>
    Float64,
}

/// <summary>A validated WAV sample layout and the size its data chunk declares.</summary>
/// <param name="Encoding">How each sample is stored.</param>
/// <param name="Channels">Interleaved channels per frame, at least 1.</param>
/// <param name="SampleRate">Frames per second, within the decoder's limits.</param>
/// <param name="BlockAlign">Bytes per frame: channels × bytes per sample.</param>
/// <param name="DeclaredDataSize">The data chunk's size field; 0 and 0xFFFFFFFF mean unknown (streaming).</param>
internal readonly record struct WavFormat(
    WavEncoding Encoding, int Channels, int SampleRate, int BlockAlign, uint DeclaredDataSize)
{
    /// <summary>Most data bytes to read: the declared size, or unbounded for the streaming convention.</summary>
    public long DataLimit => DeclaredDataSize is 0 or uint.MaxValue ? long.MaxValue : DeclaredDataSize;
}

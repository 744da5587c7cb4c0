using Cry.Audio.Decoding;

namespace Cry.Audio.Tests.Decoding;

/// <summary>
/// AMR in 3GP is decoded frame by frame however many frames a sample holds (Android's recorder puts 13 in each, which
/// FFmpeg 5.1 alone decodes as one). The frames are seeded random bits behind valid headers: AMR decodes any bits, and
/// no AMR encoder is at hand.
/// </summary>
public sealed class AmrIn3gpTests
{
    private const int Frames = 65;

    [Theory]
    [InlineData(1, 1, false)]
    [InlineData(1, 5, false)]
    [InlineData(13, 2, false)]
    [InlineData(13, 1, true)]
    [InlineData(4, 3, true)]
    public void Decode_3gpWithSeveralFramesPerSample_EqualsTheRawAmrStream(int framesPerSample, int samplesPerChunk, bool wideband)
    {
        FfmpegTool.SkipUnlessAvailable();
        byte[][] frames = RandomFrames(wideband, seed: framesPerSample);
        byte[][] samples = [.. frames.Chunk(framesPerSample).Select(c => c.SelectMany(f => f).ToArray())];
        byte[] file = Mp4Builder.AmrFile(samples, samplesPerChunk, wideband, framesPerSample);
        byte[] raw = [.. wideband ? "#!AMR-WB\n"u8 : "#!AMR\n"u8, .. frames.SelectMany(f => f)];

        AudioSignal fromRaw = AudioDecoder.Default.Decode(raw);
        AudioSignal from3gp = AudioDecoder.Default.Decode(file);

        Assert.Equal(wideband ? "AMR-WB in a 3GP container" : "AMR-NB in a 3GP container", AudioDecoder.Describe(file));
        Assert.Equal(wideband ? 16000 : 8000, from3gp.SampleRate);
        Assert.Equal(Frames * from3gp.SampleRate / 50, from3gp.Samples.Length); // 20 ms a frame.
        Assert.Equal(fromRaw.Samples, from3gp.Samples);
    }

    [Fact]
    public void Decode_3gpCutInTheMediaData_DecodesTheFramesPresent()
    {
        FfmpegTool.SkipUnlessAvailable();
        byte[][] frames = RandomFrames(wideband: false, seed: 5);
        byte[] file = Mp4Builder.AmrFile([.. frames.Chunk(13).Select(c => c.SelectMany(f => f).ToArray())], 1, framesPerSample: 13);

        AudioSignal decoded = AudioDecoder.Default.Decode(file.AsSpan(0, file.Length - (32 * 20)));

        Assert.Equal((Frames - 20) * 160, decoded.Samples.Length);
    }

    // AMR-NB 12.2 kbit/s frames (header 0x3C, 32 bytes) or AMR-WB 12.65 kbit/s frames (header 0x14, 33 bytes).
    private static byte[][] RandomFrames(bool wideband, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, Frames).Select(_ =>
        {
            byte[] frame = new byte[wideband ? 33 : 32];
            random.NextBytes(frame);
            frame[0] = wideband ? (byte)0x14 : (byte)0x3C;
            return frame;
        })];
    }
}

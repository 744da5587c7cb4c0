using System.Buffers.Binary;
using Cry.Audio.Wav;

namespace Cry.Audio.Tests.Wav;

public sealed class WavEncoderTests
{
    private static float[] RandomSamples(int count, int seed)
    {
        var random = new Random(seed);
        var samples = new float[count];
        for (int i = 0; i < count; i++)
        {
            samples[i] = (i % 5) switch
            {
                0 => 1f,
                1 => -1f,
                _ => (float)((random.NextDouble() * 2) - 1),
            };
        }

        return samples;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(333)]
    [InlineData(100_000)]
    public void Encode_Pcm16_RoundTripsWithinOneStep(int count)
    {
        float[] samples = RandomSamples(count, seed: count);

        AudioSignal decoded = WavDecoder.Default.Decode(WavEncoder.Encode(samples, 16000));

        Assert.Equal(16000, decoded.SampleRate);
        Assert.Equal(samples, decoded.Samples, (a, b) => Math.Abs(a - b) <= 1f / 32768);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(333)]
    [InlineData(100_000)]
    public void Encode_Float32_RoundTripsExactly(int count)
    {
        float[] samples = RandomSamples(count, seed: count + 1);

        AudioSignal decoded = WavDecoder.Default.Decode(WavEncoder.Encode(samples, 44100, WavSampleFormat.Float32));

        Assert.Equal(44100, decoded.SampleRate);
        Assert.Equal(samples, decoded.Samples);
    }

    [Fact]
    public void Encode_Pcm16_ClipsAndRoundsToNearestStep()
    {
        float[] samples = [1.5f, -2f, 1f, -1f, 1.4f / 32768, 1.6f / 32768, -2.6f / 32768, 0f];

        byte[] wav = WavEncoder.Encode(samples, 8000);

        short[] stored = Enumerable.Range(0, samples.Length).Select(i => BinaryPrimitives.ReadInt16LittleEndian(wav.AsSpan(44 + (2 * i)))).ToArray();
        Assert.Equal([32767, -32768, 32767, -32768, 1, 2, -3, 0], stored);
    }

    [Theory]
    [InlineData(WavSampleFormat.Pcm16, 44, 1, 2)]
    [InlineData(WavSampleFormat.Float32, 58, 3, 4)]
    public void Encode_Header_HasStandardFields(WavSampleFormat format, int headerSize, int tag, int width)
    {
        byte[] wav = WavEncoder.Encode(new float[5], 22050, format);
        ReadOnlySpan<byte> w = wav;

        Assert.Equal(headerSize + (5 * width), wav.Length);
        Assert.True(w[..4].SequenceEqual("RIFF"u8));
        Assert.Equal((uint)(wav.Length - 8), BinaryPrimitives.ReadUInt32LittleEndian(w[4..]));
        Assert.True(w[8..16].SequenceEqual("WAVEfmt "u8));
        Assert.Equal(tag, BinaryPrimitives.ReadUInt16LittleEndian(w[20..]));
        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(w[22..]));
        Assert.Equal(22050u, BinaryPrimitives.ReadUInt32LittleEndian(w[24..]));
        Assert.Equal((uint)(22050 * width), BinaryPrimitives.ReadUInt32LittleEndian(w[28..]));
        Assert.Equal(width, BinaryPrimitives.ReadUInt16LittleEndian(w[32..]));
        Assert.Equal(8 * width, BinaryPrimitives.ReadUInt16LittleEndian(w[34..]));
        Assert.True(w[(headerSize - 8)..(headerSize - 4)].SequenceEqual("data"u8));
        Assert.Equal((uint)(5 * width), BinaryPrimitives.ReadUInt32LittleEndian(w[(headerSize - 4)..]));
    }

    [Theory]
    [InlineData(WavSampleFormat.Pcm16)]
    [InlineData(WavSampleFormat.Float32)]
    public void Write_EqualsEncode(WavSampleFormat format)
    {
        float[] samples = RandomSamples(10_001, seed: 4);
        using var stream = new MemoryStream();

        WavEncoder.Write(stream, samples, 16000, format);

        Assert.Equal(WavEncoder.Encode(samples, 16000, format), stream.ToArray());
    }

    [Fact]
    public void Encode_NoSamples_WritesHeaderThatDecoderRefusesAsEmpty()
    {
        byte[] wav = WavEncoder.Encode([], 16000);

        Assert.Equal(44, wav.Length);
        var error = Assert.Throws<AudioFormatException>(() => WavDecoder.Default.Decode(wav));
        Assert.Contains("no complete sample frame", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(float.NaN, "NaN")]
    [InlineData(float.PositiveInfinity, "infinite")]
    public void Write_NonFiniteSample_ThrowsBeforeWriting(float bad, string word)
    {
        using var stream = new MemoryStream();

        var error = Assert.Throws<ArgumentException>(() => WavEncoder.Write(stream, [0f, 0.5f, bad], 16000));

        Assert.Contains($"Sample 2 is {word}", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, stream.Length);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-8000)]
    public void Encode_NonPositiveSampleRate_ThrowsArgumentOutOfRange(int sampleRate) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => WavEncoder.Encode([0f], sampleRate));

    [Fact]
    public void Encode_UnknownFormat_ThrowsArgumentOutOfRange() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => WavEncoder.Encode([0f], 8000, (WavSampleFormat)7));

    [Fact]
    public void Write_NullStream_ThrowsArgumentNull() =>
        Assert.Throws<ArgumentNullException>(() => WavEncoder.Write(null!, [0f], 8000));
}

using System.Buffers.Binary;
using Cry.Audio.Wav;

namespace Cry.Audio.Tests.Wav;

public sealed class WavDecoderTests
{
    // Float32 rounding of the mean of up to 6 values in [-1, 1]: half an ulp at 1 is 6e-8.
    private const float MixTolerance = 1e-7f;

    public static TheoryData<SampleKind, int> FormatsAndChannels()
    {
        var data = new TheoryData<SampleKind, int>();
        foreach (SampleKind kind in Enum.GetValues<SampleKind>())
        {
            foreach (int channels in new[] { 1, 2, 6 })
            {
                data.Add(kind, channels);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(FormatsAndChannels))]
    public void Decode_EveryFormatAndChannelCount_ReturnsScaledChannelMean(SampleKind kind, int channels)
    {
        const int Frames = 37;
        byte[] samples = SampleBytes.Random(kind, Frames * channels, seed: 7, out double[] values);
        byte[] wav = new WavBuilder().Fmt(kind.Tag(), channels, 22050, kind.Bits()).Data(samples).Build();

        AudioSignal signal = WavDecoder.Default.Decode(wav);

        Assert.Equal(22050, signal.SampleRate);
        Assert.Equal(SampleBytes.MonoMean(values, channels), signal.Samples, (a, b) => Math.Abs(a - b) <= MixTolerance);
    }

    [Theory]
    [InlineData(SampleKind.UInt8, 2)]
    [InlineData(SampleKind.Int16, 1)]
    [InlineData(SampleKind.Int16, 6)]
    [InlineData(SampleKind.Int24, 2)]
    [InlineData(SampleKind.Int32, 6)]
    [InlineData(SampleKind.Float32, 2)]
    [InlineData(SampleKind.Float64, 6)]
    public void Decode_Extensible_MatchesPlainFormat(SampleKind kind, int channels)
    {
        byte[] samples = SampleBytes.Random(kind, 25 * channels, seed: 3, out double[] values);
        byte[] wav = new WavBuilder()
            .FmtExtensible(kind.Tag(), channels, 48000, kind.Bits(), kind.Bits())
            .Data(samples)
            .Build();

        AudioSignal signal = WavDecoder.Default.Decode(wav);

        Assert.Equal(48000, signal.SampleRate);
        Assert.Equal(SampleBytes.MonoMean(values, channels), signal.Samples, (a, b) => Math.Abs(a - b) <= MixTolerance);
    }

    [Fact]
    public void Decode_Extensible24BitsIn32BitContainer_ScalesByContainer()
    {
        // Valid bits are left-aligned in the container, so x / 2^31 is the value.
        byte[] wav = new WavBuilder()
            .FmtExtensible(1, 1, 16000, 32, validBits: 24)
            .Data([0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00, 0xC0])
            .Build();

        Assert.Equal([0.5f, -0.5f], WavDecoder.Default.Decode(wav).Samples);
    }

    [Fact]
    public void Decode_Pcm16Mono_EqualsInt16Over32768ExactlyForEveryValue()
    {
        short[] all = Enumerable.Range(short.MinValue, 65536).Select(v => (short)v).ToArray();
        byte[] wav = new WavBuilder().Fmt(1, 1, 16000, 16).Data(SampleBytes.Int16(all)).Build();

        float[] samples = WavDecoder.Default.Decode(wav).Samples;

        for (int i = 0; i < all.Length; i++)
        {
            Assert.Equal(all[i] / 32768f, samples[i]);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(33)]
    [InlineData(1001)]
    public void Decode_Pcm16Stereo_EqualsChannelMeanExactlyIncludingExtremes(int randomFrames)
    {
        // Extremes first, then random frames so that the count is not a multiple of any vector width.
        var rng = new Random(11);
        var interleaved = new List<short> { short.MinValue, short.MinValue, short.MaxValue, short.MaxValue, short.MinValue, short.MaxValue, -1, 0, 1, -2 };
        for (int i = 0; i < 2 * randomFrames; i++)
        {
            interleaved.Add((short)rng.Next(short.MinValue, short.MaxValue + 1));
        }

        byte[] wav = new WavBuilder().Fmt(1, 2, 16000, 16).Data(SampleBytes.Int16([.. interleaved])).Build();

        float[] samples = WavDecoder.Default.Decode(wav).Samples;

        Assert.Equal(interleaved.Count / 2, samples.Length);
        for (int f = 0; f < samples.Length; f++)
        {
            Assert.Equal((float)((interleaved[2 * f] + interleaved[(2 * f) + 1]) / 65536.0), samples[f]);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(64)]
    [InlineData(1001)]
    public void Decode_Float32Mono_EqualsInputClippedToUnitRange(int count)
    {
        var rng = new Random(5);
        float[] values = [.. Enumerable.Range(0, count).Select(_ => (float)((rng.NextDouble() * 4) - 2))];
        byte[] wav = new WavBuilder().Fmt(3, 1, 16000, 32).Data(SampleBytes.Float32(values)).Build();

        float[] samples = WavDecoder.Default.Decode(wav).Samples;

        Assert.Equal(values.Select(v => Math.Clamp(v, -1f, 1f)), samples);
    }

    [Theory]
    [InlineData(0, float.NaN, "is NaN")]
    [InlineData(37, float.PositiveInfinity, "is infinite")]
    [InlineData(99, float.NegativeInfinity, "is infinite")]
    public void Decode_Float32MonoNonFiniteAnywhere_NamesTheSample(int index, float bad, string what)
    {
        float[] values = [.. Enumerable.Range(0, 100).Select(i => i / 200f)];
        values[index] = bad;
        byte[] wav = new WavBuilder().Fmt(3, 1, 16000, 32).Data(SampleBytes.Float32(values)).Build();

        var error = Assert.Throws<AudioFormatException>(() => WavDecoder.Default.Decode(wav));

        Assert.Contains($"Sample {index} (channel 1 of 1) {what}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_Pcm8_IsUnsignedAroundCentre128()
    {
        byte[] wav = new WavBuilder().Fmt(1, 1, 8000, 8).Data([128, 0, 255, 192, 64]).Build();

        Assert.Equal([0f, -1f, 127f / 128, 0.5f, -0.5f], WavDecoder.Default.Decode(wav).Samples);
    }

    [Fact]
    public void Decode_Int24_SignExtends()
    {
        byte[] wav = new WavBuilder().Fmt(1, 1, 8000, 24).Data([0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x80, 0xFF, 0xFF, 0x7F]).Build();

        Assert.Equal([-1f / 8388608, -1f, 8388607f / 8388608], WavDecoder.Default.Decode(wav).Samples);
    }

    [Fact]
    public void Decode_FloatBeyondFullScale_IsClippedToUnitRange()
    {
        byte[] wav = new WavBuilder().Fmt(3, 1, 8000, 64).Data(SampleBytes.Float64(1.5, -3, 1e300, 0.25)).Build();

        Assert.Equal([1f, -1f, 1f, 0.25f], WavDecoder.Default.Decode(wav).Samples);
    }

    [Fact]
    public void Decode_UnknownChunksAroundTheData_AreSkipped()
    {
        byte[] samples = SampleBytes.Int16(100, -200, 300);
        byte[] wav = new WavBuilder()
            .Chunk("JUNK", new byte[28])
            .Chunk("bext", new byte[7])
            .Fmt(1, 1, 16000, 16)
            .Chunk("LIST", "INFOISFT\x05\0\0\0Lavf\0\0"u8)
            .Chunk("fact", [3, 0, 0, 0])
            .Data(samples)
            .Chunk("id3 ", new byte[13])
            .Build();

        Assert.Equal([100f / 32768, -200f / 32768, 300f / 32768], WavDecoder.Default.Decode(wav).Samples);
    }

    [Fact]
    public void Decode_OddSizedChunk_HonoursPadByte()
    {
        // Without the pad byte the reader would land one byte into the 'fmt ' chunk header and find no fmt.
        byte[] wav = new WavBuilder()
            .Chunk("odd ", [1, 2, 3, 4, 5])
            .Fmt(1, 1, 16000, 16, fmtSize: 16)
            .Chunk("odd2", [9])
            .Data(SampleBytes.Int16(1000))
            .Build();

        Assert.Equal([1000f / 32768], WavDecoder.Default.Decode(wav).Samples);
    }

    [Fact]
    public void Decode_OddSizedFmtChunk_HonoursPadByte()
    {
        byte[] wav = new WavBuilder().Fmt(1, 1, 16000, 16, fmtSize: 19).Data(SampleBytes.Int16(-1000)).Build();

        Assert.Equal([-1000f / 32768], WavDecoder.Default.Decode(wav).Samples);
    }

    [Theory]
    [InlineData(1_000_000u)]
    [InlineData(0u)]
    [InlineData(0xFFFFFFFFu)]
    public void Decode_DataSizeFieldBeyondBytesPresent_DecodesWholeFramesPresent(uint sizeField)
    {
        // 10 stereo 16-bit frames and 3 bytes of an 11th.
        byte[] samples = SampleBytes.Random(SampleKind.Int16, 22, seed: 5, out double[] values);
        byte[] wav = new WavBuilder().Fmt(1, 2, 16000, 16).Data(samples.AsSpan(0, 43), sizeField).Build();

        float[] decoded = WavDecoder.Default.Decode(wav).Samples;

        Assert.Equal(SampleBytes.MonoMean(values[..20], 2), decoded);
    }

    [Fact]
    public void Decode_DataSizeFieldSmallerThanBytesPresent_StopsAtDeclaredSize()
    {
        byte[] wav = new WavBuilder()
            .Fmt(1, 1, 16000, 16)
            .Data(SampleBytes.Int16(1, 2, 3, 4), size: 4)
            .Raw(SampleBytes.Int16(3, 4))
            .Build();

        Assert.Equal([1f / 32768, 2f / 32768], WavDecoder.Default.Decode(wav).Samples);
    }

    [Fact]
    public void Decode_TrailingPartialFrame_IsDropped()
    {
        byte[] wav = new WavBuilder().Fmt(1, 1, 16000, 24).Data([0, 0, 0x40, 0, 0]).Build();

        Assert.Equal([0.5f], WavDecoder.Default.Decode(wav).Samples);
    }

    [Fact]
    public void Decode_RiffSizeFieldWrong_IsIgnored()
    {
        byte[] wav = new WavBuilder { RiffSize = 4 }.Fmt(1, 1, 16000, 16).Data(SampleBytes.Int16(7)).Build();

        Assert.Equal([7f / 32768], WavDecoder.Default.Decode(wav).Samples);
    }

    public static TheoryData<string> StreamCases() => ["pcm16-mono", "pcm24-6ch", "float32-ext-2ch", "pcm8-odd-chunks", "pcm16-long", "truncated-unknown-size"];

    private static byte[] StreamCase(string name) => name switch
    {
        "pcm16-mono" => WavBuilder.Valid(SampleKind.Int16, 1, 301),
        "pcm24-6ch" => WavBuilder.Valid(SampleKind.Int24, 6, 99),
        "float32-ext-2ch" => new WavBuilder()
            .FmtExtensible(3, 2, 44100, 32, 32)
            .Data(SampleBytes.Random(SampleKind.Float32, 2 * 77, 2, out _))
            .Build(),
        "pcm8-odd-chunks" => new WavBuilder()
            .Chunk("LIST", new byte[3])
            .Fmt(1, 2, 8000, 8)
            .Chunk("junk", new byte[70_001])
            .Data(SampleBytes.Random(SampleKind.UInt8, 2 * 55, 4, out _))
            .Build(),
        // Longer than one 64 KiB read and than the first buffer of a non-seekable stream.
        "pcm16-long" => WavBuilder.Valid(SampleKind.Int16, 2, 50_000, seed: 9),
        _ => new WavBuilder()
            .Fmt(1, 1, 16000, 16)
            .Data(SampleBytes.Random(SampleKind.Int16, 41, 8, out _).AsSpan(0, 81), size: 0)
            .Build(),
    };

    [Theory]
    [MemberData(nameof(StreamCases))]
    public void Decode_Stream_EqualsSpanForSeekableChunkedAndOneByteStreams(string name)
    {
        byte[] wav = StreamCase(name);
        AudioSignal expected = WavDecoder.Default.Decode(wav.AsSpan());

        AudioSignal seekable = WavDecoder.Default.Decode(new MemoryStream(wav));
        var chunked = new TrickleStream(wav, maxRead: 4097);
        AudioSignal fromChunked = WavDecoder.Default.Decode(chunked);
        AudioSignal oneByte = WavDecoder.Default.Decode(new TrickleStream(wav, maxRead: 1));

        Assert.Equal(expected.Samples, seekable.Samples);
        Assert.Equal(expected.Samples, fromChunked.Samples);
        Assert.Equal(expected.Samples, oneByte.Samples);
        Assert.Equal(expected.SampleRate, oneByte.SampleRate);
        Assert.InRange(chunked.LargestRequest, 1, 64 * 1024);
    }

    [Fact]
    public void Decode_Stream_StartsAtCurrentPosition()
    {
        byte[] wav = WavBuilder.Valid(SampleKind.Int16, 1, 10);
        var stream = new MemoryStream([.. new byte[5], .. wav]) { Position = 5 };

        Assert.Equal(WavDecoder.Default.Decode(wav).Samples, WavDecoder.Default.Decode(stream).Samples);
    }

    [Fact]
    public void Decode_HugeSizeFields_AllocateInProportionToBytesPresent()
    {
        byte[] wav = new WavBuilder()
            .Chunk("LIST", new byte[4], size: 4)
            .Fmt(1, 2, 16000, 16)
            .Data(SampleBytes.Int16(1, 2, 3, 4), size: 0xFFFFFFF0)
            .Build();
        WavDecoder.Default.Decode(wav);
        WavDecoder.Default.Decode(new TrickleStream(wav, 1));

        long before = GC.GetAllocatedBytesForCurrentThread();
        AudioSignal fromSpan = WavDecoder.Default.Decode(wav);
        AudioSignal fromStream = WavDecoder.Default.Decode(new TrickleStream(wav, 1));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(2, fromSpan.Samples.Length);
        Assert.Equal(2, fromStream.Samples.Length);
        // The non-seekable stream starts with a 16 Ki-sample buffer (64 KiB); a trusted size field would ask for 4 GB.
        Assert.InRange(allocated, 0, 256 * 1024);
    }

    [Fact]
    public void Decode_ChunkClaiming4GBInSeekableStream_ReportsMissingData()
    {
        byte[] wav = new WavBuilder().Fmt(1, 1, 16000, 16).Chunk("LIST", [1, 2], size: 0xFFFFFFFF).Build();

        var error = Assert.Throws<AudioFormatException>(() => WavDecoder.Default.Decode(new MemoryStream(wav)));

        Assert.Contains("No 'data' chunk", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_EndlessStreamWithUnknownDataSize_RefusedAtMaximumDuration()
    {
        byte[] header = new WavBuilder().Fmt(1, 1, 8000, 16).Data([], size: 0xFFFFFFFF).Build();
        var decoder = new WavDecoder(new WavDecoderOptions { MaxDurationSeconds = 2 });

        var error = Assert.Throws<AudioFormatException>(() => decoder.Decode(new EndlessStream(header)));

        Assert.Contains("longer than the maximum of 2 s", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1000, false)]
    [InlineData(1001, true)]
    public void Decode_AtAndBeyondMaximumDuration_AcceptsThenRefuses(int frames, bool refused)
    {
        var decoder = new WavDecoder(new WavDecoderOptions { MaxDurationSeconds = 1 });
        byte[] wav = WavBuilder.Valid(SampleKind.Int16, 1, frames, sampleRate: 1000);

        Func<AudioSignal>[] paths =
        [
            () => decoder.Decode(wav),
            () => decoder.Decode(new MemoryStream(wav)),
            () => decoder.Decode(new TrickleStream(wav, 100)),
        ];

        foreach (Func<AudioSignal> decode in paths)
        {
            if (refused)
            {
                var error = Assert.Throws<AudioFormatException>(decode);
                Assert.Contains("longer than the maximum of 1 s", error.Message, StringComparison.Ordinal);
            }
            else
            {
                Assert.Equal(frames, decode().Samples.Length);
            }
        }
    }

    [Fact]
    public void Decode_RefBuffer_GrowsOnceThenReusesWithoutAllocating()
    {
        byte[] wav = WavBuilder.Valid(SampleKind.Int24, 2, 500);
        float[] expected = WavDecoder.Default.Decode(wav).Samples;
        float[] buffer = [];

        int first = WavDecoder.Default.Decode(wav, ref buffer, out int rate);
        float[] grown = buffer;
        long before = GC.GetAllocatedBytesForCurrentThread();
        int second = WavDecoder.Default.Decode(wav, ref buffer, out _);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(500, first);
        Assert.Equal(500, second);
        Assert.Equal(16000, rate);
        Assert.Same(grown, buffer);
        Assert.Equal(0, allocated);
        Assert.Equal(expected, buffer);
    }

    [Fact]
    public void Decode_RefBufferLargerThanSignal_KeepsArrayAndReturnsCount()
    {
        byte[] wav = WavBuilder.Valid(SampleKind.Float32, 1, 10);
        var buffer = new float[64];
        Array.Fill(buffer, 42f);
        float[] original = buffer;

        int count = WavDecoder.Default.Decode(wav, ref buffer, out _);

        Assert.Same(original, buffer);
        Assert.Equal(10, count);
        Assert.Equal(WavDecoder.Default.Decode(wav).Samples, buffer[..10]);
        Assert.All(buffer[10..], v => Assert.Equal(42f, v));
    }

    [Fact]
    public void Decode_RefBufferTooSmall_ReplacesWithNewArray()
    {
        byte[] wav = WavBuilder.Valid(SampleKind.UInt8, 1, 10);
        var buffer = new float[3];
        float[] original = buffer;

        int count = WavDecoder.Default.Decode(wav, ref buffer, out _);

        Assert.NotSame(original, buffer);
        Assert.Equal(10, count);
        Assert.Equal(WavDecoder.Default.Decode(wav).Samples, buffer[..count]);
    }

    [Fact]
    public void Decode_NullStream_ThrowsArgumentNull() =>
        Assert.Throws<ArgumentNullException>(() => WavDecoder.Default.Decode((Stream)null!));

    [Fact]
    public void Decode_FactChunkCountsAreIgnored()
    {
        var fact = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(fact, 999_999);
        byte[] wav = new WavBuilder().Fmt(3, 1, 16000, 32, fmtSize: 18).Chunk("fact", fact).Data(SampleBytes.Float32(0.5f)).Build();

        Assert.Equal([0.5f], WavDecoder.Default.Decode(wav).Samples);
    }

    /// <summary>A non-seekable stream: the given header, then zero bytes forever.</summary>
    private sealed class EndlessStream(byte[] header) : ForwardOnlyStream
    {
        private long _position;

        public override int Read(Span<byte> buffer)
        {
            buffer.Clear();
            if (_position < header.Length)
            {
                int n = (int)Math.Min(buffer.Length, header.Length - _position);
                header.AsSpan((int)_position, n).CopyTo(buffer);
            }

            _position += buffer.Length;
            return buffer.Length;
        }
    }
}

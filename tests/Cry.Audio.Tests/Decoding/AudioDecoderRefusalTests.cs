using System.Buffers.Binary;
using System.Diagnostics;
using Cry.Audio.Decoding;
using Cry.Audio.Wav;

namespace Cry.Audio.Tests.Decoding;

/// <summary>Broken, lying and hostile files of every container are refused with an <see cref="AudioFormatException"/> that says why.</summary>
public sealed class AudioDecoderRefusalTests
{
    private static readonly byte[] s_ima = CafBuilder.Ima4Packets(40);

    public static TheoryData<string, byte[], string[]> Inputs() => new()
    {
        { "empty", [], ["empty"] },
        { "one byte", [0x00], ["too few for any audio"] },
        { "text", "label,start,end\n1,0.0,0.5\n"u8.ToArray(), ["plain text"] },
        { "random", RandomBytes(4096, seed: 11), [] },
        { "zeros", new byte[4096], [] },
    };

    public static TheoryData<string, byte[], string[]> Caf() => new()
    {
        { "header only", "caff\0\x01\0\0"u8.ToArray(), ["no 'desc' chunk"] },
        { "shorter than its header", "caff\0\x01"u8.ToArray(), ["Not a CAF file"] },
        { "version 2", new CafBuilder { Version = 2 }.Ima4Desc().Data(s_ima).Build(), ["version 2", "only version 1"] },
        { "no desc", new CafBuilder().Data(s_ima).Build(), ["no 'desc' chunk"] },
        { "no data", new CafBuilder().Ima4Desc().Chunk("free", new byte[16]).Build(), ["no 'data' chunk"] },
        { "desc of 16 bytes", new CafBuilder().Desc(16000, "ima4", 0, 34, 64, 1, 0, bodyLength: 16).Data(s_ima).Build(), ["'desc' chunk is shorter than its 32 bytes"] },
        { "negative chunk size", new CafBuilder().Ima4Desc().Chunk("free", new byte[8], size: -5).Data(s_ima).Build(), ["'free'", "negative size (-5)"] },
        { "data size -2", new CafBuilder().Ima4Desc().Data(s_ima, size: -2).Build(), ["'data'", "negative size (-2)"] },
        { "long.MinValue chunk size", new CafBuilder().Chunk("desc", new byte[32], size: long.MinValue).Build(), ["negative size"] },
        { "huge chunk before desc", new CafBuilder().Chunk("free", new byte[8], size: long.MaxValue).Ima4Desc().Data(s_ima).Build(), ["no 'desc' chunk"] },
        { "huge pakt before data", new CafBuilder().Ima4Desc().Pakt(40, 2560, 0, 0, size: 1L << 62).Data(s_ima).Build(), ["no 'data' chunk"] },
        { "data shorter than its edit count", new CafBuilder().Ima4Desc().Chunk("data", [0, 0]).Build(), ["too short to hold its edit count"] },
        { "data without packets", new CafBuilder().Ima4Desc().Data([]).Build(), ["holds no decodable audio"] },
        { "zero channels", new CafBuilder().Desc(16000, "ima4", 0, 0, 64, 0, 0).Data(s_ima).Build(), ["0 channels"] },
        { "4 billion channels", new CafBuilder().Desc(16000, "ima4", 0, 34, 64, uint.MaxValue, 0).Data(s_ima).Build(), ["4294967295 channels", "between 1 and 32"] },
        { "33 channels", new CafBuilder().Ima4Desc(channels: 33).Data(s_ima).Build(), ["33 channels"] },
        { "rate 0", new CafBuilder().Ima4Desc(0).Data(s_ima).Build(), ["sample rate 0 Hz"] },
        { "rate NaN", new CafBuilder().Ima4Desc(double.NaN).Data(s_ima).Build(), ["sample rate NaN Hz"] },
        { "rate -16000", new CafBuilder().Ima4Desc(-16000).Data(s_ima).Build(), ["sample rate -16000 Hz"] },
        { "rate 1e300", new CafBuilder().Ima4Desc(1e300).Data(s_ima).Build(), ["out of range"] },
        { "rate 16000.5", new CafBuilder().Ima4Desc(16000.5).Data(s_ima).Build(), ["16000.5 Hz", "whole rates"] },
        { "IMA4 of 35 bytes a packet", new CafBuilder().Desc(16000, "ima4", 0, 35, 64, 1, 0).Data(s_ima).Build(), ["35 bytes and 64 frames per packet"] },
        { "IMA4 step index 89", new CafBuilder().Ima4Desc().Data(CafBuilder.Ima4Packets(3, stepIndex: 89)).Build(), ["step index 89", "above the largest, 88"] },
        { "IMA4 step index 127", new CafBuilder().Ima4Desc().Data(CafBuilder.Ima4Packets(3, stepIndex: 127)).Build(), ["step index 127"] },
        { "12-bit PCM", new CafBuilder().Desc(16000, "lpcm", 0, 2, 1, 1, 12).Data(new byte[64]).Build(), ["12-bit integer"] },
        { "PCM of 3 bytes a 16-bit frame", new CafBuilder().Desc(16000, "lpcm", 0, 3, 1, 1, 16).Data(new byte[64]).Build(), ["3 bytes and 1 frames per packet"] },
        { "A-law of 2 bytes a frame", new CafBuilder().Desc(8000, "alaw", 0, 2, 1, 1, 8).Data(new byte[64]).Build(), ["alaw description says 2 bytes"] },
        { "float NaN", new CafBuilder().PcmDesc(16000, 32, isFloat: true, littleEndian: false).Data(CafBuilder.Float32BigEndian(0, 0.5f, float.NaN, 0)).Build(), ["non-finite sample (NaN)"] },
        { "float +Inf", new CafBuilder().PcmDesc(16000, 32, isFloat: true, littleEndian: false).Data(CafBuilder.Float32BigEndian(float.PositiveInfinity)).Build(), ["non-finite sample (Infinity)"] },
        { "double -Inf", new CafBuilder().PcmDesc(8000, 64, isFloat: true, littleEndian: true).Data(CafBuilder.Float64LittleEndian(0.25, double.NegativeInfinity)).Build(), ["non-finite sample (-Infinity)"] },
    };

    public static TheoryData<string, byte[], string[]> Mp4() => new()
    {
        { "ftyp only", Mp4Builder.Ftyp("M4A "), ["The M4A file has no 'moov' box", "truncated or was never finished"] },
        { "ftyp and mdat", Mp4Builder.Concat(Mp4Builder.Ftyp("3gp4"), Mp4Builder.Box("mdat", new byte[400])), ["The 3GP file has no 'moov' box"] },
        { "box of size 4", Mp4Builder.Concat(Mp4Builder.Ftyp("isom"), Mp4Builder.Sized(4, "free", new byte[8])), ["'free'", "size 4, smaller than its own header"] },
        { "64-bit size 0", Mp4Builder.Concat(Mp4Builder.Ftyp("isom"), Mp4Builder.Large("moov", 0, new byte[8])), ["'moov'", "size 0"] },
        { "64-bit size 15", Mp4Builder.Concat(Mp4Builder.Ftyp("isom"), Mp4Builder.Large("moov", 15, new byte[8])), ["'moov'", "size 15"] },
        { "moov of 4 GB", Mp4Builder.Concat(Mp4Builder.Ftyp("isom"), Mp4Builder.Sized(0xFFFFFFFF, "moov", Mp4Builder.Box("mvhd", new byte[100]))), ["The MP4 file has no audio track"] },
        { "moov of 2^64 bytes", Mp4Builder.Concat(Mp4Builder.Ftyp("isom"), Mp4Builder.Large("moov", ulong.MaxValue, Mp4Builder.Box("mvhd", new byte[100]))), ["no audio track"] },
        { "free of 2^63 bytes before moov", Mp4Builder.Concat(Mp4Builder.Ftyp("isom"), Mp4Builder.Large("free", 1UL << 63, new byte[8]), Mp4Builder.Box("moov")), ["no 'moov' box"] },
        { "moov nested in itself by size 0", Mp4Builder.Concat(Mp4Builder.Ftyp("isom"), NestedBySizeZero("moov", 64)), ["no audio track"] },
        { "5,000 empty boxes", Mp4Builder.Concat(Mp4Builder.Ftyp("isom"), [.. Enumerable.Range(0, 5000).SelectMany(_ => Mp4Builder.Box("free"))]), ["more than 4096 boxes"] },
        { "video track only", VideoOnly(), ["The MP4 file has no audio track"] },
    };

    public static TheoryData<string, byte[], string[]> Matroska() => new()
    {
        { "EBML id only", [0x1A, 0x45, 0xDF, 0xA3], ["does not start with a complete EBML header"] },
        { "another doc type", [.. EbmlBuilder.Header("mkvx"), .. EbmlBuilder.Element(EbmlBuilder.Segment)], ["document type is 'mkvx'"] },
        { "no Segment", EbmlBuilder.Header(), ["has no Segment"] },
        { "Tracks of unknown size", [.. EbmlBuilder.Header(), .. EbmlBuilder.Unknown(EbmlBuilder.Segment, EbmlBuilder.Unknown(EbmlBuilder.Tracks, EbmlBuilder.OpusTrack()))], ["element 0x1654AE6B has an unknown size", "only a Segment or a Cluster"] },
        { "SimpleBlock of unknown size", [.. EbmlBuilder.Header(), .. EbmlBuilder.Unknown(EbmlBuilder.Segment, EbmlBuilder.Element(EbmlBuilder.Tracks, EbmlBuilder.OpusTrack()), EbmlBuilder.Unknown(EbmlBuilder.Cluster, EbmlBuilder.Unknown(EbmlBuilder.SimpleBlock, [0x81, 0, 0, 0x80, 0xF8, 0xFF, 0xFE])))], ["element 0xA3 has an unknown size"] },
        { "no audio track", [.. EbmlBuilder.Header(), .. EbmlBuilder.Element(EbmlBuilder.Segment, EbmlBuilder.Element(EbmlBuilder.Tracks, EbmlBuilder.Element(EbmlBuilder.TrackEntry, EbmlBuilder.UInt(EbmlBuilder.TrackNumber, 1), EbmlBuilder.UInt(EbmlBuilder.TrackType, 1), EbmlBuilder.Text(EbmlBuilder.CodecId, "V_VP8"))))], ["The WebM file has no audio track"] },
        { "no blocks", [.. EbmlBuilder.Header(), .. EbmlBuilder.Unknown(EbmlBuilder.Segment, EbmlBuilder.Element(EbmlBuilder.Tracks, EbmlBuilder.OpusTrack()))], ["WebM Opus file holds no decodable audio"] },
        { "short OpusHead", [.. EbmlBuilder.Header(), .. EbmlBuilder.Unknown(EbmlBuilder.Segment, EbmlBuilder.Element(EbmlBuilder.Tracks, EbmlBuilder.OpusTrack([.. "OpusHead"u8, 1, 1])))], ["Opus identification header is missing or shorter than 19 bytes"] },
    };

    public static TheoryData<string, byte[], string[]> Ogg() => new()
    {
        { "capture pattern only", "OggS"u8.ToArray(), ["Ogg file's first page is incomplete"] },
        { "first page cut", OggBuilder.OpusStream(3, 5)[..30], ["Ogg file's first page is incomplete"] },
        { "no comment header", new OggBuilder().Page(0, 0x02, OggBuilder.OpusHead()).Build(), ["ends before its comment header"] },
        { "short OpusHead", new OggBuilder().Page(0, 0x02, [.. "OpusHead"u8, 1, 1, 0]).Page(0, 0, OggBuilder.OpusTags()).Build(), ["shorter than 19 bytes"] },
        { "Opus version 16", new OggBuilder().Page(0, 0x02, [.. "OpusHead"u8, 16, 1, 0, 0, 0x80, 0xBB, 0, 0, 0, 0, 0]).Page(0, 0, OggBuilder.OpusTags()).Build(), ["version 16"] },
        { "packet of 70,000 bytes", OversizedOpusPacket(), ["more than 65,536 bytes", "larger than any Opus packet"] },
        { "headers only", new OggBuilder().Page(0, 0x02, OggBuilder.OpusHead()).Page(0, 0x04, OggBuilder.OpusTags()).Build(), ["Ogg Opus file holds no decodable audio"] },
    };

    [Theory]
    [MemberData(nameof(Inputs))]
    [MemberData(nameof(Caf))]
    [MemberData(nameof(Mp4))]
    [MemberData(nameof(Matroska))]
    [MemberData(nameof(Ogg))]
    public void Decode_BrokenOrLyingFile_RefusedWithAMessageThatSaysWhy(string name, byte[] file, string[] fragments)
    {
        var stopwatch = Stopwatch.StartNew();

        var refusal = Refusal.Of(Refusal.ManagedOnly, file, fragments);
        string description = AudioDecoder.Describe(file);

        Assert.Null(refusal.MissingDecoder); // Broken, not of a format that needs FFmpeg.
        Assert.False(string.IsNullOrEmpty(description), name);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(30), $"{name} took {stopwatch.Elapsed}"); // A hang guard, loose enough for a busy machine.
    }

    [Theory]
    [MemberData(nameof(Caf))]
    [MemberData(nameof(Mp4))]
    [MemberData(nameof(Matroska))]
    [MemberData(nameof(Ogg))]
    public void Decode_BrokenOrLyingFileWithFfmpeg_RefusedToo(string name, byte[] file, string[] fragments)
    {
        FfmpegTool.SkipUnlessAvailable();
        _ = fragments; // FFmpeg's reasons are a closed set of its own; that it refuses is what counts.

        var refusal = Assert.Throws<AudioFormatException>(() => AudioDecoder.Default.Decode(file));

        Refusal.AssertReadable(refusal);
        Assert.Null(refusal.MissingDecoder);
        _ = name;
    }

    [Theory]
    [InlineData(DecoderPreference.Managed, "The CAF (linear PCM) stream decodes to a non-finite sample (NaN) at 0.156 s.")]
    [InlineData(DecoderPreference.Ffmpeg, "The linear PCM in a CAF container file decodes to a non-finite sample (NaN or infinity).")]
    public void Decode_CafFloatWithNaNInTheMiddle_RefusedOnBothPaths(DecoderPreference preference, string message)
    {
        FfmpegTool.SkipUnlessAvailable();
        float[] values = [.. Enumerable.Range(0, 4000).Select(i => i == 2500 ? float.NaN : 0.1f * MathF.Sin(i * 0.1f))];
        byte[] file = new CafBuilder().PcmDesc(16000, 32, isFloat: true, littleEndian: false).Data(CafBuilder.Float32BigEndian(values)).Build();
        using var decoder = new AudioDecoder(new AudioDecoderOptions { Preference = preference });

        var refusal = Assert.Throws<AudioFormatException>(() => decoder.Decode(file));

        Assert.Equal(message, refusal.Message);
    }

    [Fact]
    public void Decode_CafDataSizeMinusOne_ReadsToTheEnd()
    {
        byte[] file = new CafBuilder().Ima4Desc().Data(s_ima, size: -1).Build();

        AudioSignal signal = Refusal.ManagedOnly.Decode(file);

        Assert.Equal(40 * 64, signal.Samples.Length);
    }

    [Fact]
    public void Decode_CafDataSizePastTheEnd_DecodesThePacketsPresent()
    {
        byte[] file = new CafBuilder().Ima4Desc().Data(s_ima, size: 1L << 40).Build();

        AudioSignal signal = Refusal.ManagedOnly.Decode(file);

        Assert.Equal(40 * 64, signal.Samples.Length);
    }

    [Theory]
    [InlineData(long.MaxValue, long.MaxValue, int.MaxValue, int.MaxValue)]
    [InlineData(-1, -1, -1, -1)]
    [InlineData(0, 0, 0, 0)]
    public void Decode_CafWithAbsurdPacketTable_IgnoresItForConstantRateCodecs(long packets, long frames, int priming, int remainder)
    {
        byte[] file = new CafBuilder().Ima4Desc().Pakt(packets, frames, priming, remainder).Data(s_ima).Build();

        long before = GC.GetAllocatedBytesForCurrentThread();
        AudioSignal signal = Refusal.ManagedOnly.Decode(file);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(40 * 64, signal.Samples.Length);
        Assert.True(allocated < 1 << 20, $"allocated {allocated:N0} bytes for a {file.Length:N0}-byte file");
    }

    [Fact]
    public void Decode_OggOpusThatNeverEnds_RefusedAtTheMaximumDuration()
    {
        // 400 pages of 50 silent 20 ms packets (400 s), no granule positions and no end-of-stream flag.
        byte[] file = OggBuilder.OpusStream(400, 50, endOfStream: false, granules: false);
        using var decoder = new AudioDecoder(new AudioDecoderOptions
        {
            Ffmpeg = new FfmpegOptions { ExecutablePath = string.Empty },
            Limits = new WavDecoderOptions { MaxDurationSeconds = 5 },
        });
        var stopwatch = Stopwatch.StartNew();

        long before = GC.GetAllocatedBytesForCurrentThread();
        Refusal.Of(decoder, file, "Ogg Opus recording is longer than the maximum of 5 s");
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(30), $"took {stopwatch.Elapsed}"); // A hang guard; the allocation bound below catches a full decode.
        // 5 s at 48 kHz is 960 KB of floats; the file is 1.4 MB.
        Assert.True(allocated < 16L << 20, $"allocated {allocated:N0} bytes");
    }

    [Fact]
    public void Decode_OggOpusThatNeverEndsThroughFfmpeg_RefusedAtTheMaximumDuration()
    {
        FfmpegTool.SkipUnlessAvailable();
        byte[] file = OggBuilder.OpusStream(400, 50, endOfStream: false); // FFmpeg refuses pages without granules.
        using var decoder = new AudioDecoder(new AudioDecoderOptions
        {
            Preference = DecoderPreference.Ffmpeg,
            Limits = new WavDecoderOptions { MaxDurationSeconds = 5 },
        });

        Refusal.Of(decoder, file, "Ogg Opus recording is longer than the maximum of 5 s");
    }

    [Fact]
    public void Decode_OggOpusWithoutEndOfStream_DecodesWhatIsThere()
    {
        byte[] file = OggBuilder.OpusStream(4, 10, endOfStream: false);

        AudioSignal signal = Refusal.ManagedOnly.Decode(file);

        Assert.Equal(48_000, signal.SampleRate);
        Assert.Equal((40 * 960) - 312, signal.Samples.Length); // The last granule, less the pre-skip.
    }

    [Fact]
    public void Decode_MatroskaLaceClaiming256FramesWithTooFewSizes_DropsThatBlockOnly()
    {
        // Xiph lacing, lace count 255 (256 frames), but only two size bytes follow: a truncated lace.
        byte[] file = EbmlBuilder.LiveOpus(10, EbmlBuilder.Block(0x82, 255, 3, 3, 0xF8, 0xFF, 0xFE));

        AudioSignal signal = Refusal.ManagedOnly.Decode(file);

        Assert.Equal((10 * 960) - 312, signal.Samples.Length);
    }

    [Fact]
    public void Decode_MatroskaFixedLaceOf256EmptyFrames_DecodesTheOtherBlocks()
    {
        byte[] file = EbmlBuilder.LiveOpus(10, EbmlBuilder.Block(0x84, 255));

        AudioSignal signal = Refusal.ManagedOnly.Decode(file);

        Assert.Equal((10 * 960) - 312, signal.Samples.Length);
    }

    [Fact]
    public void Decode_MatroskaEbmlLaceWhoseFirstSizeOverflows_DoesNotEscapeAsAnotherException()
    {
        // EBML lacing, 3 frames: the first size is 2^31 − 1 (far past the block), the second brings it back to the
        // block's length with a negative difference, so the sum of the sizes wraps a 32-bit integer to a "valid" last size.
        byte[] lace = [2, 0x08, 0x7F, 0xFF, 0xFF, 0xFF, 0x01, 0x80, 0x00, 0x00, 0x00, 0x00, 0x03, 0xF8, 0xFF, 0xFE, 0xF8, 0xFF, 0xFE];
        BinaryPrimitives.WriteInt64BigEndian(lace.AsSpan(6), (long)((1UL << 56) | (ulong)((1L << 55) - 1 + lace.Length - int.MaxValue)));
        byte[] file = EbmlBuilder.LiveOpus(10, EbmlBuilder.Block(0x86, lace));

        AudioSignal signal = Refusal.ManagedOnly.Decode(file);

        Assert.Equal((10 * 960) - 312, signal.Samples.Length);
    }

    [Fact]
    public void Describe_Mp4WithA64BitSizeNearTheMaximumAfterTheFirstBox_IsADamagedFileNotACrash()
    {
        byte[] file = Mp4Builder.Concat(Mp4Builder.Ftyp("isom"), Mp4Builder.Large("moov", ulong.MaxValue - 7, Mp4Builder.Box("mvhd", new byte[8])));

        Assert.NotNull(AudioDecoder.Describe(file));
        Refusal.Of(Refusal.ManagedOnly, file);
    }

    private static byte[] RandomBytes(int length, int seed)
    {
        byte[] bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    // A box of size 0 ("to the end") holding one of the same type, and so on.
    private static byte[] NestedBySizeZero(string type, int depth)
    {
        byte[] box = Mp4Builder.Sized(0, type, []);
        for (int i = 1; i < depth; i++)
        {
            box = Mp4Builder.Sized(0, type, box);
        }

        return box;
    }

    private static byte[] VideoOnly()
    {
        byte[] trak = Mp4Builder.Box("trak", Mp4Builder.Box("mdia", Mp4Builder.Hdlr("vide"), Mp4Builder.Box("minf", Mp4Builder.Box("stbl", Mp4Builder.Full("stsd", Mp4Builder.U32(1), Mp4Builder.Box("avc1", new byte[78]))))));
        return Mp4Builder.Concat(Mp4Builder.Ftyp("isom"), Mp4Builder.Box("moov", trak), Mp4Builder.Box("mdat", new byte[64]));
    }

    // One packet of 70,000 bytes spread over two pages (a segment of 255 continues the packet on the next page).
    private static byte[] OversizedOpusPacket()
    {
        byte[] packet = new byte[70_000];
        packet[0] = 0xF8;
        var ogg = new OggBuilder().Page(0, 0x02, OggBuilder.OpusHead()).Page(0, 0, OggBuilder.OpusTags());
        int first = 255 * 255;
        ogg.RawPage(-1, 0, [.. Enumerable.Repeat((byte)255, 255)], packet[..first]);
        int rest = packet.Length - first;
        ogg.RawPage(1000, 0x05, [.. Enumerable.Repeat((byte)255, rest / 255), (byte)(rest % 255)], packet[first..]);
        return ogg.Build();
    }
}

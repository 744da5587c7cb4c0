using Cry.Audio.Tests.Wav;
using Cry.Audio.Decoding;

namespace Cry.Audio.Tests.Decoding;

/// <summary>The container is told by content; streams, seekable or not, decode like the bytes they carry, within MaxInputBytes.</summary>
public sealed class AudioDecoderDetectionTests
{
    public static TheoryData<string> Formats() => EncodedClips.Names();

    public static TheoryData<string, byte[], AudioContainer> Heads() => new()
    {
        { "empty", [], AudioContainer.Unknown },
        { "RI", "RI"u8.ToArray(), AudioContainer.Unknown },
        { "RIFF WAVE", "RIFF\0\0\0\0WAVE"u8.ToArray(), AudioContainer.Wav },
        { "RIFF without form type", "RIFF\0\0\0\0"u8.ToArray(), AudioContainer.Wav },
        { "RIFF AVI", "RIFF\0\0\0\0AVI "u8.ToArray(), AudioContainer.Unknown },
        { "RIFX", "RIFX\0\0\0\0WAVE"u8.ToArray(), AudioContainer.Wav },
        { "RF64", [.. "RF64"u8, 0xFF, 0xFF, 0xFF, 0xFF, .. "WAVE"u8], AudioContainer.Wav },
        { "BW64", [.. "BW64"u8, 0xFF, 0xFF, 0xFF, 0xFF, .. "WAVE"u8], AudioContainer.Wav },
        { "caff", "caff\0\x01\0\0"u8.ToArray(), AudioContainer.Caf },
        { "ftyp", [0, 0, 0, 0x18, .. "ftyp3gp4"u8], AudioContainer.Mp4 },
        { "moov first", "\0\0\0\x08moov"u8.ToArray(), AudioContainer.Mp4 },
        { "wide first", "\0\0\0\x08wide"u8.ToArray(), AudioContainer.Mp4 },
        { "mdat first", "\0\0\0\x08mdat"u8.ToArray(), AudioContainer.Mp4 },
        { "mdat of size 4", "\0\0\0\x04mdat"u8.ToArray(), AudioContainer.Unknown },
        { "raw AMR-NB", "#!AMR\n"u8.ToArray(), AudioContainer.Amr },
        { "raw AMR-WB", "#!AMR-WB\n"u8.ToArray(), AudioContainer.Amr },
        { "EBML", [0x1A, 0x45, 0xDF, 0xA3], AudioContainer.Matroska },
        { "Ogg", "OggS"u8.ToArray(), AudioContainer.Ogg },
        { "FLAC", "fLaC"u8.ToArray(), AudioContainer.Flac },
        { "AIFF", "FORM\0\0\0\0AIFF"u8.ToArray(), AudioContainer.Aiff },
        { "AIFF-C", "FORM\0\0\0\0AIFC"u8.ToArray(), AudioContainer.Aiff },
        { "IFF image", "FORM\0\0\0\0ILBM"u8.ToArray(), AudioContainer.Unknown },
        { "ID3", "ID3\x04\0\0"u8.ToArray(), AudioContainer.Mpeg },
        { "MPEG-1 layer III", [0xFF, 0xFB, 0x90, 0x64], AudioContainer.Mpeg },
        { "MPEG-2.5 layer III", [0xFF, 0xE3, 0x18, 0xC4], AudioContainer.Mpeg },
        { "ADTS", [0xFF, 0xF1, 0x50, 0x80], AudioContainer.Adts },
        { "reserved MPEG version", [0xFF, 0xEB, 0x90, 0x64], AudioContainer.Unknown },
        { "reserved layer", [0xFF, 0xE1, 0x90, 0x64], AudioContainer.Unknown },
        { "text", "hello"u8.ToArray(), AudioContainer.Unknown },
    };

    [Theory]
    [MemberData(nameof(Heads))]
    public void Detect_FirstBytes_NameTheContainer(string name, byte[] head, AudioContainer container)
    {
        Assert.True(AudioDecoder.Detect(head) == container, $"{name}: {AudioDecoder.Detect(head)}, expected {container}");
    }

    [Theory]
    [InlineData("#!AMR\n", "AMR-NB (raw .amr)")]
    [InlineData("#!AMR-WB\n", "AMR-WB (raw .amr)")]
    [InlineData("caff\0\x01\0\0free", "a damaged file")]
    [InlineData("OggS", "Ogg (damaged)")]
    [InlineData("hello, world", "an unrecognised format")]
    public void Describe_HandWrittenHeads_SayWhatTheyAre(string head, string description)
    {
        Assert.Equal(description, AudioDecoder.Describe(System.Text.Encoding.Latin1.GetBytes(head)));
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void DetectAndDescribe_FfmpegEncodedClip_NameContainerAndCodec(string name)
    {
        FfmpegTool.SkipUnlessAvailable();
        ClipFormat format = EncodedClips.Get(name);
        byte[] file = format.Encode();

        Assert.Equal(format.Container, AudioDecoder.Detect(file));
        Assert.Equal(format.Description, AudioDecoder.Describe(file));
        Assert.Equal(format.Container, AudioDecoder.Detect(file.AsSpan(0, 64))); // The first bytes are enough.
    }

    [Theory]
    [InlineData("wav-pcm_s16le")]
    [InlineData("wav-pcm_alaw")]
    [InlineData("caf-adpcm_ima_qt")]
    [InlineData("m4a-aac")]
    [InlineData("webm-opus")]
    [InlineData("ogg-vorbis")]
    [InlineData("mp3-44k-id3")]
    [InlineData("flac")]
    public void DecodeStream_SeekableAndNot_EqualsDecodingTheBytes(string name)
    {
        FfmpegTool.SkipUnlessAvailable();
        byte[] file = EncodedClips.Get(name).Encode();
        AudioSignal fromBytes = AudioDecoder.Default.Decode(file);

        AudioSignal seekable = AudioDecoder.Default.Decode(new MemoryStream(file, writable: false));
        AudioSignal trickle = AudioDecoder.Default.Decode(new TrickleStream(file, maxRead: 1000));

        Assert.Equal(fromBytes.Samples, seekable.Samples);
        Assert.Equal(fromBytes.Samples, trickle.Samples);
        Assert.Equal(fromBytes.SampleRate, trickle.SampleRate);
    }

    [Fact]
    public void DecodeStream_SeekablePositionedPastAPrefix_DecodesFromThePosition()
    {
        byte[] caf = new CafBuilder().Ima4Desc().Data(CafBuilder.Ima4Packets(10)).Build();
        byte[] wav = WavBuilder.Valid(SampleKind.Int16, 1, 300);
        foreach (byte[] file in (byte[][])[caf, wav])
        {
            var stream = new MemoryStream([.. "junk before the file"u8, .. file]) { Position = 20 };

            Assert.Equal(Refusal.ManagedOnly.Decode(file).Samples, Refusal.ManagedOnly.Decode(stream).Samples);
        }
    }

    [Fact]
    public void DecodeStream_CompressedLargerThanMaxInputBytes_RefusedSeekableOrNot()
    {
        byte[] caf = new CafBuilder().Ima4Desc().Data(CafBuilder.Ima4Packets(100)).Build(); // 3,468 bytes.
        using var decoder = new AudioDecoder(new AudioDecoderOptions { MaxInputBytes = 2048, Ffmpeg = new FfmpegOptions { ExecutablePath = string.Empty } });

        var seekable = Assert.Throws<AudioFormatException>(() => decoder.Decode(new MemoryStream(caf)));
        var forward = Assert.Throws<AudioFormatException>(() => decoder.Decode(new TrickleStream(caf, maxRead: 512)));

        Assert.Equal("The input is 3,468 bytes or more, larger than the limit of 2,048 bytes for a compressed recording.", seekable.Message);
        Assert.Contains("larger than the limit of 2,048 bytes", forward.Message, StringComparison.Ordinal);
        Assert.Equal(100 * 64, decoder.Decode(caf).Samples.Length); // Bytes in memory are the caller's: no limit there.
    }

    [Fact]
    public void DecodeStream_WavLargerThanMaxInputBytes_StreamedSeekableOrNot()
    {
        byte[] wav = WavBuilder.Valid(SampleKind.Int16, 2, 4000); // 16 KB.
        using var decoder = new AudioDecoder(new AudioDecoderOptions { MaxInputBytes = 2048 });

        AudioSignal seekable = decoder.Decode(new MemoryStream(wav));
        AudioSignal forward = decoder.Decode(new TrickleStream(wav, maxRead: 700));

        Assert.Equal(4000, seekable.Samples.Length);
        Assert.Equal(seekable.Samples, forward.Samples);
    }

    [Fact]
    public void DecodeStream_Empty_Refused()
    {
        Refusal.AssertReadable(Assert.Throws<AudioFormatException>(() => AudioDecoder.Default.Decode(new MemoryStream())));
        Refusal.AssertReadable(Assert.Throws<AudioFormatException>(() => AudioDecoder.Default.Decode(new TrickleStream([]))));
    }

    [Fact]
    public void DecodeFile_EncodedClip_EqualsDecodingTheBytes()
    {
        FfmpegTool.SkipUnlessAvailable();
        byte[] file = EncodedClips.Get("caf-pcm_s16be").Encode();
        string path = Path.Combine(FfmpegTool.Folder.FullName, Guid.NewGuid().ToString("N") + ".bin"); // The name says nothing.
        File.WriteAllBytes(path, file);

        Assert.Equal(AudioDecoder.Default.Decode(file).Samples, AudioDecoder.Default.DecodeFile(path).Samples);
        File.Delete(path);
    }
}

using Cry.Audio.Decoding;

namespace Cry.Audio.Tests.Decoding;

/// <summary>With FFmpeg turned off, the managed formats still decode and every other one is refused as needing FFmpeg.</summary>
public sealed class AudioDecoderWithoutFfmpegTests
{
    private static readonly AudioDecoderOptions s_noFfmpeg = new() { Ffmpeg = new FfmpegOptions { ExecutablePath = string.Empty } };

    public static TheoryData<string> Formats() => EncodedClips.Names();

    [Theory]
    [MemberData(nameof(Formats))]
    public void Decode_FfmpegTurnedOff_ManagedFormatsDecodeAndOthersNeedFfmpeg(string name)
    {
        FfmpegTool.SkipUnlessAvailable();
        ClipFormat format = EncodedClips.Get(name);
        using var decoder = new AudioDecoder(s_noFfmpeg);

        Assert.False(decoder.Ffmpeg.IsAvailable);
        if (format.Managed)
        {
            Assert.NotEmpty(decoder.Decode(format.Encode()).Samples);
        }
        else
        {
            var refusal = Assert.Throws<AudioFormatException>(() => decoder.Decode(format.Encode()));
            Assert.True(refusal.IsUnsupportedFormat, refusal.Message);
            Assert.Equal("ffmpeg", refusal.MissingDecoder);
            Assert.Contains("needs FFmpeg on this host", refusal.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("m4a-aac", "AAC-LC in an M4A container needs FFmpeg on this host")]
    [InlineData("3gp-aac", "AAC-LC in a 3GP container needs FFmpeg on this host")]
    [InlineData("mov-aac", "AAC-LC in a QuickTime MOV container needs FFmpeg on this host")]
    [InlineData("adts-aac", "AAC (ADTS) needs FFmpeg on this host")]
    [InlineData("webm-vorbis", "Vorbis in a WebM container needs FFmpeg on this host")]
    [InlineData("flac", "FLAC needs FFmpeg on this host")]
    [InlineData("ogg-flac", "Ogg FLAC needs FFmpeg on this host")]
    [InlineData("aiff-pcm_s16be", "AIFF needs FFmpeg on this host")]
    [InlineData("mp3-8k-mpeg2.5", "MPEG audio (MP3) needs FFmpeg on this host")]
    [InlineData("wav-pcm_alaw", "WAV (Unsupported codec 0x0006 (A-law)) needs FFmpeg on this host")]
    public void Decode_FfmpegTurnedOff_MessageNamesTheFormat(string name, string message)
    {
        FfmpegTool.SkipUnlessAvailable();
        using var decoder = new AudioDecoder(s_noFfmpeg);

        var refusal = Assert.Throws<AudioFormatException>(() => decoder.Decode(EncodedClips.Get(name).Encode()));

        Assert.StartsWith(message, refusal.Message, StringComparison.Ordinal);
        Assert.Contains("convert the recording to WAV", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_FfmpegPathDoesNotExist_RefusedAsMissing()
    {
        FfmpegTool.SkipUnlessAvailable();
        using var decoder = new AudioDecoder(new AudioDecoderOptions { Ffmpeg = new FfmpegOptions { ExecutablePath = "/nonexistent/ffmpeg" } });

        var refusal = Assert.Throws<AudioFormatException>(() => decoder.Decode(EncodedClips.Get("3gp-aac").Encode()));

        Assert.Equal("ffmpeg", refusal.MissingDecoder);
        Assert.StartsWith("AAC-LC in a 3GP container needs FFmpeg on this host", refusal.Message, StringComparison.Ordinal);
    }
}

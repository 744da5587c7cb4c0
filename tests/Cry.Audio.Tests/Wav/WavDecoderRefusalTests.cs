using System.Text;
using Cry.Audio.Wav;

namespace Cry.Audio.Tests.Wav;

public sealed class WavDecoderRefusalTests
{
    private static readonly byte[] s_pcm = SampleBytes.Int16(1, 2, 3, 4);

    private static WavBuilder Pcm16Mono() => new WavBuilder().Fmt(1, 1, 16000, 16);

    public static TheoryData<string, byte[], string[]> Refusals() => new()
    {
        { "empty", [], ["empty", "0 bytes"] },
        { "three bytes", [0x52, 0x49, 0x46], ["Too few bytes", "3 bytes"] },
        { "RIFF without form type", "RIFF\x04\0\0\0"u8.ToArray(), ["Too few bytes", "8 bytes"] },
        { "two binary bytes", [0x00, 0x01], ["Too few bytes", "2 bytes"] },
        { "Ogg", [.. "OggS\0\x02"u8, .. new byte[40]], ["Ogg"] },
        { "MP3 with ID3", [.. "ID3\x04\0\0"u8, .. new byte[40]], ["MP3", "ID3"] },
        { "MP3 frame sync", [0xFF, 0xFB, 0x90, 0x64, .. new byte[40]], ["MPEG", "frame sync"] },
        { "AAC ADTS sync", [0xFF, 0xF1, 0x50, 0x80, .. new byte[40]], ["MPEG", "frame sync"] },
        { "FLAC", [.. "fLaC\0\0\0\x22"u8, .. new byte[40]], ["FLAC"] },
        { "M4A", [0, 0, 0, 0x20, .. "ftypM4A "u8, .. new byte[40]], ["MP4/M4A", "ftyp"] },
        { "AVI", new WavBuilder { FormType = "AVI " }.Chunk("hdrl", new byte[20]).Build(), ["RIFF", "'AVI '", "not WAVE"] },
        { "RIFX", new WavBuilder { RiffId = "RIFX" }.Fmt(1, 1, 16000, 16).Data(s_pcm).Build(), ["RIFX", "big-endian", "not supported"] },
        { "RF64", new WavBuilder { RiffId = "RF64", RiffSize = 0xFFFFFFFF }.Fmt(1, 1, 16000, 16).Data(s_pcm).Build(), ["RF64", "64-bit", "not supported"] },
        { "ASCII text", "label,start,end\n1,0.0,0.5\n"u8.ToArray(), ["plain text", "label,start,end"] },
        { "UTF-8 text", Encoding.UTF8.GetBytes("Schreibaby-Aufnahme: héhé ✓ überall"), ["plain text", "Schreibaby"] },
        { "random binary", [0x00, 0x13, 0x88, 0x01, 0xAB, 0xCD, 0xEF, 0x00, 0x10, 0x20, 0x30, 0x40, 0x50], ["expected 'RIFF'", "00138801"] },
        { "no chunks", new WavBuilder().Build(), ["No 'fmt ' chunk"] },
        { "no fmt", new WavBuilder().Chunk("LIST", new byte[10]).Data(s_pcm).Build(), ["'data' chunk comes before the 'fmt ' chunk"] },
        { "data before fmt", new WavBuilder().Data(s_pcm).Fmt(1, 1, 16000, 16).Build(), ["'data' chunk comes before the 'fmt ' chunk"] },
        { "no data", Pcm16Mono().Chunk("LIST", new byte[10]).Build(), ["No 'data' chunk"] },
        { "two fmt", Pcm16Mono().Fmt(1, 1, 16000, 16).Data(s_pcm).Build(), ["second 'fmt ' chunk"] },
        { "fmt too small", new WavBuilder().Fmt(1, 1, 16000, 16, fmtSize: 14).Data(s_pcm).Build(), ["'fmt ' chunk is 14 bytes", "at least 16"] },
        { "fmt truncated", new WavBuilder().Raw("fmt \x10\0\0\0\x01\0\x01\0"u8).Build(), ["'fmt ' chunk is truncated", "4 of 16"] },
        { "ADPCM", new WavBuilder().Fmt(0x0002, 1, 16000, 4, blockAlign: 256).Data(s_pcm).Build(), ["codec 0x0002", "ADPCM"] },
        { "A-law", new WavBuilder().Fmt(0x0006, 1, 8000, 8).Data(s_pcm).Build(), ["codec 0x0006", "A-law"] },
        { "mu-law", new WavBuilder().Fmt(0x0007, 1, 8000, 8).Data(s_pcm).Build(), ["codec 0x0007", "µ-law"] },
        { "IMA ADPCM", new WavBuilder().Fmt(0x0011, 1, 8000, 4, blockAlign: 256).Data(s_pcm).Build(), ["codec 0x0011", "IMA ADPCM"] },
        { "GSM", new WavBuilder().Fmt(0x0031, 1, 8000, 0, blockAlign: 65).Data(s_pcm).Build(), ["codec 0x0031", "GSM 6.10"] },
        { "MPEG", new WavBuilder().Fmt(0x0050, 2, 44100, 0, blockAlign: 1).Data(s_pcm).Build(), ["codec 0x0050", "MPEG"] },
        { "MP3 in WAV", new WavBuilder().Fmt(0x0055, 2, 44100, 0, blockAlign: 1).Data(s_pcm).Build(), ["codec 0x0055", "MPEG Layer 3"] },
        { "unknown codec", new WavBuilder().Fmt(0x1234, 1, 16000, 16).Data(s_pcm).Build(), ["codec 0x1234"] },
        { "extensible A-law", new WavBuilder().FmtExtensible(0x0006, 1, 8000, 8, 8).Data(s_pcm).Build(), ["codec 0x0006", "A-law", "EXTENSIBLE"] },
        { "extensible foreign GUID", new WavBuilder().FmtExtensible(1, 1, 8000, 16, 16, guid: [.. Enumerable.Range(1, 16).Select(i => (byte)i)]).Data(s_pcm).Build(), ["sub-format", "neither PCM nor IEEE float"] },
        { "extensible fmt too small", new WavBuilder().Fmt(0xFFFE, 1, 16000, 16, fmtSize: 18).Data(s_pcm).Build(), ["EXTENSIBLE", "18 bytes", "needs 40"] },
        { "12-bit PCM", new WavBuilder().Fmt(1, 1, 16000, 12, blockAlign: 2).Data(s_pcm).Build(), ["bit depth", "12-bit PCM"] },
        { "0-bit PCM", new WavBuilder().Fmt(1, 1, 16000, 0, blockAlign: 2).Data(s_pcm).Build(), ["bit depth", "0-bit PCM"] },
        { "float 16", new WavBuilder().Fmt(3, 1, 16000, 16).Data(s_pcm).Build(), ["bit depth", "16-bit IEEE float"] },
        { "zero channels", new WavBuilder().Fmt(1, 0, 16000, 16, blockAlign: 2).Data(s_pcm).Build(), ["zero channels"] },
        { "too many channels", new WavBuilder().Fmt(1, 33, 16000, 16).Data(new byte[66]).Build(), ["33 channels", "maximum of 32"] },
        { "sample rate 0", new WavBuilder().Fmt(1, 1, 0, 16).Data(s_pcm).Build(), ["sample rate 0 Hz"] },
        { "sample rate 999", new WavBuilder().Fmt(1, 1, 999, 16).Data(s_pcm).Build(), ["Absurd sample rate 999 Hz", "below the minimum of 1000 Hz"] },
        { "sample rate 400k", new WavBuilder().Fmt(1, 1, 400_000, 16).Data(s_pcm).Build(), ["Absurd sample rate 400000 Hz", "above the maximum of 384000 Hz"] },
        { "sample rate 4G", new WavBuilder().Fmt(1, 1, unchecked((int)0xFFFFFFF0), 16, blockAlign: 2).Data(s_pcm).Build(), ["Absurd sample rate 4294967280 Hz", "above the maximum"] },
        { "block align too small", new WavBuilder().Fmt(1, 2, 16000, 16, blockAlign: 3).Data(s_pcm).Build(), ["Block align 3", "2 channels", "2 bytes per sample", "expected 4"] },
        { "block align zero", new WavBuilder().Fmt(3, 1, 16000, 32, blockAlign: 0).Data(s_pcm).Build(), ["Block align 0", "expected 4"] },
        { "empty data", Pcm16Mono().Data([]).Build(), ["no complete sample frame", "0 bytes present"] },
        { "data shorter than a frame", new WavBuilder().Fmt(1, 6, 16000, 24).Data(new byte[17]).Build(), ["no complete sample frame", "17 bytes present", "one frame is 18 bytes"] },
        { "NaN", new WavBuilder().Fmt(3, 2, 16000, 32).Data(SampleBytes.Float32(0, 0, 0.5f, float.NaN)).Build(), ["Sample 1", "channel 2 of 2", "is NaN"] },
        { "infinity", new WavBuilder().Fmt(3, 1, 16000, 64).Data(SampleBytes.Float64(0, 0, double.NegativeInfinity)).Build(), ["Sample 2", "is infinite"] },
        { "too long", new WavBuilder().Fmt(1, 1, 1000, 8).Data(new byte[600_001]).Build(), ["600.001 s long", "longer than the maximum of 600 s"] },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void Decode_RefusedInput_ThrowsAudioFormatExceptionSayingWhy(string name, byte[] wav, string[] messageParts)
    {
        var fromSpan = Assert.Throws<AudioFormatException>(() => WavDecoder.Default.Decode(wav));
        var fromStream = Assert.Throws<AudioFormatException>(() => WavDecoder.Default.Decode(new TrickleStream(wav, 7)));
        var fromSeekable = Assert.Throws<AudioFormatException>(() => WavDecoder.Default.Decode(new MemoryStream(wav)));
        float[] buffer = [];
        var fromBuffer = Assert.Throws<AudioFormatException>(() => WavDecoder.Default.Decode(wav, ref buffer, out _));

        foreach (string part in messageParts)
        {
            Assert.True(fromSpan.Message.Contains(part, StringComparison.OrdinalIgnoreCase), $"{name}: \"{fromSpan.Message}\" lacks \"{part}\"");
        }

        Assert.Equal(fromSpan.Message, fromBuffer.Message);
        Assert.Equal(fromSpan.Message, fromSeekable.Message);
        if (name == "too long")
        {
            // A non-seekable stream is refused at the first frame past the limit, before its length is known.
            Assert.Contains("longer than the maximum of 600 s", fromStream.Message, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(fromSpan.Message, fromStream.Message);
        }
    }

    [Fact]
    public void Decode_ChannelLimitFromOptions_IsEnforced()
    {
        byte[] wav = new WavBuilder().Fmt(1, 3, 16000, 16).Data(new byte[6]).Build();
        var decoder = new WavDecoder(new WavDecoderOptions { MaxChannels = 2 });

        var error = Assert.Throws<AudioFormatException>(() => decoder.Decode(wav));

        Assert.Contains("3 channels, more than the maximum of 2", error.Message, StringComparison.Ordinal);
        Assert.Single(WavDecoder.Default.Decode(wav).Samples);
    }

    [Fact]
    public void Decode_SampleRateLimitsFromOptions_AreEnforced()
    {
        byte[] wav = WavBuilder.Valid(SampleKind.Int16, 1, 4, sampleRate: 8000);
        var decoder = new WavDecoder(new WavDecoderOptions { MinSampleRate = 16000, MaxSampleRate = 48000 });

        var error = Assert.Throws<AudioFormatException>(() => decoder.Decode(wav));

        Assert.Contains("below the minimum of 16000 Hz", error.Message, StringComparison.Ordinal);
    }

    public static TheoryData<WavDecoderOptions> InvalidOptions() =>
    [
        new WavDecoderOptions { MaxChannels = 0 },
        new WavDecoderOptions { MaxChannels = 65536 },
        new WavDecoderOptions { MinSampleRate = 0 },
        new WavDecoderOptions { MinSampleRate = 48000, MaxSampleRate = 44100 },
        new WavDecoderOptions { MaxDurationSeconds = 0 },
        new WavDecoderOptions { MaxDurationSeconds = -1 },
        new WavDecoderOptions { MaxDurationSeconds = double.NaN },
        new WavDecoderOptions { MaxDurationSeconds = double.PositiveInfinity },
        new WavDecoderOptions { MaxDurationSeconds = 10_000 },
    ];

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void Constructor_InvalidOptions_ThrowsArgumentOutOfRange(WavDecoderOptions options) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new WavDecoder(options));

    [Fact]
    public void Constructor_NullOptions_UsesDefaults() =>
        Assert.Equal(WavDecoderOptions.Default, new WavDecoder().Options);
}

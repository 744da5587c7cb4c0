using Cry.Audio.Dsp;
using Cry.Audio.Decoding;

namespace Cry.Audio.Tests.Decoding;

/// <summary>
/// The synthetic source clip, written by FFmpeg in every format it can write here, decodes by content to the source:
/// at the right rate and length, sample-exact when lossless, within each codec's measured fidelity when lossy.
/// </summary>
public sealed class AudioDecoderRoundTripTests
{
    // ADTS keeps 1,024 priming samples; a search of ±1,200 finds them and any frame a decoder loses or adds.
    private const int MaxLag = 1200;

    public static TheoryData<string> Formats() => EncodedClips.Names();

    [Theory]
    [MemberData(nameof(Formats))]
    public void Decode_FfmpegEncodedClip_HasTheFormatsRateAndLength(string name)
    {
        FfmpegTool.SkipUnlessAvailable();
        ClipFormat format = EncodedClips.Get(name);
        AudioSignal source = EncodedClips.Source(format.SourceRate);

        AudioSignal decoded = AudioDecoder.Default.Decode(format.Encode());

        Assert.Equal(format.Expect.DecodedRate, decoded.SampleRate);
        int expected = Resampler.OutputLength(source.Samples.Length, format.SourceRate, decoded.SampleRate);
        Assert.InRange(decoded.Samples.Length, expected, expected + format.Expect.LengthSlack);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void Decode_FfmpegEncodedClip_MatchesTheSourceWithinTheFormatsFidelity(string name)
    {
        FfmpegTool.SkipUnlessAvailable();
        ClipFormat format = EncodedClips.Get(name);
        AudioSignal source = EncodedClips.Source(format.SourceRate);

        AudioSignal decoded = AudioDecoder.Default.Decode(format.Encode());

        if (format.Expect.IsExact)
        {
            Assert.Equal(source.Samples.Length, decoded.Samples.Length);
            var exact = SignalComparison.At(source.Samples, decoded.Samples, 0);
            Assert.True(exact.MaxAbsDifference == 0, $"{name} should be sample-exact: {exact}");
            return;
        }

        // Opus decodes at 48 kHz: compare at the source's rate, through the product's resampler.
        float[] atSourceRate = SignalComparison.AtRate(decoded, format.SourceRate);
        var comparison = SignalComparison.Of(source.Samples, atSourceRate, MaxLag);
        Assert.True(comparison.Lag == format.Expect.Lag, $"{name}: expected lag {format.Expect.Lag}, {comparison}");
        Assert.True(
            comparison.SnrDb >= format.Expect.MinSnrDb && comparison.Correlation >= format.Expect.MinCorrelation,
            $"{name}: expected SNR ≥ {format.Expect.MinSnrDb} dB and correlation ≥ {format.Expect.MinCorrelation}, {comparison}");
    }

    // A seekable stream or a file takes the streamed WAV path first; a compressed codec inside RIFF must still reach FFmpeg.
    [Theory]
    [InlineData("wav-pcm_alaw")]
    [InlineData("wav-adpcm_ima_wav")]
    public void DecodeStreamAndFile_CompressedWav_GiveWhatTheBytesGive(string name)
    {
        FfmpegTool.SkipUnlessAvailable();
        byte[] bytes = EncodedClips.Get(name).Encode();
        AudioSignal fromBytes = AudioDecoder.Default.Decode(bytes);

        using var stream = new MemoryStream(bytes, writable: false);
        AudioSignal fromStream = AudioDecoder.Default.Decode(stream);
        string path = Path.Combine(FfmpegTool.Folder.FullName, Guid.NewGuid().ToString("N") + ".wav");
        File.WriteAllBytes(path, bytes);
        try
        {
            AudioSignal fromFile = AudioDecoder.Default.DecodeFile(path);
            Assert.Equal(fromBytes.Samples, fromStream.Samples);
            Assert.Equal(fromBytes.Samples, fromFile.Samples);
            Assert.Equal(fromBytes.SampleRate, fromFile.SampleRate);
        }
        finally
        {
            File.Delete(path);
        }
    }

    // Managed decoder against FFmpeg's on the formats both read. "Measured": FFmpeg 5.1 (Debian 12) on the source clip.
    public static TheoryData<string, double, double> BothPaths() => new()
    {
        // CAF IMA4 is decoded like FFmpeg's adpcm_ima_qt; PCM, A-law and µ-law expand to the same 16-bit values: exact.
        { "caf-adpcm_ima_qt", 0, double.PositiveInfinity },
        { "caf-pcm_s16be", 0, double.PositiveInfinity },
        { "caf-pcm_s16le", 0, double.PositiveInfinity },
        { "caf-pcm_f32be", 0, double.PositiveInfinity },
        { "caf-pcm_f32le", 0, double.PositiveInfinity },
        { "caf-pcm_alaw", 0, double.PositiveInfinity },
        { "caf-pcm_mulaw", 0, double.PositiveInfinity },
        // NLayer against FFmpeg's mp3float, both gapless-trimmed: measured max 9.6e-7 (44.1 kHz), 1.4e-6 (16 kHz); SNR ≥ 118 dB.
        { "mp3-44k-id3", 1e-5, 100 },
        { "mp3-44k-no-id3", 1e-5, 100 },
        { "mp3-16k-mpeg2", 1e-5, 100 },
        // NVorbis against FFmpeg's Vorbis decoder: measured max 3.3e-7, 130.8 dB.
        { "ogg-vorbis", 1e-5, 100 },
        // Concentus (a port of libopus's fixed/float reference) against FFmpeg's own Opus decoder: measured max 2.6e-4 to
        // 3.3e-4, 71.7 to 74.0 dB.
        { "ogg-opus", 2e-3, 60 },
        { "ogg-opus-8k", 2e-3, 60 },
        { "webm-opus", 2e-3, 60 },
        { "mkv-opus", 2e-3, 60 },
    };

    [Theory]
    [MemberData(nameof(BothPaths))]
    public void Decode_ManagedAndFfmpegPaths_AgreeWithinTheCodecsTolerance(string name, double maxAbsDifference, double minSnrDb)
    {
        FfmpegTool.SkipUnlessAvailable();
        byte[] file = EncodedClips.Get(name).Encode();
        using var viaFfmpeg = new AudioDecoder(new AudioDecoderOptions { Preference = DecoderPreference.Ffmpeg });
        using var managedOnly = new AudioDecoder(new AudioDecoderOptions { Ffmpeg = new FfmpegOptions { ExecutablePath = string.Empty } });

        AudioSignal managed = managedOnly.Decode(file);
        AudioSignal reference = viaFfmpeg.Decode(file);

        Assert.Equal(reference.SampleRate, managed.SampleRate);
        Assert.Equal(reference.Samples.Length, managed.Samples.Length);
        var comparison = SignalComparison.At(reference.Samples, managed.Samples, 0);
        Assert.True(
            comparison.MaxAbsDifference <= maxAbsDifference && comparison.SnrDb >= minSnrDb,
            $"{name}: expected max |diff| ≤ {maxAbsDifference} and SNR ≥ {minSnrDb} dB, {comparison}");
    }
}

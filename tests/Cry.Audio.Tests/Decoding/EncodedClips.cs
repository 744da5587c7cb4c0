using System.Collections.Concurrent;
using Cry.Audio.Decoding;
using Cry.Audio.Wav;

namespace Cry.Audio.Tests.Decoding;

/// <summary>How closely a decoded clip must match its source, after both are at the source's rate.</summary>
/// <param name="DecodedRate">The rate the decoder must report: the source's, or 48 kHz for Opus.</param>
/// <param name="MinSnrDb">Signal-to-error ratio at the best lag; <see cref="double.PositiveInfinity"/> for sample-exact.</param>
/// <param name="MinCorrelation">Pearson correlation at the best lag.</param>
/// <param name="Lag">Where the decoded signal's best match sits, in source samples (positive: decoded is late).</param>
/// <param name="LengthSlack">How many samples (at the decoded rate) the decoded length may differ from the source's.</param>
internal sealed record Fidelity(int DecodedRate, double MinSnrDb, double MinCorrelation, int Lag = 0, int LengthSlack = 0)
{
    /// <summary>Sample-exact at the source's rate and length.</summary>
    public static Fidelity Exact(int rate) => new(rate, double.PositiveInfinity, 1.0);

    public bool IsExact => double.IsPositiveInfinity(MinSnrDb);
}

/// <summary>One format FFmpeg writes from the 16-bit source clip, and what decoding it must give.</summary>
/// <param name="Name">The theory's data name.</param>
/// <param name="SourceRate">The source clip's rate.</param>
/// <param name="Extension">The output's extension (picks FFmpeg's muxer unless the arguments say -f).</param>
/// <param name="Arguments">FFmpeg's output options.</param>
/// <param name="Container">What <see cref="AudioDecoder.Detect"/> must say.</param>
/// <param name="Description">What <see cref="AudioDecoder.Describe"/> must say.</param>
/// <param name="Managed">Whether a managed decoder reads it by default (else FFmpeg does).</param>
/// <param name="Expect">The fidelity, measured and then set with margin (see <see cref="EncodedClips.All"/>).</param>
internal sealed record ClipFormat(
    string Name, int SourceRate, string Extension, string[] Arguments, AudioContainer Container, string Description, bool Managed, Fidelity Expect)
{
    /// <summary>The source clip encoded in this format (cached for the test run).</summary>
    public byte[] Encode(double seconds = EncodedClips.Seconds) => EncodedClips.Encode(this, seconds);

    public override string ToString() => Name;
}

/// <summary>The synthetic source clips and every format Debian 12's FFmpeg 5.1 writes them in.</summary>
/// <remarks>
/// The source is <see cref="SyntheticCry"/> quantised to 16 bits (so a 16-bit lossless format returns it exactly), 1.537 s
/// long so that no codec's frame size divides it. Tolerances were measured with FFmpeg 5.1.x on Debian 12 (the value
/// measured is in each line's comment) and set with margin, so a newer encoder that is a little worse still passes
/// while a decoder that loses a frame, shifts the signal or garbles it does not.
/// </remarks>
internal static class EncodedClips
{
    public const double Seconds = 1.537;

    private static readonly ConcurrentDictionary<(int Rate, double Seconds), Lazy<(AudioSignal Signal, byte[] Wav)>> s_sources = new();
    private static readonly ConcurrentDictionary<(string Name, double Seconds), Lazy<byte[]>> s_encoded = new();

    // Lossless formats are sample-exact: the source is 16-bit, and every lossless path returns k / 32768 exactly (0 LSB).
    // Lossy ones: "measured" is SNR and correlation at the best lag with FFmpeg 5.1 (Debian 12); each bound is about
    // 3 dB below (half the error power again) and 1 − 2 × (1 − measured). LengthSlack: the decoded length may exceed the
    // source's (at the decoded rate) by at most this; "measured" says by how much it did.
    public static ClipFormat[] All { get; } =
    [
        new("wav-pcm_s16le", 16000, ".wav", ["-c:a", "pcm_s16le"], AudioContainer.Wav, "WAV", true, Fidelity.Exact(16000)),
        new("wav-pcm_f32le", 44100, ".wav", ["-c:a", "pcm_f32le"], AudioContainer.Wav, "WAV", true, Fidelity.Exact(44100)),
        // G.711 companding: measured 37.87 dB / 0.999919 (A-law), 37.82 dB / 0.999917 (µ-law).
        new("wav-pcm_alaw", 8000, ".wav", ["-c:a", "pcm_alaw"], AudioContainer.Wav, "WAV", false, new(8000, 35, 0.9998)),
        new("wav-pcm_mulaw", 8000, ".wav", ["-c:a", "pcm_mulaw"], AudioContainer.Wav, "WAV", false, new(8000, 35, 0.9998)),
        // IMA ADPCM is slew-limited and the cry's ten harmonics are steep: measured 11.35 dB / 0.963435 (a 440 Hz sine
        // gives 35.6 dB). FFmpeg pads the last 2,041-sample block with silence and ignores 'fact': measured +1,941.
        new("wav-adpcm_ima_wav", 16000, ".wav", ["-c:a", "adpcm_ima_wav"], AudioContainer.Wav, "WAV", false, new(16000, 8, 0.925, LengthSlack: 2040)),
        // Measured 11.27 dB / 0.962794; the last 64-frame packet is padded: measured +48.
        new("caf-adpcm_ima_qt", 16000, ".caf", ["-c:a", "adpcm_ima_qt"], AudioContainer.Caf, "IMA4 ADPCM in a CAF container", true, new(16000, 8, 0.925, LengthSlack: 63)),
        new("caf-pcm_s16be", 16000, ".caf", ["-c:a", "pcm_s16be"], AudioContainer.Caf, "linear PCM in a CAF container", true, Fidelity.Exact(16000)),
        new("caf-pcm_s16le", 8000, ".caf", ["-c:a", "pcm_s16le"], AudioContainer.Caf, "linear PCM in a CAF container", true, Fidelity.Exact(8000)),
        new("caf-pcm_f32be", 48000, ".caf", ["-c:a", "pcm_f32be"], AudioContainer.Caf, "linear PCM in a CAF container", true, Fidelity.Exact(48000)),
        new("caf-pcm_f32le", 16000, ".caf", ["-c:a", "pcm_f32le"], AudioContainer.Caf, "linear PCM in a CAF container", true, Fidelity.Exact(16000)),
        new("caf-pcm_alaw", 8000, ".caf", ["-c:a", "pcm_alaw"], AudioContainer.Caf, "A-law in a CAF container", true, new(8000, 35, 0.9998)),
        new("caf-pcm_mulaw", 8000, ".caf", ["-c:a", "pcm_mulaw"], AudioContainer.Caf, "µ-law in a CAF container", true, new(8000, 35, 0.9998)),
        // AAC: the priming is cut (the edit list), the padding of the last 1,024-sample frame is not: measured +826, +976,
        // +1,016, +1,008. Measured 21.25 dB / 0.996245 (44.1 kHz), 21.01 / 0.996031 (48 kHz), 29.54 / 0.999463 (8 kHz),
        // 31.33 / 0.999635 (16 kHz).
        new("m4a-aac", 44100, ".m4a", ["-c:a", "aac"], AudioContainer.Mp4, "AAC-LC in an M4A container", false, new(44100, 18, 0.992, LengthSlack: 1024)),
        new("mp4-aac", 48000, ".mp4", ["-c:a", "aac"], AudioContainer.Mp4, "AAC-LC in an MP4 container", false, new(48000, 18, 0.992, LengthSlack: 1024)),
        new("3gp-aac", 8000, ".3gp", ["-c:a", "aac"], AudioContainer.Mp4, "AAC-LC in a 3GP container", false, new(8000, 26, 0.998, LengthSlack: 1024)),
        new("mov-aac", 16000, ".mov", ["-c:a", "aac"], AudioContainer.Mp4, "AAC-LC in a QuickTime MOV container", false, new(16000, 28, 0.999, LengthSlack: 1024)),
        // ADTS has no edit list: the 1,024 priming samples stay (lag 1,024), measured +2,032 in all.
        new("adts-aac", 16000, ".aac", ["-c:a", "aac", "-f", "adts"], AudioContainer.Adts, "AAC (ADTS)", false, new(16000, 28, 0.999, Lag: 1024, LengthSlack: 2048)),
        // Opus decodes at 48 kHz; pre-skip and the end position (DiscardPadding in WebM, the granule in Ogg) make the
        // length exact. Measured 22.58 dB / 0.997237 (48 kHz source), 32.28 / 0.999704 (16 kHz), 24.15 / 0.998077 (8 kHz).
        new("webm-opus", 48000, ".webm", ["-c:a", "libopus"], AudioContainer.Matroska, "Opus in a WebM container", true, new(48000, 19, 0.994)),
        // Matroska stores no end position for Vorbis, so the last block's padding stays: measured +58. 24.14 dB / 0.998081.
        new("webm-vorbis", 44100, ".webm", ["-c:a", "libvorbis"], AudioContainer.Matroska, "Vorbis in a WebM container", false, new(44100, 21, 0.996, LengthSlack: 1024)),
        new("mkv-opus", 16000, ".mkv", ["-c:a", "libopus"], AudioContainer.Matroska, "Opus in a Matroska container", true, new(48000, 29, 0.9994)),
        new("mkv-flac", 16000, ".mkv", ["-c:a", "flac"], AudioContainer.Matroska, "FLAC in a Matroska container", false, Fidelity.Exact(16000)),
        new("ogg-opus", 16000, ".opus", ["-c:a", "libopus"], AudioContainer.Ogg, "Ogg Opus", true, new(48000, 29, 0.9994)),
        new("ogg-opus-8k", 8000, ".ogg", ["-c:a", "libopus"], AudioContainer.Ogg, "Ogg Opus", true, new(48000, 21, 0.996)),
        // Ogg Vorbis ends at the last granule: exact. Measured 24.14 dB / 0.998081.
        new("ogg-vorbis", 44100, ".ogg", ["-c:a", "libvorbis"], AudioContainer.Ogg, "Ogg Vorbis", true, new(44100, 21, 0.996)),
        new("ogg-flac", 16000, ".oga", ["-c:a", "flac", "-f", "ogg"], AudioContainer.Ogg, "Ogg FLAC", false, Fidelity.Exact(16000)),
        // MP3 with the LAME/Info tag FFmpeg writes: delay and padding cut, exact length. Measured 20.41 dB / 0.996367
        // (44.1 kHz, MPEG-1), 16.36 / 0.989587 (16 kHz, MPEG-2), 11.44 / 0.963547 (8 kHz, MPEG-2.5, via FFmpeg).
        new("mp3-44k-id3", 44100, ".mp3", ["-c:a", "libmp3lame"], AudioContainer.Mpeg, "MPEG audio (MP3)", true, new(44100, 17, 0.992)),
        new("mp3-44k-no-id3", 44100, ".mp3", ["-c:a", "libmp3lame", "-id3v2_version", "0"], AudioContainer.Mpeg, "MPEG audio (MP3)", true, new(44100, 17, 0.992)),
        new("mp3-16k-mpeg2", 16000, ".mp3", ["-c:a", "libmp3lame"], AudioContainer.Mpeg, "MPEG audio (MP3)", true, new(16000, 13, 0.979)),
        new("mp3-8k-mpeg2.5", 8000, ".mp3", ["-c:a", "libmp3lame"], AudioContainer.Mpeg, "MPEG audio (MP3)", false, new(8000, 8, 0.925)),
        new("flac", 16000, ".flac", ["-c:a", "flac"], AudioContainer.Flac, "FLAC", false, Fidelity.Exact(16000)),
        new("aiff-pcm_s16be", 44100, ".aiff", ["-c:a", "pcm_s16be"], AudioContainer.Aiff, "AIFF", false, Fidelity.Exact(44100)),
    ];

    /// <summary>The format names, as theory data.</summary>
    public static TheoryData<string> Names() => [.. All.Select(f => f.Name)];

    public static ClipFormat Get(string name) => All.Single(f => f.Name == name);

    /// <summary>The 16-bit source clip at <paramref name="rate"/>, as decoded samples.</summary>
    public static AudioSignal Source(int rate, double seconds = Seconds) => SourceEntry(rate, seconds).Signal;

    /// <summary>The 16-bit source clip at <paramref name="rate"/>, as WAV bytes.</summary>
    public static byte[] SourceWav(int rate, double seconds = Seconds) => SourceEntry(rate, seconds).Wav;

    public static byte[] Encode(ClipFormat format, double seconds) =>
        s_encoded.GetOrAdd(
            (format.Name, seconds),
            key => new Lazy<byte[]>(() => FfmpegTool.Encode(SourceWav(format.SourceRate, key.Seconds), format.Extension, format.Arguments))).Value;

    private static (AudioSignal Signal, byte[] Wav) SourceEntry(int rate, double seconds) =>
        s_sources.GetOrAdd((rate, seconds), key => new Lazy<(AudioSignal, byte[])>(() =>
        {
            AudioSignal cry = SyntheticCry.Generate(key.Rate, key.Seconds, seed: 7);
            byte[] wav = WavEncoder.Encode(cry.Samples, key.Rate, WavSampleFormat.Pcm16);
            return (WavDecoder.Default.Decode(wav), wav);
        })).Value;
}

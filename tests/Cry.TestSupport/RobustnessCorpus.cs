using System.Text;
using Cry.Audio;
using Cry.Audio.Decoding;
using Cry.Audio.Wav;

namespace Cry.TestSupport;

/// <summary>What a server must answer for a robustness case.</summary>
public enum Expected
{
    /// <summary>A result (200).</summary>
    Result,

    /// <summary>Unreadable or out-of-range audio (400).</summary>
    BadRequest,

    /// <summary>A well-formed file of a format or codec that is not supported (415).</summary>
    Unsupported,
}

/// <summary>
/// The robustness corpus: malformed files that must be refused with a clear message and valid unusual files that
/// must be scored, all built here byte by byte so the tests need no fixture files.
/// </summary>
public static class RobustnessCorpus
{
    /// <summary>Every case: a name, the file's bytes and the expected answer.</summary>
    public static IReadOnlyList<(string Name, byte[] Bytes, Expected Expected)> Cases { get; } = Build();

    private static byte[] Pcm16(int frames, int channels = 1, double amplitude = 0.3)
    {
        var samples = new short[frames * channels];
        for (int i = 0; i < samples.Length; i++)
        {
            samples[i] = (short)(amplitude * short.MaxValue * Math.Sin(i * 0.05));
        }

        return SampleBytes.Int16(samples);
    }

    /// <summary>What a case decodable only through FFmpeg gets: <paramref name="withFfmpeg"/> where FFmpeg is here, else 415.</summary>
    private static Expected WithFfmpeg(Expected withFfmpeg) => AudioDecoder.Default.Ffmpeg.IsAvailable ? withFfmpeg : Expected.Unsupported;

    // IMA ADPCM blocks of 256 bytes: a valid 4-byte header (predictor 0, step index 0) and pseudo-random codes (noise).
    private static byte[] ImaAdpcmBlocks(int blocks)
    {
        var bytes = new byte[blocks * 256];
        for (int i = 0; i < bytes.Length; i++)
        {
            bytes[i] = i % 256 < 4 ? (byte)0 : (byte)((i * 37) + 11);
        }

        return bytes;
    }

    private static List<(string, byte[], Expected)> Build()
    {
        var random = new Random(42);
        var noise = new byte[4096];
        random.NextBytes(noise);
        var cry = SyntheticCry.Generate(8000, 3.0, seed: 7);
        var floats = new float[8000];
        floats.AsSpan().Fill(0.1f);
        floats[100] = float.NaN;
        var infinite = new float[8000];
        infinite[5] = float.PositiveInfinity;

        var cases = new List<(string, byte[], Expected)>
        {
            ("empty", [], Expected.BadRequest),
            ("random bytes", noise, Expected.BadRequest),
            ("text", Encoding.UTF8.GetBytes("hello, this is not a recording of a baby\n"), Expected.BadRequest),
            ("RIFF without chunks", new WavBuilder().Build(), Expected.BadRequest),
            ("fmt without data", new WavBuilder().Fmt(1, 1, 8000, 16).Build(), Expected.BadRequest),
            ("data without fmt", new WavBuilder().Data(Pcm16(8000)).Build(), Expected.BadRequest),
            ("fmt chunk claiming gigabytes", new WavBuilder().Chunk("fmt ", FmtBody(), size: 3_000_000_000).Build(), Expected.BadRequest),
            ("fmt chunk of zeros", new WavBuilder().Chunk("fmt ", new byte[16]).Data(Pcm16(8000)).Build(), Expected.BadRequest),
            ("data chunk claiming gigabytes with 1 KB present", new WavBuilder().Fmt(1, 1, 8000, 16).Data(new byte[1000], size: 2_000_000_000).Build(), Expected.BadRequest),
            ("zero channels", new WavBuilder().Fmt(1, 0, 8000, 16, blockAlign: 2).Data(Pcm16(8000)).Build(), Expected.BadRequest),
            ("65535 channels", new WavBuilder().Fmt(1, 65535, 8000, 16, blockAlign: 65535 * 2 % 65536).Data(Pcm16(8000)).Build(), Expected.BadRequest),
            ("sample rate 0", new WavBuilder().Fmt(1, 1, 0, 16).Data(Pcm16(8000)).Build(), Expected.BadRequest),
            ("sample rate 10^9", new WavBuilder().Fmt(1, 1, 1_000_000_000, 16).Data(Pcm16(8000)).Build(), Expected.BadRequest),
            // Compressed WAV codecs and RIFX go to FFmpeg where the host has it (these are broken inside: 400), else 415.
            ("MP3 inside WAV (codec 0x0055)", new WavBuilder().Fmt(0x0055, 1, 8000, 16).Data(Pcm16(8000)).Build(), WithFfmpeg(Expected.BadRequest)),
            ("IMA ADPCM (codec 0x0011)", new WavBuilder().Fmt(0x0011, 1, 8000, 4, blockAlign: 256).Data(ImaAdpcmBlocks(32)).Build(), WithFfmpeg(Expected.Result)),
            ("big-endian RIFX", new WavBuilder { RiffId = "RIFX" }.Fmt(1, 1, 8000, 16).Data(Pcm16(8000)).Build(), WithFfmpeg(Expected.BadRequest)),
            ("NaN samples", new WavBuilder().Fmt(3, 1, 8000, 32).Data(SampleBytes.Float32(floats)).Build(), Expected.BadRequest),
            ("infinite samples", new WavBuilder().Fmt(3, 1, 8000, 32).Data(SampleBytes.Float32(infinite)).Build(), Expected.BadRequest),
            ("ten samples", new WavBuilder().Fmt(1, 1, 8000, 16).Data(Pcm16(10)).Build(), Expected.BadRequest),
            // A known container with nothing decodable inside: 400 whether or not the host has FFmpeg.
            ("Ogg bytes", [.. "OggS\0\x02"u8, .. new byte[60]], Expected.BadRequest),
            ("MP3 bytes", [.. "ID3\x04\0\0\0\0\0\x0a"u8, .. new byte[60]], Expected.BadRequest),
            ("wrong block align", new WavBuilder().Fmt(1, 1, 8000, 16, blockAlign: 3).Data(Pcm16(8000)).Build(), Expected.BadRequest),

            ("24-bit stereo 44.1 kHz", WavBuilder.Valid(SampleKind.Int24, 2, 44100 * 4, 44100), Expected.Result),
            ("extensible float32", new WavBuilder().FmtExtensible(3, 1, 16000, 32, 32).Data(SampleBytes.Float32(Resampled(cry, 16000))).Build(), Expected.Result),
            ("LIST before fmt", new WavBuilder().Chunk("LIST", "INFOISFT\x06\0\0\0cry\0\0\0"u8).Fmt(1, 1, 8000, 16).Data(Pcm16(8000 * 3)).Build(), Expected.Result),
            ("8-bit 11.025 kHz", WavBuilder.Valid(SampleKind.UInt8, 1, 11025 * 3, 11025), Expected.Result),
            ("3 s", WavEncoder.Encode(cry.Samples, cry.SampleRate), Expected.Result),
            ("60 s", WavEncoder.Encode(SyntheticCry.Generate(8000, 60, seed: 8).Samples, 8000), Expected.Result),
            ("silence", WavEncoder.Encode(new float[8000 * 4], 8000), Expected.Result),
        };
        return cases;
    }

    private static byte[] FmtBody()
    {
        byte[] wav = new WavBuilder().Fmt(1, 1, 8000, 16).Build();
        return wav[20..36]; // The 16 bytes after "RIFF....WAVEfmt ....".
    }

    private static float[] Resampled(AudioSignal signal, int rate) => Cry.Audio.Dsp.Resampler.Resample(signal, rate).Samples;
}

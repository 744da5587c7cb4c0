using BenchmarkDotNet.Attributes;
using Cry.Audio;
using Cry.TestSupport;
using Cry.Audio.Decoding;
using Cry.Audio.Wav;

namespace Cry.Benchmarks;

/// <summary>
/// Decoding a 7 s mono recording, as phones and browsers make it, to samples on one thread: each managed decoder, and
/// the FFmpeg child-process path (process start, temporary file and pipe included). The inputs are made at setup by
/// FFmpeg from the synthetic cry at 16 kHz (Opus at 48 kHz, as it always decodes).
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class DecodeBenchmarks
{
    private readonly AudioDecoder _decoder = new();
    private byte[] _wav = [];
    private byte[] _caf = [];
    private byte[] _mp3 = [];
    private byte[] _vorbis = [];
    private byte[] _oggOpus = [];
    private byte[] _webmOpus = [];
    private byte[] _m4a = [];
    private byte[] _flac = [];

    [GlobalSetup]
    public void Setup()
    {
        if (!FfmpegEncoder.IsAvailable)
        {
            throw new InvalidOperationException(FfmpegEncoder.Missing);
        }

        var clip = SyntheticCry.Generate(16000, 7.0, seed: 5);
        _wav = WavEncoder.Encode(clip.Samples, clip.SampleRate);
        _caf = FfmpegEncoder.Encode(_wav, ".caf", "-c:a", "adpcm_ima_qt", "-f", "caf");
        _mp3 = FfmpegEncoder.Encode(_wav, ".mp3", "-c:a", "libmp3lame", "-b:a", "64k");
        _vorbis = FfmpegEncoder.Encode(_wav, ".ogg", "-c:a", "libvorbis");
        _oggOpus = FfmpegEncoder.Encode(_wav, ".opus", "-c:a", "libopus", "-b:a", "32k");
        _webmOpus = FfmpegEncoder.Encode(_wav, ".webm", "-c:a", "libopus", "-b:a", "32k");
        _m4a = FfmpegEncoder.Encode(_wav, ".m4a", "-c:a", "aac", "-b:a", "48k");
        _flac = FfmpegEncoder.Encode(_wav, ".flac", "-c:a", "flac");
    }

    [GlobalCleanup]
    public void Cleanup() => _decoder.Dispose();

    /// <summary>16-bit PCM WAV (the managed WAV decoder).</summary>
    [Benchmark(Baseline = true)]
    public AudioSignal WavPcm16() => _decoder.Decode(_wav);

    /// <summary>CAF IMA4 ADPCM, as iPhones recorded (hand-written decoder).</summary>
    [Benchmark]
    public AudioSignal CafIma4() => _decoder.Decode(_caf);

    /// <summary>MP3 64 kbit/s (NLayer).</summary>
    [Benchmark]
    public AudioSignal Mp3() => _decoder.Decode(_mp3);

    /// <summary>Ogg Vorbis (NVorbis).</summary>
    [Benchmark]
    public AudioSignal OggVorbis() => _decoder.Decode(_vorbis);

    /// <summary>Ogg Opus 32 kbit/s (NVorbis's Ogg reader + Concentus), 48 kHz out.</summary>
    [Benchmark]
    public AudioSignal OggOpus() => _decoder.Decode(_oggOpus);

    /// <summary>WebM Opus 32 kbit/s, as MediaRecorder writes it (hand-written EBML walk + Concentus), 48 kHz out.</summary>
    [Benchmark]
    public AudioSignal WebmOpus() => _decoder.Decode(_webmOpus);

    /// <summary>M4A AAC-LC through FFmpeg in a child process.</summary>
    [Benchmark]
    public AudioSignal M4aAacFfmpeg() => _decoder.Decode(_m4a);

    /// <summary>FLAC through FFmpeg in a child process.</summary>
    [Benchmark]
    public AudioSignal FlacFfmpeg() => _decoder.Decode(_flac);
}

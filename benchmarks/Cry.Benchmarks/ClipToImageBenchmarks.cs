using BenchmarkDotNet.Attributes;
using Cry.Audio;
using Cry.Audio.Dsp;
using Cry.Features;
using Cry.Features.Spectral;
using Cry.Features.Specs;
using Cry.Audio.Wav;

namespace Cry.Benchmarks;

/// <summary>
/// The product's per-clip cost: decode a 7 s, 8 kHz, 16-bit WAV and compute the tsi-rgb64 image (3 × 64 × 64), on one
/// thread, plus the stages on their own. Reference: the same work in Python (soundfile + librosa 0.11 + pyts 0.13)
/// takes 5.4 ms per clip on one core of the 2-core build machines; the goal is 0.5 ms.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class ClipToImageBenchmarks
{
    private readonly FeatureExtractor _extractor = new(FeatureSpecPresets.TsiRgb64);
    private readonly MelSpectrogram _melSpectrogram = new(FeatureSpecPresets.TsiRgb64.ToMelOptions());
    private byte[] _wav = [];
    private float[] _decoded = [];
    private float[] _window = [];
    private float[] _mel = [];

    [GlobalSetup]
    public void Setup()
    {
        var clip = SyntheticCry.Generate(8000, 7.0, seed: 1);
        _wav = WavEncoder.Encode(clip.Samples, clip.SampleRate);
        _window = new float[_extractor.WindowLength!.Value];
        _mel = new float[40 * _extractor.FrameCount(_window.Length)];
        int n = WavDecoder.Default.Decode(_wav, ref _decoded, out int rate);
        AudioWindows.FirstSeconds(_decoded.AsSpan(0, n), rate, 6.5, _window);
    }

    /// <summary>WAV bytes to the image tensor: the whole per-clip path. Allocates only the output tensor.</summary>
    [Benchmark(Baseline = true)]
    public float[] DecodeAndImage()
    {
        int n = WavDecoder.Default.Decode(_wav, ref _decoded, out int rate);
        AudioWindows.FirstSeconds(_decoded.AsSpan(0, n), rate, 6.5, _window);
        var image = new float[3 * 64 * 64];
        _extractor.ComputeImage(_window, image);
        return image;
    }

    /// <summary>Decoding alone (into a reused buffer).</summary>
    [Benchmark]
    public int Decode() => WavDecoder.Default.Decode(_wav, ref _decoded, out _);

    /// <summary>The mel power spectrogram alone (STFT + mel bank, mel-major 40 × 407) into a reused buffer.</summary>
    [Benchmark]
    public float[] MelSpectrogram()
    {
        _melSpectrogram.Transform(_window, _mel);
        return _mel;
    }
}

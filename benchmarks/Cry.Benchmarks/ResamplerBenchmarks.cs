using BenchmarkDotNet.Attributes;
using Cry.Audio;
using Cry.Audio.Dsp;

namespace Cry.Benchmarks;

/// <summary>Sample-rate conversion of whole clips: the exact polyphase path both ways and the interpolated path of pitch shift.</summary>
[MemoryDiagnoser]
[MedianColumn]
public class ResamplerBenchmarks
{
    private float[] _clip8k = [];
    private float[] _clip44k = [];
    private float[] _up = [];
    private float[] _down = [];
    private float[] _shifted = [];

    [GlobalSetup]
    public void Setup()
    {
        _clip8k = SyntheticCry.Generate(8000, 6.5, seed: 2).Samples;
        _clip44k = SyntheticCry.Generate(44100, 7.0, seed: 3).Samples;
        _up = new float[Resampler.OutputLength(_clip8k.Length, 8000, 22050)];
        _down = new float[Resampler.OutputLength(_clip44k.Length, 44100, 8000)];
        _shifted = new float[Resampler.OutputLength(_clip8k.Length, SemitoneUp)];
    }

    private const double SemitoneUp = 1.0594630943592953;

    /// <summary>6.5 s, 8 kHz to 22.05 kHz (441 phases).</summary>
    [Benchmark(Baseline = true)]
    public float[] Up8kTo22050()
    {
        Resampler.Resample(_clip8k, _up, 8000, 22050);
        return _up;
    }

    /// <summary>7 s, 44.1 kHz to 8 kHz (80 phases, 554 taps).</summary>
    [Benchmark]
    public float[] Down44100To8k()
    {
        Resampler.Resample(_clip44k, _down, 44100, 8000);
        return _down;
    }

    /// <summary>6.5 s at 8 kHz by a semitone ratio (interpolated taps).</summary>
    [Benchmark]
    public float[] RealRatioSemitone()
    {
        Resampler.Resample(_clip8k, _shifted, SemitoneUp);
        return _shifted;
    }
}

using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using Cry.Audio;
using Cry.Features.Spectral;
using Cry.Features.Specs;

namespace Cry.Benchmarks;

/// <summary>
/// The logarithm inside <see cref="PowerToDb"/>: the hand-written <c>VectorMath.Log2</c> against
/// <see cref="TensorPrimitives.Log2{T}(ReadOnlySpan{T}, Span{T})"/>, <see cref="TensorPrimitives.Log{T}(ReadOnlySpan{T}, Span{T})"/>
/// and <see cref="Vector.Log(Vector{float})"/>, over the tsi-rgb64 mel power spectrogram of a 6.5 s synthetic cry
/// (40 × 407 values, floored at 1e-10 as PowerToDb floors them).
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class LogBenchmarks
{
    private float[] _power = [];
    private float[] _log = [];

    [GlobalSetup]
    public void Setup()
    {
        var spec = FeatureSpecPresets.TsiRgb64;
        var clip = SyntheticCry.Generate(spec.SampleRate, 6.5, seed: 1);
        var mel = new MelSpectrogram(spec.ToMelOptions());
        _power = new float[spec.NMels * mel.FrameCount(clip.Samples.Length)];
        mel.Transform(clip.Samples, _power);
        TensorPrimitives.Max(_power, (float)PowerToDb.DefaultAmin, _power);
        _log = new float[_power.Length];
    }

    /// <summary>The product's vector logarithm (base 2), 8 lanes at a time.</summary>
    [Benchmark(Baseline = true)]
    public float[] VectorMathLog2()
    {
        var source = MemoryMarshal.Cast<float, Vector<float>>(_power);
        var destination = MemoryMarshal.Cast<float, Vector<float>>(_log.AsSpan());
        for (int i = 0; i < source.Length; i++)
        {
            destination[i] = VectorMath.Log2(source[i]);
        }

        return _log;
    }

    /// <summary>TensorPrimitives.Log2 over the span.</summary>
    [Benchmark]
    public float[] TensorPrimitivesLog2()
    {
        TensorPrimitives.Log2(_power, _log);
        return _log;
    }

    /// <summary>TensorPrimitives.Log (natural) over the span.</summary>
    [Benchmark]
    public float[] TensorPrimitivesLog()
    {
        TensorPrimitives.Log(_power, _log);
        return _log;
    }

    /// <summary>Vector.Log, the earlier comparison.</summary>
    [Benchmark]
    public float[] VectorLog()
    {
        var source = MemoryMarshal.Cast<float, Vector<float>>(_power);
        var destination = MemoryMarshal.Cast<float, Vector<float>>(_log.AsSpan());
        for (int i = 0; i < source.Length; i++)
        {
            destination[i] = Vector.Log(source[i]);
        }

        return _log;
    }
}

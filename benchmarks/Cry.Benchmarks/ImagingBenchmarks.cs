using BenchmarkDotNet.Attributes;
using Cry.Features.Imaging;

namespace Cry.Benchmarks;

/// <summary>The three tsi-rgb64 image channels on their own: a 407-point series (6.5 s of 8 kHz frames) to 64 × 64.</summary>
[MemoryDiagnoser]
[MedianColumn]
public class ImagingBenchmarks
{
    private readonly MarkovTransitionField _mtf = new(new MarkovTransitionFieldOptions { Size = 64, Bins = 8 });
    private readonly GramianAngularField _gasf = new(new GramianAngularFieldOptions { Size = 64 });
    private readonly GramianAngularField _gadf = new(new GramianAngularFieldOptions { Size = 64, Method = GramianAngularFieldMethod.Difference });
    private readonly double[] _series = new double[407];
    private readonly double[] _image = new double[64 * 64];

    [GlobalSetup]
    public void Setup()
    {
        // A seeded random walk: neighbouring values correlated like a frame-energy series.
        var random = new Random(7);
        double value = 0;
        for (int i = 0; i < _series.Length; i++)
        {
            value += random.NextDouble() - 0.5;
            _series[i] = value;
        }
    }

    /// <summary>MTF, 8 quantile bins.</summary>
    [Benchmark(Baseline = true)]
    public double[] Mtf()
    {
        _mtf.Transform(_series, _image);
        return _image;
    }

    /// <summary>GASF.</summary>
    [Benchmark]
    public double[] Gasf()
    {
        _gasf.Transform(_series, _image);
        return _image;
    }

    /// <summary>GADF.</summary>
    [Benchmark]
    public double[] Gadf()
    {
        _gadf.Transform(_series, _image);
        return _image;
    }
}

using Cry.Audio.Dsp;
using NWaves.Filters.Base;
using NWaves.Filters.Base64;
using NWaves.Filters.Fda;

namespace Cry.Audio.Augmentation;

/// <summary>A causal Butterworth high-pass with a cutoff and order drawn from ranges.</summary>
/// <remarks>
/// The cutoff is drawn uniformly from [<see cref="MinCutoffHz"/>, <see cref="MaxCutoffHz"/>], then the order uniformly
/// from the integers [<see cref="MinOrder"/>, <see cref="MaxOrder"/>]. The cutoff used is clamped to at most
/// <see cref="MaxCutoffFractionOfRate"/> × sample rate (90 % of Nyquist; 3.6 kHz at 8 kHz), because a 3–4 kHz range applied
/// to 8 kHz audio would otherwise put the cutoff at or above Nyquist. The filter is NWaves' Butterworth design run as
/// second-order sections in double precision (a single order-8 transfer function is numerically fragile near Nyquist).
/// </remarks>
public sealed record HighPass : IAugmentation
{
    /// <summary>Highest cutoff used, as a fraction of the sample rate.</summary>
    public const double MaxCutoffFractionOfRate = 0.45;

    /// <summary>Creates the augmentation; cutoffs in (0, 100 000] Hz, orders in [1, 8], each min ≤ max.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A bound is out of range or a min exceeds its max.</exception>
    public HighPass(double minCutoffHz, double maxCutoffHz, int minOrder, int maxOrder)
    {
        Guard.ThrowIfBadRange(minCutoffHz, maxCutoffHz, double.Epsilon, 100_000);
        ArgumentOutOfRangeException.ThrowIfLessThan(minOrder, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxOrder, 8);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minOrder, maxOrder);
        MinCutoffHz = minCutoffHz;
        MaxCutoffHz = maxCutoffHz;
        MinOrder = minOrder;
        MaxOrder = maxOrder;
    }

    /// <summary>Lowest cutoff (−3 dB) in Hz.</summary>
    public double MinCutoffHz { get; }

    /// <summary>Highest cutoff (−3 dB) in Hz.</summary>
    public double MaxCutoffHz { get; }

    /// <summary>Lowest filter order.</summary>
    public int MinOrder { get; }

    /// <summary>Highest filter order.</summary>
    public int MaxOrder { get; }

    /// <summary>The cutoff actually used at <paramref name="sampleRate"/>: min(cutoff, 0.45 × rate).</summary>
    public static double EffectiveCutoffHz(double cutoffHz, int sampleRate) => Math.Min(cutoffHz, MaxCutoffFractionOfRate * sampleRate);

    /// <inheritdoc/>
    public float[] Apply(ReadOnlySpan<float> samples, int sampleRate, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRate);
        var (cutoffHz, order) = Draw(seed);
        double normalised = EffectiveCutoffHz(cutoffHz, sampleRate) / sampleRate;
        TransferFunction design = new NWaves.Filters.Butterworth.HighPassFilter(normalised, order).Tf;
        var chain = new FilterChain64(DesignFilter.TfToSos(design));
        var output = new float[samples.Length];
        for (int i = 0; i < output.Length; i++)
        {
            output[i] = (float)chain.Process(samples[i]);
        }

        return output;
    }

    /// <inheritdoc/>
    public IAugmentation Resolve(ulong seed)
    {
        var (cutoffHz, order) = Draw(seed);
        return new HighPass(cutoffHz, cutoffHz, order, order);
    }

    private (double CutoffHz, int Order) Draw(ulong seed)
    {
        var random = new SeededRandom(seed);
        double cutoffHz = random.NextDouble(MinCutoffHz, MaxCutoffHz);
        return (cutoffHz, random.NextInt32Inclusive(MinOrder, MaxOrder));
    }
}

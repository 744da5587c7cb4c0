using static TorchSharp.torch;

namespace Cry.Training.Torch;

/// <summary>Per-channel input standardisation, x' = (x − mean_c) / std_c, with statistics taken from the training data.</summary>
/// <remarks>
/// mean_c and std_c are over every value of channel c in every training sample; std is the population deviation
/// (divided by the count, not count − 1). A constant channel (std below 1e-12) gets std 1, so it is only centred.
/// </remarks>
public sealed class ChannelNormalization
{
    private readonly float[] _mean;
    private readonly float[] _std;

    /// <summary>Creates the normalisation from stored statistics.</summary>
    /// <exception cref="ArgumentException">The lengths differ, are zero, or a deviation is not positive.</exception>
    public ChannelNormalization(IReadOnlyList<float> mean, IReadOnlyList<float> std)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        if (mean.Count == 0 || mean.Count != std.Count)
        {
            throw new ArgumentException($"Mean and std need the same, non-zero length; got {mean.Count} and {std.Count}.", nameof(std));
        }

        if (std.Any(s => !(s > 0) || float.IsInfinity(s)))
        {
            throw new ArgumentException("Every standard deviation must be positive and finite.", nameof(std));
        }

        _mean = [.. mean];
        _std = [.. std];
    }

    /// <summary>Mean of each channel.</summary>
    public IReadOnlyList<float> Mean => _mean;

    /// <summary>Standard deviation of each channel (1 for a constant channel).</summary>
    public IReadOnlyList<float> Std => _std;

    /// <summary>Number of channels.</summary>
    public int Channels => _mean.Length;

    /// <summary>Computes the statistics of N samples of C channels of <paramref name="pixelsPerChannel"/> values each.</summary>
    /// <exception cref="ArgumentException">The length is not a whole number of samples, or there are none.</exception>
    public static ChannelNormalization Compute(ReadOnlySpan<float> inputs, int channels, int pixelsPerChannel)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pixelsPerChannel);
        int sampleLength = channels * pixelsPerChannel;
        if (inputs.Length == 0 || inputs.Length % sampleLength != 0)
        {
            throw new ArgumentException(
                $"{inputs.Length} values are not a non-zero whole number of {channels} × {pixelsPerChannel}-value samples.", nameof(inputs));
        }

        int samples = inputs.Length / sampleLength;
        double count = (double)samples * pixelsPerChannel;
        var mean = new float[channels];
        var std = new float[channels];
        for (int c = 0; c < channels; c++)
        {
            // Two passes in double: one-pass sums of squares lose the variance of large-offset inputs.
            double sum = 0;
            for (int n = 0; n < samples; n++)
            {
                foreach (float v in inputs.Slice((n * channels + c) * pixelsPerChannel, pixelsPerChannel))
                {
                    sum += v;
                }
            }

            double m = sum / count;
            double squares = 0;
            for (int n = 0; n < samples; n++)
            {
                foreach (float v in inputs.Slice((n * channels + c) * pixelsPerChannel, pixelsPerChannel))
                {
                    squares += (v - m) * (v - m);
                }
            }

            double s = Math.Sqrt(squares / count);
            mean[c] = (float)m;
            std[c] = s < 1e-12 ? 1f : (float)s;
        }

        return new ChannelNormalization(mean, std);
    }

    /// <summary>Returns the standardised N × C × H × W batch as a new tensor on the batch's device.</summary>
    internal Tensor Apply(Tensor batch)
    {
        using var scope = NewDisposeScope();
        var mean = tensor(_mean, [1, _mean.Length, 1, 1]).to(batch.device);
        var std = tensor(_std, [1, _std.Length, 1, 1]).to(batch.device);
        return batch.sub(mean).div_(std).MoveToOuterDisposeScope();
    }
}

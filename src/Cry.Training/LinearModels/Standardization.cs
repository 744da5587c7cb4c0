namespace Cry.Training.LinearModels;

/// <summary>A weighted mean and scale per feature, fitted on training samples and applied to any sample.</summary>
/// <param name="Mean">The weighted mean of each feature.</param>
/// <param name="Scale">The weighted standard deviation of each feature (1 for a constant feature).</param>
public sealed record Standardization(double[] Mean, double[] Scale)
{
    /// <summary>Fits the mean and scale of row-major samples × <paramref name="dimension"/> features.</summary>
    /// <param name="features">Row-major samples.</param>
    /// <param name="dimension">Features per sample.</param>
    /// <param name="weights">A weight per sample, or empty for equal weights.</param>
    public static Standardization Fit(ReadOnlySpan<float> features, int dimension, ReadOnlySpan<double> weights = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        int n = features.Length / dimension;
        double total = 0;
        var mean = new double[dimension];
        var scale = new double[dimension];
        for (int i = 0; i < n; i++)
        {
            double w = weights.IsEmpty ? 1 : weights[i];
            total += w;
            for (int j = 0; j < dimension; j++)
            {
                mean[j] += w * features[(i * dimension) + j];
            }
        }

        for (int j = 0; j < dimension; j++)
        {
            mean[j] /= total;
        }

        for (int i = 0; i < n; i++)
        {
            double w = weights.IsEmpty ? 1 : weights[i];
            for (int j = 0; j < dimension; j++)
            {
                double d = features[(i * dimension) + j] - mean[j];
                scale[j] += w * d * d;
            }
        }

        for (int j = 0; j < dimension; j++)
        {
            double sd = Math.Sqrt(scale[j] / total);
            scale[j] = sd > 1e-9 ? sd : 1;
        }

        return new Standardization(mean, scale);
    }

    /// <summary>Feature <paramref name="j"/> of a sample, standardised.</summary>
    public double Apply(float value, int j) => (value - Mean[j]) / Scale[j];
}

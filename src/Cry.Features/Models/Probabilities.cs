namespace Cry.Features.Models;

/// <summary>The product's one implementation of softmax with temperature and bias, of combining probabilities, and of argmax.</summary>
public static class Probabilities
{
    /// <summary>p = softmax(z / T + b) per row of <paramref name="classes"/> logits (b may be empty: no bias).</summary>
    public static void Softmax(ReadOnlySpan<float> logits, double temperature, ReadOnlySpan<double> bias, Span<float> destination, int classes)
    {
        if (logits.Length % classes != 0 || destination.Length < logits.Length || (bias.Length != 0 && bias.Length != classes))
        {
            throw new ArgumentException("The logits, destination and bias do not match the number of classes.");
        }

        Span<double> z = stackalloc double[classes];
        for (int row = 0; row < logits.Length / classes; row++)
        {
            double max = double.NegativeInfinity;
            for (int k = 0; k < classes; k++)
            {
                z[k] = (logits[(row * classes) + k] / temperature) + (bias.Length == 0 ? 0 : bias[k]);
                max = Math.Max(max, z[k]);
            }

            double sum = 0;
            for (int k = 0; k < classes; k++)
            {
                z[k] = Math.Exp(z[k] - max);
                sum += z[k];
            }

            for (int k = 0; k < classes; k++)
            {
                destination[(row * classes) + k] = (float)(z[k] / sum);
            }
        }
    }

    /// <summary>
    /// Combines rows of probabilities (count × classes) by their mean log-probability, renormalised (a geometric mean):
    /// how the windows of a recording and the members of an ensemble are combined.
    /// </summary>
    public static double[] MeanLogProbability(ReadOnlySpan<float> rows, int count, int classes)
    {
        var combined = new double[classes];
        double max = double.NegativeInfinity;
        for (int k = 0; k < classes; k++)
        {
            double sum = 0;
            for (int w = 0; w < count; w++)
            {
                sum += Math.Log(Math.Max(rows[(w * classes) + k], 1e-30f));
            }

            combined[k] = sum / count;
            max = Math.Max(max, combined[k]);
        }

        double total = 0;
        for (int k = 0; k < classes; k++)
        {
            combined[k] = Math.Exp(combined[k] - max);
            total += combined[k];
        }

        for (int k = 0; k < classes; k++)
        {
            combined[k] /= total;
        }

        return combined;
    }

    /// <summary>The index of the largest value (the first on ties).</summary>
    public static int ArgMax(ReadOnlySpan<double> values)
    {
        int best = 0;
        for (int k = 1; k < values.Length; k++)
        {
            best = values[k] > values[best] ? k : best;
        }

        return best;
    }

    /// <summary>The index of the largest value (the first on ties).</summary>
    public static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int k = 1; k < values.Length; k++)
        {
            best = values[k] > values[best] ? k : best;
        }

        return best;
    }
}

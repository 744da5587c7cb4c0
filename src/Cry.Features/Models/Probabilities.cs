using System.Numerics.Tensors;

namespace Cry.Features.Models;

/// <summary>The product's one implementation of softmax with temperature and bias, of combining probabilities, and of argmax.</summary>
public static class Probabilities
{
    /// <summary>p = softmax(z / T + b) per row of <paramref name="classes"/> logits (b may be empty: no bias).</summary>
    /// <remarks>
    /// A hand loop on purpose: <see cref="TensorPrimitives.SoftMax{T}(ReadOnlySpan{T}, Span{T})"/> does not subtract the
    /// maximum (NaN once z / T + b passes about 709), and with the maximum subtracted first its vectorised exp and sum
    /// still differ from <see cref="Math.Exp"/> in the last bits of about half the values (measured on 10 M), while these
    /// probabilities are served and compared with the conformal scores and thresholds stored in bundles. Rows of five
    /// classes gain nothing from SIMD.
    /// </remarks>
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
    /// <remarks>
    /// <see cref="TensorPrimitives.IndexOfMax{T}(ReadOnlySpan{T})"/>: a NaN counts as the largest value and +0 as above −0,
    /// which no row of probabilities holds (a row is all NaN or has none); −1 for an empty span.
    /// </remarks>
    public static int ArgMax(ReadOnlySpan<double> values) => TensorPrimitives.IndexOfMax(values);

    /// <inheritdoc cref="ArgMax(ReadOnlySpan{double})"/>
    public static int ArgMax(ReadOnlySpan<float> values) => TensorPrimitives.IndexOfMax(values);
}

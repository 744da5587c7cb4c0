using MathNet.Numerics.LinearAlgebra;

namespace Cry.Training.LinearModels;

/// <summary>A fitted multinomial logistic model: class probabilities = softmax(b_k + Σ_j w_kj · z_j) of the standardised features z.</summary>
/// <param name="Standardization">The features' mean and scale on the training samples.</param>
/// <param name="Coefficients">Per class, the intercept then one weight per standardised feature (classes × (dimension + 1)).</param>
/// <param name="Classes">The number of classes.</param>
public sealed record SoftmaxModel(Standardization Standardization, double[] Coefficients, int Classes)
{
    /// <summary>Features per sample.</summary>
    public int Dimension => Standardization.Mean.Length;

    /// <summary>Writes the class probabilities of one sample.</summary>
    public void Probabilities(ReadOnlySpan<float> x, Span<float> destination)
    {
        int p = Dimension + 1;
        Span<double> logits = stackalloc double[Classes];
        for (int k = 0; k < Classes; k++)
        {
            double z = Coefficients[k * p];
            for (int j = 0; j < Dimension; j++)
            {
                z += Coefficients[(k * p) + j + 1] * Standardization.Apply(x[j], j);
            }

            logits[k] = z;
        }

        SoftmaxRegression.Softmax(logits);
        for (int k = 0; k < Classes; k++)
        {
            destination[k] = (float)logits[k];
        }
    }

    /// <summary>The class probabilities of row-major samples, row-major.</summary>
    public float[] Probabilities(ReadOnlySpan<float> features)
    {
        int n = features.Length / Dimension;
        var result = new float[n * Classes];
        for (int i = 0; i < n; i++)
        {
            Probabilities(features.Slice(i * Dimension, Dimension), result.AsSpan(i * Classes, Classes));
        }

        return result;
    }
}

/// <summary>
/// L2-regularised multinomial logistic regression (softmax), fitted by Newton's method with a backtracking line search
/// on standardised features, with sample weights.
/// </summary>
/// <remarks>
/// Written here rather than taken from ML.NET for the reasons of <see cref="Detection.LogisticRegression"/>: a few hundred
/// samples and about a hundred features, weighted, fitted exactly and deterministically in a fraction of a second. The
/// Hessian (classes × (features + 1) square) is assembled block by block as Xᵀ diag(c) X and solved with Math.NET's
/// Cholesky. The penalty <c>lambda</c> is on the standardised weights; the intercepts get only 1e-6, which makes the
/// otherwise shift-invariant softmax identifiable. Weights are rescaled to sum to the sample count.
/// </remarks>
public static class SoftmaxRegression
{
    private const int MaxIterations = 50;

    /// <summary>Class-balanced sample weights: every class present gets the same total weight.</summary>
    public static double[] BalancedWeights(ReadOnlySpan<int> labels, int classes)
    {
        var counts = new int[classes];
        foreach (int label in labels)
        {
            counts[label]++;
        }

        int present = counts.Count(c => c > 0);
        var weights = new double[labels.Length];
        for (int i = 0; i < labels.Length; i++)
        {
            weights[i] = (double)labels.Length / (present * counts[labels[i]]);
        }

        return weights;
    }

    /// <summary>Fits the model.</summary>
    /// <param name="features">Row-major samples × features.</param>
    /// <param name="dimension">Features per sample.</param>
    /// <param name="labels">Class index of each sample (0 .. classes − 1).</param>
    /// <param name="classes">The number of classes (at least 2).</param>
    /// <param name="weights">A positive weight per sample.</param>
    /// <param name="lambda">The L2 penalty on the standardised weights (&gt; 0).</param>
    /// <exception cref="ArgumentException">The sizes disagree, a label is out of range, or lambda is not positive.</exception>
    public static SoftmaxModel Fit(ReadOnlySpan<float> features, int dimension, ReadOnlySpan<int> labels, int classes, ReadOnlySpan<double> weights, double lambda)
    {
        int n = labels.Length;
        EnsureValid(features, dimension, labels, classes, weights, lambda);
        double total = 0;
        foreach (double weight in weights)
        {
            total += weight;
        }

        var standardization = Standardization.Fit(features, dimension, weights);
        int p = dimension + 1;
        var x = Matrix<double>.Build.Dense(n, p);
        var w = new double[n];
        int[] y = labels.ToArray();
        for (int i = 0; i < n; i++)
        {
            w[i] = weights[i] * n / total;
            x[i, 0] = 1;
            for (int j = 0; j < dimension; j++)
            {
                x[i, j + 1] = standardization.Apply(features[(i * dimension) + j], j);
            }
        }

        var penalty = Vector<double>.Build.Dense(classes * p, k => k % p == 0 ? 1e-6 : lambda);
        var beta = Vector<double>.Build.Dense(classes * p);
        double objective = Objective(x, y, w, beta, penalty, classes, out var probabilities);
        for (int iteration = 0; iteration < MaxIterations; iteration++)
        {
            var gradient = Gradient(x, y, w, beta, penalty, probabilities, classes);
            var hessian = Hessian(x, w, penalty, probabilities, classes);
            var step = hessian.Cholesky().Solve(gradient);
            double decrease = gradient.DotProduct(step);
            double rate = 1;
            Vector<double> candidate;
            double next;
            do
            {
                candidate = beta - (rate * step);
                next = Objective(x, y, w, candidate, penalty, classes, out var candidateProbabilities);
                if (next <= objective - (1e-4 * rate * decrease))
                {
                    probabilities = candidateProbabilities;
                    break;
                }

                rate /= 2;
            }
            while (rate > 1e-8);

            beta = candidate;
            double change = objective - next;
            objective = next;
            if (decrease < 1e-10 * n || change <= 1e-12 * n)
            {
                break;
            }
        }

        return new SoftmaxModel(standardization, [.. beta], classes);
    }

    /// <summary>Softmax in place.</summary>
    /// <remarks>Not TensorPrimitives.SoftMax, for the reasons in <see cref="Cry.Features.Models.Probabilities.Softmax"/>: the fit's numbers would move in the last bits.</remarks>
    public static void Softmax(Span<double> logits)
    {
        double max = double.NegativeInfinity;
        foreach (double z in logits)
        {
            max = Math.Max(max, z);
        }

        double sum = 0;
        for (int k = 0; k < logits.Length; k++)
        {
            logits[k] = Math.Exp(logits[k] - max);
            sum += logits[k];
        }

        for (int k = 0; k < logits.Length; k++)
        {
            logits[k] /= sum;
        }
    }

    private static void EnsureValid(ReadOnlySpan<float> features, int dimension, ReadOnlySpan<int> labels, int classes, ReadOnlySpan<double> weights, double lambda)
    {
        int n = labels.Length;
        if (dimension < 1 || classes < 2 || features.Length != n * dimension || weights.Length != n || n == 0)
        {
            throw new ArgumentException("Features, labels and weights must describe the same samples, with at least one feature and two classes.");
        }

        if (!(lambda > 0) || !double.IsFinite(lambda))
        {
            throw new ArgumentException($"lambda must be a positive number, not {lambda}.", nameof(lambda));
        }

        foreach (int label in labels)
        {
            if (label < 0 || label >= classes)
            {
                throw new ArgumentException($"Label {label} is outside 0 .. {classes - 1}.", nameof(labels));
            }
        }
    }

    /// <summary>The objective's gradient: the penalty's, plus per class Xᵀ (w ∘ (p_k − 1[y = k])).</summary>
    private static Vector<double> Gradient(Matrix<double> x, int[] y, double[] w, Vector<double> beta, Vector<double> penalty, double[,] probabilities, int classes)
    {
        int n = x.RowCount, p = x.ColumnCount;
        var gradient = penalty.PointwiseMultiply(beta);
        for (int k = 0; k < classes; k++)
        {
            var residual = Vector<double>.Build.Dense(n, i => w[i] * (probabilities[i, k] - (y[i] == k ? 1 : 0)));
            var block = x.TransposeThisAndMultiply(residual);
            for (int j = 0; j < p; j++)
            {
                gradient[(k * p) + j] += block[j];
            }
        }

        return gradient;
    }

    /// <summary>The objective's Hessian: the penalty's diagonal, plus the blocks Xᵀ diag(w ∘ p_k ∘ (1[k = l] − p_l)) X.</summary>
    private static Matrix<double> Hessian(Matrix<double> x, double[] w, Vector<double> penalty, double[,] probabilities, int classes)
    {
        int n = x.RowCount, p = x.ColumnCount;
        var hessian = Matrix<double>.Build.DenseOfDiagonalVector(penalty);
        for (int k = 0; k < classes; k++)
        {
            for (int l = k; l < classes; l++)
            {
                var scaled = x.Clone();
                for (int i = 0; i < n; i++)
                {
                    double c = w[i] * probabilities[i, k] * ((k == l ? 1 : 0) - probabilities[i, l]);
                    scaled.SetRow(i, scaled.Row(i) * c);
                }

                var block = x.TransposeThisAndMultiply(scaled);
                hessian.SetSubMatrix(k * p, l * p, hessian.SubMatrix(k * p, p, l * p, p) + block);
                if (l != k)
                {
                    hessian.SetSubMatrix(l * p, k * p, block.Transpose());
                }
            }
        }

        return hessian;
    }

    /// <summary>The penalised weighted negative log-likelihood, and the probabilities it was computed from.</summary>
    private static double Objective(Matrix<double> x, int[] y, double[] w, Vector<double> beta, Vector<double> penalty, int classes, out double[,] probabilities)
    {
        int n = x.RowCount, p = x.ColumnCount;
        var coefficients = Matrix<double>.Build.Dense(p, classes, (j, k) => beta[(k * p) + j]);
        var logits = x * coefficients;
        probabilities = new double[n, classes];
        double loss = 0;
        Span<double> row = stackalloc double[classes];
        for (int i = 0; i < n; i++)
        {
            for (int k = 0; k < classes; k++)
            {
                row[k] = logits[i, k];
            }

            Softmax(row);
            for (int k = 0; k < classes; k++)
            {
                probabilities[i, k] = row[k];
            }

            loss -= w[i] * Math.Log(Math.Max(row[y[i]], 1e-300));
        }

        return loss + (0.5 * beta.PointwiseMultiply(beta).DotProduct(penalty));
    }
}

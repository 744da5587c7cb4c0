using Cry.Training.LinearModels;
using MathNet.Numerics.LinearAlgebra;

namespace Cry.Training.Detection;

/// <summary>A fitted logistic model on raw features: p = σ(bias + Σ weights[i] · x[i]).</summary>
/// <param name="Weights">One weight per feature (of the raw, unstandardised features).</param>
/// <param name="Bias">The intercept.</param>
public sealed record LogisticModel(double[] Weights, double Bias)
{
    /// <summary>The logit of one feature vector.</summary>
    public double Logit(ReadOnlySpan<float> x)
    {
        double z = Bias;
        for (int i = 0; i < Weights.Length; i++)
        {
            z += Weights[i] * x[i];
        }

        return z;
    }

    /// <summary>The probability of one feature vector.</summary>
    public double Probability(ReadOnlySpan<float> x) => 1 / (1 + Math.Exp(-Logit(x)));

    /// <summary>The model whose logit is the mean of the members' logits (exact: the logit is linear in x).</summary>
    public static LogisticModel Mean(IReadOnlyList<LogisticModel> members)
    {
        ArgumentOutOfRangeException.ThrowIfZero(members.Count);
        int d = members[0].Weights.Length;
        var weights = new double[d];
        for (int i = 0; i < d; i++)
        {
            weights[i] = members.Average(m => m.Weights[i]);
        }

        return new LogisticModel(weights, members.Average(m => m.Bias));
    }
}

/// <summary>
/// L2-regularised logistic regression fitted by Newton's method on standardised features, with sample weights.
/// </summary>
/// <remarks>
/// Written here rather than taken from ML.NET because the detector needs a few dozen features, weighted samples and an
/// exact, deterministic fit in milliseconds; ML.NET would add its whole data-view stack for that. Newton steps solve
/// the (d + 1)-square system with Math.NET's Cholesky; the intercept is not penalised. Weights are rescaled to sum to
/// the sample count, so <c>lambda</c> means the same for any weighting.
/// </remarks>
public static class LogisticRegression
{
    /// <summary>Fits the model.</summary>
    /// <param name="features">Row-major samples × features.</param>
    /// <param name="dimension">Features per sample.</param>
    /// <param name="labels">True for positives.</param>
    /// <param name="weights">A positive weight per sample.</param>
    /// <param name="lambda">The L2 penalty on the standardised weights (≥ 0).</param>
    /// <exception cref="ArgumentException">The sizes disagree, or a class is missing.</exception>
    public static LogisticModel Fit(ReadOnlySpan<float> features, int dimension, ReadOnlySpan<bool> labels, ReadOnlySpan<double> weights, double lambda)
    {
        int n = labels.Length;
        if (features.Length != n * dimension || weights.Length != n)
        {
            throw new ArgumentException("Features, labels and weights must describe the same samples.");
        }

        if (!labels.Contains(true) || !labels.Contains(false))
        {
            throw new ArgumentException("Logistic regression needs positives and negatives.");
        }

        double total = 0;
        foreach (double weight in weights)
        {
            total += weight;
        }

        // Standardise (weighted mean and sd per feature); constant features get scale 1 and weight 0 in effect.
        var standardization = Standardization.Fit(features, dimension, weights);
        double[] mean = standardization.Mean, scale = standardization.Scale;

        int p = dimension + 1;
        var x = Matrix<double>.Build.Dense(n, p);
        var w = new double[n];
        for (int i = 0; i < n; i++)
        {
            w[i] = weights[i] * n / total;
            x[i, 0] = 1;
            for (int j = 0; j < dimension; j++)
            {
                x[i, j + 1] = (features[(i * dimension) + j] - mean[j]) / scale[j];
            }
        }

        var beta = Vector<double>.Build.Dense(p);
        var penalty = Vector<double>.Build.Dense(p, lambda);
        penalty[0] = 0;
        for (int iteration = 0; iteration < 50; iteration++)
        {
            var z = x * beta;
            var curvature = new double[n];
            var residual = Vector<double>.Build.Dense(n);
            for (int i = 0; i < n; i++)
            {
                double mu = 1 / (1 + Math.Exp(-z[i]));
                residual[i] = w[i] * (mu - (labels[i] ? 1 : 0));
                curvature[i] = Math.Max(w[i] * mu * (1 - mu), 1e-12);
            }

            var gradient = x.TransposeThisAndMultiply(residual) + penalty.PointwiseMultiply(beta);
            var weighted = x.Clone();
            for (int i = 0; i < n; i++)
            {
                weighted.SetRow(i, weighted.Row(i) * curvature[i]);
            }

            var hessian = x.TransposeThisAndMultiply(weighted) + Matrix<double>.Build.DenseOfDiagonalVector(penalty.Add(1e-9));
            var step = hessian.Cholesky().Solve(gradient);
            beta -= step;
            if (step.AbsoluteMaximum() < 1e-8)
            {
                break;
            }
        }

        // Back to raw features: z = b0 + Σ βj (x − m)/s = (b0 − Σ βj m/s) + Σ (βj/s) x.
        var raw = new double[dimension];
        double bias = beta[0];
        for (int j = 0; j < dimension; j++)
        {
            raw[j] = beta[j + 1] / scale[j];
            bias -= raw[j] * mean[j];
        }

        return new LogisticModel(raw, bias);
    }
}

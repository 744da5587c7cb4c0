namespace Cry.Training.Evaluation;

/// <summary>Temperature scaling (Guo et al., 2017): one positive T that divides all logits, fitted by minimum NLL.</summary>
/// <remarks>
/// NLL(T) = (1/n) Σ<sub>i</sub> [logsumexp(z<sub>i</sub>/T) − z<sub>i,y<sub>i</sub></sub>/T]. As a function of β = 1/T it is
/// convex (log-sum-exp of linear functions minus a linear function), hence unimodal in ln T, so a golden-section
/// search on ln T over [<see cref="TemperatureScalingOptions.MinTemperature"/>, <see cref="TemperatureScalingOptions.MaxTemperature"/>]
/// finds the minimum; a minimum beyond the range returns the nearer bound. T &gt; 1 softens over-confident logits.
/// Fit on held-out (validation) logits, never on the test fold. Softmax subtracts the row maximum for stability.
/// </remarks>
public static class TemperatureScaling
{
    private static readonly double s_inverseGolden = (Math.Sqrt(5) - 1) / 2;

    /// <summary>The temperature minimising NLL of one row of logits per clip.</summary>
    /// <exception cref="ArgumentException">Rows differ in length, lengths disagree, there are no clips, or a label is out of range.</exception>
    public static double Fit(float[][] logits, int[] labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        (float[] flat, int classCount) = Rows.Flatten(logits, nameof(logits));
        return Fit(flat, labels, classCount);
    }

    /// <summary>The temperature minimising NLL of row-major logits, <paramref name="classCount"/> per clip.</summary>
    /// <exception cref="ArgumentException">Lengths disagree, there are no clips, a label is out of range, or the range is empty.</exception>
    public static double Fit(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels, int classCount, TemperatureScalingOptions? options = null)
    {
        options ??= TemperatureScalingOptions.Default;
        if (options.MinTemperature >= options.MaxTemperature)
        {
            throw new ArgumentException("MinTemperature must be below MaxTemperature.", nameof(options));
        }

        CheckShape(logits, labels, classCount);
        double a = Math.Log(options.MinTemperature);
        double b = Math.Log(options.MaxTemperature);
        double c = b - (s_inverseGolden * (b - a));
        double d = a + (s_inverseGolden * (b - a));
        double fc = NegativeLogLikelihood(logits, labels, classCount, Math.Exp(c));
        double fd = NegativeLogLikelihood(logits, labels, classCount, Math.Exp(d));
        while (b - a > options.Tolerance)
        {
            if (fc <= fd)
            {
                b = d;
                d = c;
                fd = fc;
                c = b - (s_inverseGolden * (b - a));
                fc = NegativeLogLikelihood(logits, labels, classCount, Math.Exp(c));
            }
            else
            {
                a = c;
                c = d;
                fc = fd;
                d = a + (s_inverseGolden * (b - a));
                fd = NegativeLogLikelihood(logits, labels, classCount, Math.Exp(d));
            }
        }

        return Math.Exp((a + b) / 2);
    }

    /// <summary>Mean negative log-likelihood of the labels under softmax(logits / T).</summary>
    /// <exception cref="ArgumentException">Lengths disagree, there are no clips, or a label is out of range.</exception>
    public static double NegativeLogLikelihood(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels, int classCount, double temperature)
    {
        ThrowIfBadTemperature(temperature);
        int rows = CheckShape(logits, labels, classCount);
        double sum = 0;
        for (int i = 0; i < rows; i++)
        {
            ReadOnlySpan<float> row = logits.Slice(i * classCount, classCount);
            double max = double.NegativeInfinity;
            foreach (float z in row)
            {
                max = Math.Max(max, z);
            }

            double exps = 0;
            foreach (float z in row)
            {
                exps += Math.Exp((z - max) / temperature);
            }

            sum += Math.Log(exps) - ((row[labels[i]] - max) / temperature);
        }

        return sum / rows;
    }

    /// <summary>
    /// Fits a per-class bias b after the temperature, minimising the log-loss of softmax(z / T + b) (gradient descent
    /// on a convex objective; b is centred to sum 0). Fitted on out-of-fold logits it moves the probabilities back to
    /// the real class frequencies that class-weighted training shifted.
    /// </summary>
    public static double[] FitBias(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels, int classCount, double temperature)
    {
        ThrowIfBadTemperature(temperature);
        int rows = Rows.Count(logits.Length, classCount, nameof(logits));
        var bias = new double[classCount];
        var gradient = new double[classCount];
        var p = new float[classCount];
        for (int iteration = 0; iteration < 2000; iteration++)
        {
            Array.Clear(gradient);
            for (int i = 0; i < rows; i++)
            {
                Cry.Features.Models.Probabilities.Softmax(logits.Slice(i * classCount, classCount), temperature, bias, p, classCount);
                for (int c = 0; c < classCount; c++)
                {
                    gradient[c] += p[c] - (labels[i] == c ? 1 : 0);
                }
            }

            double largest = 0;
            for (int c = 0; c < classCount; c++)
            {
                double step = 2.0 * gradient[c] / Math.Max(rows, 1);
                bias[c] -= step;
                largest = Math.Max(largest, Math.Abs(step));
            }

            if (largest < 1e-7)
            {
                break;
            }
        }

        double mean = bias.Average();
        return [.. bias.Select(b => b - mean)];
    }

    /// <summary>Writes softmax(logits / T) of row-major logits into <paramref name="probabilities"/>.</summary>
    /// <exception cref="ArgumentException">The lengths differ, are not whole rows, or T is not positive and finite.</exception>
    public static void Apply(ReadOnlySpan<float> logits, double temperature, Span<float> probabilities, int classCount)
    {
        ThrowIfBadTemperature(temperature);
        int rows = Rows.Count(logits.Length, classCount, nameof(logits));
        if (probabilities.Length != logits.Length)
        {
            throw new ArgumentException($"The destination has {probabilities.Length} values; expected {logits.Length}.", nameof(probabilities));
        }

        _ = rows;
        Cry.Features.Models.Probabilities.Softmax(logits, temperature, [], probabilities, classCount); // The product's one softmax.
    }

    /// <summary>softmax(logits / T) of one row of logits per clip.</summary>
    /// <exception cref="ArgumentException">Rows differ in length or T is not positive and finite.</exception>
    public static float[][] Apply(float[][] logits, double temperature)
    {
        (float[] flat, int classCount) = Rows.Flatten(logits, nameof(logits));
        var probabilities = new float[flat.Length];
        Apply(flat, temperature, probabilities, classCount);
        return probabilities.Chunk(classCount).ToArray();
    }

    private static int CheckShape(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels, int classCount)
    {
        int rows = Rows.Count(logits.Length, classCount, nameof(logits));
        if (rows != labels.Length)
        {
            throw new ArgumentException($"There are {labels.Length} labels but {rows} rows of logits.", nameof(labels));
        }

        if (rows == 0)
        {
            throw new ArgumentException("There are no clips.", nameof(labels));
        }

        foreach (int label in labels)
        {
            ClassificationMetrics.CheckClass(label, classCount, nameof(labels));
        }

        return rows;
    }

    private static void ThrowIfBadTemperature(double temperature)
    {
        if (!double.IsFinite(temperature) || temperature <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "The temperature must be positive and finite.");
        }
    }
}

namespace Cry.Training.Evaluation;

/// <summary>Calibration scores of class probabilities: expected calibration error and log loss.</summary>
/// <remarks>
/// <para>ECE (Guo et al., 2017): confidences (the maximum probability of each clip) fall into equal-width bins
/// (i/B, (i+1)/B], with a confidence of exactly 0 in the first bin; ECE = Σ<sub>b</sub> (n<sub>b</sub>/n)·|acc<sub>b</sub> − conf<sub>b</sub>|,
/// where acc<sub>b</sub> is the share of the bin's clips whose arg-max class is right and conf<sub>b</sub> their mean confidence.
/// The default is 10 bins.</para>
/// <para>Log loss: −(1/n) Σ ln p<sub>i,y<sub>i</sub></sub>, with each probability clipped to [1e-15, 1] so a confident
/// mistake costs at most ln 10¹⁵ ≈ 34.5. Rows are taken as given (not renormalised).</para>
/// </remarks>
public static class CalibrationMetrics
{
    /// <summary>The smallest probability used in <see cref="LogLoss"/>.</summary>
    public const double MinProbability = 1e-15;

    /// <summary>Expected calibration error over equal-width confidence bins of row-major probabilities.</summary>
    /// <exception cref="ArgumentException">Lengths disagree, there are no clips, or a class index is out of range.</exception>
    public static double ExpectedCalibrationError(ReadOnlySpan<int> actual, ReadOnlySpan<float> probabilities, int classCount, int bins = 10)
    {
        var reliability = Reliability(actual, probabilities, classCount, bins);
        int rows = reliability.Sum(b => b.Count);
        return reliability.Sum(b => b.Count == 0 ? 0 : b.Count * Math.Abs(b.Accuracy - b.MeanConfidence)) / rows;
    }

    /// <summary>The reliability diagram behind <see cref="ExpectedCalibrationError"/>: each bin's clips, mean confidence and accuracy.</summary>
    /// <exception cref="ArgumentException">Lengths disagree, there are no clips, or a class index is out of range.</exception>
    public static ReliabilityBin[] Reliability(ReadOnlySpan<int> actual, ReadOnlySpan<float> probabilities, int classCount, int bins = 10)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bins);
        int rows = CheckShape(actual, probabilities, classCount);
        var confidenceSum = new double[bins];
        var correctCount = new int[bins];
        var binCount = new int[bins];
        for (int i = 0; i < rows; i++)
        {
            ClassificationMetrics.CheckClass(actual[i], classCount, nameof(actual));
            ReadOnlySpan<float> row = probabilities.Slice(i * classCount, classCount);
            int best = Cry.Features.Models.Probabilities.ArgMax(row);
            double confidence = Math.Clamp(row[best], 0.0, 1.0);
            int bin = Math.Clamp((int)Math.Ceiling(confidence * bins) - 1, 0, bins - 1);
            confidenceSum[bin] += confidence;
            binCount[bin]++;
            correctCount[bin] += best == actual[i] ? 1 : 0;
        }

        return [.. Enumerable.Range(0, bins).Select(b => new ReliabilityBin(
            b / (double)bins,
            (b + 1) / (double)bins,
            binCount[b],
            binCount[b] == 0 ? double.NaN : confidenceSum[b] / binCount[b],
            binCount[b] == 0 ? double.NaN : correctCount[b] / (double)binCount[b]))];
    }

    /// <summary>Mean negative log-likelihood of the actual classes under row-major probabilities.</summary>
    /// <exception cref="ArgumentException">Lengths disagree, there are no clips, or a class index is out of range.</exception>
    public static double LogLoss(ReadOnlySpan<int> actual, ReadOnlySpan<float> probabilities, int classCount)
    {
        int rows = CheckShape(actual, probabilities, classCount);
        double sum = 0;
        for (int i = 0; i < rows; i++)
        {
            ClassificationMetrics.CheckClass(actual[i], classCount, nameof(actual));
            double p = Math.Clamp((double)probabilities[(i * classCount) + actual[i]], MinProbability, 1.0);
            sum -= Math.Log(p);
        }

        return sum / rows;
    }

    private static int CheckShape(ReadOnlySpan<int> actual, ReadOnlySpan<float> probabilities, int classCount)
    {
        int rows = Rows.Count(probabilities.Length, classCount, nameof(probabilities));
        if (rows != actual.Length)
        {
            throw new ArgumentException($"There are {actual.Length} actual labels but {rows} probability rows.", nameof(probabilities));
        }

        if (rows == 0)
        {
            throw new ArgumentException("There are no clips to score.", nameof(actual));
        }

        return rows;
    }
}

/// <summary>One bin of a reliability diagram.</summary>
/// <param name="Lower">The bin's lower confidence edge (exclusive, except 0).</param>
/// <param name="Upper">Its upper edge (inclusive).</param>
/// <param name="Count">Clips whose top probability falls in the bin.</param>
/// <param name="MeanConfidence">Their mean top probability (NaN when empty).</param>
/// <param name="Accuracy">The share of them whose top class is right (NaN when empty).</param>
public sealed record ReliabilityBin(double Lower, double Upper, int Count, double MeanConfidence, double Accuracy);

namespace Cry.Training.Evaluation;

/// <summary>What a model must beat: the scores of a predictor that ignores the audio.</summary>
/// <param name="Name"><see cref="Baselines.AlwaysMajorityName"/> or <see cref="Baselines.ClassPriorRandomName"/>.</param>
/// <param name="Accuracy">Accuracy of the baseline.</param>
/// <param name="BalancedAccuracy">Balanced accuracy of the baseline.</param>
/// <param name="MacroF1">Macro-F1 of the baseline.</param>
public sealed record BaselineMetrics(string Name, double Accuracy, double BalancedAccuracy, double MacroF1);

/// <summary>Always-majority and class-prior random baselines, computed analytically (no simulation).</summary>
/// <remarks>
/// <para>The class counts that define the baselines come from <c>trainingLabels</c> when given (what a predictor could
/// know), otherwise from the labels scored. Ties for the majority go to the lower class index.</para>
/// <para>Always-majority predicts one class for every clip; its scores are exact.</para>
/// <para>Class-prior random predicts class j with probability q<sub>j</sub> (the prior), independently per clip. The
/// expected confusion matrix is E[C<sub>ij</sub>] = n<sub>i</sub>·q<sub>j</sub>, so expected accuracy
/// Σ<sub>i</sub> (n<sub>i</sub>/n)·q<sub>i</sub> and expected balanced accuracy (mean of q<sub>i</sub> over classes present)
/// are exact. Macro-F1 is a ratio, so its value here is the plug-in F1 of the expected confusion matrix,
/// F1<sub>j</sub> = 2·n<sub>j</sub>·q<sub>j</sub> / (n<sub>j</sub> + n·q<sub>j</sub>), averaged over classes that occur
/// or have q<sub>j</sub> &gt; 0; the mean F1 over random draws is slightly lower for small classes.</para>
/// </remarks>
public static class Baselines
{
    /// <summary>Name of the always-majority baseline.</summary>
    public const string AlwaysMajorityName = "always-majority";

    /// <summary>Name of the class-prior random baseline.</summary>
    public const string ClassPriorRandomName = "class-prior-random";

    /// <summary>Both baselines, always-majority first.</summary>
    /// <exception cref="ArgumentException">There are no clips or a class index is out of range.</exception>
    public static IReadOnlyList<BaselineMetrics> Compute(ReadOnlySpan<int> actual, int classCount, ReadOnlySpan<int> trainingLabels = default) =>
        [AlwaysMajority(actual, classCount, trainingLabels), ClassPriorRandom(actual, classCount, trainingLabels)];

    /// <summary>Scores of predicting the most frequent class for every clip.</summary>
    /// <exception cref="ArgumentException">There are no clips or a class index is out of range.</exception>
    public static BaselineMetrics AlwaysMajority(ReadOnlySpan<int> actual, int classCount, ReadOnlySpan<int> trainingLabels = default)
    {
        double[] priors = Priors(actual, classCount, trainingLabels);
        int majority = 0;
        for (int c = 1; c < classCount; c++)
        {
            if (priors[c] > priors[majority])
            {
                majority = c;
            }
        }

        var predicted = new int[actual.Length];
        Array.Fill(predicted, majority);
        var metrics = ClassificationMetrics.Compute(actual, predicted, classCount);
        return new BaselineMetrics(AlwaysMajorityName, metrics.Accuracy, metrics.BalancedAccuracy, metrics.MacroF1);
    }

    /// <summary>Expected scores of drawing every prediction from the class priors (see remarks).</summary>
    /// <exception cref="ArgumentException">There are no clips or a class index is out of range.</exception>
    public static BaselineMetrics ClassPriorRandom(ReadOnlySpan<int> actual, int classCount, ReadOnlySpan<int> trainingLabels = default)
    {
        double[] q = Priors(actual, classCount, trainingLabels);
        double[] counts = Counts(actual, classCount, nameof(actual));
        double n = actual.Length;
        double accuracy = 0;
        double recallSum = 0;
        int recallClasses = 0;
        double f1Sum = 0;
        int f1Classes = 0;
        for (int c = 0; c < classCount; c++)
        {
            accuracy += counts[c] / n * q[c];
            if (counts[c] > 0)
            {
                recallSum += q[c];
                recallClasses++;
            }

            double denominator = counts[c] + (n * q[c]);
            if (denominator > 0)
            {
                f1Sum += 2 * counts[c] * q[c] / denominator;
                f1Classes++;
            }
        }

        return new BaselineMetrics(ClassPriorRandomName, accuracy, recallSum / recallClasses, f1Sum / f1Classes);
    }

    private static double[] Priors(ReadOnlySpan<int> actual, int classCount, ReadOnlySpan<int> trainingLabels)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classCount);
        if (actual.IsEmpty)
        {
            throw new ArgumentException("There are no clips to score.", nameof(actual));
        }

        ReadOnlySpan<int> source = trainingLabels.IsEmpty ? actual : trainingLabels;
        double[] counts = Counts(source, classCount, trainingLabels.IsEmpty ? nameof(actual) : nameof(trainingLabels));
        for (int c = 0; c < classCount; c++)
        {
            counts[c] /= source.Length;
        }

        return counts;
    }

    private static double[] Counts(ReadOnlySpan<int> labels, int classCount, string name)
    {
        var counts = new double[classCount];
        foreach (int label in labels)
        {
            ClassificationMetrics.CheckClass(label, classCount, name);
            counts[label]++;
        }

        return counts;
    }
}

namespace Cry.Training.Evaluation;

/// <summary>Accuracy, balanced accuracy, macro-F1, per-class scores and the confusion matrix of one set of predictions.</summary>
/// <remarks>
/// <para>Definitions follow scikit-learn with <c>zero_division=0</c>: a precision, recall or F1 whose denominator is
/// 0 counts as 0 rather than being undefined. Balanced accuracy is the mean recall over classes that occur in the
/// actual labels (<c>balanced_accuracy_score</c>). Macro-F1 is the mean F1 over classes that occur in the actual or
/// the predicted labels (<c>f1_score(average="macro")</c> with its default label set), so a class that is predicted
/// but never occurs adds an F1 of 0, and a class absent from both is left out.</para>
/// <para>With probabilities, the prediction is the arg-max (the first on ties), and the expected calibration error
/// and log loss of <see cref="CalibrationMetrics"/> are filled in.</para>
/// </remarks>
public sealed class ClassificationMetrics
{
    private ClassificationMetrics(int[] confusion, int classCount, double? ece, double? logLoss)
    {
        ClassCount = classCount;
        Summarise(confusion, classCount, out double accuracy, out double balancedAccuracy, out double macroF1);
        Accuracy = accuracy;
        BalancedAccuracy = balancedAccuracy;
        MacroF1 = macroF1;
        ExpectedCalibrationError = ece;
        LogLoss = logLoss;

        Confusion = new int[classCount][];
        var perClass = new ClassMetrics[classCount];
        for (int actual = 0; actual < classCount; actual++)
        {
            Confusion[actual] = confusion.AsSpan(actual * classCount, classCount).ToArray();
        }

        for (int c = 0; c < classCount; c++)
        {
            int tp = confusion[(c * classCount) + c];
            int support = 0;
            int predicted = 0;
            for (int k = 0; k < classCount; k++)
            {
                support += confusion[(c * classCount) + k];
                predicted += confusion[(k * classCount) + c];
            }

            SampleCount += support;
            perClass[c] = new ClassMetrics(
                c,
                Ratio(tp, predicted),
                Ratio(tp, support),
                Ratio(2 * tp, support + predicted),
                support,
                predicted);
        }

        PerClass = Array.AsReadOnly(perClass);
    }

    /// <summary>Number of classes.</summary>
    public int ClassCount { get; }

    /// <summary>Number of clips scored.</summary>
    public int SampleCount { get; }

    /// <summary>Share of clips predicted correctly.</summary>
    public double Accuracy { get; }

    /// <summary>Mean recall over the classes that occur in the actual labels.</summary>
    public double BalancedAccuracy { get; }

    /// <summary>Mean F1 over the classes that occur in the actual or predicted labels (see remarks).</summary>
    public double MacroF1 { get; }

    /// <summary>Scores of every class, indexed by class.</summary>
    public IReadOnlyList<ClassMetrics> PerClass { get; }

    /// <summary>Confusion matrix: <c>Confusion[actual][predicted]</c> is a clip count.</summary>
    public int[][] Confusion { get; }

    /// <summary>Expected calibration error (10 bins) when probabilities were given, otherwise null.</summary>
    public double? ExpectedCalibrationError { get; }

    /// <summary>Mean negative log-likelihood of the actual class when probabilities were given, otherwise null.</summary>
    public double? LogLoss { get; }

    /// <summary>Scores hard predictions.</summary>
    /// <exception cref="ArgumentException">The spans differ in length or are empty, or a class index is outside [0, classCount).</exception>
    public static ClassificationMetrics Compute(ReadOnlySpan<int> actual, ReadOnlySpan<int> predicted, int classCount)
    {
        int[] confusion = CountConfusion(actual, predicted, classCount);
        return new ClassificationMetrics(confusion, classCount, null, null);
    }

    /// <summary>Scores class probabilities given row-major, <paramref name="classCount"/> per clip.</summary>
    /// <exception cref="ArgumentException">Lengths disagree, there are no clips, or a class index is out of range.</exception>
    public static ClassificationMetrics Compute(ReadOnlySpan<int> actual, ReadOnlySpan<float> probabilities, int classCount)
    {
        int[] predicted = ArgMax(probabilities, classCount);
        int[] confusion = CountConfusion(actual, predicted, classCount);
        double ece = CalibrationMetrics.ExpectedCalibrationError(actual, probabilities, classCount);
        double logLoss = CalibrationMetrics.LogLoss(actual, probabilities, classCount);
        return new ClassificationMetrics(confusion, classCount, ece, logLoss);
    }

    /// <summary>Scores class probabilities given one row per clip.</summary>
    /// <exception cref="ArgumentException">Rows differ in length, lengths disagree, or there are no clips.</exception>
    public static ClassificationMetrics Compute(int[] actual, float[][] probabilities)
    {
        ArgumentNullException.ThrowIfNull(actual);
        (float[] flat, int classCount) = Rows.Flatten(probabilities, nameof(probabilities));
        return Compute(actual, flat, classCount);
    }

    /// <summary>The arg-max class of every row of row-major scores (the first index on ties).</summary>
    /// <exception cref="ArgumentException">The length is not a multiple of <paramref name="classCount"/>.</exception>
    public static int[] ArgMax(ReadOnlySpan<float> scores, int classCount)
    {
        int rows = Rows.Count(scores.Length, classCount, nameof(scores));
        var result = new int[rows];
        for (int i = 0; i < rows; i++)
        {
            result[i] = Cry.Features.Models.Probabilities.ArgMax(scores.Slice(i * classCount, classCount));
        }

        return result;
    }

    /// <summary>Accuracy, balanced accuracy and macro-F1 from a row-major confusion matrix, without allocating.</summary>
    internal static void Summarise(ReadOnlySpan<int> confusion, int classCount, out double accuracy, out double balancedAccuracy, out double macroF1)
    {
        long total = 0;
        long correct = 0;
        double recallSum = 0;
        int recallClasses = 0;
        double f1Sum = 0;
        int f1Classes = 0;
        for (int c = 0; c < classCount; c++)
        {
            int tp = confusion[(c * classCount) + c];
            int support = 0;
            int predicted = 0;
            for (int k = 0; k < classCount; k++)
            {
                support += confusion[(c * classCount) + k];
                predicted += confusion[(k * classCount) + c];
            }

            total += support;
            correct += tp;
            if (support > 0)
            {
                recallSum += (double)tp / support;
                recallClasses++;
            }

            if (support + predicted > 0)
            {
                f1Sum += 2.0 * tp / (support + predicted);
                f1Classes++;
            }
        }

        accuracy = total == 0 ? 0 : (double)correct / total;
        balancedAccuracy = recallClasses == 0 ? 0 : recallSum / recallClasses;
        macroF1 = f1Classes == 0 ? 0 : f1Sum / f1Classes;
    }

    internal static int[] CountConfusion(ReadOnlySpan<int> actual, ReadOnlySpan<int> predicted, int classCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classCount);
        if (actual.Length != predicted.Length)
        {
            throw new ArgumentException($"There are {actual.Length} actual labels but {predicted.Length} predictions.", nameof(predicted));
        }

        if (actual.IsEmpty)
        {
            throw new ArgumentException("There are no clips to score.", nameof(actual));
        }

        var confusion = new int[classCount * classCount];
        for (int i = 0; i < actual.Length; i++)
        {
            CheckClass(actual[i], classCount, nameof(actual));
            CheckClass(predicted[i], classCount, nameof(predicted));
            confusion[(actual[i] * classCount) + predicted[i]]++;
        }

        return confusion;
    }

    internal static void CheckClass(int value, int classCount, string name)
    {
        if ((uint)value >= (uint)classCount)
        {
            throw new ArgumentOutOfRangeException(name, value, $"A class index is outside [0, {classCount}).");
        }
    }

    private static double Ratio(int numerator, int denominator) => denominator == 0 ? 0 : (double)numerator / denominator;
}

using Cry.Audio.Augmentation;

namespace Cry.Training.Evaluation;

/// <summary>Percentile-bootstrap confidence intervals for macro-F1, balanced accuracy and accuracy.</summary>
/// <remarks>
/// Each resample draws units with replacement, as many as there are units: clips, or, when group keys are given,
/// whole groups (all clips of a drawn group enter the resample), which respects the correlation within a group and
/// gives wider, more honest intervals. The metrics of every resample (same definitions as
/// <see cref="ClassificationMetrics"/>) are sorted and the interval is their (1 − level)/2 and (1 + level)/2
/// quantiles, linearly interpolated between order statistics (numpy's default "linear" method).
/// </remarks>
public static class BootstrapConfidence
{
    /// <summary>The <see cref="ConfidenceIntervals.Unit"/> when clips are resampled.</summary>
    public const string ClipUnit = "clip";

    /// <summary>The <see cref="ConfidenceIntervals.Unit"/> when groups are resampled.</summary>
    public const string GroupUnit = "group";

    /// <summary>Intervals for hard predictions; pass <paramref name="groups"/> to resample groups instead of clips.</summary>
    /// <exception cref="ArgumentException">Lengths disagree, there are no clips, or a class index is out of range.</exception>
    public static ConfidenceIntervals Compute(
        ReadOnlySpan<int> actual,
        ReadOnlySpan<int> predicted,
        int classCount,
        BootstrapOptions? options = null,
        IReadOnlyList<string>? groups = null)
    {
        options ??= BootstrapOptions.Default;
        int[] observed = ClassificationMetrics.CountConfusion(actual, predicted, classCount);
        ClassificationMetrics.Summarise(observed, classCount, out double accuracy, out double balancedAccuracy, out double macroF1);

        // Every unit is a run of confusion cells: one cell per clip, the cells of all its clips per group.
        (int[] unitStart, int[] cells) = groups is null
            ? ClipUnits(actual, predicted, classCount)
            : GroupUnits(actual, predicted, classCount, groups);
        int units = unitStart.Length - 1;

        var macroF1s = new double[options.Resamples];
        var balanced = new double[options.Resamples];
        var accuracies = new double[options.Resamples];
        var confusion = new int[classCount * classCount];
        var random = new SeededRandom(options.Seed);
        for (int r = 0; r < options.Resamples; r++)
        {
            Array.Clear(confusion);
            for (int draw = 0; draw < units; draw++)
            {
                int unit = random.NextInt32Inclusive(0, units - 1);
                for (int k = unitStart[unit]; k < unitStart[unit + 1]; k++)
                {
                    confusion[cells[k]]++;
                }
            }

            ClassificationMetrics.Summarise(confusion, classCount, out accuracies[r], out balanced[r], out macroF1s[r]);
        }

        double lowerP = (1 - options.Level) / 2;
        double upperP = 1 - lowerP;
        return new ConfidenceIntervals(
            Interval(macroF1, macroF1s, lowerP, upperP),
            Interval(balancedAccuracy, balanced, lowerP, upperP),
            Interval(accuracy, accuracies, lowerP, upperP),
            options.Level,
            options.Resamples,
            groups is null ? ClipUnit : GroupUnit,
            options.Seed);
    }

    /// <summary>The <paramref name="p"/>-quantile of ascending <paramref name="sorted"/> values, linear between order statistics.</summary>
    /// <exception cref="ArgumentException">There are no values or <paramref name="p"/> is outside [0, 1].</exception>
    public static double Quantile(ReadOnlySpan<double> sorted, double p)
    {
        if (sorted.IsEmpty)
        {
            throw new ArgumentException("There are no values.", nameof(sorted));
        }

        if (!(p >= 0 && p <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, "The quantile must be in [0, 1].");
        }

        double h = (sorted.Length - 1) * p;
        int below = (int)Math.Floor(h);
        int above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + ((h - below) * (sorted[above] - sorted[below]));
    }

    private static ConfidenceInterval Interval(double estimate, double[] values, double lowerP, double upperP)
    {
        Array.Sort(values);
        return new ConfidenceInterval(estimate, Quantile(values, lowerP), Quantile(values, upperP));
    }

    private static (int[] UnitStart, int[] Cells) ClipUnits(ReadOnlySpan<int> actual, ReadOnlySpan<int> predicted, int classCount)
    {
        var unitStart = new int[actual.Length + 1];
        var cells = new int[actual.Length];
        for (int i = 0; i < actual.Length; i++)
        {
            unitStart[i + 1] = i + 1;
            cells[i] = (actual[i] * classCount) + predicted[i];
        }

        return (unitStart, cells);
    }

    private static (int[] UnitStart, int[] Cells) GroupUnits(ReadOnlySpan<int> actual, ReadOnlySpan<int> predicted, int classCount, IReadOnlyList<string> groups)
    {
        GroupTable table = GroupTable.Build(actual, groups, classCount);
        var unitStart = new int[table.GroupCount + 1];
        foreach (int g in table.GroupOfClip)
        {
            unitStart[g + 1]++;
        }

        for (int g = 0; g < table.GroupCount; g++)
        {
            unitStart[g + 1] += unitStart[g];
        }

        var next = unitStart[..^1].ToArray();
        var cells = new int[actual.Length];
        for (int i = 0; i < actual.Length; i++)
        {
            cells[next[table.GroupOfClip[i]]++] = (actual[i] * classCount) + predicted[i];
        }

        return (unitStart, cells);
    }
}

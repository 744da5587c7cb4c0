using System.Globalization;

namespace Cry.Training.Evaluation;

/// <summary>Mean and sample standard deviation of per-fold values.</summary>
/// <param name="Mean">Arithmetic mean.</param>
/// <param name="StandardDeviation">Sample standard deviation (divisor n − 1), 0 for a single value.</param>
/// <param name="Count">Number of values.</param>
public sealed record MeanStd(double Mean, double StandardDeviation, int Count)
{
    /// <summary>Mean and sample standard deviation of the values.</summary>
    /// <exception cref="ArgumentException">There are no values.</exception>
    public static MeanStd Of(ReadOnlySpan<double> values)
    {
        if (values.IsEmpty)
        {
            throw new ArgumentException("There are no values.", nameof(values));
        }

        double mean = 0;
        foreach (double v in values)
        {
            mean += v;
        }

        mean /= values.Length;
        double squares = 0;
        foreach (double v in values)
        {
            squares += (v - mean) * (v - mean);
        }

        double sd = values.Length > 1 ? Math.Sqrt(squares / (values.Length - 1)) : 0;
        return new MeanStd(mean, sd, values.Length);
    }

    /// <summary>"mean ± sd" with the given numeric format, invariant culture.</summary>
    public string ToString(string format) =>
        Mean.ToString(format, CultureInfo.InvariantCulture) + " ± " + StandardDeviation.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>"mean ± sd" with three decimals.</summary>
    public override string ToString() => ToString("0.000");
}

/// <summary>Per-fold headline metrics and their mean ± sd over folds.</summary>
/// <param name="MacroF1">Macro-F1 over folds.</param>
/// <param name="BalancedAccuracy">Balanced accuracy over folds.</param>
/// <param name="Accuracy">Accuracy over folds.</param>
/// <param name="MacroF1PerFold">Macro-F1 of every fold, in fold order.</param>
public sealed record FoldSummary(MeanStd MacroF1, MeanStd BalancedAccuracy, MeanStd Accuracy, double[] MacroF1PerFold)
{
    /// <summary>Summarises the metrics of every fold.</summary>
    /// <exception cref="ArgumentException">There are no folds.</exception>
    public static FoldSummary Of(IReadOnlyList<ClassificationMetrics> folds)
    {
        ArgumentNullException.ThrowIfNull(folds);
        double[] macroF1 = folds.Select(f => f.MacroF1).ToArray();
        return new FoldSummary(
            MeanStd.Of(macroF1),
            MeanStd.Of(folds.Select(f => f.BalancedAccuracy).ToArray()),
            MeanStd.Of(folds.Select(f => f.Accuracy).ToArray()),
            macroF1);
    }
}

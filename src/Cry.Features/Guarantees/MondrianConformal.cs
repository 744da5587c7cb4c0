namespace Cry.Features.Guarantees;

/// <summary>One calibration recording: its true label, the fold whose model did not see it, and that model's probability of the true label.</summary>
/// <param name="Label">The true label's index.</param>
/// <param name="Fold">The fold the recording was held out in (0 for a single model with a calibration share).</param>
/// <param name="Probability">The held-out fold model's probability of the true label.</param>
public readonly record struct CalibrationScore(int Label, int Fold, double Probability);

/// <summary>
/// Class-conditional (Mondrian) conformal prediction sets over k fold models: cross-conformal when k &gt; 1, split
/// conformal with a calibration share when k = 1.
/// </summary>
/// <remarks>
/// <para>The nonconformity of a recording for label y is 1 − p(y). For a new recording and a label y, each fold model
/// k scores it, and its score is ranked among the out-of-fold scores of the calibration recordings of class y that
/// model k did not see: p_y = (1 + Σ_k #{i in fold k, y_i = y : p_i(y_i) ≤ p_k(y | x)}) / (n_y + 1). The set holds the
/// labels with p_y &gt; α. Ties count as conforming, which only enlarges the set.</para>
/// <para>Guarantee, for a recording exchangeable with the calibration recordings of its class: the set holds its true
/// label with probability at least 1 − α when k = 1 (split conformal), and at least 1 − 2α for k &gt; 1 (cross-conformal,
/// Vovk 2015; Barber et al. 2021), close to 1 − α in practice. Because every fold model votes, the guarantee is the
/// ensemble's, not one member's. A class with fewer than ⌈1/α⌉ − 1 calibration recordings can never have
/// p_y ≤ α: it is in every set (<see cref="AlwaysInSet"/>, "too few recordings to rule out").</para>
/// </remarks>
public sealed class MondrianConformal
{
    private readonly double[][][] _sorted; // [class][fold] → ascending probabilities of the true label.
    private readonly int[] _counts;

    private MondrianConformal(double alpha, int folds, double[][][] sorted)
    {
        Alpha = alpha;
        Folds = folds;
        _sorted = sorted;
        _counts = [.. sorted.Select(byFold => byFold.Sum(f => f.Length))];
        int needed = MinimumPerClass(alpha);
        AlwaysInSet = [.. Enumerable.Range(0, sorted.Length).Where(c => _counts[c] < needed)];
    }

    /// <summary>The miscoverage level α: sets miss the true label at most about that often.</summary>
    public double Alpha { get; }

    /// <summary>The number of fold models whose scores make the sets.</summary>
    public int Folds { get; }

    /// <summary>The classes with too few calibration recordings to ever be ruled out at this level.</summary>
    public IReadOnlyList<int> AlwaysInSet { get; }

    /// <summary>Calibration recordings of each class.</summary>
    public IReadOnlyList<int> CalibrationCounts => _counts;

    /// <summary>The fewest calibration recordings of a class that let it be ruled out at level α: ⌈1/α⌉ − 1.</summary>
    public static int MinimumPerClass(double alpha) => (int)Math.Ceiling((1 / alpha) - 1e-12) - 1;

    /// <summary>Fits the sets from out-of-fold calibration scores.</summary>
    /// <param name="scores">One per calibration recording.</param>
    /// <param name="classes">Number of labels.</param>
    /// <param name="folds">Number of fold models (1 for a single model).</param>
    /// <param name="alpha">Miscoverage level in (0, 1), e.g. 0.1.</param>
    /// <exception cref="ArgumentException">A label, fold or probability is out of range.</exception>
    public static MondrianConformal Fit(IReadOnlyList<CalibrationScore> scores, int classes, int folds, double alpha)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(folds, 1);
        if (!(alpha > 0 && alpha < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "α must lie in (0, 1).");
        }

        var lists = Enumerable.Range(0, classes).Select(_ => Enumerable.Range(0, folds).Select(_ => new List<double>()).ToArray()).ToArray();
        foreach (var score in scores)
        {
            if (score.Label < 0 || score.Label >= classes || score.Fold < 0 || score.Fold >= folds || !(score.Probability >= 0 && score.Probability <= 1))
            {
                throw new ArgumentException($"A calibration score ({score}) has a label outside [0, {classes}), a fold outside [0, {folds}) or a probability outside [0, 1].", nameof(scores));
            }

            lists[score.Label][score.Fold].Add(score.Probability);
        }

        var sorted = lists.Select(byFold => byFold.Select(l => l.Order().ToArray()).ToArray()).ToArray();
        return new MondrianConformal(alpha, folds, sorted);
    }

    /// <summary>The conformal p-value of <paramref name="label"/> for a new recording.</summary>
    /// <param name="label">The candidate label.</param>
    /// <param name="probabilities">Each fold model's probabilities of the new recording, [fold][label].</param>
    public double PValue(int label, IReadOnlyList<IReadOnlyList<double>> probabilities)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        if (probabilities.Count != Folds)
        {
            throw new ArgumentException($"Expected the probabilities of {Folds} fold models, got {probabilities.Count}.", nameof(probabilities));
        }

        long conforming = 1;
        for (int k = 0; k < Folds; k++)
        {
            double[] fold = _sorted[label][k];
            conforming += UpperBound(fold, probabilities[k][label]);
        }

        return conforming / (double)(_counts[label] + 1);
    }

    /// <summary>The labels that cannot be ruled out at level α, most probable first (by the fold models' mean probability).</summary>
    /// <param name="probabilities">Each fold model's probabilities of the new recording, [fold][label].</param>
    public IReadOnlyList<int> Set(IReadOnlyList<IReadOnlyList<double>> probabilities)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        return [.. Enumerable.Range(0, _sorted.Length)
            .Where(label => PValue(label, probabilities) > Alpha)
            .OrderByDescending(label => probabilities.Average(p => p[label]))
            .ThenBy(label => label)];
    }

    // The number of values ≤ x in an ascending array.
    private static int UpperBound(double[] ascending, double x)
    {
        int lo = 0;
        int hi = ascending.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (ascending[mid] <= x)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}

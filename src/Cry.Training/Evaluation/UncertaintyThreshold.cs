namespace Cry.Training.Evaluation;

/// <summary>Chooses the confidence below which a prediction is flagged uncertain, from validation predictions.</summary>
/// <remarks>
/// Rule: rank the validation predictions by confidence (top probability), most confident first; take the longest
/// prefix whose accuracy is at least <c>targetAccuracy</c>; the threshold is the confidence of its last prediction.
/// So on the validation data, predictions at or above the threshold were right at least that often. When no prefix
/// reaches the target (a model no better than chance), the threshold is 1: every prediction is flagged uncertain,
/// which is the honest answer for such a model.
/// </remarks>
public static class UncertaintyThreshold
{
    /// <summary>The accuracy that confident predictions must reach on the validation data by default.</summary>
    public const double DefaultTargetAccuracy = 0.8;

    /// <summary>Chooses the threshold.</summary>
    /// <param name="actual">True label of each validation sample.</param>
    /// <param name="probabilities">Calibrated probabilities, row-major (samples × classes).</param>
    /// <param name="classes">Number of classes.</param>
    /// <param name="targetAccuracy">Accuracy the predictions above the threshold must reach, in (0, 1].</param>
    /// <returns>A threshold in [0, 1]; 1 when there are no samples or no prefix reaches the target.</returns>
    /// <exception cref="ArgumentException">The lengths do not match.</exception>
    public static double Choose(IReadOnlyList<int> actual, ReadOnlySpan<float> probabilities, int classes, double targetAccuracy = DefaultTargetAccuracy)
    {
        ArgumentNullException.ThrowIfNull(actual);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        if (!(targetAccuracy > 0 && targetAccuracy <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(targetAccuracy), targetAccuracy, "The target accuracy must lie in (0, 1].");
        }

        if (probabilities.Length != actual.Count * classes)
        {
            throw new ArgumentException($"Expected {actual.Count} × {classes} probabilities, got {probabilities.Length}.", nameof(probabilities));
        }

        var ranked = new (double Confidence, bool Correct)[actual.Count];
        for (int i = 0; i < actual.Count; i++)
        {
            var row = probabilities.Slice(i * classes, classes);
            int best = 0;
            for (int k = 1; k < classes; k++)
            {
                if (row[k] > row[best])
                {
                    best = k;
                }
            }

            ranked[i] = (row[best], best == actual[i]);
        }

        Array.Sort(ranked, (a, b) => b.Confidence.CompareTo(a.Confidence));
        double threshold = 1.0;
        int correct = 0;
        for (int i = 0; i < ranked.Length; i++)
        {
            correct += ranked[i].Correct ? 1 : 0;
            bool endOfTie = i == ranked.Length - 1 || ranked[i + 1].Confidence < ranked[i].Confidence;
            if (endOfTie && correct >= targetAccuracy * (i + 1))
            {
                threshold = ranked[i].Confidence;
            }
        }

        return threshold;
    }
}

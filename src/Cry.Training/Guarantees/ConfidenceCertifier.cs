namespace Cry.Training.Guarantees;

/// <summary>One out-of-fold answer as the certification sees it.</summary>
/// <param name="Predicted">The label the model would answer (the most probable need).</param>
/// <param name="Confidence">The probability it gives that label.</param>
/// <param name="Correct">Whether the answer was right; a cry detector's false positive (a non-cry answered with a need) is wrong.</param>
public readonly record struct ScoredAnswer(int Predicted, double Confidence, bool Correct);

/// <summary>What a confident answer must earn.</summary>
public sealed record CertificationOptions
{
    /// <summary>The precision confident answers must reach at least, whatever the label's share (default 0.8).</summary>
    public double Target { get; init; } = 0.8;

    /// <summary>How far above the label's share in the training data the precision must be (default 0.05).</summary>
    public double MarginOverPrior { get; init; } = 0.05;

    /// <summary>
    /// The fewest out-of-fold answers a threshold needs before it is tested (default 30; never fewer than a perfect
    /// record needs to pass). A stricter threshold with fewer answers is skipped, so that one unlucky answer among a
    /// handful cannot end the sequence before the thresholds with evidence are reached.
    /// </summary>
    public int MinimumAnswers { get; init; } = 30;

    /// <summary>The confidence of each label's statement (default 0.95).</summary>
    public double Confidence { get; init; } = 0.95;

    /// <summary>
    /// The candidate thresholds, tested in this order (strictest first); fixed before any data is seen, so that keeping
    /// the loosest one that passes does not overstate. The default runs from 0.999 down to 0.2.
    /// </summary>
    public IReadOnlyList<double> Thresholds { get; init; } = DefaultThresholds();

    /// <summary>The default grid: 0.999, 0.995, then 0.99 to 0.20 in steps of 0.01.</summary>
    public static IReadOnlyList<double> DefaultThresholds() =>
        [0.999, 0.995, .. Enumerable.Range(0, 80).Select(i => Math.Round(0.99 - (0.01 * i), 2))];

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentException">A setting is out of range, or the thresholds are not strictly decreasing.</exception>
    public void Validate()
    {
        if (!(Target > 0 && Target < 1) || !(MarginOverPrior >= 0 && MarginOverPrior < 1) || !(Confidence > 0 && Confidence < 1))
        {
            throw new ArgumentException($"Target ({Target}) and confidence ({Confidence}) must lie in (0, 1) and the margin ({MarginOverPrior}) in [0, 1).");
        }

        if (MinimumAnswers < 1)
        {
            throw new ArgumentException($"MinimumAnswers must be at least 1, not {MinimumAnswers}.");
        }

        for (int i = 0; i < Thresholds.Count; i++)
        {
            if (!(Thresholds[i] >= 0 && Thresholds[i] <= 1) || (i > 0 && Thresholds[i] >= Thresholds[i - 1]))
            {
                throw new ArgumentException("The candidate thresholds must lie in [0, 1] and decrease strictly.");
            }
        }
    }
}

/// <summary>What the certification found for one label.</summary>
/// <param name="Label">The label's index.</param>
/// <param name="Prior">Its share in the training data.</param>
/// <param name="Required">The precision its confident answers must reach: max(target, prior + margin).</param>
/// <param name="Threshold">The confidence at or above which an answer of this label is confident; null: never.</param>
/// <param name="CertifiedPrecision">The lower confidence bound of the precision at that threshold; null when none.</param>
/// <param name="Answered">Out-of-fold answers of this label at or above the threshold (at the last threshold tested when none certified).</param>
/// <param name="Correct">How many of those were right.</param>
/// <param name="Reason">In words, why the label is or is not answered confidently.</param>
public sealed record LabelCertification(
    int Label, double Prior, double Required, double? Threshold, double? CertifiedPrecision, int Answered, int Correct, string Reason);

/// <summary>
/// Certifies per label a confidence threshold above which answers are right at least max(target, prior + margin) of
/// the time, with the stated confidence, from out-of-fold answers (Learn-then-Test with fixed-sequence testing).
/// </summary>
/// <remarks>
/// <para>For each candidate threshold λ (strictest first) the null hypothesis is "answers of this label with
/// confidence ≥ λ are right less than the required share"; it is rejected when the one-sided Clopper–Pearson lower
/// bound of the observed precision reaches the share. Testing stops at the first hypothesis not rejected, and the
/// loosest rejected λ is kept: fixed-sequence testing controls the chance of any false rejection at 1 − confidence
/// without a correction for the number of candidates, and needs no monotonicity of precision in λ.</para>
/// <para>A threshold with fewer answers than <see cref="CertificationOptions.MinimumAnswers"/> (or than any perfect
/// record would need to pass) is skipped, not failed: whether to skip depends on the predictions and confidences
/// only, never on which answers were right, so conditioned on them the order of the tests is still fixed and the
/// guarantee stands.</para>
/// <para>The margin over the prior stops a label from certifying by its share alone: answering "hungry" on all 457
/// clips of the corpus (382 right) has a 95 % lower bound of 0.805, below 0.836 + 0.05.</para>
/// <para>Each label's statement holds at the stated confidence on its own; the guarantee is about recordings
/// exchangeable with the out-of-fold ones (new infants of the same population), not about a different population.</para>
/// </remarks>
public static class ConfidenceCertifier
{
    /// <summary>Certifies each label.</summary>
    /// <param name="answers">Out-of-fold answers, one per recording.</param>
    /// <param name="priors">Each label's share in the training data; its length is the number of labels.</param>
    /// <param name="options">Target, margin, confidence and candidate thresholds.</param>
    /// <exception cref="ArgumentException">An answer's label is out of range, or a setting is.</exception>
    public static IReadOnlyList<LabelCertification> Certify(IReadOnlyList<ScoredAnswer> answers, IReadOnlyList<double> priors, CertificationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(answers);
        ArgumentNullException.ThrowIfNull(priors);
        options ??= new CertificationOptions();
        options.Validate();
        if (answers.Any(a => a.Predicted < 0 || a.Predicted >= priors.Count || !double.IsFinite(a.Confidence)))
        {
            throw new ArgumentException($"Every answer needs a label in [0, {priors.Count}) and a finite confidence.", nameof(answers));
        }

        var result = new LabelCertification[priors.Count];
        for (int label = 0; label < priors.Count; label++)
        {
            result[label] = CertifyLabel(label, [.. answers.Where(a => a.Predicted == label)], priors[label], options);
        }

        return result;
    }

    private static LabelCertification CertifyLabel(int label, ScoredAnswer[] answers, double prior, CertificationOptions options)
    {
        double required = Math.Max(options.Target, prior + options.MarginOverPrior);
        if (required >= 1)
        {
            return new(label, prior, required, null, null, 0, 0, $"its share {prior:0.000} leaves no precision to certify above it");
        }

        int minimum = Math.Max(options.MinimumAnswers, ClopperPearson.MinimumTrials(required, options.Confidence));
        LabelCertification? kept = null;
        int lastAnswered = 0;
        int lastCorrect = 0;
        foreach (double threshold in options.Thresholds)
        {
            int answered = 0;
            int correct = 0;
            foreach (var answer in answers)
            {
                if (answer.Confidence >= threshold)
                {
                    answered++;
                    correct += answer.Correct ? 1 : 0;
                }
            }

            if (answered < minimum)
            {
                continue; // Too few answers to test (decided without looking at correctness).
            }

            double bound = ClopperPearson.Lower(correct, answered, options.Confidence);
            lastAnswered = answered;
            lastCorrect = correct;
            if (bound < required)
            {
                break; // The first hypothesis not rejected ends the sequence.
            }

            kept = new(label, prior, required, threshold, bound, answered, correct,
                $"answers at confidence ≥ {threshold:0.###} were right {correct} of {answered} times out of fold; {options.Confidence:P0} lower bound {bound:0.000} ≥ {required:0.000}");
        }

        return kept ?? new(label, prior, required, null, null, lastAnswered, lastCorrect, lastAnswered == 0
            ? $"fewer than {minimum} out-of-fold answers at any threshold: too few to certify {required:0.000}"
            : $"no threshold certifies {required:0.000} at {options.Confidence:P0} (the first tested: right {lastCorrect} of {lastAnswered}, lower bound {ClopperPearson.Lower(lastCorrect, lastAnswered, options.Confidence):0.000})");
    }
}

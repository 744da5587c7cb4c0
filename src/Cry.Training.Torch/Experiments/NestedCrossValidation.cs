using Cry.Training.Data;
using Cry.Training.Evaluation;

namespace Cry.Training.Torch.Experiments;

/// <summary>One configuration that nested cross-validation may choose.</summary>
/// <param name="Name">Its name in the report (e.g. a grid cell's id).</param>
/// <param name="Data">Its features of the dataset (every candidate must hold the same clips in the same order).</param>
/// <param name="Options">Its cross-validation options (the same folds and seed for every candidate).</param>
public sealed record NestedCandidate(string Name, FeaturizedDataset Data, ExperimentOptions Options);

/// <summary>What the inner folds of one outer fold chose.</summary>
/// <param name="OuterFold">The outer fold (0-based).</param>
/// <param name="Chosen">The name of the candidate with the lowest inner log-loss.</param>
/// <param name="InnerLogLoss">Each candidate's log-loss over the pooled inner out-of-fold predictions, in candidate order.</param>
public sealed record NestedChoice(int OuterFold, string Chosen, IReadOnlyList<double> InnerLogLoss);

/// <summary>A difference between the choosing procedure and a fixed candidate, with a paired 95 % interval over groups.</summary>
/// <param name="Estimate">On the pooled outer predictions; positive means the procedure is better.</param>
/// <param name="Lower">2.5 % quantile of the paired group bootstrap.</param>
/// <param name="Upper">97.5 % quantile.</param>
public sealed record ChoiceGain(double Estimate, double Lower, double Upper)
{
    /// <summary>True when the interval lies above zero: the procedure is better beyond resampling noise.</summary>
    public bool Better => Lower > 0;

    /// <summary>True when the interval lies below zero: the procedure is worse beyond resampling noise.</summary>
    public bool Worse => Upper < 0;
}

/// <summary>The outcome of <see cref="NestedCrossValidation.Run"/>.</summary>
/// <param name="Candidates">The candidates' names, in order.</param>
/// <param name="Choices">Per outer fold, what the inner folds chose.</param>
/// <param name="Report">Metrics of the procedure: every clip scored by the candidate its outer fold's inner folds chose.</param>
/// <param name="LogLoss">The procedure's log-loss (of the calibrated outer predictions).</param>
/// <param name="CandidateReports">Each candidate's own outer cross-validation (the same outer folds), in order.</param>
/// <param name="LogLossGain">Per candidate, its log-loss minus the procedure's (positive: choosing is better), paired interval.</param>
/// <param name="MacroF1Gain">Per candidate, the procedure's macro-F1 minus its own, paired interval.</param>
public sealed record NestedResult(
    IReadOnlyList<string> Candidates,
    IReadOnlyList<NestedChoice> Choices,
    MetricsReport Report,
    double LogLoss,
    IReadOnlyList<MetricsReport> CandidateReports,
    IReadOnlyList<ChoiceGain> LogLossGain,
    IReadOnlyList<ChoiceGain> MacroF1Gain)
{
    /// <summary>How many outer folds chose the most chosen candidate (agreement of the inner choice across outer folds).</summary>
    public int Agreement => Choices.GroupBy(c => c.Chosen, StringComparer.Ordinal).Max(g => g.Count());
}

/// <summary>
/// Nested grouped cross-validation: the outer folds measure a <em>procedure</em> — "choose among these candidates by
/// the log-loss of an inner grouped cross-validation on the outer training part, then train the choice" — not any one
/// configuration. Each outer fold's inner folds see only that fold's training groups, so the outer score of the choice
/// is out of sample for the choosing too.
/// </summary>
/// <remarks>
/// The outer folds are the product's own (<see cref="CrossValidation"/>, the same folds and seed for every candidate),
/// so each candidate's outer predictions are also its plain cross-validation; the procedure's prediction of a clip is
/// the outer prediction of the candidate its fold chose. Cost: candidates × outer folds × (1 + inner folds) trainings
/// (the inner ones on smaller data). The inner score is the log-loss of the pooled inner out-of-fold
/// probabilities (a proper score; macro-F1 of 2–5 rare-class clips per fold is too coarse to choose by).
/// </remarks>
public static class NestedCrossValidation
{
    /// <summary>Runs the nested cross-validation.</summary>
    /// <param name="candidates">At least two configurations on the same clips.</param>
    /// <param name="innerFolds">Inner folds per outer training part (at least 2; every class needs that many groups there).</param>
    /// <param name="bootstrap">Resamples and seed of the paired intervals.</param>
    /// <param name="log">Receives one line per step.</param>
    /// <exception cref="ArgumentException">Fewer than two candidates, or candidates on different clips or folds.</exception>
    /// <exception cref="DatasetException">A class has too few groups for the outer or inner folds.</exception>
    public static NestedResult Run(IReadOnlyList<NestedCandidate> candidates, int innerFolds, BootstrapOptions? bootstrap = null, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        if (candidates.Count < 2)
        {
            throw new ArgumentException("Nested cross-validation chooses among at least two candidates.", nameof(candidates));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(innerFolds, 2);
        bootstrap ??= BootstrapOptions.Default;
        EnsureSameClipsAndFolds(candidates);
        var first = candidates[0];
        var dataset = first.Data.Dataset;
        int classes = dataset.Labels.Count;
        int[] plannedFolds = PlanOuterFolds(dataset, first.Options, innerFolds);
        var (outer, foldOfClip) = OuterCrossValidations(candidates, plannedFolds, log);
        var (choices, chosenProbabilities) = Choose(candidates, outer, foldOfClip, innerFolds, log);

        int[] actual = outer[0].Actual;
        string[] groups = [.. dataset.Groups];
        var report = MetricsReport.Evaluate([.. dataset.Labels], actual, chosenProbabilities, groups, bootstrap: bootstrap);
        double logLoss = CalibrationMetrics.LogLoss(actual, chosenProbabilities, classes);
        var logLossGain = new List<ChoiceGain>();
        var macroF1Gain = new List<ChoiceGain>();
        foreach (var candidate in outer)
        {
            var (ll, f1) = PairedGains(actual, chosenProbabilities, candidate.Probabilities, groups, classes, bootstrap);
            logLossGain.Add(ll);
            macroF1Gain.Add(f1);
        }

        return new NestedResult([.. candidates.Select(c => c.Name)], choices, report, logLoss, [.. outer.Select(o => o.Report)], logLossGain, macroF1Gain);
    }

    private static void EnsureSameClipsAndFolds(IReadOnlyList<NestedCandidate> candidates)
    {
        var first = candidates[0];
        foreach (var candidate in candidates)
        {
            if (candidate.Data.Dataset.Count != first.Data.Dataset.Count
                || !candidate.Data.Dataset.Clips.Select(c => c.ClipId).SequenceEqual(first.Data.Dataset.Clips.Select(c => c.ClipId), StringComparer.Ordinal))
            {
                throw new ArgumentException($"Candidate {candidate.Name} holds other clips than {first.Name}: every candidate must be featurized from the same clips.", nameof(candidates));
            }

            if (candidate.Options.Folds != first.Options.Folds || candidate.Options.Seed != first.Options.Seed || candidate.Options.Protocol != EvaluationProtocol.Grouped)
            {
                throw new ArgumentException($"Candidate {candidate.Name} has other folds than {first.Name}: every candidate needs the same grouped folds and seed.", nameof(candidates));
            }
        }
    }

    /// <summary>
    /// The outer fold of every clip, after checking that every outer training part holds the inner folds: checked before
    /// any training, on the folds the outer cross-validation will use (they depend only on labels, groups, folds and seed).
    /// </summary>
    private static int[] PlanOuterFolds(ClipDataset dataset, ExperimentOptions options, int innerFolds)
    {
        int clips = dataset.Count;
        dataset.EnsureGroupedFolds(options.Folds);
        int[] plannedFolds = new StratifiedGroupKFold(new StratifiedGroupKFoldOptions { Folds = options.Folds, Seed = options.Seed })
            .AssignFolds(dataset.LabelIndices, dataset.Groups, dataset.Labels.Count, [.. dataset.Labels]);
        for (int f = 0; f < options.Folds; f++)
        {
            int fold = f;
            try
            {
                ClipDataset.FromClips(Enumerable.Range(0, clips).Where(i => plannedFolds[i] != fold).Select(i => dataset.Clips[i])).EnsureGroupedFolds(innerFolds);
            }
            catch (DatasetException ex)
            {
                throw new DatasetException($"The training part of outer fold {f + 1} cannot be split into {innerFolds} inner folds: {ex.Message} Use fewer inner folds.", ex);
            }
        }

        return plannedFolds;
    }

    /// <summary>The outer cross-validation of every candidate, and the outer fold of every clip (checked to be the planned one).</summary>
    private static (CrossValidationResult[] Outer, int[] FoldOfClip) OuterCrossValidations(IReadOnlyList<NestedCandidate> candidates, int[] plannedFolds, Action<string>? log)
    {
        int clips = candidates[0].Data.Dataset.Count;
        var outer = new CrossValidationResult[candidates.Count];
        int[]? foldOfClip = null;
        for (int c = 0; c < candidates.Count; c++)
        {
            var folds = new int[clips];
            Array.Fill(folds, -1);
            log?.Invoke($"nested: outer {candidates[c].Options.Folds}-fold cross-validation of {candidates[c].Name} ({c + 1}/{candidates.Count})");
            string name = candidates[c].Name;
            outer[c] = CrossValidation.Run(candidates[c].Data, candidates[c].Options, line => log?.Invoke($"nested: {name}: {line}"), onFoldModel: m =>
            {
                foreach (int unit in m.TestUnits)
                {
                    folds[unit] = m.Fold;
                }
            });
            if (Array.IndexOf(folds, -1) >= 0)
            {
                throw new InvalidOperationException($"The outer cross-validation of {candidates[c].Name} left clips without a test fold.");
            }

            if (foldOfClip is null)
            {
                foldOfClip = folds;
                if (!foldOfClip.AsSpan().SequenceEqual(plannedFolds))
                {
                    throw new InvalidOperationException("The outer folds differ from the folds planned for the inner check.");
                }
            }
            else if (!foldOfClip.AsSpan().SequenceEqual(folds))
            {
                throw new InvalidOperationException("The outer folds differ between candidates on the same clips and seed.");
            }
        }

        return (outer, foldOfClip!);
    }

    /// <summary>
    /// Per outer fold, the candidate its inner cross-validations choose, and every clip's probabilities from the outer
    /// cross-validation of the candidate its fold chose.
    /// </summary>
    private static (List<NestedChoice> Choices, float[] ChosenProbabilities) Choose(
        IReadOnlyList<NestedCandidate> candidates, CrossValidationResult[] outer, int[] foldOfClip, int innerFolds, Action<string>? log)
    {
        var dataset = candidates[0].Data.Dataset;
        int clips = dataset.Count, classes = dataset.Labels.Count;
        int outerFolds = candidates[0].Options.Folds;
        var choices = new List<NestedChoice>();
        var chosenProbabilities = new float[clips * classes];
        for (int f = 0; f < outerFolds; f++)
        {
            int[] trainClips = [.. Enumerable.Range(0, clips).Where(i => foldOfClip[i] != f)];
            var scores = new double[candidates.Count];
            for (int c = 0; c < candidates.Count; c++)
            {
                var inner = Subset(candidates[c].Data, trainClips);
                string name = candidates[c].Name;
                var innerResult = CrossValidation.Run(inner, candidates[c].Options with { Folds = innerFolds }, line => log?.Invoke($"nested: outer fold {f + 1}/{outerFolds}: {name} inner {line}"));
                scores[c] = CalibrationMetrics.LogLoss(innerResult.Actual, innerResult.Probabilities, inner.Dataset.Labels.Count);
                log?.Invoke($"nested: outer fold {f + 1}/{outerFolds}: {candidates[c].Name} inner log-loss {scores[c]:0.000}");
            }

            // The lowest finite inner log-loss; a candidate whose training diverged (NaN) is never chosen.
            int best = -1;
            for (int c = 0; c < scores.Length; c++)
            {
                if (double.IsFinite(scores[c]) && (best < 0 || scores[c] < scores[best]))
                {
                    best = c;
                }
            }

            if (best < 0)
            {
                throw new InvalidOperationException($"No candidate has a finite inner log-loss in outer fold {f + 1}.");
            }

            choices.Add(new NestedChoice(f, candidates[best].Name, scores));
            log?.Invoke($"nested: outer fold {f + 1}/{outerFolds} chooses {candidates[best].Name}");
            for (int i = 0; i < clips; i++)
            {
                if (foldOfClip[i] == f)
                {
                    outer[best].Probabilities.AsSpan(i * classes, classes).CopyTo(chosenProbabilities.AsSpan(i * classes, classes));
                }
            }
        }

        return (choices, chosenProbabilities);
    }

    /// <summary>The clips at <paramref name="indices"/> with their tensors, as a dataset of their own.</summary>
    private static FeaturizedDataset Subset(FeaturizedDataset data, int[] indices)
    {
        var clips = ClipDataset.FromClips(indices.Select(i => data.Dataset.Clips[i]));
        return FeaturizedDataset.FromTensors(clips, data.Spec, [.. indices.Select(i => data.Variants[i].ToArray())]);
    }

    /// <summary>
    /// Log-loss gain (fixed − procedure) and macro-F1 gain (procedure − fixed) on the pooled predictions, with 95 %
    /// intervals from resampling groups with replacement, the same draw for both predictors (paired).
    /// </summary>
    private static (ChoiceGain LogLoss, ChoiceGain MacroF1) PairedGains(int[] actual, float[] procedure, float[] fixedCandidate, string[] groups, int classes, BootstrapOptions options)
    {
        int n = actual.Length;
        var clipLoss = new double[n];
        int[] predictedProcedure = new int[n], predictedFixed = new int[n];
        for (int i = 0; i < n; i++)
        {
            var p = procedure.AsSpan(i * classes, classes);
            var q = fixedCandidate.AsSpan(i * classes, classes);
            clipLoss[i] = -Math.Log(Math.Max(q[actual[i]], CalibrationMetrics.MinProbability)) + Math.Log(Math.Max(p[actual[i]], CalibrationMetrics.MinProbability));
            predictedProcedure[i] = Cry.Features.Models.Probabilities.ArgMax(p);
            predictedFixed[i] = Cry.Features.Models.Probabilities.ArgMax(q);
        }

        double F1(IReadOnlyList<int> rows, int[] predicted) => ClassificationMetrics.Compute(
            rows.Select(i => actual[i]).ToArray(), rows.Select(i => predicted[i]).ToArray(), classes).MacroF1;

        var all = Enumerable.Range(0, n).ToArray();
        double llEstimate = clipLoss.Average(), f1Estimate = F1(all, predictedProcedure) - F1(all, predictedFixed);
        var byGroup = all.GroupBy(i => groups[i], StringComparer.Ordinal).Select(g => g.ToArray()).ToArray();
        var random = new Random(unchecked((int)options.Seed));
        var ll = new double[options.Resamples];
        var f1 = new double[options.Resamples];
        for (int r = 0; r < options.Resamples; r++)
        {
            var rows = new List<int>(n);
            for (int g = 0; g < byGroup.Length; g++)
            {
                rows.AddRange(byGroup[random.Next(byGroup.Length)]);
            }

            ll[r] = rows.Average(i => clipLoss[i]);
            f1[r] = F1(rows, predictedProcedure) - F1(rows, predictedFixed);
        }

        Array.Sort(ll);
        Array.Sort(f1);
        double lower = (1 - options.Level) / 2, upper = 1 - lower;
        return (
            new ChoiceGain(llEstimate, BootstrapConfidence.Quantile(ll, lower), BootstrapConfidence.Quantile(ll, upper)),
            new ChoiceGain(f1Estimate, BootstrapConfidence.Quantile(f1, lower), BootstrapConfidence.Quantile(f1, upper)));
    }
}

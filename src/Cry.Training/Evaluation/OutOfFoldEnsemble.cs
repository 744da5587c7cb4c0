namespace Cry.Training.Evaluation;

/// <summary>Every clip's pooled out-of-fold prediction of one cross-validation (one row of probabilities per clip).</summary>
/// <param name="Labels">Class names in class-index order.</param>
/// <param name="Clips">Clip ids.</param>
/// <param name="Groups">Each clip's group (app instance).</param>
/// <param name="Actual">Each clip's class index.</param>
/// <param name="Probabilities">Row-major clips × classes: the probabilities of the model that did not see the clip's group.</param>
public sealed record OutOfFoldPredictions(string[] Labels, string[] Clips, string[] Groups, int[] Actual, float[] Probabilities);

/// <summary>
/// An ensemble of cross-validations that share their folds: each clip's probabilities are the mean of the members'
/// out-of-fold probabilities for it (a linear pool), scored like one cross-validation.
/// </summary>
/// <remarks>
/// The mean of out-of-fold predictions is itself out of fold when every member used the same folds: no member's model
/// that scored a clip saw that clip's group. The folds are not stored with the predictions; they are made again with
/// the members' splitter, folds and seed, and used only for the fold mean ± sd (the pooled metrics do not need them).
/// Choosing the members after looking at their scores is a selection like any other: the ensemble's interval does not
/// account for it.
/// </remarks>
public static class OutOfFoldEnsemble
{
    /// <summary>Pools the members and scores the pool.</summary>
    /// <param name="members">At least two members' predictions, over the same clips, labels and groups.</param>
    /// <param name="folds">The members' number of folds.</param>
    /// <param name="seed">The members' split seed (also the bootstrap's).</param>
    /// <exception cref="ArgumentException">Fewer than two members, or members that disagree on labels, clips, groups or classes.</exception>
    public static (MetricsReport Report, OutOfFoldPredictions Pooled) Evaluate(IReadOnlyList<OutOfFoldPredictions> members, int folds, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(members);
        if (members.Count < 2)
        {
            throw new ArgumentException($"An ensemble needs at least two members, not {members.Count}.", nameof(members));
        }

        var first = members[0];
        int classes = first.Labels.Length;
        var row = first.Clips.Select((clip, i) => (clip, i)).ToDictionary(p => p.clip, p => p.i, StringComparer.Ordinal);
        if (row.Count != first.Clips.Length || first.Actual.Length != row.Count || first.Groups.Length != row.Count || first.Probabilities.Length != row.Count * classes)
        {
            throw new ArgumentException("The first member's clips are not one row each (duplicate ids or lengths that disagree).", nameof(members));
        }

        var pooled = new double[first.Probabilities.Length];
        for (int m = 0; m < members.Count; m++)
        {
            var member = members[m];
            if (!member.Labels.SequenceEqual(first.Labels, StringComparer.Ordinal))
            {
                throw new ArgumentException($"Member {m + 1} has the labels {string.Join(", ", member.Labels)}, the first {string.Join(", ", first.Labels)}.", nameof(members));
            }

            if (member.Clips.Length != row.Count || member.Probabilities.Length != row.Count * classes)
            {
                throw new ArgumentException($"Member {m + 1} predicts {member.Clips.Length} clips, the first {row.Count}: the members must have scored the same clips.", nameof(members));
            }

            for (int i = 0; i < member.Clips.Length; i++)
            {
                if (!row.TryGetValue(member.Clips[i], out int at) || member.Actual[i] != first.Actual[at] || member.Groups[i] != first.Groups[at])
                {
                    throw new ArgumentException($"Member {m + 1}'s clip {member.Clips[i]} is not the first member's (missing, or another label or group).", nameof(members));
                }

                for (int k = 0; k < classes; k++)
                {
                    pooled[(at * classes) + k] += member.Probabilities[(i * classes) + k];
                }
            }
        }

        float[] probabilities = [.. pooled.Select(p => (float)(p / members.Count))];
        var splits = new StratifiedGroupKFold(new StratifiedGroupKFoldOptions { Folds = folds, Seed = seed })
            .Split(first.Actual, first.Groups, classes, first.Labels);
        var foldMetrics = splits
            .Select(split => ClassificationMetrics.Compute(
                [.. split.TestIndices.Select(i => first.Actual[i])],
                [.. split.TestIndices.SelectMany(i => probabilities.AsSpan(i * classes, classes).ToArray())],
                classes))
            .ToList();
        var report = MetricsReport.Evaluate(first.Labels, first.Actual, probabilities, first.Groups, bootstrap: new BootstrapOptions { Seed = seed })
            with
            {
                Folds = FoldSummary.Of(foldMetrics),
            };
        return (report, first with { Probabilities = probabilities });
    }
}

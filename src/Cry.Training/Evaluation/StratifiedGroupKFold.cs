using Cry.Audio.Augmentation;
using Cry.Training.Data;

namespace Cry.Training.Evaluation;

/// <summary>Grouped, stratified k-fold cross-validation: every group in exactly one test fold, class shares balanced across folds.</summary>
/// <remarks>
/// <para>The greedy of scikit-learn's <c>StratifiedGroupKFold</c>: groups are shuffled (seeded), then stably sorted
/// by the standard deviation of their class counts, descending; for a group of one class that is its size times a
/// constant, so large groups are placed first. Each group goes to the fold that minimises the mean over classes of
/// the standard deviation, across folds, of the fold's share of that class's clips; near-ties (numpy's
/// <c>isclose</c>) go to the fold with fewer clips, then to the lower fold number.</para>
/// <para>Every class needs at least as many groups as folds, otherwise some test fold cannot contain it; that is a
/// <see cref="DatasetException"/> whose message gives groups and clips per class. Results are a pure function of
/// the labels, group keys and options (seeded with <see cref="SeededRandom"/>, stable across .NET versions).</para>
/// </remarks>
public sealed class StratifiedGroupKFold
{
    /// <summary>Creates the splitter.</summary>
    public StratifiedGroupKFold(StratifiedGroupKFoldOptions? options = null)
    {
        Options = options ?? StratifiedGroupKFoldOptions.Default;
    }

    /// <summary>The settings.</summary>
    public StratifiedGroupKFoldOptions Options { get; }

    /// <summary>The test fold of every clip.</summary>
    /// <param name="labels">Class index of every clip, in [0, <paramref name="classCount"/>).</param>
    /// <param name="groups">Group key of every clip.</param>
    /// <param name="classCount">Number of classes.</param>
    /// <param name="classNames">Names used in error messages; optional.</param>
    /// <exception cref="DatasetException">Some class has fewer groups than folds.</exception>
    public int[] AssignFolds(ReadOnlySpan<int> labels, IReadOnlyList<string> groups, int classCount, IReadOnlyList<string>? classNames = null)
    {
        GroupTable table = GroupTable.Build(labels, groups, classCount);
        int folds = Options.Folds;
        table.ThrowIfTooFewGroups(folds, classNames);

        int[] groupFold = AssignGroups(table, folds);
        var clipFold = new int[labels.Length];
        for (int i = 0; i < clipFold.Length; i++)
        {
            clipFold[i] = groupFold[table.GroupOfClip[i]];
        }

        return clipFold;
    }

    /// <summary>The folds: for each, training and test clip indices.</summary>
    /// <exception cref="DatasetException">Some class has fewer groups than folds.</exception>
    public IReadOnlyList<FoldSplit> Split(ReadOnlySpan<int> labels, IReadOnlyList<string> groups, int classCount, IReadOnlyList<string>? classNames = null)
    {
        int[] clipFold = AssignFolds(labels, groups, classCount, classNames);
        var splits = new FoldSplit[Options.Folds];
        for (int fold = 0; fold < splits.Length; fold++)
        {
            var train = new List<int>();
            var test = new List<int>();
            for (int i = 0; i < clipFold.Length; i++)
            {
                (clipFold[i] == fold ? test : train).Add(i);
            }

            splits[fold] = new FoldSplit(fold, train.ToArray(), test.ToArray());
        }

        return splits;
    }

    /// <summary>The folds of a dataset; indices refer to <see cref="ClipDataset.Clips"/>.</summary>
    /// <exception cref="DatasetException">Some label has fewer groups than folds.</exception>
    public IReadOnlyList<FoldSplit> Split(ClipDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        return Split(dataset.LabelIndices, dataset.Groups, dataset.Labels.Count, dataset.Labels);
    }

    private int[] AssignGroups(GroupTable table, int folds)
    {
        int classCount = table.ClassCount;
        int[] order = Enumerable.Range(0, table.GroupCount).ToArray();
        if (Options.Shuffle)
        {
            GroupOrder.Shuffle(order, Options.Seed);
        }

        var spread = new double[table.GroupCount];
        for (int g = 0; g < spread.Length; g++)
        {
            spread[g] = PopulationStd(table.Row(g));
        }

        // OrderBy is stable, as the mergesort in the reference algorithm.
        order = order.OrderByDescending(g => spread[g]).ToArray();

        int[] classTotals = table.ClipsPerClass();
        var foldCounts = new int[folds * classCount];
        var foldSizes = new int[folds];
        var groupFold = new int[table.GroupCount];
        var shares = new double[folds];
        foreach (int g in order)
        {
            ReadOnlySpan<int> row = table.Row(g);
            int best = -1;
            double bestEval = double.PositiveInfinity;
            int bestSize = int.MaxValue;
            for (int candidate = 0; candidate < folds; candidate++)
            {
                double eval = 0;
                int presentClasses = 0;
                for (int c = 0; c < classCount; c++)
                {
                    if (classTotals[c] == 0)
                    {
                        continue;
                    }

                    for (int f = 0; f < folds; f++)
                    {
                        int count = foldCounts[(f * classCount) + c] + (f == candidate ? row[c] : 0);
                        shares[f] = (double)count / classTotals[c];
                    }

                    eval += PopulationStd(shares);
                    presentClasses++;
                }

                eval /= Math.Max(presentClasses, 1);
                bool better = eval < bestEval || (IsClose(eval, bestEval) && foldSizes[candidate] < bestSize);
                if (better)
                {
                    best = candidate;
                    bestEval = eval;
                    bestSize = foldSizes[candidate];
                }
            }

            groupFold[g] = best;
            for (int c = 0; c < classCount; c++)
            {
                foldCounts[(best * classCount) + c] += row[c];
                foldSizes[best] += row[c];
            }
        }

        return groupFold;
    }

    // numpy.isclose with its default tolerances, as in the reference tie-break.
    private static bool IsClose(double a, double b) => Math.Abs(a - b) <= 1e-8 + (1e-5 * Math.Abs(b));

    private static double PopulationStd(ReadOnlySpan<int> values)
    {
        double mean = 0;
        foreach (int v in values)
        {
            mean += v;
        }

        mean /= values.Length;
        double sum = 0;
        foreach (int v in values)
        {
            sum += (v - mean) * (v - mean);
        }

        return Math.Sqrt(sum / values.Length);
    }

    private static double PopulationStd(ReadOnlySpan<double> values)
    {
        double mean = 0;
        foreach (double v in values)
        {
            mean += v;
        }

        mean /= values.Length;
        double sum = 0;
        foreach (double v in values)
        {
            sum += (v - mean) * (v - mean);
        }

        return Math.Sqrt(sum / values.Length);
    }
}

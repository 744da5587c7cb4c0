using Cry.Training.Data;

namespace Cry.Training.Evaluation;

/// <summary>Holds out a grouped, stratified share of clips for validation (early stopping) from a training set.</summary>
/// <remarks>
/// Groups are shuffled (seeded), stably sorted by size, largest first, and each is moved to validation when that
/// lowers Σ<sub>c</sub> (v<sub>c</sub>/n<sub>c</sub> − s)² over its classes, where v<sub>c</sub> is the validation
/// count, n<sub>c</sub> the class total and s <see cref="GroupedValidationSplitOptions.Share"/>. A group is never moved
/// when it would leave one of its classes without training clips, so a class with one group stays in training. Whole
/// groups move, so no group is on both sides; class shares are as close to s as the group sizes allow.
/// </remarks>
public sealed class GroupedValidationSplit
{
    /// <summary>Creates the splitter.</summary>
    public GroupedValidationSplit(GroupedValidationSplitOptions? options = null)
    {
        Options = options ?? GroupedValidationSplitOptions.Default;
    }

    /// <summary>The settings.</summary>
    public GroupedValidationSplitOptions Options { get; }

    /// <summary>Splits clips into training and validation; indices refer to positions in <paramref name="labels"/>.</summary>
    /// <exception cref="DatasetException">No group could be held out (for instance a single group).</exception>
    public HoldoutSplit Split(ReadOnlySpan<int> labels, IReadOnlyList<string> groups, int classCount)
    {
        GroupTable table = GroupTable.Build(labels, groups, classCount);
        bool[] heldOut = ChooseGroups(table);
        var train = new List<int>();
        var validation = new List<int>();
        for (int i = 0; i < labels.Length; i++)
        {
            (heldOut[table.GroupOfClip[i]] ? validation : train).Add(i);
        }

        if (validation.Count == 0)
        {
            throw new DatasetException(
                $"No group could be held out for validation from {table.GroupCount} group(s) and {labels.Length} clip(s) at a share of {Options.Share}.");
        }

        return new HoldoutSplit(train.ToArray(), validation.ToArray());
    }

    /// <summary>Splits a subset of a dataset (for instance a training fold); indices refer to <see cref="ClipDataset.Clips"/>.</summary>
    /// <exception cref="DatasetException">No group could be held out.</exception>
    public HoldoutSplit Split(ClipDataset dataset, ReadOnlySpan<int> subset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var labels = new int[subset.Length];
        var groups = new string[subset.Length];
        for (int i = 0; i < subset.Length; i++)
        {
            labels[i] = dataset.LabelIndices[subset[i]];
            groups[i] = dataset.Groups[subset[i]];
        }

        HoldoutSplit local = Split(labels, groups, dataset.Labels.Count);
        int[] map = subset.ToArray();
        return new HoldoutSplit(
            local.TrainIndices.Select(i => map[i]).Order().ToArray(),
            local.HeldOutIndices.Select(i => map[i]).Order().ToArray());
    }

    private bool[] ChooseGroups(GroupTable table)
    {
        int classCount = table.ClassCount;
        double share = Options.Share;
        int[] order = Enumerable.Range(0, table.GroupCount).ToArray();
        GroupOrder.Shuffle(order, Options.Seed);
        order = order.OrderByDescending(table.GroupSize).ToArray();

        int[] totals = table.ClipsPerClass();
        var held = new int[classCount];
        var heldOut = new bool[table.GroupCount];
        foreach (int g in order)
        {
            ReadOnlySpan<int> row = table.Row(g);
            double delta = 0;
            bool leavesClassEmpty = false;
            for (int c = 0; c < classCount; c++)
            {
                if (row[c] == 0)
                {
                    continue;
                }

                double before = ((double)held[c] / totals[c]) - share;
                double after = ((double)(held[c] + row[c]) / totals[c]) - share;
                delta += (after * after) - (before * before);
                leavesClassEmpty |= held[c] + row[c] == totals[c];
            }

            if (delta < 0 && !leavesClassEmpty)
            {
                heldOut[g] = true;
                for (int c = 0; c < classCount; c++)
                {
                    held[c] += row[c];
                }
            }
        }

        return heldOut;
    }
}

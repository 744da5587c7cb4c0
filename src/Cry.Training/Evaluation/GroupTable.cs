using System.Globalization;
using System.Text;
using Cry.Training.Data;

namespace Cry.Training.Evaluation;

/// <summary>Clips indexed by group: the group of every clip and the class counts of every group.</summary>
internal sealed class GroupTable
{
    private GroupTable(int[] groupOfClip, string[] keys, int[] counts, int classCount)
    {
        GroupOfClip = groupOfClip;
        Keys = keys;
        Counts = counts;
        ClassCount = classCount;
    }

    /// <summary>Group index of every clip; groups are numbered in order of first appearance.</summary>
    public int[] GroupOfClip { get; }

    /// <summary>Group key of every group index.</summary>
    public string[] Keys { get; }

    /// <summary>Row-major groups × classes clip counts.</summary>
    public int[] Counts { get; }

    public int ClassCount { get; }

    public int GroupCount => Keys.Length;

    public static GroupTable Build(ReadOnlySpan<int> labels, IReadOnlyList<string> groups, int classCount)
    {
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classCount);
        if (groups.Count != labels.Length)
        {
            throw new ArgumentException($"There are {labels.Length} labels but {groups.Count} group keys.", nameof(groups));
        }

        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var keys = new List<string>();
        var groupOfClip = new int[labels.Length];
        for (int i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)classCount)
            {
                throw new ArgumentOutOfRangeException(nameof(labels), labels[i], $"Label at {i} is outside [0, {classCount}).");
            }

            string key = groups[i] ?? throw new ArgumentException($"Group key at {i} is null.", nameof(groups));
            if (!index.TryGetValue(key, out int g))
            {
                g = keys.Count;
                index.Add(key, g);
                keys.Add(key);
            }

            groupOfClip[i] = g;
        }

        var counts = new int[keys.Count * classCount];
        for (int i = 0; i < labels.Length; i++)
        {
            counts[(groupOfClip[i] * classCount) + labels[i]]++;
        }

        return new GroupTable(groupOfClip, keys.ToArray(), counts, classCount);
    }

    public ReadOnlySpan<int> Row(int group) => Counts.AsSpan(group * ClassCount, ClassCount);

    public int GroupSize(int group)
    {
        int size = 0;
        foreach (int c in Row(group))
        {
            size += c;
        }

        return size;
    }

    public int[] ClipsPerClass()
    {
        var totals = new int[ClassCount];
        for (int g = 0; g < GroupCount; g++)
        {
            ReadOnlySpan<int> row = Row(g);
            for (int c = 0; c < ClassCount; c++)
            {
                totals[c] += row[c];
            }
        }

        return totals;
    }

    public int[] GroupsPerClass()
    {
        var totals = new int[ClassCount];
        for (int g = 0; g < GroupCount; g++)
        {
            ReadOnlySpan<int> row = Row(g);
            for (int c = 0; c < ClassCount; c++)
            {
                totals[c] += row[c] > 0 ? 1 : 0;
            }
        }

        return totals;
    }

    public void ThrowIfTooFewGroups(int folds, IReadOnlyList<string>? classNames)
    {
        int[] groupsPerClass = GroupsPerClass();
        if (groupsPerClass.All(n => n >= folds))
        {
            return;
        }

        int[] clipsPerClass = ClipsPerClass();
        var message = new StringBuilder();
        message.Append(CultureInfo.InvariantCulture, $"{folds}-fold grouped cross-validation needs at least {folds} groups in every class; too few in: ");
        message.AppendJoin(", ", Enumerable.Range(0, ClassCount).Where(c => groupsPerClass[c] < folds).Select(c => Name(c, classNames)));
        message.Append(". Groups (clips) per class: ");
        message.AppendJoin(", ", Enumerable.Range(0, ClassCount).Select(
            c => string.Create(CultureInfo.InvariantCulture, $"{Name(c, classNames)} {groupsPerClass[c]} ({clipsPerClass[c]})")));
        message.Append(CultureInfo.InvariantCulture, $". Use at most {groupsPerClass.Min()} folds or gather more groups.");
        throw new DatasetException(message.ToString());
    }

    private static string Name(int c, IReadOnlyList<string>? classNames) =>
        classNames is not null && c < classNames.Count ? classNames[c] : "class " + c.ToString(CultureInfo.InvariantCulture);
}

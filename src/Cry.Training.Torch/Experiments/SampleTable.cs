using Cry.Training.Data;

namespace Cry.Training.Torch.Experiments;

/// <summary>The units a protocol splits (clips when grouped, single variants when leaky) and how to build tensors from them.</summary>
internal sealed class SampleTable
{
    private readonly FeaturizedDataset _data;
    private readonly (int Clip, int Variant)[] _units;
    private readonly bool _grouped;

    private SampleTable(FeaturizedDataset data, (int Clip, int Variant)[] units, int[] labels, string[] groups, bool grouped)
    {
        _data = data;
        _grouped = grouped;
        _units = units;
        UnitLabels = labels;
        UnitGroups = groups;
    }

    public int[] UnitLabels { get; }

    public string[] UnitGroups { get; }

    public static SampleTable Create(FeaturizedDataset data, EvaluationProtocol protocol)
    {
        var clips = data.Dataset;
        if (protocol == EvaluationProtocol.Grouped)
        {
            var units = Enumerable.Range(0, clips.Count).Select(i => (i, 0)).ToArray();
            return new SampleTable(data, units, clips.LabelIndices.ToArray(), [.. clips.Groups], grouped: true);
        }

        // Leaky: every variant is its own unit and its own "group", so the split is a plain stratified one.
        var all = new List<(int, int)>();
        for (int i = 0; i < clips.Count; i++)
        {
            for (int v = 0; v < data.Variants[i].Length; v++)
            {
                all.Add((i, v));
            }
        }

        var leaky = all.ToArray();
        return new SampleTable(
            data,
            leaky,
            leaky.Select(u => clips.LabelIndices[u.Item1]).ToArray(),
            leaky.Select(u => $"{clips.Clips[u.Item1].ClipId}#{u.Item2}").ToArray(),
            grouped: false);
    }

    /// <summary>The tensors of some units; with <paramref name="includeVariants"/>, a grouped unit brings all its variants.</summary>
    public TrainingData Build(IReadOnlyList<int> units, bool includeVariants)
    {
        var chosen = new List<(int Clip, int Variant)>();
        foreach (int u in units)
        {
            var (clip, variant) = _units[u];
            if (includeVariants && _grouped)
            {
                for (int v = 0; v < _data.Variants[clip].Length; v++)
                {
                    chosen.Add((clip, v));
                }
            }
            else
            {
                chosen.Add((clip, variant));
            }
        }

        int length = _data.TensorLength;
        var inputs = new float[chosen.Count * length];
        var labels = new int[chosen.Count];
        for (int i = 0; i < chosen.Count; i++)
        {
            _data.Variants[chosen[i].Clip][chosen[i].Variant].CopyTo(inputs, i * length);
            labels[i] = _data.Dataset.LabelIndices[chosen[i].Clip];
        }

        return new TrainingData(inputs, labels, _data.Shape[0], _data.Shape[1], _data.Shape[2], _data.Dataset.Labels.Count);
    }
}

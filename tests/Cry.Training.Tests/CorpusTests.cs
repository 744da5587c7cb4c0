using Cry.Training.Data;
using Cry.Training.Evaluation;

namespace Cry.Training.Tests;

/// <summary>The real Donate-a-cry corpus, when ../shared/corpus is present: size, labels, groups, feasibility of 5-fold grouped CV.</summary>
public sealed class CorpusTests
{
    private const string SkipReason = "../shared/corpus/donateacry not found: corpus test skipped";

    [Fact]
    public void FromFolder_DonateACry_457ClipsFiveLabelsAndFiveGroupedFolds()
    {
        string? corpus = Locate();
        if (corpus is null)
        {
            Assert.Skip(SkipReason);
        }

        var dataset = ClipDataset.FromFolder(corpus!);

        Assert.Equal(457, dataset.Count);
        Assert.Equal(["belly_pain", "burping", "discomfort", "hungry", "tired"], dataset.Labels);
        Assert.Equal([16, 8, 27, 382, 24], dataset.ClipCountsPerLabel());
        Assert.Equal([7, 7, 16, 205, 16], dataset.GroupCountsPerLabel());
        Assert.Equal(221, dataset.GroupCount);

        dataset.EnsureGroupedFolds(5);
        IReadOnlyList<FoldSplit> folds = new StratifiedGroupKFold().Split(dataset);
        foreach (FoldSplit fold in folds)
        {
            var testGroups = fold.TestIndices.Select(i => dataset.Groups[i]).ToHashSet();
            Assert.DoesNotContain(fold.TrainIndices, i => testGroups.Contains(dataset.Groups[i]));
            Assert.Equal(5, fold.TestIndices.Select(i => dataset.LabelIndices[i]).Distinct().Count());
        }

        var ex = Assert.Throws<DatasetException>(() => dataset.EnsureGroupedFolds(8));
        Assert.Contains("too few in: belly_pain, burping", ex.Message, StringComparison.Ordinal);
    }

    private static string? Locate()
    {
        for (DirectoryInfo? folder = new(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            string candidate = Path.Combine(folder.FullName, "shared", "corpus", "donateacry");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}

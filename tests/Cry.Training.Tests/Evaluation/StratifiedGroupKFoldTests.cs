using Cry.Training.Data;
using Cry.Training.Evaluation;
using FsCheck;
using FsCheck.Fluent;

namespace Cry.Training.Tests.Evaluation;

public sealed class StratifiedGroupKFoldTests
{
    private static readonly Config s_config =
        Config.QuickThrowOnFailure.WithMaxTest(150).WithQuietOnSuccess(true).WithReplay(0x5EED_0001UL, 0x9E37_79B9_7F4A_7C15UL);

    [Fact]
    public void Split_ScikitLearnDocumentationExample_SameFolds()
    {
        // The example of scikit-learn's StratifiedGroupKFold docstring (n_splits=3, shuffle=False) and its printed folds.
        int[] y = [0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        string[] groups = ["1", "1", "2", "2", "3", "3", "3", "4", "5", "5", "5", "5", "6", "6", "7", "8", "8"];
        var splitter = new StratifiedGroupKFold(new StratifiedGroupKFoldOptions { Folds = 3, Shuffle = false });

        IReadOnlyList<FoldSplit> folds = splitter.Split(y, groups, 2);

        Assert.Equal([4, 5, 6, 12, 13, 14], folds[0].TestIndices);
        Assert.Equal([0, 1, 2, 3, 15, 16], folds[1].TestIndices);
        Assert.Equal([7, 8, 9, 10, 11], folds[2].TestIndices);
        Assert.Equal([0, 1, 2, 3, 7, 8, 9, 10, 11, 15, 16], folds[0].TrainIndices);
    }

    [Fact]
    public void Split_AnyDataset_EveryClipInOneTestFoldAndNoGroupOnBothSides()
    {
        Arbitrary<(SyntheticGroups Data, int Folds, ulong Seed)> cases = Arb.From(
            from seed in Gen.Choose(0, int.MaxValue)
            from folds in Gen.Choose(2, 6)
            from classes in Gen.Choose(1, 5)
            from mixed in Gen.Elements(0.0, 0.2)
            select (SyntheticGroups.Create((ulong)seed, classes, folds, folds + 15, 6, mixed), folds, (ulong)seed));

        Check.One(s_config, Prop.ForAll(cases, c =>
        {
            var splitter = new StratifiedGroupKFold(new StratifiedGroupKFoldOptions { Folds = c.Folds, Seed = c.Seed });
            IReadOnlyList<FoldSplit> folds = splitter.Split(c.Data.Labels, c.Data.Groups, c.Data.ClassCount);

            Assert.Equal(c.Folds, folds.Count);
            int[] timesTested = new int[c.Data.Labels.Length];
            foreach (FoldSplit fold in folds)
            {
                Assert.NotEmpty(fold.TestIndices);
                Assert.Equal(Enumerable.Range(0, c.Data.Labels.Length), fold.TrainIndices.Concat(fold.TestIndices).Order());
                var testGroups = fold.TestIndices.Select(i => c.Data.Groups[i]).ToHashSet();
                Assert.DoesNotContain(fold.TrainIndices, i => testGroups.Contains(c.Data.Groups[i]));
                foreach (int i in fold.TestIndices)
                {
                    timesTested[i]++;
                }
            }

            Assert.All(timesTested, n => Assert.Equal(1, n));
        }));
    }

    [Fact]
    public void Split_SingleClassGroups_EveryClassInEveryFoldWithinOneGroupOfItsShare()
    {
        Arbitrary<(SyntheticGroups Data, int Folds, ulong Seed)> cases = Arb.From(
            from seed in Gen.Choose(0, int.MaxValue)
            from folds in Gen.Choose(2, 6)
            from classes in Gen.Choose(2, 5)
            select (SyntheticGroups.Create((ulong)seed, classes, folds, folds + 30, 5), folds, (ulong)seed));

        Check.One(s_config, Prop.ForAll(cases, c =>
        {
            var splitter = new StratifiedGroupKFold(new StratifiedGroupKFoldOptions { Folds = c.Folds, Seed = c.Seed });
            int[] clipFold = splitter.AssignFolds(c.Data.Labels, c.Data.Groups, c.Data.ClassCount);

            for (int cls = 0; cls < c.Data.ClassCount; cls++)
            {
                int[] members = Enumerable.Range(0, clipFold.Length).Where(i => c.Data.Labels[i] == cls).ToArray();
                int largestGroup = members.GroupBy(i => c.Data.Groups[i]).Max(g => g.Count());
                double expected = (double)members.Length / c.Folds;
                for (int fold = 0; fold < c.Folds; fold++)
                {
                    int count = members.Count(i => clipFold[i] == fold);
                    Assert.True(count > 0, $"class {cls} missing from fold {fold}");
                    Assert.True(Math.Abs(count - expected) <= largestGroup, $"class {cls} fold {fold}: {count} clips, expected {expected:0.0} ± {largestGroup}");
                }
            }
        }));
    }

    [Fact]
    public void AssignFolds_SameSeed_SameFolds()
    {
        var data = SyntheticGroups.Create(7, 4, 10, 30, 4, mixedShare: 0.1);
        var options = new StratifiedGroupKFoldOptions { Seed = 42 };

        int[] first = new StratifiedGroupKFold(options).AssignFolds(data.Labels, data.Groups, data.ClassCount);
        int[] second = new StratifiedGroupKFold(options).AssignFolds(data.Labels, data.Groups, data.ClassCount);

        Assert.Equal(first, second);
    }

    [Theory]
    [InlineData(0UL, 1UL)]
    [InlineData(1UL, 2UL)]
    [InlineData(42UL, 43UL)]
    public void AssignFolds_DifferentSeeds_DifferentFolds(ulong seedA, ulong seedB)
    {
        var data = SyntheticGroups.Create(3, 3, 20, 20, 3);

        int[] a = new StratifiedGroupKFold(new StratifiedGroupKFoldOptions { Seed = seedA }).AssignFolds(data.Labels, data.Groups, data.ClassCount);
        int[] b = new StratifiedGroupKFold(new StratifiedGroupKFoldOptions { Seed = seedB }).AssignFolds(data.Labels, data.Groups, data.ClassCount);

        Assert.NotEqual(a, b);
    }

    [Fact]
    public void Split_ClassWithFewerGroupsThanFolds_ThrowsWithCounts()
    {
        int[] labels = [0, 0, 0, 0, 0, 1, 1, 1];
        string[] groups = ["a", "b", "c", "d", "e", "f", "f", "g"];
        var splitter = new StratifiedGroupKFold(new StratifiedGroupKFoldOptions { Folds = 3 });

        var ex = Assert.Throws<DatasetException>(() => splitter.Split(labels, groups, 2, ["hungry", "burping"]));

        Assert.Contains("too few in: burping", ex.Message, StringComparison.Ordinal);
        Assert.Contains("hungry 5 (5), burping 2 (3)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Split_DatasetOverload_UsesDatasetLabelsAndGroups()
    {
        // 12 one-clip groups: 4 of class a, 8 of class b.
        ClipInfo[] clips = Enumerable.Range(0, 12)
            .Select(i => new ClipInfo($"/c/{i}.wav", i % 3 == 0 ? "a" : "b", "g" + i, $"x/{i}"))
            .ToArray();
        var dataset = ClipDataset.FromClips(clips);

        var ex = Assert.Throws<DatasetException>(() => new StratifiedGroupKFold().Split(dataset));
        IReadOnlyList<FoldSplit> folds = new StratifiedGroupKFold(new StratifiedGroupKFoldOptions { Folds = 3 }).Split(dataset);

        Assert.Contains("a 4 (4), b 8 (8)", ex.Message, StringComparison.Ordinal);
        Assert.All(folds, f => Assert.Equal(["a", "b"], f.TestIndices.Select(i => clips[i].Label).Distinct().Order()));
        Assert.Equal(12, folds.Sum(f => f.TestIndices.Length));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(0)]
    public void Options_FoldsBelowTwo_Throws(int folds)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new StratifiedGroupKFoldOptions { Folds = folds });
    }
}

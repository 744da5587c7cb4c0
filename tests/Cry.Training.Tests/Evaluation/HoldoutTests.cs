using Cry.Training.Data;
using Cry.Training.Evaluation;

namespace Cry.Training.Tests.Evaluation;

public sealed class HoldoutTests
{
    [Theory]
    [InlineData(1UL)]
    [InlineData(2UL)]
    [InlineData(3UL)]
    public void GroupedValidationSplit_ManySmallGroups_GroupedAndNearShare(ulong seed)
    {
        var data = SyntheticGroups.Create(seed, 4, 40, 80, 3, mixedShare: 0.1);
        var split = new GroupedValidationSplit(new GroupedValidationSplitOptions { Seed = seed }).Split(data.Labels, data.Groups, data.ClassCount);

        var heldGroups = split.HeldOutIndices.Select(i => data.Groups[i]).ToHashSet();
        Assert.DoesNotContain(split.TrainIndices, i => heldGroups.Contains(data.Groups[i]));
        Assert.Equal(Enumerable.Range(0, data.Labels.Length), split.TrainIndices.Concat(split.HeldOutIndices).Order());
        for (int c = 0; c < data.ClassCount; c++)
        {
            double total = data.Labels.Count(l => l == c);
            double held = split.HeldOutIndices.Count(i => data.Labels[i] == c);
            Assert.InRange(held / total, 0.11, 0.19);
        }
    }

    [Fact]
    public void GroupedValidationSplit_ClassWithOneGroup_StaysInTraining()
    {
        int[] labels = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1];
        string[] groups = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "k"];

        var split = new GroupedValidationSplit().Split(labels, groups, 2);

        Assert.Equal([10, 11], split.TrainIndices.Where(i => labels[i] == 1));
        Assert.Single(split.HeldOutIndices);
    }

    [Fact]
    public void GroupedValidationSplit_SameSeed_SameSplit()
    {
        var data = SyntheticGroups.Create(9, 3, 20, 40, 4);
        var splitter = new GroupedValidationSplit(new GroupedValidationSplitOptions { Seed = 5 });

        Assert.Equal(splitter.Split(data.Labels, data.Groups, 3).HeldOutIndices, splitter.Split(data.Labels, data.Groups, 3).HeldOutIndices);
        Assert.NotEqual(
            splitter.Split(data.Labels, data.Groups, 3).HeldOutIndices,
            new GroupedValidationSplit(new GroupedValidationSplitOptions { Seed = 6 }).Split(data.Labels, data.Groups, 3).HeldOutIndices);
    }

    [Fact]
    public void GroupedValidationSplit_SingleGroup_Throws()
    {
        Assert.Throws<DatasetException>(() => new GroupedValidationSplit().Split([0, 0, 1], ["a", "a", "a"], 2));
    }

    [Fact]
    public void GroupedValidationSplit_DatasetSubset_IndicesReferToDataset()
    {
        ClipInfo[] clips = Enumerable.Range(0, 40)
            .Select(i => new ClipInfo($"/c/{i}.wav", i % 2 == 0 ? "a" : "b", "g" + i, $"x/{i}"))
            .ToArray();
        var dataset = ClipDataset.FromClips(clips);
        int[] subset = Enumerable.Range(20, 20).ToArray();

        HoldoutSplit split = new GroupedValidationSplit().Split(dataset, subset);

        // 10 one-clip groups per class at 15 %: one group each (a second would leave 20 %, no nearer to 15 %).
        Assert.Equal(subset, split.TrainIndices.Concat(split.HeldOutIndices).Order());
        Assert.Equal(["a", "b"], split.HeldOutIndices.Select(i => dataset.Clips[i].Label).Order());
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.6)]
    [InlineData(double.NaN)]
    public void GroupedValidationSplitOptions_ShareOutOfRange_Throws(double share)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new GroupedValidationSplitOptions { Share = share });
    }

    [Fact]
    public void StableHoldout_Score_MatchesSha256TestVector()
    {
        // SHA-256("abc") begins ba7816bf8f01cfea (FIPS 180-2 test vector); its high 53 bits / 2^53:
        Assert.Equal(0.7283949105904021, new StableHoldout().Score("abc"), 1e-15);
    }

    [Fact]
    public void StableHoldout_ManyGroups_ShareNearTargetAndDecisionsIndependentOfOthers()
    {
        var holdout = new StableHoldout();
        string[] keys = Enumerable.Range(0, 20_000).Select(i => "group-" + i).ToArray();

        HoldoutSplit all = holdout.Split(keys);
        HoldoutSplit firstHalf = holdout.Split(keys[..10_000]);

        Assert.InRange(all.HeldOutIndices.Length / 20_000.0, 0.19, 0.21);
        Assert.Equal(all.HeldOutIndices.Where(i => i < 10_000), firstHalf.HeldOutIndices);
    }

    [Fact]
    public void StableHoldout_RepeatedGroup_AllClipsOnOneSide()
    {
        string[] groups = ["a", "b", "a", "c", "b", "a"];

        HoldoutSplit split = new StableHoldout(new StableHoldoutOptions { Share = 0.5 }).Split(groups);

        var held = split.HeldOutIndices.Select(i => groups[i]).ToHashSet();
        Assert.DoesNotContain(split.TrainIndices, i => held.Contains(groups[i]));
    }

    [Fact]
    public void StableHoldout_Salt_ChangesSelection()
    {
        string[] keys = Enumerable.Range(0, 200).Select(i => "k" + i).ToArray();

        int[] plain = new StableHoldout().Split(keys).HeldOutIndices;
        int[] salted = new StableHoldout(new StableHoldoutOptions { Salt = "v2:" }).Split(keys).HeldOutIndices;

        Assert.NotEqual(plain, salted);
    }
}

using Cry.Training.Data;

namespace Cry.Training.Tests.Data;

/// <summary>not_cry/ and cry/ are the cry detector's folders: never need classes, read at any depth, grouped by UUID or sub-folder.</summary>
public sealed class ReservedFolderTests
{
    private const string UuidA = "549a46d8-9c84-430e-ade8-97eae2bef787";
    private const string UuidB = "7e4b9c14-f955-4bed-9b03-7f3096a6cbff";

    [Fact]
    public void FromFolder_ReservedFolders_AreDetectorClipsNotNeedClasses()
    {
        using TempCorpus corpus = new TempCorpus()
            .WithFiles("hungry", $"{UuidA}-1.wav", $"{UuidB}-1.3gp")
            .WithFiles("tired", $"{UuidA}-2.wav")
            .WithFiles("not_cry", $"{UuidA}-noise.caf", "tv.wav")
            .WithFiles("not_cry/radio-2026", "part-001.wav", "part-002.wav", $"{UuidB}-x.wav")
            .WithFiles("not_cry/.hidden", "skip.wav")
            .WithFiles("cry", $"{UuidB}-kept.3gp");

        var dataset = ClipDataset.FromFolder(corpus.Root);

        Assert.Equal(["hungry", "tired"], dataset.Labels);
        Assert.Equal(3, dataset.Count);
        Assert.All(dataset.Clips, c => Assert.False(ReservedLabels.IsReserved(c.Label)));
        var detector = dataset.DetectorClips.ToDictionary(c => c.ClipId, c => c.Group);
        Assert.Equal(
            new Dictionary<string, string>
            {
                [$"cry/{UuidB}-kept.3gp"] = UuidB,
                [$"not_cry/{UuidA}-noise.caf"] = UuidA, // Shares its app instance's group with the need clips: one fold assignment.
                ["not_cry/tv.wav"] = "tv.wav",
                ["not_cry/radio-2026/part-001.wav"] = "not_cry/radio-2026", // One source recording cut in pieces: one group.
                ["not_cry/radio-2026/part-002.wav"] = "not_cry/radio-2026",
                [$"not_cry/radio-2026/{UuidB}-x.wav"] = UuidB,
            },
            detector);
    }

    [Fact]
    public void FromFolder_OnlyReservedFolders_SaysThereAreNoNeedClips()
    {
        using TempCorpus corpus = new TempCorpus().WithFiles("not_cry", "a.wav").WithFiles("cry", "b.wav");

        var ex = Assert.Throws<DatasetException>(() => ClipDataset.FromFolder(corpus.Root));

        Assert.Contains("no recordings in its need-label folders", ex.Message, StringComparison.Ordinal);
        Assert.Contains("train only the cry detector", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not-cry", "not_cry")]
    [InlineData("Not_Cry", "not_cry")]
    [InlineData("NOTCRY", "not_cry")]
    [InlineData("non_cry", "not_cry")]
    [InlineData("Cry", "cry")]
    [InlineData("crying", "cry")]
    public void FromFolder_MisspelledReservedFolder_IsRefusedWithTheSpelling(string folder, string meant)
    {
        using TempCorpus corpus = new TempCorpus().WithFiles("hungry", "a.wav").WithFiles(folder, "b.wav");

        var ex = Assert.Throws<DatasetException>(() => ClipDataset.FromFolder(corpus.Root));

        Assert.Contains($"'{folder}'", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"rename it to '{meant}'", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("hungry")]
    [InlineData("belly_pain")]
    [InlineData("discomfort")]
    [InlineData("crib")]
    [InlineData("other_reason")]
    public void CheckSpelling_OrdinaryLabels_Pass(string label) => ReservedLabels.CheckSpelling(label);

    [Fact]
    public void FromClips_ReservedLabels_ArePartitionedAndMisspellingsRefused()
    {
        ClipInfo[] clips =
        [
            new("/x/hungry/a.wav", "hungry", "g1", "hungry/a.wav"),
            new("/x/not_cry/b.wav", "not_cry", "g1", "not_cry/b.wav"),
            new("/x/cry/c.wav", "cry", "g2", "cry/c.wav"),
        ];

        var dataset = ClipDataset.FromClips(clips);

        Assert.Equal(["hungry"], dataset.Labels);
        Assert.Equal(["not_cry/b.wav", "cry/c.wav"], dataset.DetectorClips.Select(c => c.ClipId));
        Assert.Throws<DatasetException>(() => ClipDataset.FromClips([clips[0], new("/x/Not-Cry/d.wav", "Not-Cry", "g3", "Not-Cry/d.wav")]));
        Assert.Throws<DatasetException>(() => ClipDataset.FromClips([clips[1], clips[2]]));
    }
}

using Cry.Training.Data;

namespace Cry.Training.Tests.Data;

public sealed class ClipDatasetTests
{
    private const string UuidA = "549a46d8-9c84-430e-ade8-97eae2bef787";
    private const string UuidB = "7E4B9C14-F955-4BED-9B03-7F3096A6CBFF";

    [Fact]
    public void FromFolder_LabelFolders_SortedLabelsFilesAndGroups()
    {
        using TempCorpus corpus = new TempCorpus()
            .WithFiles("tired", $"{UuidB}-2.wav", $"{UuidA}-9.WAV", "notes.txt")
            .WithFiles("Hungry", "z.wav", "a.wav")
            .WithFiles(".cache", "hidden.wav");
        corpus.WriteFile("README.md", "not a clip");

        var dataset = ClipDataset.FromFolder(corpus.Root);

        Assert.Equal(["Hungry", "tired"], dataset.Labels);
        Assert.Equal(["Hungry/a.wav", "Hungry/z.wav", $"tired/{UuidA}-9.WAV", $"tired/{UuidB}-2.wav"], dataset.Clips.Select(c => c.ClipId));
        Assert.Equal(["a.wav", "z.wav", UuidA, UuidB.ToLowerInvariant()], dataset.Groups);
        Assert.Equal([0, 0, 1, 1], dataset.LabelIndices.ToArray());
        Assert.All(dataset.Clips, c => Assert.True(File.Exists(c.Path)));
        Assert.Equal([2, 2], dataset.ClipCountsPerLabel());
        Assert.Equal([2, 2], dataset.GroupCountsPerLabel());
        Assert.Equal(4, dataset.GroupCount);
        Assert.Empty(dataset.SkippedLabels);
    }

    [Fact]
    public void FromFolder_GroupSpanningLabels_CountsOncePerLabel()
    {
        using TempCorpus corpus = new TempCorpus()
            .WithFiles("a", $"{UuidA}-1.wav", $"{UuidA}-2.wav", $"{UuidB}-1.wav")
            .WithFiles("b", $"{UuidA}-3.wav");

        var dataset = ClipDataset.FromFolder(corpus.Root);

        Assert.Equal([2, 1], dataset.GroupCountsPerLabel());
        Assert.Equal(2, dataset.GroupCount);
    }

    [Fact]
    public void FromFolder_MissingFolder_ThrowsDatasetException()
    {
        string missing = Path.Combine(Path.GetTempPath(), "cry-no-such-folder-" + Guid.NewGuid().ToString("N"));

        var ex = Assert.Throws<DatasetException>(() => ClipDataset.FromFolder(missing));

        Assert.Contains("not found", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromFolder_NoLabelFolders_ThrowsDatasetException()
    {
        using var corpus = new TempCorpus();

        var ex = Assert.Throws<DatasetException>(() => ClipDataset.FromFolder(corpus.Root));

        Assert.Contains("no label sub-folders", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromFolder_EmptyLabelFolder_ThrowsNamingIt()
    {
        using TempCorpus corpus = new TempCorpus().WithFiles("hungry", "a.wav").WithFiles("burping", "readme.txt");

        var ex = Assert.Throws<DatasetException>(() => ClipDataset.FromFolder(corpus.Root));

        Assert.Contains("'burping'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromFolder_EmptyLabelFolderSkipped_ListedAndLeftOut()
    {
        using TempCorpus corpus = new TempCorpus().WithFiles("hungry", "a.wav").WithFiles("burping");

        var dataset = ClipDataset.FromFolder(corpus.Root, new ClipDatasetOptions { SkipEmptyLabelFolders = true });

        Assert.Equal(["hungry"], dataset.Labels);
        Assert.Equal(["burping"], dataset.SkippedLabels);
    }

    [Fact]
    public void FromFolder_AllLabelFoldersEmptyAndSkipped_ThrowsNoClips()
    {
        using TempCorpus corpus = new TempCorpus().WithFiles("hungry").WithFiles("tired");

        var ex = Assert.Throws<DatasetException>(
            () => ClipDataset.FromFolder(corpus.Root, new ClipDatasetOptions { SkipEmptyLabelFolders = true }));

        Assert.Contains("no recordings", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EnsureGroupedFolds_TooFewGroups_MessageListsCountsPerClass()
    {
        using TempCorpus corpus = new TempCorpus()
            .WithFiles("hungry", "a.wav", "b.wav", "c.wav")
            .WithFiles("burping", $"{UuidA}-1.wav", $"{UuidA}-2.wav", "x.wav");
        var dataset = ClipDataset.FromFolder(corpus.Root);

        dataset.EnsureGroupedFolds(2);
        var ex = Assert.Throws<DatasetException>(() => dataset.EnsureGroupedFolds(3));

        Assert.Equal(
            "3-fold grouped cross-validation needs at least 3 groups in every class; too few in: burping. "
            + "Groups (clips) per class: burping 2 (3), hungry 3 (3). Use at most 2 folds or gather more groups.",
            ex.Message);
    }

    [Fact]
    public void FromManifest_JsonLines_ExplicitAndDerivedGroups()
    {
        using TempCorpus corpus = new TempCorpus().WithFiles("audio", $"{UuidA}-1.wav", "b.wav");
        string manifest = corpus.WriteFile(
            "lists/manifest.jsonl",
            $$"""
            {"path": "../audio/{{UuidA}}-1.wav", "label": "tired"}

            {"path": "../audio/b.wav", "label": "hungry", "group": "mother-7", "note": "ignored"}
            """);

        var dataset = ClipDataset.FromManifest(manifest);

        Assert.Equal(["hungry", "tired"], dataset.Labels);
        Assert.Equal([UuidA, "mother-7"], dataset.Groups);
        Assert.Equal([1, 0], dataset.LabelIndices.ToArray());
        Assert.Equal([$"tired/{UuidA}-1.wav", "hungry/b.wav"], dataset.Clips.Select(c => c.ClipId));
    }

    [Fact]
    public void FromFolder_SameStemDifferentExtensionCase_TwoClipIds()
    {
        using TempCorpus corpus = new TempCorpus().WithFiles("hungry", "a.wav", "a.WAV");
        if (Directory.GetFiles(Path.Combine(corpus.Root, "hungry")).Length == 1)
        {
            Assert.Skip("The file system does not tell a.wav from a.WAV.");
        }

        var dataset = ClipDataset.FromFolder(corpus.Root);

        Assert.Equal(["hungry/a.WAV", "hungry/a.wav"], dataset.Clips.Select(c => c.ClipId));
    }

    [Fact]
    public void FromManifest_SameStemDifferentExtensions_FourClipIds()
    {
        using TempCorpus corpus = new TempCorpus().WithFiles("audio", "a.wav", "a.wave", "a.m4a", "a");
        string manifest = corpus.WriteFile(
            "m.jsonl",
            string.Join('\n', new[] { "a.wav", "a.wave", "a.m4a", "a" }.Select(n => $$"""{"path": "audio/{{n}}", "label": "hungry"}""")));

        var dataset = ClipDataset.FromManifest(manifest);

        Assert.Equal(["hungry/a.wav", "hungry/a.wave", "hungry/a.m4a", "hungry/a"], dataset.Clips.Select(c => c.ClipId));
    }

    [Theory]
    [InlineData("hungry", "/data/hungry/a.wav", "hungry/a.wav")]
    [InlineData("hungry", "a.m4a", "hungry/a.m4a")]
    [InlineData("hungry", "a", "hungry/a")]
    [InlineData("tired", "sub/x.wav.reason.json", "tired/x.wav.reason.json")]
    public void MakeClipId_LabelAndPath_LabelSlashFullFileName(string label, string path, string expected)
    {
        Assert.Equal(expected, ClipInfo.MakeClipId(label, path));
    }

    [Theory]
    [InlineData("{\"path\": \"missing.wav\", \"label\": \"a\"}", "line 2: file not found")]
    [InlineData("{\"path\": \"a.wav\"", "line 2: not valid JSON")]
    [InlineData("{\"path\": \"a.wav\"}", "line 2: \"label\" must be a non-empty string")]
    [InlineData("[1, 2]", "line 2: expected a JSON object")]
    [InlineData("{\"path\": \"a.wav\", \"label\": \"a\", \"group\": 3}", "line 2: \"group\" must be a non-empty string")]
    [InlineData("{\"path\": \"a.wav\", \"label\": \"x\"}", "'x/a.wav' occurs more than once")]
    public void FromManifest_BadSecondLine_ThrowsWithLineNumber(string secondLine, string expected)
    {
        using TempCorpus corpus = new TempCorpus().WithFiles(".", "a.wav");
        string manifest = corpus.WriteFile("m.jsonl", "{\"path\": \"a.wav\", \"label\": \"x\"}\n" + secondLine + "\n");

        var ex = Assert.Throws<DatasetException>(() => ClipDataset.FromManifest(manifest));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromManifest_Empty_ThrowsNoClips()
    {
        using var corpus = new TempCorpus();
        string manifest = corpus.WriteFile("m.jsonl", "\n  \n");

        var ex = Assert.Throws<DatasetException>(() => ClipDataset.FromManifest(manifest));

        Assert.Contains("lists no clips", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromClips_None_Throws()
    {
        Assert.Throws<DatasetException>(() => ClipDataset.FromClips([]));
    }
}

using Cry.Audio;
using Cry.Audio.Augmentation;
using Cry.Features.Specs;
using Cry.TestSupport;
using Cry.Training.Data;
using Cry.Audio.Wav;

namespace Cry.Training.Tests;

public sealed class FeaturizedDatasetTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "cry-featurized-" + Guid.NewGuid().ToString("N"));

    public FeaturizedDatasetTests()
    {
        ulong seed = 1;
        foreach (string label in new[] { "hungry", "tired" })
        {
            Directory.CreateDirectory(Path.Combine(_root, "clips", label));
            for (int i = 0; i < 3; i++)
            {
                var clip = SyntheticCry.Generate(8000, 2.0, seed++);
                File.WriteAllBytes(Path.Combine(_root, "clips", label, $"{RecordingNames.Uuid(seed)}-{i}.wav"), WavEncoder.Encode(clip.Samples, 8000));
            }
        }

        File.WriteAllText(Path.Combine(_root, "clips", "tired", "broken.wav"), "not audio");
    }

    private static FeatureSpec Spec => FeatureSpecPresets.TsiRgb64 with
    {
        DurationSeconds = 2.0,
        Image = FeatureSpecPresets.TsiRgb64.Image! with { Size = 16 },
    };

    [Fact]
    public void Compute_MakesVariantsPerPolicyAndSkipsBadClips()
    {
        var dataset = ClipDataset.FromFolder(Path.Combine(_root, "clips"));
        var features = FeaturizedDataset.Compute(dataset, Spec, AugmentationPolicy.Research, threads: 2);

        Assert.Equal(6, features.Dataset.Count);
        var skipped = Assert.Single(features.Skipped);
        Assert.EndsWith("broken.wav", skipped.Path, StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(skipped.Reason));
        Assert.Equal([3, 16, 16], features.Shape);
        for (int i = 0; i < features.Dataset.Count; i++)
        {
            int expectedVariants = features.Dataset.Clips[i].Label == "hungry" ? 1 : 4;
            Assert.Equal(expectedVariants, features.Variants[i].Length);
            Assert.All(features.Variants[i], t => Assert.Equal(3 * 16 * 16, t.Length));
        }

        // Augmented variants differ from the original.
        int tired = Enumerable.Range(0, features.Dataset.Count).First(i => features.Dataset.Clips[i].Label == "tired");
        Assert.NotEqual(features.Variants[tired][0], features.Variants[tired][1]);
    }

    [Fact]
    public void Compute_WithCache_ReusesIdenticalTensorsAndKeysByPolicy()
    {
        var dataset = ClipDataset.FromFolder(Path.Combine(_root, "clips"));
        string cache = Path.Combine(_root, "cache");
        var first = FeaturizedDataset.Compute(dataset, Spec, AugmentationPolicy.Research, cache, threads: 2);
        int files = Directory.GetFiles(cache, "*.npy", SearchOption.AllDirectories).Length;
        Assert.Equal(3 + (3 * 4), files);
        Assert.All(Directory.GetDirectories(cache), d => Assert.Equal(Spec.Id, Path.GetFileName(d)));

        var second = FeaturizedDataset.Compute(dataset, Spec, AugmentationPolicy.Research, cache, threads: 2);
        for (int i = 0; i < first.Variants.Count; i++)
        {
            for (int v = 0; v < first.Variants[i].Length; v++)
            {
                Assert.Equal(first.Variants[i][v], second.Variants[i][v]);
            }
        }

        Assert.Equal(files, Directory.GetFiles(cache, "*.npy", SearchOption.AllDirectories).Length);

        var other = new AugmentationPolicy([new Gain(3, 3)], new Dictionary<string, IReadOnlyList<IAugmentation>> { ["hungry"] = [] });
        FeaturizedDataset.Compute(dataset, Spec, other, cache, threads: 2);
        Assert.Equal(files + 3, Directory.GetFiles(cache, "*.npy", SearchOption.AllDirectories).Length);
    }

    [Fact]
    public void Compute_IsDeterministic()
    {
        var dataset = ClipDataset.FromFolder(Path.Combine(_root, "clips"));
        var a = FeaturizedDataset.Compute(dataset, Spec, AugmentationPolicy.Research, threads: 2);
        var b = FeaturizedDataset.Compute(dataset, Spec, AugmentationPolicy.Research, threads: 1);
        for (int i = 0; i < a.Variants.Count; i++)
        {
            Assert.Equal(a.Variants[i].Length, b.Variants[i].Length);
            for (int v = 0; v < a.Variants[i].Length; v++)
            {
                Assert.Equal(a.Variants[i][v], b.Variants[i][v]);
            }
        }
    }

    [Fact]
    public void Compute_NoUsableClip_Throws()
    {
        string folder = Path.Combine(_root, "bad");
        Directory.CreateDirectory(Path.Combine(folder, "hungry"));
        File.WriteAllText(Path.Combine(folder, "hungry", "x.wav"), "nope");
        var ex = Assert.Throws<DatasetException>(() => FeaturizedDataset.Compute(ClipDataset.FromFolder(folder), Spec, AugmentationPolicy.None));
        Assert.Contains("None of the 1 clips", ex.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // Leftover temp files are harmless.
        }
    }
}

using Cry.Audio;
using Cry.Features.Specs;
using Cry.Audio.Wav;

namespace Cry.Features.Tests;

/// <summary>The real Donate-a-cry corpus through the whole feature path, when ../shared/corpus is present.</summary>
public sealed class CorpusTests
{
    private const string SkipReason = "../shared/corpus/donateacry not found: corpus test skipped";

    [Fact]
    public void EveryCorpusClip_DecodesAndGivesAFiniteTsiRgb64Image()
    {
        string? corpus = Locate();
        if (corpus is null)
        {
            Assert.Skip(SkipReason);
        }

        var files = Directory.GetFiles(corpus!, "*.wav", SearchOption.AllDirectories);
        Assert.True(files.Length >= 400, $"expected the 457-clip corpus, found {files.Length} files");
        var extractor = new FeatureExtractor(FeatureSpecPresets.TsiRgb64);
        var labels = new HashSet<string>();
        Parallel.ForEach(files, file =>
        {
            var signal = WavDecoder.Default.Decode(File.ReadAllBytes(file));
            Assert.Equal(8000, signal.SampleRate);
            var image = extractor.ComputeImage(extractor.PrepareAudio(signal));
            Assert.True(Array.TrueForAll(image, float.IsFinite), $"{file}: non-finite image value");
            Assert.True(image.Distinct().Count() > 50, $"{file}: the image is degenerate");
            lock (labels)
            {
                labels.Add(Path.GetFileName(Path.GetDirectoryName(file)!));
            }
        });
        Assert.Equal(["belly_pain", "burping", "discomfort", "hungry", "tired"], labels.Order(StringComparer.Ordinal));
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

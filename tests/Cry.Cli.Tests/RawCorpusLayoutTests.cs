using Cry.Cli.Corpus;

namespace Cry.Cli.Tests;

/// <summary>The rule that sorts the raw recordings into cry/, not_cry/ and other_reason/, also against ../shared/corpus when present.</summary>
public sealed class RawCorpusLayoutTests
{
    private const string SkipReason = "../shared/corpus/donateacry and donateacry-raw not found: raw corpus layout test skipped";

    private static readonly HashSet<string> s_kept = new(StringComparer.Ordinal) { "aaaa-1-hu", "bbbb-2-dk" };

    [Theory]
    [InlineData("aaaa-1-hu.3gp")]
    [InlineData("bbbb-2-dk.caf")]
    public void Classify_StemWithACleanedTwin_IsCry(string name) =>
        Assert.Equal(RawCategory.Cry, RawCorpusLayout.Classify(name, s_kept));

    [Theory]
    [InlineData("cccc-1-hu.3gp")]
    [InlineData("cccc-1-bu.caf")]
    [InlineData("cccc-1-bp.3gp")]
    [InlineData("cccc-1-dc.caf")]
    [InlineData("cccc-1-ti.3gp")]
    [InlineData("cccc-1-ch.caf")]
    public void Classify_RemovedWithAClassTag_IsNotCry(string name) =>
        Assert.Equal(RawCategory.NotCry, RawCorpusLayout.Classify(name, s_kept));

    [Theory]
    [InlineData("cccc-1-lo.3gp")]
    [InlineData("cccc-1-sc.caf")]
    [InlineData("cccc-1-dk.3gp")]
    public void Classify_RemovedWithAnotherReasonTag_IsOtherReason(string name) =>
        Assert.Equal(RawCategory.OtherReason, RawCorpusLayout.Classify(name, s_kept));

    [Fact]
    public void Classify_DoubleExtension_ReadsTheTagBeforeTheFirstDot() =>
        Assert.Equal(RawCategory.NotCry, RawCorpusLayout.Classify("CF7F6316-1426958010-1.0-96274EC9-f-26-ti.caf.caf", s_kept));

    [Theory]
    [InlineData("AAAA-1-hu.3gp")]
    [InlineData("aaaa-2-hu.3gp")]
    [InlineData("aaaa-1-hu.3gp.3gp")]
    public void Classify_StemDiffersFromTheTwin_IsNotACry(string name) =>
        Assert.NotEqual(RawCategory.Cry, Classify(name));

    [Fact]
    public void Classify_UnknownReasonTag_Throws()
    {
        var ex = Assert.Throws<FormatException>(() => RawCorpusLayout.Classify("cccc-1-xx.3gp", s_kept));
        Assert.Contains("'xx'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EmbeddedManifests_LayOutEveryRawRecording()
    {
        var layout = new RawCorpusLayout(CorpusManifest.DonateACryRaw, CorpusManifest.DonateACry);

        Assert.Equal(1128, layout.Target.Hashes.Count);
        Assert.Equal(457, layout.CountOf(RawCategory.Cry));
        Assert.Equal(439, layout.CountOf(RawCategory.NotCry));
        Assert.Equal(232, layout.CountOf(RawCategory.OtherReason));
        Assert.True(layout.TryGetTarget(CorpusManifest.DonateACryRaw.Hashes.Keys.First(), out string target));
        Assert.Matches("^(cry|not_cry|other_reason)/[^/]+\\.(3gp|caf)$", target);
    }

    [Fact]
    public void SharedRawCorpus_EveryFileIsInTheFolderTheRuleGives()
    {
        var corpus = Locate();
        if (corpus is null)
        {
            Assert.Skip(SkipReason);
        }

        var (cleaned, raw) = corpus.Value;

        var kept = RawCorpusLayout.KeptStems(Directory.GetFiles(cleaned, "*.wav", SearchOption.AllDirectories));
        Assert.Equal(457, kept.Count);
        var files = RawFiles(raw);
        Assert.True(files.Count >= 600, $"expected the 678 recordings of ../shared/corpus/donateacry-raw, found {files.Count}");
        var wrong = files
            .Where(f => RawCorpusLayout.FolderName(RawCorpusLayout.Classify(f.Name, kept)) != f.Folder)
            .Select(f => $"{f.Folder}/{f.Name}")
            .ToList();
        Assert.True(wrong.Count == 0, $"{wrong.Count} recordings are not where the rule puts them: {string.Join(", ", wrong.Take(5))}");
    }

    [Fact]
    public void SharedRawCorpus_EveryFileHasTheEmbeddedManifestsPathAndHash()
    {
        var corpus = Locate();
        if (corpus is null)
        {
            Assert.Skip(SkipReason);
        }

        string raw = corpus.Value.Raw;

        var layout = new RawCorpusLayout(CorpusManifest.DonateACryRaw, CorpusManifest.DonateACry);
        var wrong = RawFiles(raw)
            .Where(f => !layout.Target.Hashes.TryGetValue($"{f.Folder}/{f.Name}", out string? hash)
                || hash != CorpusManifest.HashFile(Path.Combine(raw, f.Folder, f.Name)))
            .Select(f => $"{f.Folder}/{f.Name}")
            .ToList();
        Assert.True(wrong.Count == 0, $"{wrong.Count} recordings differ from what cry download extracts: {string.Join(", ", wrong.Take(5))}");
    }

    private static RawCategory Classify(string name) => RawCorpusLayout.Classify(name, s_kept);

    private static List<(string Folder, string Name)> RawFiles(string raw) =>
        Enum.GetValues<RawCategory>()
            .Select(RawCorpusLayout.FolderName)
            .SelectMany(folder => Directory.GetFiles(Path.Combine(raw, folder)).Select(f => (folder, Path.GetFileName(f))))
            .ToList();

    /// <summary>../shared/corpus/donateacry and ../shared/corpus/donateacry-raw above the test binaries, or null.</summary>
    private static (string Cleaned, string Raw)? Locate()
    {
        for (DirectoryInfo? folder = new(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            string corpus = Path.Combine(folder.FullName, "shared", "corpus");
            string cleaned = Path.Combine(corpus, "donateacry");
            string raw = Path.Combine(corpus, "donateacry-raw");
            if (Directory.Exists(cleaned) && Directory.Exists(raw))
            {
                return (cleaned, raw);
            }
        }

        return null;
    }
}

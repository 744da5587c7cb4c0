namespace Cry.Cli.Corpus;

/// <summary>The folder of the raw layout that a recording belongs in.</summary>
public enum RawCategory
{
    /// <summary><c>cry/</c>: kept by the cleaned edition (it has a WAV twin there).</summary>
    Cry,

    /// <summary><c>not_cry/</c>: removed by the cleaned edition although its reason tag is one of the five classes (or <c>ch</c>).</summary>
    NotCry,

    /// <summary><c>other_reason/</c>: removed, with a reason tag outside the five classes (<c>lo</c>, <c>sc</c>, <c>dk</c>).</summary>
    OtherReason,
}

/// <summary>Where each raw phone recording of the corpus goes: <c>cry/</c>, <c>not_cry/</c> or <c>other_reason/</c>.</summary>
/// <remarks>
/// A recording whose file stem has a WAV twin in the cleaned edition (<c>label/STEM.wav</c>) is a kept cry; of the
/// others, those whose reason tag (the last '-' field of the stem) is <c>lo</c>, <c>sc</c> or <c>dk</c> go to
/// <c>other_reason/</c> and those tagged <c>hu</c>, <c>bu</c>, <c>bp</c>, <c>dc</c>, <c>ti</c> or <c>ch</c> to
/// <c>not_cry/</c>. This is the layout of <c>shared/corpus/donateacry-raw</c>. Two iOS uploads are named
/// <c>…-ti.caf.caf</c>: the tag ends at the first '.' after the last '-', the stem at the last '.'.
/// </remarks>
public sealed class RawCorpusLayout
{
    private readonly Dictionary<string, string> _targets;

    /// <summary>Lays out the recordings of <paramref name="raw"/> by the clips of <paramref name="cleaned"/>.</summary>
    /// <exception cref="FormatException">A recording's name has no known reason tag, or two land on the same path.</exception>
    public RawCorpusLayout(CorpusManifest raw, CorpusManifest cleaned)
    {
        ArgumentNullException.ThrowIfNull(raw);
        ArgumentNullException.ThrowIfNull(cleaned);
        var kept = KeptStems(cleaned.Hashes.Keys);
        _targets = new Dictionary<string, string>(StringComparer.Ordinal);
        var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (source, hash) in raw.Hashes)
        {
            string name = source[(source.LastIndexOf('/') + 1)..];
            string target = $"{FolderName(Classify(name, kept))}/{name}";
            if (!hashes.TryAdd(target, hash))
            {
                throw new FormatException($"Two raw recordings of the manifest would both be {target}.");
            }

            _targets[source] = target;
        }

        Target = CorpusManifest.FromHashes(hashes);
    }

    /// <summary>The raw upload folders of the repository.</summary>
    public static IReadOnlyList<string> Buckets { get; } = ["donateacry-android-upload-bucket", "donateacry-ios-upload-bucket"];

    /// <summary>The expected files of the layout: <c>category/NAME.ext</c> → hash.</summary>
    public CorpusManifest Target { get; }

    /// <summary>How many recordings of the layout are in <paramref name="category"/>.</summary>
    public int CountOf(RawCategory category)
    {
        string prefix = FolderName(category) + "/";
        return Target.Hashes.Keys.Count(k => k.StartsWith(prefix, StringComparison.Ordinal));
    }

    /// <summary>The layout path of a recording, given its path in the repository (<c>bucket/NAME.ext</c>).</summary>
    public bool TryGetTarget(string source, out string target) =>
        _targets.TryGetValue(source, out target!);

    /// <summary>The file stems of cleaned clips (<c>label/STEM.wav</c>).</summary>
    public static HashSet<string> KeptStems(IEnumerable<string> cleanedPaths)
    {
        ArgumentNullException.ThrowIfNull(cleanedPaths);
        return cleanedPaths.Select(Path.GetFileNameWithoutExtension).OfType<string>().ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The category of one recording by its file name and the stems the cleaned edition kept.</summary>
    /// <exception cref="FormatException">The name's reason tag is not one of hu, bu, bp, dc, ti, ch, lo, sc, dk.</exception>
    public static RawCategory Classify(string fileName, IReadOnlySet<string> keptStems)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        ArgumentNullException.ThrowIfNull(keptStems);
        string stem = Path.GetFileNameWithoutExtension(fileName);
        string tag = fileName[(fileName.LastIndexOf('-') + 1)..];
        int dot = tag.IndexOf('.', StringComparison.Ordinal);
        RawCategory removed = (dot < 0 ? tag : tag[..dot]) switch
        {
            "hu" or "bu" or "bp" or "dc" or "ti" or "ch" => RawCategory.NotCry,
            "lo" or "sc" or "dk" => RawCategory.OtherReason,
            var other => throw new FormatException($"{fileName}: '{other}' is not a reason tag of the corpus (hu, bu, bp, dc, ti, ch, lo, sc, dk)."),
        };
        return keptStems.Contains(stem) ? RawCategory.Cry : removed;
    }

    /// <summary>The folder name of a category: <c>cry</c>, <c>not_cry</c> or <c>other_reason</c>.</summary>
    public static string FolderName(RawCategory category) => category switch
    {
        RawCategory.Cry => "cry",
        RawCategory.NotCry => "not_cry",
        RawCategory.OtherReason => "other_reason",
        _ => throw new ArgumentOutOfRangeException(nameof(category), category, "Not a raw category."),
    };
}

namespace Cry.Cli.Corpus;

/// <summary>The expected files of a corpus: relative path (e.g. label/file.wav) → SHA-256 (lower-case hex).</summary>
/// <remarks>The file format is sha256sum's: one "HASH  PATH" line per file, '/' as separator.</remarks>
public sealed class CorpusManifest
{
    private CorpusManifest(IReadOnlyDictionary<string, string> hashes) => Hashes = hashes;

    /// <summary>The Donate-a-cry cleaned clips (457), computed from a verified copy of the corpus.</summary>
    public static CorpusManifest DonateACry { get; } = LoadEmbedded("donateacry.sha256");

    /// <summary>The Donate-a-cry raw phone recordings (1,128), by their path in the repository
    /// (<c>donateacry-android-upload-bucket/NAME.3gp</c>, <c>donateacry-ios-upload-bucket/NAME.caf</c>).</summary>
    public static CorpusManifest DonateACryRaw { get; } = LoadEmbedded("donateacry-raw.sha256");

    /// <summary>Relative path → hash.</summary>
    public IReadOnlyDictionary<string, string> Hashes { get; }

    /// <summary>Reads a manifest in sha256sum format.</summary>
    /// <exception cref="FormatException">A line is not "HASH  PATH".</exception>
    public static CorpusManifest Parse(TextReader reader)
    {
        var hashes = new SortedDictionary<string, string>(StringComparer.Ordinal);
        int number = 0;
        while (reader.ReadLine() is { } line)
        {
            number++;
            if (line.Length == 0)
            {
                continue;
            }

            int split = line.IndexOf("  ", StringComparison.Ordinal);
            if (split != 64 || line.Length <= 66 || !line[..64].All(Uri.IsHexDigit))
            {
                throw new FormatException($"Manifest line {number} is not 'SHA256  folder/file'.");
            }

            hashes[line[66..]] = line[..64].ToLowerInvariant();
        }

        return new CorpusManifest(hashes);
    }

    /// <summary>A manifest of the given paths and hashes, for layouts derived from another manifest.</summary>
    internal static CorpusManifest FromHashes(IReadOnlyDictionary<string, string> hashes) =>
        new(new SortedDictionary<string, string>(hashes.ToDictionary(), StringComparer.Ordinal));

    /// <summary>Paths of the manifest that are missing or differ under <paramref name="folder"/>.</summary>
    public IReadOnlyList<string> FindProblems(string folder)
    {
        var problems = new List<string>();
        foreach (var (path, hash) in Hashes)
        {
            string full = Path.Combine(folder, path);
            if (!File.Exists(full))
            {
                problems.Add($"{path}: missing");
            }
            else if (!string.Equals(HashFile(full), hash, StringComparison.Ordinal))
            {
                problems.Add($"{path}: SHA-256 differs from the manifest");
            }
        }

        return problems;
    }

    /// <summary>The lower-case hex SHA-256 of a file.</summary>
    public static string HashFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream));
    }

    private static CorpusManifest LoadEmbedded(string name)
    {
        using var stream = typeof(CorpusManifest).Assembly.GetManifestResourceStream($"Cry.Cli.Corpus.{name}")
            ?? throw new InvalidOperationException($"The embedded manifest {name} is missing from the build.");
        using var reader = new StreamReader(stream);
        return Parse(reader);
    }
}

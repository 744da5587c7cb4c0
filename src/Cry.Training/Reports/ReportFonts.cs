using System.Collections.Concurrent;
using ScottPlot;
using SkiaSharp;

namespace Cry.Training.Reports;

/// <summary>Finds a font file for plot text and makes it known to ScottPlot under a name of its own.</summary>
/// <remarks>
/// SkiaSharp.NativeAssets.Linux.NoDependencies is built without fontconfig: its font manager knows no families, so
/// ScottPlot's system fonts resolve to an empty typeface and every label silently comes out blank. A typeface loaded
/// from a file works with any Skia build.
/// </remarks>
internal static class ReportFonts
{
    private const string NamePrefix = "cry-report:";

    // Preferred regular faces with their bold siblings, by file name, searched for in the font folders.
    private static readonly (string Regular, string Bold)[] s_preferred =
    [
        ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
        ("LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf"),
        ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf"),
        ("OpenSans-Regular.ttf", "OpenSans-Bold.ttf"),
        ("arial.ttf", "arialbd.ttf"),
        ("Arial.ttf", "Arial Bold.ttf"),
    ];

    private static readonly FileResolver s_resolver = new();
    private static readonly Lock s_registration = new();
    private static string? s_foundFile;

    /// <summary>The ScottPlot font name for <paramref name="fontFile"/>, or for a font found on this machine when null.</summary>
    /// <exception cref="InvalidOperationException">No font file was given and none was found.</exception>
    public static string Resolve(string? fontFile)
    {
        string path = Path.GetFullPath(fontFile ?? FindFontFile());
        string name = NamePrefix + path;
        s_resolver.Add(name, path);
        lock (s_registration)
        {
            // Checked every time: ScottPlot's Fonts.Reset() drops added resolvers.
            if (!Fonts.FontResolvers.Contains(s_resolver))
            {
                Fonts.FontResolvers.Insert(0, s_resolver);
            }
        }

        return name;
    }

    /// <summary>A sans-serif font file from the usual font folders, the first of a preference list, else any TrueType file.</summary>
    /// <exception cref="InvalidOperationException">There is none.</exception>
    public static string FindFontFile() => s_foundFile ??= Search() ?? throw new InvalidOperationException(
        "No font file for plot text was found in the usual font folders. Install one (Debian or Ubuntu: "
        + "apt-get install fonts-dejavu-core) or set ReportWriterOptions.FontFile.");

    private static string? Search()
    {
        string[] files = FontFolders()
            .Where(Directory.Exists)
            .SelectMany(folder => SafeEnumerate(folder))
            .ToArray();
        foreach ((string regular, _) in s_preferred)
        {
            string? match = files.FirstOrDefault(f => Path.GetFileName(f).Equals(regular, StringComparison.Ordinal));
            if (match is not null)
            {
                return match;
            }
        }

        return files.Where(f => f.EndsWith(".ttf", StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal).FirstOrDefault();
    }

    private static IEnumerable<string> FontFolders()
    {
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        yield return "/usr/share/fonts";
        yield return "/usr/local/share/fonts";
        yield return Path.Combine(home, ".local", "share", "fonts");
        yield return Path.Combine(home, ".fonts");
        yield return Environment.GetFolderPath(Environment.SpecialFolder.Fonts);
        yield return "/System/Library/Fonts";
        yield return "/Library/Fonts";
    }

    private static IEnumerable<string> SafeEnumerate(string folder)
    {
        if (string.IsNullOrEmpty(folder))
        {
            return [];
        }

        try
        {
            return Directory.EnumerateFiles(folder, "*.tt?", SearchOption.AllDirectories).ToArray();
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            return [];
        }
    }

    private static string? BoldSibling(string regularPath)
    {
        string file = Path.GetFileName(regularPath);
        foreach ((string regular, string bold) in s_preferred)
        {
            string candidate = Path.Combine(Path.GetDirectoryName(regularPath) ?? string.Empty, bold);
            if (file.Equals(regular, StringComparison.Ordinal) && File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Serves the registered files under their names: the bold sibling for bold text when there is one.</summary>
    private sealed class FileResolver : IFontResolver
    {
        private readonly ConcurrentDictionary<string, (SKTypeface Regular, SKTypeface Bold)> _faces = new(StringComparer.Ordinal);

        public void Add(string name, string path) => _faces.GetOrAdd(name, _ =>
        {
            SKTypeface regular = SKTypeface.FromFile(path)
                ?? throw new InvalidOperationException($"'{path}' is not a font file that Skia can read.");
            string? boldPath = BoldSibling(path);
            SKTypeface bold = (boldPath is null ? null : SKTypeface.FromFile(boldPath)) ?? regular;
            return (regular, bold);
        });

        public SKTypeface? CreateTypeface(string fontName, bool bold, bool italic) =>
            _faces.TryGetValue(fontName, out var faces) ? (bold ? faces.Bold : faces.Regular) : null;

        public SKTypeface? CreateTypeface(string fontName, FontWeight weight, FontSlant slant, FontSpacing width) =>
            CreateTypeface(fontName, weight >= FontWeight.SemiBold, slant != FontSlant.Upright);
    }
}

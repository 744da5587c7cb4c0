namespace Cry.Pipeline;

/// <summary>The one rule for the names of clips and labels: what the pipeline accepts, stores and erases.</summary>
/// <remarks>
/// <para>A valid name is 1–200 characters of ASCII letters, digits, '-', '_' and '.'; it does not start with '.', nor
/// end with '.' or <c>.tmp</c>, and is not a Windows device name (<c>CON</c>, <c>NUL</c>, <c>COM1</c>, … with or without
/// an extension). Why each part: the set needs no escaping in a URL, a blob name, a file name or a shell, and has no
/// look-alike spellings (no Unicode normalisation, no spaces); blob storage trims a trailing '.' (so <c>a.</c> would
/// be stored as <c>a</c>, another clip); a leading '.' makes a hidden file in the local store; the local store
/// writes its unfinished objects as <c>*.tmp</c> and does not list them; Windows cannot create a file named after a
/// device. The upload endpoint names clips <c>{guid}.wav</c>, which always passes.</para>
/// <para>The full name, extension included, is the clip's id (see <see cref="Cry.Training.Data.ClipInfo.MakeClipId"/>),
/// so <c>a.wav</c>, <c>a.wave</c>, <c>a.m4a</c> and <c>a</c> are four different clips.</para>
/// <para>Not enforced: case. Blob storage and Linux tell <c>A.wav</c> from <c>a.wav</c>; a local store on a
/// case-insensitive file system (Windows, macOS) does not.</para>
/// </remarks>
public static class ClipNames
{
    /// <summary>The longest name accepted.</summary>
    /// <remarks>
    /// The local store keeps a note as <c>{name}.json</c> and writes through <c>{file}.{guid}.tmp</c>: 200 keeps both
    /// within the 255-byte file names of common file systems.
    /// </remarks>
    public const int MaxLength = 200;

    private static readonly string[] s_deviceNames =
    [
        "CON", "PRN", "AUX", "NUL",
        "COM0", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
        "LPT0", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
    ];

    /// <summary>Checks a clip or label name against the rule (see remarks).</summary>
    /// <returns>Null when the name is valid; otherwise why not, as a clause such as <c>it starts with '.'</c>.</returns>
    /// <remarks>The reason never repeats the name (file names carry metadata and reasons are logged).</remarks>
    public static string? Validate(string? name) => Unaddressable(name) ?? Unsafe(name!);

    /// <summary>
    /// Whether the stores can hold an object under this name as one path segment without it meaning another name
    /// (at most <see cref="MaxLength"/> characters, no separators or control characters, not '.' or '..', no trailing
    /// '.' or space): true for every valid name, and for those refused only for their characters, which can still be
    /// quarantined under their own name.
    /// </summary>
    internal static bool IsAddressable(string? name) => Unaddressable(name) is null;

    private static string? Unaddressable(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "it is empty";
        }

        if (name.Length > MaxLength)
        {
            return $"it has {name.Length} characters, more than {MaxLength}";
        }

        if (name is "." or "..")
        {
            return "'.' and '..' name folders, not clips";
        }

        if (name.Contains('/', StringComparison.Ordinal) || name.Contains('\\', StringComparison.Ordinal))
        {
            return "it contains a path separator ('/' or '\\')";
        }

        if (name.Any(char.IsControl))
        {
            return "it contains a control character";
        }

        if (name[^1] == '.' || char.IsWhiteSpace(name[^1]))
        {
            return "it ends with '.' or a space, which blob storage trims";
        }

        return null;
    }

    private static string? Unsafe(string name)
    {
        if (name[0] == '.')
        {
            return "it starts with '.'";
        }

        foreach (char c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '.'))
            {
                return $"it contains U+{(int)c:X4}; names are ASCII letters, digits, '-', '_' and '.'";
            }
        }

        if (name.EndsWith(".tmp", StringComparison.OrdinalIgnoreCase))
        {
            return "it ends with '.tmp', the local store's unfinished writes";
        }

        int dot = name.IndexOf('.', StringComparison.Ordinal);
        string stem = dot < 0 ? name : name[..dot];
        if (s_deviceNames.Contains(stem, StringComparer.OrdinalIgnoreCase))
        {
            return "it is a Windows device name";
        }

        return null;
    }
}

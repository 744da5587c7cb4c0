using System.Text.RegularExpressions;

namespace Cry.Training.Data;

/// <summary>Derives a clip's group key from its file name with a regular expression that has a named group <c>group</c>.</summary>
/// <remarks>
/// The default pattern takes the app-instance UUID at the start of Donate-a-cry file names, so every recording
/// from one installation lands in one group. A file name that does not match forms a group of its own (the file
/// name with its extension). With <c>ignoreCase</c> (the default) the pattern matches case-insensitively and the
/// key is lower-cased, because a UUID written in upper and in lower case names the same installation.
/// </remarks>
public sealed class GroupKeyPattern
{
    /// <summary>The pattern of the default: a UUID at the start of the file name.</summary>
    public const string UuidPrefixPattern =
        "^(?<group>[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})";

    private const string GroupName = "group";

    private readonly Regex _regex;
    private readonly bool _ignoreCase;

    /// <summary>Creates a pattern; <paramref name="pattern"/> must contain a named group <c>group</c>.</summary>
    /// <exception cref="ArgumentException">The pattern is empty, invalid or has no group named <c>group</c>.</exception>
    public GroupKeyPattern(string pattern, bool ignoreCase = true)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pattern);
        var options = RegexOptions.CultureInvariant | (ignoreCase ? RegexOptions.IgnoreCase : RegexOptions.None);
        try
        {
            _regex = new Regex(pattern, options, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"The group key pattern is not a valid regular expression: {ex.Message}", nameof(pattern), ex);
        }

        if (Array.IndexOf(_regex.GetGroupNames(), GroupName) < 0)
        {
            throw new ArgumentException($"The group key pattern '{pattern}' has no named group '(?<{GroupName}>...)'.", nameof(pattern));
        }

        _ignoreCase = ignoreCase;
        Pattern = pattern;
    }

    /// <summary>The default: the leading app-instance UUID, case-insensitive.</summary>
    public static GroupKeyPattern Default { get; } = new(UuidPrefixPattern);

    /// <summary>The regular expression.</summary>
    public string Pattern { get; }

    /// <summary>The group key of a file; only the file name part of <paramref name="path"/> is matched.</summary>
    public string GetGroup(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string fileName = Path.GetFileName(path);
        Match match = _regex.Match(fileName);
        Group group = match.Groups[GroupName];
        if (!match.Success || !group.Success || group.Length == 0)
        {
            return fileName;
        }

        return _ignoreCase ? group.Value.ToLowerInvariant() : group.Value;
    }

    /// <summary>Whether the file name matches the pattern (otherwise it forms its own group).</summary>
    public bool Matches(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        Match match = _regex.Match(Path.GetFileName(path));
        return match.Success && match.Groups[GroupName].Success && match.Groups[GroupName].Length > 0;
    }
}

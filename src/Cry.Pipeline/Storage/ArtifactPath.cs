namespace Cry.Pipeline.Storage;

/// <summary>Checks container names and object paths, so neither store can be led outside its root.</summary>
internal static class ArtifactPath
{
    public static void Check(string container, string path)
    {
        CheckContainer(container);
        ArgumentNullException.ThrowIfNull(path);
        if (path.Length == 0 || path.Length > 1024 || path.StartsWith('/') || path.EndsWith('/') || path.Contains('\\', StringComparison.Ordinal)
            || path.Split('/').Any(segment => segment.Length == 0 || segment is "." or ".." || segment.Any(char.IsControl)))
        {
            throw new ArgumentException($"'{path}' is not a valid artifact path ('/'-separated names, no empty, '.' or '..' parts).", nameof(path));
        }
    }

    public static void CheckContainer(string container)
    {
        ArgumentNullException.ThrowIfNull(container);
        if (container.Length is < 3 or > 63 || !container.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
        {
            throw new ArgumentException($"'{container}' is not a valid container name (3–63 lower-case letters, digits, '-').", nameof(container));
        }
    }
}

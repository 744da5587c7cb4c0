namespace Cry.Pipeline.Storage;

/// <summary>Checks container names and object paths, so no store can be led outside its root: every <see cref="IArtifactStore"/> calls it first.</summary>
public static class ArtifactPath
{
    /// <summary>Checks a container name and an object path.</summary>
    /// <exception cref="ArgumentException">Either is not valid; the message says why.</exception>
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

    /// <summary>Checks a container name (3–63 lower-case letters, digits, '-').</summary>
    /// <exception cref="ArgumentException">It is not valid.</exception>
    public static void CheckContainer(string container)
    {
        ArgumentNullException.ThrowIfNull(container);
        if (container.Length is < 3 or > 63 || !container.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
        {
            throw new ArgumentException($"'{container}' is not a valid container name (3–63 lower-case letters, digits, '-').", nameof(container));
        }
    }
}

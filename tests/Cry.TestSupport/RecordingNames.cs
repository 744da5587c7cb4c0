using System.Globalization;

namespace Cry.TestSupport;

/// <summary>
/// UUID-shaped recording names (the app-instance group key of a Donate-a-cry file name) that are the same on every run,
/// so a test's folds, held-out share and trained models are the same on every run too and a failure reproduces.
/// </summary>
public static class RecordingNames
{
    /// <summary>The UUID made from <paramref name="seed"/>: different seeds, different groups.</summary>
    public static string Uuid(ulong seed) => string.Create(CultureInfo.InvariantCulture, $"{seed:x8}-0000-4000-8000-{seed:x12}");
}

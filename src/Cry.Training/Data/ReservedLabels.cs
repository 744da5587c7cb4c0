namespace Cry.Training.Data;

/// <summary>
/// The reserved sub-folder names of a data folder (and labels under the pipeline's <c>clips/</c>):
/// <see cref="NotCry"/> holds recordings that are not infant cries, <see cref="Cry"/> infant cries without a need
/// label. They are never need classes and never augmented; they are the cry detector's negatives and extra positives.
/// </summary>
public static class ReservedLabels
{
    /// <summary>Recordings that are not infant cries.</summary>
    public const string NotCry = "not_cry";

    /// <summary>Infant cries without one of the need labels.</summary>
    public const string Cry = "cry";

    /// <summary>Whether <paramref name="label"/> is one of the reserved names, spelled exactly.</summary>
    public static bool IsReserved(string label) => label is NotCry or Cry;

    /// <summary>Refuses a label that is another spelling of a reserved name (<c>not-cry</c>, <c>Not_Cry</c>, <c>CRY</c>).</summary>
    /// <param name="label">The folder or label name.</param>
    /// <exception cref="DatasetException">The label is a reserved name spelled differently; the message gives the spelling.</exception>
    public static void CheckSpelling(string label)
    {
        ArgumentNullException.ThrowIfNull(label);
        if (IsReserved(label))
        {
            return;
        }

        string folded = new string(label.Where(char.IsLetter).ToArray()).ToLowerInvariant();
        string? meant = folded switch
        {
            "notcry" or "noncry" or "nocry" or "notcries" or "notcrying" => NotCry,
            "cry" or "cries" or "crying" => Cry,
            _ => null,
        };
        if (meant is not null)
        {
            throw new DatasetException(
                $"The folder '{label}' looks like the reserved folder '{meant}/' spelled differently; rename it to '{meant}' " +
                $"('{NotCry}/' holds recordings that are not infant cries, '{Cry}/' infant cries without a need label).");
        }
    }
}

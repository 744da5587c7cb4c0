namespace Cry.Training.Data;

/// <summary>How <see cref="ClipDataset"/> reads a folder or manifest.</summary>
/// <remarks>
/// Defaults: group keys from <see cref="GroupKeyPattern.Default"/> (the leading UUID); a label folder without
/// clips is an error, because a class that silently disappears changes what the model is asked to learn.
/// </remarks>
public sealed record ClipDatasetOptions
{
    /// <summary>The default options.</summary>
    public static ClipDatasetOptions Default { get; } = new();

    /// <summary>Derives group keys from file names (manifest lines may give a group explicitly).</summary>
    public GroupKeyPattern GroupKey
    {
        get;
        init
        {
            ArgumentNullException.ThrowIfNull(value);
            field = value;
        }
    } = GroupKeyPattern.Default;

    /// <summary>
    /// When true, a label folder with no <c>.wav</c> clips is left out of <see cref="ClipDataset.Labels"/> and listed in
    /// <see cref="ClipDataset.SkippedLabels"/>; when false (the default) it is a <see cref="DatasetException"/>.
    /// </summary>
    public bool SkipEmptyLabelFolders { get; init; }
}

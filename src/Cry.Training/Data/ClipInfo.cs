namespace Cry.Training.Data;

/// <summary>One labelled clip: where it is, its class, the group it belongs to and a stable id.</summary>
/// <param name="Path">Full path of the audio file.</param>
/// <param name="Label">Class name (the label folder's name or the manifest's label).</param>
/// <param name="Group">Group key: clips sharing it must stay on the same side of every split.</param>
/// <param name="ClipId">Stable id, <c>label/file-name</c> (extension included), independent of where the corpus lies.</param>
public sealed record ClipInfo(string Path, string Label, string Group, string ClipId)
{
    /// <summary>
    /// Where the recording comes from, for reports per source: the data folder's name, and for recordings of a
    /// reserved or detector-only folder that folder and its first sub-folder (e.g. <c>negatives/not_cry/espeak</c>);
    /// null when unknown (a manifest, a pipeline clip).
    /// </summary>
    public string? Source { get; init; }

    /// <summary>The stable id for a clip file of a label: <c>label/file-name</c>, extension included.</summary>
    /// <remarks>
    /// The extension is part of the id so that <c>a.wav</c> and <c>a.m4a</c> of one label are two clips (two
    /// augmentation seeds, no duplicate-id error). The pipeline seeds its variants with the same id, so its tensors
    /// are the same bits as training's.
    /// </remarks>
    public static string MakeClipId(string label, string path) =>
        label + "/" + System.IO.Path.GetFileName(path);
}

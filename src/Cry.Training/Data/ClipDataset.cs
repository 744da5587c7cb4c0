using System.Collections.ObjectModel;
using System.Text.Json;
using Cry.Audio;
using Cry.Training.Evaluation;
using Cry.Audio.Decoding;

namespace Cry.Training.Data;

/// <summary>A labelled set of clips with group keys, read from a folder of <c>&lt;label&gt;/&lt;recording&gt;</c> (any supported audio extension) or from a manifest.</summary>
/// <remarks>
/// <para>Folder layout: every sub-folder of the root is a label (folders whose names start with '.' are ignored);
/// its clips are the files directly inside it whose extension is <c>.wav</c> in any case. Files in the root itself
/// are ignored. Labels are sorted ordinally, clips by label then ordinally by file name, so label indices and clip
/// order are the same on every machine.</para>
/// <para>Manifest: JSON lines, one object per non-blank line, e.g.
/// <c>{"path": "hungry/a.wav", "label": "hungry", "group": "mother-7"}</c>. <c>path</c> and <c>label</c> are required;
/// a relative path is relative to the manifest's folder; <c>group</c> is optional and, when absent, comes from
/// <see cref="ClipDatasetOptions.GroupKey"/>. Other properties are ignored. Every listed file must exist and clip ids
/// (<c>label/file-name</c>, extension included) must be unique. JSON lines rather than CSV so paths with commas or
/// quotes need no escaping rules of their own.</para>
/// </remarks>
public sealed class ClipDataset
{
    private readonly int[] _labelIndices;

    private ClipDataset(IReadOnlyList<ClipInfo> clips, IReadOnlyList<string> labels, IReadOnlyList<string> skippedLabels, IReadOnlyList<ClipInfo>? detectorClips = null)
    {
        Clips = clips;
        DetectorClips = detectorClips ?? ReadOnlyCollection<ClipInfo>.Empty;
        Labels = labels;
        SkippedLabels = skippedLabels;
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < labels.Count; i++)
        {
            index[labels[i]] = i;
        }

        _labelIndices = new int[clips.Count];
        var groups = new string[clips.Count];
        for (int i = 0; i < clips.Count; i++)
        {
            _labelIndices[i] = index[clips[i].Label];
            groups[i] = clips[i].Group;
        }

        Groups = Array.AsReadOnly(groups);
    }

    /// <summary>The clips, ordered by label then file name (folder) or as listed (manifest).</summary>
    public IReadOnlyList<ClipInfo> Clips { get; }

    /// <summary>The class names, sorted ordinally; a clip's label index is its position here.</summary>
    public IReadOnlyList<string> Labels { get; }

    /// <summary>Label folders that held no clips and were left out (only with <see cref="ClipDatasetOptions.SkipEmptyLabelFolders"/>).</summary>
    public IReadOnlyList<string> SkippedLabels { get; }

    /// <summary>
    /// The recordings of the reserved folders (<see cref="ReservedLabels.NotCry"/> and <see cref="ReservedLabels.Cry"/>),
    /// for the cry detector only: never in <see cref="Clips"/>, never a need class, never augmented. Their groups follow
    /// the same rule as the need clips' (the app-instance UUID of the file name), else the sub-folder path below the
    /// reserved folder, so one source recording cut into many files stays in one fold.
    /// </summary>
    public IReadOnlyList<ClipInfo> DetectorClips { get; }

    /// <summary>The group key of every clip, in clip order.</summary>
    public IReadOnlyList<string> Groups { get; }

    /// <summary>The number of clips.</summary>
    public int Count => Clips.Count;

    /// <summary>The label index of every clip, in clip order.</summary>
    public ReadOnlySpan<int> LabelIndices => _labelIndices;

    /// <summary>
    /// Reads a folder whose sub-folders are need labels holding recordings of any supported format; the reserved
    /// sub-folders <c>not_cry/</c> and <c>cry/</c> (read at any depth) go to <see cref="DetectorClips"/>.
    /// </summary>
    /// <exception cref="DatasetException">The folder is missing, has no need-label folders or clips, a label folder is empty, or a folder misspells a reserved name.</exception>
    public static ClipDataset FromFolder(string root, ClipDatasetOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        options ??= ClipDatasetOptions.Default;
        if (!Directory.Exists(root))
        {
            throw new DatasetException($"Dataset folder not found: '{Path.GetFullPath(root)}'.");
        }

        string[] labelFolders = Directory.GetDirectories(root)
            .Where(d => !Path.GetFileName(d).StartsWith('.'))
            .OrderBy(d => Path.GetFileName(d), StringComparer.Ordinal)
            .ToArray();
        if (labelFolders.Length == 0)
        {
            throw new DatasetException($"Dataset folder '{Path.GetFullPath(root)}' has no label sub-folders (expected <label>/<recording>, such as hungry/a.wav).");
        }

        var clips = new List<ClipInfo>();
        var labels = new List<string>();
        var skipped = new List<string>();
        var detector = new List<ClipInfo>();
        foreach (string folder in labelFolders)
        {
            string label = Path.GetFileName(folder);
            ReservedLabels.CheckSpelling(label);
            if (ReservedLabels.IsReserved(label))
            {
                detector.AddRange(ReservedFolderClips(folder, label, options.GroupKey).Select(c => c with { Source = SourceName(root, label, c.ClipId[(label.Length + 1)..]) }));
                continue;
            }

            string[] files = Directory.GetFiles(folder)
                .Where(AudioDecoder.HasAudioExtension)
                .OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal)
                .ToArray();
            if (files.Length == 0)
            {
                if (!options.SkipEmptyLabelFolders)
                {
                    throw new DatasetException(
                        $"Label folder '{label}' in '{Path.GetFullPath(root)}' has no recordings; remove it or set {nameof(ClipDatasetOptions.SkipEmptyLabelFolders)}.");
                }

                skipped.Add(label);
                continue;
            }

            labels.Add(label);
            foreach (string file in files)
            {
                string path = Path.GetFullPath(file);
                clips.Add(new ClipInfo(path, label, options.GroupKey.GetGroup(path), ClipInfo.MakeClipId(label, path)) { Source = FolderName(root) });
            }
        }

        if (clips.Count == 0)
        {
            string reserved = detector.Count > 0 ? $" (the {detector.Count} recordings of {ReservedLabels.NotCry}/ and {ReservedLabels.Cry}/ train only the cry detector)" : string.Empty;
            throw new DatasetException($"Dataset folder '{Path.GetFullPath(root)}' has no recordings in its need-label folders{reserved} (looked for {string.Join(", ", AudioDecoder.FileExtensions)}).");
        }

        return new ClipDataset(clips.AsReadOnly(), labels.AsReadOnly(), skipped.AsReadOnly(), detector.AsReadOnly());
    }

    /// <summary>
    /// Recordings for the cry detector only (e.g. a phone app's raw uploads): <c>not_cry/</c> are non-cries, every other
    /// sub-folder (<c>cry/</c>, <c>other_reason/</c>, a need label, …) holds cries; read at any depth, grouped like the
    /// reserved folders (the UUID, else the sub-folder path). Clip ids are <c>label/sub-folder/path</c>.
    /// </summary>
    /// <exception cref="DatasetException">The folder does not exist or holds no recordings.</exception>
    public static IReadOnlyList<ClipInfo> DetectorFolder(string root, ClipDatasetOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        options ??= ClipDatasetOptions.Default;
        if (!Directory.Exists(root))
        {
            throw new DatasetException($"Detector data folder not found: '{Path.GetFullPath(root)}'.");
        }

        var result = new List<ClipInfo>();
        foreach (string folder in Directory.GetDirectories(root).Where(d => !Path.GetFileName(d).StartsWith('.')).Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileName(folder);
            ReservedLabels.CheckSpelling(name);
            string label = name == ReservedLabels.NotCry ? ReservedLabels.NotCry : ReservedLabels.Cry;
            foreach (var clip in ReservedFolderClips(folder, label, options.GroupKey))
            {
                string relative = clip.ClipId[(label.Length + 1)..];
                string group = clip.Group.StartsWith(label + "/", StringComparison.Ordinal) ? $"{label}/{name}/{clip.Group[(label.Length + 1)..]}" : clip.Group;
                result.Add(clip with { Group = group, ClipId = $"{label}/{name}/{relative}", Source = SourceName(root, name, relative) });
            }
        }

        return result.Count > 0 ? result : throw new DatasetException($"{root}: no recordings in its sub-folders (not_cry/ for non-cries, any other for cries).");
    }

    private static string FolderName(string root) => Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(root)));

    // root/folder[/first sub-folder]: non-cries made by one tool, or removed from one app, are reported together.
    private static string SourceName(string root, string folder, string relative)
    {
        int slash = relative.IndexOf('/');
        return slash > 0 ? $"{FolderName(root)}/{folder}/{relative[..slash]}" : $"{FolderName(root)}/{folder}";
    }

    /// <summary>Every recording below a reserved folder, at any depth; the group is the UUID, else the sub-folder path.</summary>
    private static IEnumerable<ClipInfo> ReservedFolderClips(string folder, string label, GroupKeyPattern groupKey)
    {
        var files = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(AudioDecoder.HasAudioExtension)
            .Select(f => (Path: Path.GetFullPath(f), Relative: Path.GetRelativePath(folder, f).Replace(Path.DirectorySeparatorChar, '/')))
            .Where(f => !f.Relative.Split('/').Any(part => part.StartsWith('.')))
            .OrderBy(f => f.Relative, StringComparer.Ordinal);
        foreach (var (path, relative) in files)
        {
            string? subFolder = relative.Contains('/') ? relative[..relative.LastIndexOf('/')] : null;
            string group = groupKey.Matches(path) ? groupKey.GetGroup(path)
                : subFolder is not null ? label + "/" + subFolder
                : groupKey.GetGroup(path);
            yield return new ClipInfo(path, label, group, label + "/" + relative);
        }
    }

    /// <summary>Reads a JSON-lines manifest of <c>path</c>, <c>label</c> and optional <c>group</c> (see remarks).</summary>
    /// <exception cref="DatasetException">The manifest is missing, empty or malformed, a file is missing, or clip ids repeat.</exception>
    public static ClipDataset FromManifest(string manifestPath, ClipDatasetOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(manifestPath);
        options ??= ClipDatasetOptions.Default;
        if (!File.Exists(manifestPath))
        {
            throw new DatasetException($"Manifest not found: '{Path.GetFullPath(manifestPath)}'.");
        }

        string baseFolder = Path.GetDirectoryName(Path.GetFullPath(manifestPath))!;
        var clips = new List<ClipInfo>();
        int lineNumber = 0;
        foreach (string line in File.ReadLines(manifestPath))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            string where = $"{Path.GetFileName(manifestPath)} line {lineNumber}";
            (string path, string label, string? group) = ParseManifestLine(line, where);
            string fullPath = Path.GetFullPath(Path.Combine(baseFolder, path));
            if (!File.Exists(fullPath))
            {
                throw new DatasetException($"{where}: file not found: '{fullPath}'.");
            }

            clips.Add(new ClipInfo(fullPath, label, group ?? options.GroupKey.GetGroup(fullPath), ClipInfo.MakeClipId(label, fullPath)));
        }

        if (clips.Count == 0)
        {
            throw new DatasetException($"Manifest '{Path.GetFullPath(manifestPath)}' lists no clips.");
        }

        return FromClips(clips);
    }

    /// <summary>
    /// Builds a dataset from clips already described; labels are the distinct need labels sorted ordinally, and clips
    /// labelled <see cref="ReservedLabels.NotCry"/> or <see cref="ReservedLabels.Cry"/> go to <see cref="DetectorClips"/>.
    /// </summary>
    /// <exception cref="DatasetException">There are no need clips, two clips share a clip id, or a label misspells a reserved name.</exception>
    public static ClipDataset FromClips(IEnumerable<ClipInfo> clips)
    {
        ArgumentNullException.ThrowIfNull(clips);
        ClipInfo[] all = clips.ToArray();
        if (all.Length == 0)
        {
            throw new DatasetException("The dataset has no clips.");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (ClipInfo clip in all)
        {
            ArgumentNullException.ThrowIfNull(clip);
            if (string.IsNullOrEmpty(clip.Label) || string.IsNullOrEmpty(clip.Group))
            {
                throw new DatasetException($"Clip '{clip.Path}' has an empty label or group.");
            }

            if (!seen.Add(clip.ClipId))
            {
                throw new DatasetException($"Clip id '{clip.ClipId}' occurs more than once; clip ids must be unique.");
            }
        }

        foreach (string label in all.Select(c => c.Label).Distinct(StringComparer.Ordinal))
        {
            ReservedLabels.CheckSpelling(label);
        }

        ClipInfo[] needs = all.Where(c => !ReservedLabels.IsReserved(c.Label)).ToArray();
        ClipInfo[] detector = all.Where(c => ReservedLabels.IsReserved(c.Label)).ToArray();
        if (needs.Length == 0)
        {
            throw new DatasetException($"The dataset has no clips with a need label (its {detector.Length} clips of {ReservedLabels.NotCry} and {ReservedLabels.Cry} train only the cry detector).");
        }

        string[] labels = needs.Select(c => c.Label).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        return new ClipDataset(Array.AsReadOnly(needs), Array.AsReadOnly(labels), ReadOnlyCollection<string>.Empty, Array.AsReadOnly(detector));
    }

    /// <summary>The number of clips of every label, in <see cref="Labels"/> order.</summary>
    public int[] ClipCountsPerLabel()
    {
        var counts = new int[Labels.Count];
        foreach (int label in _labelIndices)
        {
            counts[label]++;
        }

        return counts;
    }

    /// <summary>The number of distinct groups holding at least one clip of every label, in <see cref="Labels"/> order.</summary>
    /// <remarks>A group with clips of two labels counts once for each, so the counts may add up to more than <see cref="GroupCount"/>.</remarks>
    public int[] GroupCountsPerLabel() => GroupTable.Build(_labelIndices, Groups, Labels.Count).GroupsPerClass();

    /// <summary>The number of distinct groups.</summary>
    public int GroupCount => Groups.Distinct(StringComparer.Ordinal).Count();

    /// <summary>Throws when some label has fewer groups than <paramref name="folds"/>, so grouped stratified folds are impossible.</summary>
    /// <exception cref="DatasetException">Some label has too few groups; the message lists groups and clips per label.</exception>
    public void EnsureGroupedFolds(int folds)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(folds, 2);
        GroupTable.Build(_labelIndices, Groups, Labels.Count).ThrowIfTooFewGroups(folds, Labels);
    }

    private static (string Path, string Label, string? Group) ParseManifestLine(string line, string where)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new DatasetException($"{where}: expected a JSON object with \"path\" and \"label\".");
            }

            string path = RequiredString(root, "path", where);
            string label = RequiredString(root, "label", where);
            string? group = null;
            if (root.TryGetProperty("group", out JsonElement groupElement) && groupElement.ValueKind != JsonValueKind.Null)
            {
                group = groupElement.ValueKind == JsonValueKind.String ? groupElement.GetString() : null;
                if (string.IsNullOrEmpty(group))
                {
                    throw new DatasetException($"{where}: \"group\" must be a non-empty string when present.");
                }
            }

            return (path, label, group);
        }
        catch (JsonException ex)
        {
            throw new DatasetException($"{where}: not valid JSON: {ex.Message}", ex);
        }
    }

    private static string RequiredString(JsonElement root, string name, string where)
    {
        if (!root.TryGetProperty(name, out JsonElement element) || element.ValueKind != JsonValueKind.String
            || string.IsNullOrWhiteSpace(element.GetString()))
        {
            throw new DatasetException($"{where}: \"{name}\" must be a non-empty string.");
        }

        return element.GetString()!;
    }
}

using Cry.Audio.Augmentation;
using Cry.Features.Specs;

namespace Cry.Pipeline;

/// <summary>The storage containers of the pipeline (the local store uses the same names as folders).</summary>
public static class Containers
{
    /// <summary>Uploaded clips: <c>{label}/{name}</c>, every label and name valid by <see cref="ClipNames"/>.</summary>
    public const string Clips = "clips";

    /// <summary>Feature tensors and previews: <c>{specId}/{label}/{name}/{variant}.npy</c> (+ <c>.png</c>), the clip's full name as its folder.</summary>
    public const string Features = "features";

    /// <summary>Refused uploads: the copy at <c>clips/{label}/{name}</c>, the reason at <c>reasons/{label}/{name}.json</c>.</summary>
    public const string Quarantine = "quarantine";

    /// <summary>Model bundles, results and <c>champion.json</c>.</summary>
    public const string Models = "models";

    /// <summary>Dataset snapshots.</summary>
    public const string Datasets = "datasets";
}

/// <summary>What the pipeline accepts and computes.</summary>
public sealed record PipelineOptions
{
    /// <summary>The labels a clip may have (its folder under <c>clips/</c>; each a valid name by <see cref="ClipNames"/>).</summary>
    public IReadOnlyList<string> Labels { get; init; } = ["belly_pain", "burping", "discomfort", "hungry", "tired"];

    /// <summary>Larger uploads are quarantined without being decoded. Default 20 MB.</summary>
    public long MaxClipBytes { get; init; } = 20L * 1024 * 1024;

    /// <summary>The feature specs computed for every clip.</summary>
    public IReadOnlyList<FeatureSpec> Specs { get; init; } = [FeatureSpecPresets.Default];

    /// <summary>Which augmented variants each label gets (variant 0 is always the original).</summary>
    public AugmentationPolicy Augmentation { get; init; } = AugmentationPolicy.Research;

    /// <summary>Whether a PNG preview is written next to each tensor.</summary>
    public bool Previews { get; init; } = true;

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names it.</exception>
    public void Validate()
    {
        if (Labels.Count < 2)
        {
            throw new ArgumentException("The pipeline needs at least two labels.");
        }

        foreach (string label in Labels)
        {
            if (ClipNames.Validate(label) is string reason)
            {
                throw new ArgumentException($"The label '{label}' is not a valid name: {reason}.");
            }
        }

        if (MaxClipBytes < 1024)
        {
            throw new ArgumentException($"The clip size limit must be at least 1 KB, not {MaxClipBytes} bytes.");
        }

        if (Specs.Count == 0)
        {
            throw new ArgumentException("The pipeline needs at least one feature spec.");
        }

        foreach (var spec in Specs)
        {
            spec.RequireStage(FeatureStage.Image);
        }
    }
}

using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cry.Audio.Augmentation;

/// <summary>Which augmented variants each class label gets; variant 0, the original clip, is implicit.</summary>
/// <remarks>
/// Variant <c>i ≥ 1</c> of a clip applies <c>VariantsFor(label)[i − 1]</c> with the seed
/// <see cref="AugmentationSeed.Derive"/>(clipId, i), so a manifest can rebuild any variant from the policy's JSON,
/// the clip id and the index. Labels are compared ordinally; a label without its own entry gets <see cref="DefaultVariants"/>.
/// </remarks>
public sealed class AugmentationPolicy
{
    /// <summary>Creates a policy.</summary>
    /// <param name="defaultVariants">Variants for labels without their own entry.</param>
    /// <param name="labelVariants">Variants per label, overriding the default; null for none.</param>
    /// <exception cref="ArgumentNullException">A list, label or augmentation is null.</exception>
    [JsonConstructor]
    public AugmentationPolicy(IReadOnlyList<IAugmentation> defaultVariants, IReadOnlyDictionary<string, IReadOnlyList<IAugmentation>>? labelVariants = null)
    {
        DefaultVariants = CopyChecked(defaultVariants);
        var byLabel = new SortedDictionary<string, IReadOnlyList<IAugmentation>>(StringComparer.Ordinal);
        foreach (var (label, variants) in labelVariants ?? new Dictionary<string, IReadOnlyList<IAugmentation>>())
        {
            ArgumentNullException.ThrowIfNull(label, nameof(labelVariants));
            byLabel[label] = CopyChecked(variants);
        }

        LabelVariants = byLabel;
    }

    /// <summary>
    /// The published recipe: every class except <c>hungry</c> (the majority class) gets three variants — Gaussian noise
    /// at 0.01–0.015 of the peak, a pitch shift of −2…+2 semitones, and a Butterworth high-pass at 3–4 kHz of order 2–4.
    /// </summary>
    public static AugmentationPolicy Research { get; } = new(
        [new GaussianNoisePeak(0.01, 0.015), new PitchShift(-2, 2), new HighPass(3000, 4000, 2, 4)],
        new Dictionary<string, IReadOnlyList<IAugmentation>> { ["hungry"] = [] });

    /// <summary>No augmentation: every label has only its original clips.</summary>
    public static AugmentationPolicy None { get; } = new([]);

    /// <summary>Variants for labels without their own entry.</summary>
    public IReadOnlyList<IAugmentation> DefaultVariants { get; }

    /// <summary>Variants per label, sorted ordinally by label.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<IAugmentation>> LabelVariants { get; }

    /// <summary>The augmentations for variants 1, 2, … of a clip labelled <paramref name="label"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="label"/> is null.</exception>
    public IReadOnlyList<IAugmentation> VariantsFor(string label)
    {
        ArgumentNullException.ThrowIfNull(label);
        return LabelVariants.TryGetValue(label, out var variants) ? variants : DefaultVariants;
    }

    /// <summary>Variant <paramref name="variantIndex"/> of <paramref name="clip"/>: a copy of its samples for 0, else the augmented samples (same length).</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="variantIndex"/> is negative or above the label's variant count.</exception>
    public float[] CreateVariant(AudioSignal clip, string label, string clipId, int variantIndex)
    {
        ArgumentNullException.ThrowIfNull(clip);
        if (variantIndex == 0)
        {
            ArgumentNullException.ThrowIfNull(label);
            ArgumentNullException.ThrowIfNull(clipId);
            return (float[])clip.Samples.Clone();
        }

        var augmentation = AugmentationFor(label, variantIndex);
        return augmentation.Apply(clip.Samples, clip.SampleRate, AugmentationSeed.Derive(clipId, variantIndex));
    }

    /// <summary>The concrete parameters of variant <paramref name="variantIndex"/> (≥ 1) of a clip, for manifests.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="variantIndex"/> is not in [1, variant count].</exception>
    public IAugmentation ResolveVariant(string label, string clipId, int variantIndex) =>
        AugmentationFor(label, variantIndex).Resolve(AugmentationSeed.Derive(clipId, variantIndex));

    /// <summary>The policy as JSON (<see cref="AugmentationJson.Options"/>).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, AugmentationJson.Options);

    /// <summary>Reads a policy written by <see cref="ToJson"/>.</summary>
    /// <exception cref="JsonException">The JSON is not a valid policy.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A stored parameter is out of range.</exception>
    public static AugmentationPolicy FromJson(string json) =>
        JsonSerializer.Deserialize<AugmentationPolicy>(json, AugmentationJson.Options)
        ?? throw new JsonException("The JSON holds no augmentation policy.");

    private IAugmentation AugmentationFor(string label, int variantIndex)
    {
        ArgumentNullException.ThrowIfNull(label);
        var variants = VariantsFor(label);
        ArgumentOutOfRangeException.ThrowIfLessThan(variantIndex, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(variantIndex, variants.Count);
        return variants[variantIndex - 1];
    }

    private static IAugmentation[] CopyChecked(IReadOnlyList<IAugmentation> variants)
    {
        ArgumentNullException.ThrowIfNull(variants);
        var copy = variants.ToArray();
        foreach (var augmentation in copy)
        {
            ArgumentNullException.ThrowIfNull(augmentation, nameof(variants));
        }

        return copy;
    }
}

using System.Text.Json;
using System.Text.Json.Serialization;
using Cry.Features.Specs;

namespace Cry.Features.Models;

/// <summary>Per-channel input normalisation learned from the training data: x' = (x − mean[c]) / std[c].</summary>
/// <param name="Mean">One mean per input channel.</param>
/// <param name="Std">One standard deviation per input channel (positive).</param>
public sealed record InputNormalisation(
    [property: JsonPropertyName("mean")] IReadOnlyList<float> Mean,
    [property: JsonPropertyName("std")] IReadOnlyList<float> Std);

/// <summary>Where a model's training data came from, so a model can be traced to its clips.</summary>
/// <param name="Hash">SHA-256 over the sorted (clip id, label, group, file hash) lines of the training clips.</param>
/// <param name="Clips">Number of original clips used for training (validation groups excluded).</param>
/// <param name="Groups">Number of groups among them.</param>
/// <param name="PerClass">Original clips per label.</param>
/// <param name="ValidationGroups">The groups held out for early stopping and calibration.</param>
public sealed record TrainingDataInfo(
    [property: JsonPropertyName("hash")] string Hash,
    [property: JsonPropertyName("clips")] int Clips,
    [property: JsonPropertyName("groups")] int Groups,
    [property: JsonPropertyName("perClass")] IReadOnlyDictionary<string, int> PerClass,
    [property: JsonPropertyName("validationGroups")] IReadOnlyList<string> ValidationGroups);

/// <summary>Everything needed to use and trace a trained model: the <c>manifest.json</c> of a model bundle.</summary>
/// <remarks>
/// A bundle is a folder with <c>model.onnx</c> (input <c>input</c> [batch, C, H, W], output <c>logits</c>
/// [batch, classes]), this manifest and <c>metrics.json</c>. Inference applies exactly <see cref="FeatureSpec"/>, then
/// <see cref="Normalisation"/>, runs the model and divides the logits by <see cref="Temperature"/> before the softmax.
/// </remarks>
public sealed record ModelManifest
{
    /// <summary>The file name of a manifest inside a bundle.</summary>
    public const string FileName = "manifest.json";

    /// <summary>
    /// The manifest format version this code writes: 2, an ensemble of fold models with out-of-fold calibration, sets,
    /// certification and an optional cry detector. Version 1 (one model.onnx, a temperature) still loads; its answers
    /// carry no set and no detection.
    /// </summary>
    public const int CurrentFormatVersion = 2;

    /// <summary>The single-model format of earlier versions, still read.</summary>
    public const int SingleModelFormatVersion = 1;

    private static readonly JsonSerializerOptions s_json = new(FeatureSpec.SerializerOptions) { WriteIndented = true };

    /// <summary>Format version.</summary>
    [JsonPropertyName("formatVersion")]
    public int FormatVersion { get; init; } = SingleModelFormatVersion;

    /// <summary>The model's id (also its folder name in the model store).</summary>
    [JsonPropertyName("modelId")]
    public required string ModelId { get; init; }

    /// <summary>When training finished (UTC).</summary>
    [JsonPropertyName("createdUtc")]
    public required DateTimeOffset CreatedUtc { get; init; }

    /// <summary>The network's name (e.g. crynet-s).</summary>
    [JsonPropertyName("architecture")]
    public required string Architecture { get; init; }

    /// <summary>Class labels in output order.</summary>
    [JsonPropertyName("labels")]
    public required IReadOnlyList<string> Labels { get; init; }

    /// <summary>The feature spec the model was trained on.</summary>
    [JsonPropertyName("featureSpec")]
    public required FeatureSpec FeatureSpec { get; init; }

    /// <summary>The spec's id.</summary>
    [JsonPropertyName("specId")]
    public string SpecId => FeatureSpec.Id;

    /// <summary>Input shape (C, H, W) without the batch dimension.</summary>
    [JsonPropertyName("inputShape")]
    public required IReadOnlyList<int> InputShape { get; init; }

    /// <summary>Input normalisation applied before the network.</summary>
    [JsonPropertyName("normalisation")]
    public required InputNormalisation Normalisation { get; init; }

    /// <summary>Calibration temperature (logits are divided by it); 1 when uncalibrated.</summary>
    [JsonPropertyName("temperature")]
    public double Temperature { get; init; } = 1.0;

    /// <summary>SHA-256 (lower-case hex) of the bundle's model.onnx; a loader refuses a model file that does not match.</summary>
    [JsonPropertyName("modelSha256")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ModelSha256 { get; init; }

    /// <summary>
    /// Confidence (calibrated top probability) below which a prediction is flagged uncertain, chosen on the validation
    /// groups when the model was trained; null when it was not chosen (inference then uses its own default).
    /// </summary>
    [JsonPropertyName("uncertaintyThreshold")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? UncertaintyThreshold { get; init; }

    /// <summary>The fold models of an ensemble bundle (format 2); null for a single-model bundle (format 1).</summary>
    [JsonPropertyName("members")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<EnsembleMember>? Members { get; init; }

    /// <summary>The calibration of every member's logits (format 2).</summary>
    [JsonPropertyName("calibration")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ProbabilityCalibration? Calibration { get; init; }

    /// <summary>The conformal sets' calibration scores (format 2).</summary>
    [JsonPropertyName("conformal")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ConformalCalibration? Conformal { get; init; }

    /// <summary>The certification of confident answers (format 2).</summary>
    [JsonPropertyName("certification")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public CertificationInfo? Certification { get; init; }

    /// <summary>Each label's share among the training clips.</summary>
    [JsonPropertyName("priors")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, double>? Priors { get; init; }

    /// <summary>The cry detector; null when the training data had no <c>not_cry/</c> recordings.</summary>
    [JsonPropertyName("detector")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public CryDetectorModel? Detector { get; init; }

    /// <summary>Training data provenance.</summary>
    [JsonPropertyName("trainingData")]
    public required TrainingDataInfo TrainingData { get; init; }

    /// <summary>Headline validation metrics (name → value), e.g. macroF1, balancedAccuracy, ece.</summary>
    [JsonPropertyName("metrics")]
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();

    /// <summary>Versions of the packages that produced the model (name → version).</summary>
    [JsonPropertyName("packages")]
    public IReadOnlyDictionary<string, string> Packages { get; init; } = new Dictionary<string, string>();

    /// <summary>The command line that trained the model.</summary>
    [JsonPropertyName("commandLine")]
    public string CommandLine { get; init; } = string.Empty;

    /// <summary>Reads a manifest.</summary>
    /// <exception cref="InvalidDataException">The JSON is not a valid manifest (the message says why).</exception>
    public static ModelManifest Parse(string json)
    {
        ModelManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<ModelManifest>(json, s_json);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"The model manifest is not valid: {ex.Message}", ex);
        }

        if (manifest is null)
        {
            throw new InvalidDataException("The model manifest is null.");
        }

        manifest.Validate();
        return manifest;
    }

    /// <summary>The manifest as indented JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, s_json);

    /// <summary>Checks the manifest's internal consistency.</summary>
    /// <exception cref="InvalidDataException">A field is missing or inconsistent (the message says which).</exception>
    public void Validate()
    {
        try
        {
            FeatureSpec.Validate();
        }
        catch (FeatureSpecException ex)
        {
            throw new InvalidDataException($"The model manifest's featureSpec is not valid: {ex.Message}", ex);
        }

        Check(
            FormatVersion is SingleModelFormatVersion or CurrentFormatVersion,
            $"formatVersion {FormatVersion} is not supported (this version reads {SingleModelFormatVersion} and {CurrentFormatVersion}).");
        Check((FormatVersion == CurrentFormatVersion) == (Members is not null), "formatVersion 2 bundles list their members, and only they do.");
        Check(Labels.Count >= 2 && Labels.Distinct(StringComparer.Ordinal).Count() == Labels.Count, "labels must list at least two distinct labels.");
        Check(FeatureSpec.Image is not null, "the featureSpec has no image part, so it cannot feed a model.");
        var image = FeatureSpec.Image!;
        Check(
            InputShape.Count == 3 && InputShape[0] == image.Channels.Count && InputShape[1] == image.Size && InputShape[2] == image.Size,
            $"inputShape ({string.Join(", ", InputShape)}) does not match the featureSpec's image ({image.Channels.Count}, {image.Size}, {image.Size}).");
        Check(
            Normalisation.Mean.Count == InputShape[0] && Normalisation.Std.Count == InputShape[0] && Normalisation.Std.All(s => s > 0 && float.IsFinite(s)),
            "normalisation must have one mean and one positive std per input channel.");
        Check(double.IsFinite(Temperature) && Temperature > 0, $"temperature must be positive, not {Temperature}.");
        Check(
            ModelSha256 is null || (ModelSha256.Length == 64 && ModelSha256.All(char.IsAsciiHexDigitLower)),
            "modelSha256 must be 64 lower-case hex digits.");
        Check(UncertaintyThreshold is null or (>= 0 and <= 1), $"uncertaintyThreshold must lie in [0, 1], not {UncertaintyThreshold}.");
        if (Members is not null)
        {
            Check(Members.Count >= 1, "an ensemble needs at least one member.");
            Check(
                Members.All(m => m.Normalisation.Mean.Count == InputShape[0] && m.Normalisation.Std.Count == InputShape[0] && m.Normalisation.Std.All(s => s > 0 && float.IsFinite(s))),
                "every member needs one mean and one positive std per input channel.");
            Check(
                Members.All(m => m.File.Length > 0 && !Path.IsPathRooted(m.File) && !m.File.Contains("..", StringComparison.Ordinal) && m.Sha256.Length == 64 && m.Sha256.All(char.IsAsciiHexDigitLower)),
                "every member needs a relative file inside the bundle and its SHA-256.");
            Check(
                Calibration is { } c && double.IsFinite(c.Temperature) && c.Temperature > 0 && c.Bias.Count == Labels.Count && c.Bias.All(double.IsFinite),
                "an ensemble needs a calibration with a positive temperature and one finite bias per label.");
            Check(
                Conformal is null || (Conformal.Alpha is > 0 and < 1 && Conformal.Scores.Count == Labels.Count
                    && Conformal.Scores.All(byFold => byFold.Count == Members.Count && byFold.All(f => f.All(v => v is >= 0 and <= 1)))),
                "conformal scores must list, per label, one list per member of probabilities in [0, 1], with α in (0, 1).");
            Check(
                Certification is null || (Certification.Labels.Count == Labels.Count && Certification.Labels.Select(l => l.Label).SequenceEqual(Labels)),
                "the certification must have one entry per label, in label order.");
        }

        Detector?.Validate();
    }

    private static void Check(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvalidDataException($"The model manifest is not valid: {message}");
        }
    }
}

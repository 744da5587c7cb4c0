using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cry.Inference;

/// <summary>What the model says about one recording. Serialised with <see cref="PredictionResult.JsonOptions"/> (camelCase).</summary>
public sealed record PredictionResult
{
    /// <summary>Serializer options of the result JSON: camelCase names, compact.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web) { WriteIndented = false };

    /// <summary>Whether the recording holds an infant cry: true, false, or null when the bundle has no cry detector.</summary>
    [JsonPropertyName("cryDetected")]
    public required bool? CryDetected { get; init; }

    /// <summary>The detector's cry probability of the recording (its best segment); null without a detector.</summary>
    [JsonPropertyName("cryProbability")]
    public required double? CryProbability { get; init; }

    /// <summary>The most probable need; null when no cry was detected.</summary>
    [JsonPropertyName("label")]
    public required string? Label { get; init; }

    /// <summary>
    /// The needs that cannot be ruled out at <see cref="SetLevel"/> (the conformal set), most probable first; empty when
    /// no cry was detected; null for a bundle without sets (format 1).
    /// </summary>
    [JsonPropertyName("labelSet")]
    public required IReadOnlyList<string>? LabelSet { get; init; }

    /// <summary>The level of <see cref="LabelSet"/> (1 − α, e.g. 0.9); null without sets.</summary>
    [JsonPropertyName("setLevel")]
    public required double? SetLevel { get; init; }

    /// <summary>The calibrated probability of <see cref="Label"/> (probabilities are rounded to six decimals); null when no cry.</summary>
    [JsonPropertyName("confidence")]
    public required double? Confidence { get; init; }

    /// <summary>
    /// False only for a confident answer: a cry, and a label whose confident answers were certified out of fold and
    /// every fold model clears the label's certified threshold. True when there is no cry, the recording is silent, or
    /// nothing is certified.
    /// </summary>
    [JsonPropertyName("uncertain")]
    public required bool Uncertain { get; init; }

    /// <summary>For a confident answer, the certified lower bound of the precision of such answers (95 %); else null.</summary>
    [JsonPropertyName("certifiedPrecision")]
    public required double? CertifiedPrecision { get; init; }

    /// <summary>True when the recording is (nearly) silent: its peak is below −50 dBFS, so there is no cry to interpret.</summary>
    [JsonPropertyName("silent")]
    public required bool Silent { get; init; }

    /// <summary>Calibrated probability of every need over the cry windows (members and windows combined by mean log-probability); null when no cry.</summary>
    [JsonPropertyName("probabilities")]
    public required IReadOnlyDictionary<string, double>? Probabilities { get; init; }

    /// <summary>Each need's share among the model's training clips: what the probabilities are to be read against.</summary>
    [JsonPropertyName("priors")]
    public required IReadOnlyDictionary<string, double> Priors { get; init; }

    /// <summary>The cry episodes, in seconds from the start; empty without a cry or a detector.</summary>
    [JsonPropertyName("segments")]
    public required IReadOnlyList<CrySegmentResult> Segments { get; init; }

    /// <summary>The scored windows in time order.</summary>
    [JsonPropertyName("windows")]
    public required IReadOnlyList<WindowPrediction> Windows { get; init; }

    /// <summary>Length of the recording in seconds.</summary>
    [JsonPropertyName("durationSeconds")]
    public required double DurationSeconds { get; init; }

    /// <summary>The model's id (from its manifest).</summary>
    [JsonPropertyName("modelId")]
    public required string ModelId { get; init; }

    /// <summary>Where the time went.</summary>
    [JsonPropertyName("timingsMs")]
    public required PredictionTimings TimingsMs { get; init; }

    /// <summary>The result as one line of JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);
}

/// <summary>One scored window of a recording.</summary>
/// <param name="StartSeconds">Where the window starts in the recording.</param>
/// <param name="CryProbability">The detector's cry probability of the window; null without a detector.</param>
/// <param name="Probabilities">Calibrated probability of every label for this window.</param>
public sealed record WindowPrediction(
    [property: JsonPropertyName("startSeconds")] double StartSeconds,
    [property: JsonPropertyName("cryProbability")] double? CryProbability,
    [property: JsonPropertyName("probabilities")] IReadOnlyDictionary<string, double> Probabilities);

/// <summary>A cry episode of a recording.</summary>
/// <param name="StartSeconds">Its start, in seconds from the recording's start.</param>
/// <param name="EndSeconds">Its end.</param>
/// <param name="CryProbability">The mean cry probability of its windows.</param>
public sealed record CrySegmentResult(
    [property: JsonPropertyName("startSeconds")] double StartSeconds,
    [property: JsonPropertyName("endSeconds")] double EndSeconds,
    [property: JsonPropertyName("cryProbability")] double CryProbability);

/// <summary>Milliseconds spent per stage of one prediction.</summary>
/// <param name="Decode">Reading the audio (WAV decoding).</param>
/// <param name="Features">Resampling, windowing and the feature images.</param>
/// <param name="Inference">The cry detector and the networks in ONNX Runtime, calibration and sets included.</param>
public sealed record PredictionTimings(
    [property: JsonPropertyName("decode")] double Decode,
    [property: JsonPropertyName("features")] double Features,
    [property: JsonPropertyName("inference")] double Inference);

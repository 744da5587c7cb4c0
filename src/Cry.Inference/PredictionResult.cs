using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cry.Inference;

/// <summary>What the model says about one recording. Serialised with <see cref="PredictionResult.JsonOptions"/> (camelCase).</summary>
public sealed record PredictionResult
{
    /// <summary>Serializer options of the result JSON: camelCase names, compact.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web) { WriteIndented = false };

    /// <summary>The most likely label.</summary>
    [JsonPropertyName("label")]
    public required string Label { get; init; }

    /// <summary>Its calibrated probability (probabilities are rounded to six decimals).</summary>
    [JsonPropertyName("confidence")]
    public required double Confidence { get; init; }

    /// <summary>True when the confidence is below the uncertainty threshold, or the recording is silent.</summary>
    [JsonPropertyName("uncertain")]
    public required bool Uncertain { get; init; }

    /// <summary>The threshold <see cref="Uncertain"/> was decided with.</summary>
    [JsonPropertyName("uncertaintyThreshold")]
    public required double UncertaintyThreshold { get; init; }

    /// <summary>True when the recording is (nearly) silent: its peak is below −50 dBFS, so there is no cry to interpret.</summary>
    [JsonPropertyName("silent")]
    public required bool Silent { get; init; }

    /// <summary>Calibrated probability of every label (window probabilities combined by mean log-probability).</summary>
    [JsonPropertyName("probabilities")]
    public required IReadOnlyDictionary<string, double> Probabilities { get; init; }

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
/// <param name="Probabilities">Calibrated probability of every label for this window.</param>
public sealed record WindowPrediction(
    [property: JsonPropertyName("startSeconds")] double StartSeconds,
    [property: JsonPropertyName("probabilities")] IReadOnlyDictionary<string, double> Probabilities);

/// <summary>Milliseconds spent per stage of one prediction.</summary>
/// <param name="Decode">Reading the audio (WAV decoding).</param>
/// <param name="Features">Resampling, windowing and the feature images.</param>
/// <param name="Inference">The network in ONNX Runtime, calibration included.</param>
public sealed record PredictionTimings(
    [property: JsonPropertyName("decode")] double Decode,
    [property: JsonPropertyName("features")] double Features,
    [property: JsonPropertyName("inference")] double Inference);

using System.Text.Json.Serialization;
using Cry.Features.Detection;

namespace Cry.Features.Models;

/// <summary>How well the cry detector did on recordings its fold model never saw (grouped out-of-fold).</summary>
/// <param name="Recall">Share of cry windows at or above the threshold.</param>
/// <param name="Specificity">Share of non-cry windows below it.</param>
/// <param name="Auc">Area under the ROC curve.</param>
/// <param name="Positives">Cry recordings scored.</param>
/// <param name="Negatives">Non-cry recordings scored.</param>
public sealed record DetectorQuality(
    [property: JsonPropertyName("recall")] double Recall,
    [property: JsonPropertyName("specificity")] double Specificity,
    [property: JsonPropertyName("auc")] double Auc,
    [property: JsonPropertyName("positives")] int Positives,
    [property: JsonPropertyName("negatives")] int Negatives);

/// <summary>
/// The cry detector of a bundle: a logistic model on <see cref="CryFeatures"/> of each window (the mean of the k fold
/// models' weights, which is exactly the ensemble's mean logit), with the threshold chosen out of fold.
/// </summary>
public sealed record CryDetectorModel
{
    /// <summary>The only kind this version writes and reads.</summary>
    public const string LogisticFunctionals = "logistic-functionals-1";

    /// <summary>The model's kind.</summary>
    [JsonPropertyName("kind")]
    public string Kind { get; init; } = LogisticFunctionals;

    /// <summary>Feature means subtracted before the weights.</summary>
    [JsonPropertyName("mean")]
    public required IReadOnlyList<double> Mean { get; init; }

    /// <summary>Feature scales (positive) the centred features are divided by.</summary>
    [JsonPropertyName("scale")]
    public required IReadOnlyList<double> Scale { get; init; }

    /// <summary>Weights of the standardised features.</summary>
    [JsonPropertyName("weights")]
    public required IReadOnlyList<double> Weights { get; init; }

    /// <summary>The intercept.</summary>
    [JsonPropertyName("bias")]
    public required double Bias { get; init; }

    /// <summary>A window is a cry window when its cry probability is at least this.</summary>
    [JsonPropertyName("threshold")]
    public required double Threshold { get; init; }

    /// <summary>The cry recall the threshold was chosen for, out of fold.</summary>
    [JsonPropertyName("recallTarget")]
    public required double RecallTarget { get; init; }

    /// <summary>Consecutive cry windows a segment of a multi-window recording needs.</summary>
    [JsonPropertyName("minSegmentWindows")]
    public int MinSegmentWindows { get; init; } = 2;

    /// <summary>Out-of-fold quality at the threshold.</summary>
    [JsonPropertyName("outOfFold")]
    public required DetectorQuality OutOfFold { get; init; }

    /// <summary>The cry probability of one window's features.</summary>
    public double Probability(ReadOnlySpan<float> features)
    {
        double z = Bias;
        for (int i = 0; i < Weights.Count; i++)
        {
            z += Weights[i] * ((features[i] - Mean[i]) / Scale[i]);
        }

        return 1 / (1 + Math.Exp(-z));
    }

    /// <summary>Checks the model's internal consistency.</summary>
    /// <exception cref="InvalidDataException">A field is missing or inconsistent.</exception>
    public void Validate()
    {
        bool ok = Kind == LogisticFunctionals
            && Mean.Count == CryFeatures.Count && Scale.Count == CryFeatures.Count && Weights.Count == CryFeatures.Count
            && Scale.All(s => s > 0 && double.IsFinite(s)) && Mean.All(double.IsFinite) && Weights.All(double.IsFinite)
            && double.IsFinite(Bias) && Threshold is >= 0 and <= 1 && RecallTarget is > 0 and <= 1 && MinSegmentWindows >= 1;
        if (!ok)
        {
            throw new InvalidDataException(
                $"The model manifest is not valid: the detector must be of kind {LogisticFunctionals} with {CryFeatures.Count} finite means, positive scales and weights, " +
                "a threshold and recall target in [0, 1] and at least one window per segment.");
        }
    }
}

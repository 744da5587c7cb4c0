using System.Text.Json.Serialization;

namespace Cry.Features.Models;

/// <summary>One fold model of an ensemble bundle.</summary>
/// <param name="File">Its ONNX file, relative to the bundle folder (e.g. <c>members/fold-1.onnx</c>).</param>
/// <param name="Sha256">The file's SHA-256 (lower-case hex); a loader refuses a file that does not match.</param>
/// <param name="Normalisation">The input normalisation of its training data.</param>
public sealed record EnsembleMember(
    [property: JsonPropertyName("file")] string File,
    [property: JsonPropertyName("sha256")] string Sha256,
    [property: JsonPropertyName("normalisation")] InputNormalisation Normalisation);

/// <summary>
/// Probability calibration fitted on the pooled out-of-fold logits: p = softmax(z / T + b), so that the probabilities
/// follow the real class frequencies (class-weighted training shifts the logits; <c>b</c> shifts them back).
/// </summary>
/// <param name="Temperature">T (positive).</param>
/// <param name="Bias">b, one per label.</param>
public sealed record ProbabilityCalibration(
    [property: JsonPropertyName("temperature")] double Temperature,
    [property: JsonPropertyName("bias")] IReadOnlyList<double> Bias);

/// <summary>The out-of-fold scores of the Mondrian cross-conformal sets (see <c>MondrianConformal</c>).</summary>
/// <param name="Alpha">The miscoverage level: sets hold the true need at least 1 − α of the time per class (in theory ≥ 1 − 2α).</param>
/// <param name="Scores">[label][fold] → each calibration recording's uncalibrated probability of its true label by the fold model that did not see it.</param>
/// <param name="AlwaysInSet">Labels with too few recordings to be ruled out at this level.</param>
public sealed record ConformalCalibration(
    [property: JsonPropertyName("alpha")] double Alpha,
    [property: JsonPropertyName("scores")] IReadOnlyList<IReadOnlyList<IReadOnlyList<double>>> Scores,
    [property: JsonPropertyName("alwaysInSet")] IReadOnlyList<string> AlwaysInSet);

/// <summary>The certification of one label's confident answers.</summary>
/// <param name="Label">The label.</param>
/// <param name="Prior">Its share among the training clips.</param>
/// <param name="Required">The precision its confident answers had to reach: max(target, prior + margin).</param>
/// <param name="Threshold">An answer of this label is confident when every fold model gives it at least this (uncalibrated) probability; null: never confident.</param>
/// <param name="CertifiedPrecision">The lower confidence bound of the precision at that threshold; null when none certified.</param>
/// <param name="Answered">Out-of-fold answers at the threshold (or at the last one tested).</param>
/// <param name="Correct">How many were right.</param>
/// <param name="Reason">In words.</param>
public sealed record LabelCertificate(
    [property: JsonPropertyName("label")] string Label,
    [property: JsonPropertyName("prior")] double Prior,
    [property: JsonPropertyName("required")] double Required,
    [property: JsonPropertyName("threshold")] double? Threshold,
    [property: JsonPropertyName("certifiedPrecision")] double? CertifiedPrecision,
    [property: JsonPropertyName("answered")] int Answered,
    [property: JsonPropertyName("correct")] int Correct,
    [property: JsonPropertyName("reason")] string Reason);

/// <summary>What confident answers were certified to, and how.</summary>
/// <param name="Target">The precision every confident answer must reach at least.</param>
/// <param name="Margin">How far above its share a label's precision must be.</param>
/// <param name="Confidence">The confidence of each label's statement (e.g. 0.95).</param>
/// <param name="Labels">One certificate per label, in label order.</param>
public sealed record CertificationInfo(
    [property: JsonPropertyName("target")] double Target,
    [property: JsonPropertyName("margin")] double Margin,
    [property: JsonPropertyName("confidence")] double Confidence,
    [property: JsonPropertyName("labels")] IReadOnlyList<LabelCertificate> Labels);

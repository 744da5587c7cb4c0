namespace Cry.Training.Torch.Onnx;

/// <summary>Options of <see cref="OnnxExporter"/>: metadata written into the model and how batch normalisation is exported.</summary>
/// <remarks>
/// Defaults: no metadata, batch normalisation folded into the convolution before it, model version 0.
/// Folding replaces Conv → BatchNorm2d by one Conv with weights <c>W·s</c> and bias <c>(b − μ)·s + β</c>, where
/// <c>s = γ / √(σ² + ε)</c> per output channel, computed in double precision; a BatchNorm2d with no Conv2d directly
/// before it is always written as an ONNX <c>BatchNormalization</c> node with its running statistics and ε.
/// </remarks>
public sealed record OnnxExportOptions
{
    private readonly IReadOnlyDictionary<string, string> _metadataProps = new Dictionary<string, string>();
    private readonly long _modelVersion;

    /// <summary>Key/value pairs written to the model's <c>metadata_props</c> (for example the class labels and the feature spec as JSON).</summary>
    /// <exception cref="ArgumentNullException">The value is null.</exception>
    /// <exception cref="ArgumentException">A key is empty.</exception>
    public IReadOnlyDictionary<string, string> MetadataProps
    {
        get => _metadataProps;
        init
        {
            ArgumentNullException.ThrowIfNull(value);
            foreach (var (key, text) in value)
            {
                ArgumentException.ThrowIfNullOrEmpty(key, nameof(MetadataProps));
                ArgumentNullException.ThrowIfNull(text, nameof(MetadataProps));
            }

            _metadataProps = value;
        }
    }

    /// <summary>Whether a BatchNorm2d directly after a Conv2d is folded into that convolution's weights and bias.</summary>
    public bool FoldBatchNorm { get; init; } = true;

    /// <summary>The model's <c>model_version</c>; zero or more.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public long ModelVersion
    {
        get => _modelVersion;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _modelVersion = value;
        }
    }

    /// <summary>Free text written to the model's <c>doc_string</c>; null for none.</summary>
    public string? DocString { get; init; }
}

using System.Text.Json.Serialization;
using Cry.Features.Imaging;

namespace Cry.Features.Specs;

/// <summary>An image channel made from the 1-D series or the mel spectrogram.</summary>
public enum ImageChannel
{
    /// <summary>Gramian angular summation field of the series.</summary>
    Gasf,

    /// <summary>Gramian angular difference field of the series.</summary>
    Gadf,

    /// <summary>Markov transition field of the series.</summary>
    Mtf,

    /// <summary>Recurrence plot of the series reduced by PAA to size + (dimension − 1) × timeDelay points, so it is size × size.</summary>
    Rp,

    /// <summary>The dB mel spectrogram averaged to size × size and scaled to [0, 1].</summary>
    Mel,
}

/// <summary>The image part of a feature spec: which channels, their size and the imaging parameters.</summary>
/// <remarks>Omitted parameters take pyts's defaults (sampleRange [−1, 1], 5 bins, quantile, dimension 1, time delay 1, no threshold, 10 %).</remarks>
public sealed record ImageSpec
{
    /// <summary>The channels, in order; at least one.</summary>
    [JsonRequired]
    [JsonPropertyName("channels")]
    public IReadOnlyList<ImageChannel> Channels { get; init; } = [];

    /// <summary>Height and width of every channel.</summary>
    [JsonRequired]
    [JsonPropertyName("size")]
    public int Size { get; init; }

    /// <summary>The [min, max] range the series is scaled to before the Gramian angular fields.</summary>
    [JsonPropertyName("sampleRange")]
    public IReadOnlyList<double> SampleRange { get; init; } = [-1, 1];

    /// <summary>Whether PAA segments overlap (pyts <c>overlapping</c>).</summary>
    [JsonPropertyName("overlapping")]
    public bool Overlapping { get; init; }

    /// <summary>Number of bins of the Markov transition field.</summary>
    [JsonPropertyName("bins")]
    public int Bins { get; init; } = 5;

    /// <summary>How the Markov transition field bins the series.</summary>
    [JsonPropertyName("strategy")]
    public BinStrategy Strategy { get; init; } = BinStrategy.Quantile;

    /// <summary>Embedding dimension of the recurrence plot.</summary>
    [JsonPropertyName("dimension")]
    public int Dimension { get; init; } = 1;

    /// <summary>Time delay of the recurrence plot's embedding.</summary>
    [JsonPropertyName("timeDelay")]
    public int TimeDelay { get; init; } = 1;

    /// <summary>Recurrence plot threshold: null (distances), "point", "distance" or a number.</summary>
    [JsonPropertyName("threshold")]
    [JsonConverter(typeof(RecurrenceThresholdJsonConverter))]
    public RecurrenceThresholdSetting? Threshold { get; init; }

    /// <summary>Percentage used by the "point" and "distance" thresholds.</summary>
    [JsonPropertyName("percentage")]
    public double Percentage { get; init; } = 10;

    /// <summary>The imaging transform of a channel made from the series, with this spec's parameters: the one place a channel becomes a transform.</summary>
    /// <remarks><c>rp</c> shrinks the series by PAA to size + (dimension − 1) × timeDelay values first, so every image is size × size.</remarks>
    /// <exception cref="ArgumentException">The channel is <see cref="ImageChannel.Mel"/>, made from the spectrogram (<see cref="CreateMelImage"/>), or unknown.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A parameter is outside the transform's range (a spec that passed <see cref="FeatureSpec.Validate"/> may still hold a threshold ≤ 0).</exception>
    public ISeriesImageTransform CreateTransform(ImageChannel channel) => channel switch
    {
        ImageChannel.Gasf or ImageChannel.Gadf => new GramianAngularField(new GramianAngularFieldOptions
        {
            Size = Size,
            SampleMin = SampleRange[0],
            SampleMax = SampleRange[1],
            Overlapping = Overlapping,
            Method = channel == ImageChannel.Gasf ? GramianAngularFieldMethod.Summation : GramianAngularFieldMethod.Difference,
        }),
        ImageChannel.Mtf => new MarkovTransitionField(new MarkovTransitionFieldOptions
        {
            Size = Size,
            Bins = Bins,
            Strategy = Strategy,
            Overlapping = Overlapping,
        }),
        ImageChannel.Rp => new RecurrencePlot(new RecurrencePlotOptions
        {
            Dimension = Dimension,
            TimeDelay = TimeDelay,
            Threshold = Threshold?.Kind ?? RecurrenceThreshold.None,
            ThresholdValue = Threshold?.Value ?? 0,
            Percentage = Percentage,
            Size = Size,
            Overlapping = Overlapping,
        }),
        _ => throw new ArgumentException($"The {channel} channel is not made from the series.", nameof(channel)),
    };

    /// <summary>The mel channel's transform, with this spec's size.</summary>
    public MelImage CreateMelImage() => new(new MelImageOptions { Size = Size });

    /// <summary>Structural equality (the channel list and range compare by content).</summary>
    public bool Equals(ImageSpec? other) =>
        other is not null && Channels.SequenceEqual(other.Channels) && Size == other.Size && SampleRange.SequenceEqual(other.SampleRange)
        && Overlapping == other.Overlapping && Bins == other.Bins && Strategy == other.Strategy && Dimension == other.Dimension
        && TimeDelay == other.TimeDelay && Threshold == other.Threshold && Percentage.Equals(other.Percentage);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Channels.Count, Size, Bins, Strategy, Dimension, TimeDelay, Threshold, Percentage);
}

/// <summary>A recurrence plot threshold as written in a spec.</summary>
/// <param name="Kind">Point, Distance or Value.</param>
/// <param name="Value">The threshold when <paramref name="Kind"/> is Value.</param>
public readonly record struct RecurrenceThresholdSetting(RecurrenceThreshold Kind, double Value);

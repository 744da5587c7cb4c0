namespace Cry.Training.Torch;

/// <summary>A set of labelled images: N × C × H × W floats, contiguous and sample-major, with one label per sample.</summary>
public sealed class TrainingData
{
    /// <summary>Wraps <paramref name="inputs"/> and <paramref name="labels"/> without copying them.</summary>
    /// <param name="inputs">N × C × H × W values, sample-major then channel-major (the layout of the feature tensors).</param>
    /// <param name="labels">N class indices in [0, <paramref name="classCount"/>).</param>
    /// <param name="channels">Channels C.</param>
    /// <param name="height">Height H.</param>
    /// <param name="width">Width W.</param>
    /// <param name="classCount">Number of classes K.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, or a label is outside [0, K).</exception>
    /// <exception cref="ArgumentException">The input length is not N × C × H × W.</exception>
    public TrainingData(float[] inputs, int[] labels, int channels, int height, int width, int classCount)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classCount);
        long sampleLength = (long)channels * height * width;
        if (inputs.LongLength != labels.LongLength * sampleLength)
        {
            throw new ArgumentException(
                $"Expected {labels.Length} × {channels} × {height} × {width} = {labels.LongLength * sampleLength} input values, got {inputs.Length}.",
                nameof(inputs));
        }

        foreach (int label in labels)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(label, nameof(labels));
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(label, classCount, nameof(labels));
        }

        Inputs = inputs;
        Labels = labels;
        Channels = channels;
        Height = height;
        Width = width;
        ClassCount = classCount;
    }

    /// <summary>The N × C × H × W input values.</summary>
    public float[] Inputs { get; }

    /// <summary>The N labels.</summary>
    public int[] Labels { get; }

    /// <summary>Number of samples N.</summary>
    public int Count => Labels.Length;

    /// <summary>Channels C.</summary>
    public int Channels { get; }

    /// <summary>Height H.</summary>
    public int Height { get; }

    /// <summary>Width W.</summary>
    public int Width { get; }

    /// <summary>Number of classes K.</summary>
    public int ClassCount { get; }

    /// <summary>Values per sample, C × H × W.</summary>
    public int SampleLength => Channels * Height * Width;
}

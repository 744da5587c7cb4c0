using TorchSharp;
using TorchSharp.Modules;

namespace Cry.Training.Torch.Models;

/// <summary>Creates the networks by name.</summary>
/// <remarks>
/// Every network of <see cref="Names"/> is a <see cref="Sequential"/> of named standard layers only (Conv2d,
/// BatchNorm2d, ReLU, MaxPool2d, AdaptiveAvgPool2d, Dropout, Flatten, Linear), without custom forward code, so the
/// exporter can write it; <see cref="ResNet18"/> adds residual blocks and is for experiments only.
/// </remarks>
public static class ModelFactory
{
    /// <summary>
    /// The name of the default network, <see cref="CryNetXs"/>: as good as CryNet-S out of fold on the corpus and a
    /// quarter of its cost, which a five-member ensemble needs (docs/results.md, "The served network").
    /// </summary>
    public const string DefaultName = CryNetXs.Name;

    /// <summary>The networks a model bundle can hold (exported to ONNX).</summary>
    public static IReadOnlyList<string> Names { get; } = [CryNetS.Name, CryNetXs.Name, PaperNet.Name];

    /// <summary>
    /// Every network cross-validation can train: <see cref="Names"/> and <see cref="ResNet18"/>, which experiments
    /// fine-tune from ImageNet weights but a bundle cannot hold (its residual blocks are not exported).
    /// </summary>
    public static IReadOnlyList<string> ExperimentNames { get; } = [.. Names, ResNet18.Name];

    /// <summary>Creates network <paramref name="name"/> (case-insensitive) with fresh weights.</summary>
    /// <param name="name">A name from <see cref="ExperimentNames"/>.</param>
    /// <param name="inputChannels">Channels C of the input image.</param>
    /// <param name="inputSize">Side S of the (square) input image.</param>
    /// <param name="classCount">Number of output logits.</param>
    /// <exception cref="ArgumentException">The name is unknown.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size or count is not positive.</exception>
    public static Sequential Create(string name, int inputChannels, int inputSize, int classCount)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.ToLowerInvariant() switch
        {
            CryNetS.Name => CryNetS.Create(inputChannels, inputSize, classCount),
            CryNetXs.Name => CryNetXs.Create(inputChannels, inputSize, classCount),
            PaperNet.Name => PaperNet.Create(inputChannels, inputSize, classCount),
            ResNet18.Name => ResNet18.Create(inputChannels, inputSize, classCount),
            _ => throw new ArgumentException(
                $"Unknown model '{name}'. Known models: {string.Join(", ", ExperimentNames)}.", nameof(name)),
        };
    }
}

using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cry.Training.Torch.Models;

/// <summary>Options of <see cref="CryNetS"/>.</summary>
public sealed record CryNetSOptions
{
    /// <summary>Number of conv blocks, 3 (32, 64, 128 filters; the default) or 4 (adds a 256-filter block).</summary>
    public int Blocks
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 3);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 4);
            field = value;
        }
    } = 3;

    /// <summary>Filters of the first block, doubled in each next block; 32 by default (16 for <see cref="CryNetXs"/>).</summary>
    public int BaseFilters
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 4);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 256);
            field = value;
        }
    } = 32;

    /// <summary>Dropout probability before the classifier; 0.3 by default.</summary>
    public double Dropout
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(value, 1.0);
            field = value;
        }
    } = 0.3;
}

/// <summary>CryNet-S, a small network for C × S × S feature images (<see cref="CryNetXs"/>, its half-width form, is the default).</summary>
/// <remarks>
/// Layers, all named so that an exporter can walk them: for block i = 1…3 (or 4) with 32, 64, 128 (, 256) filters
/// (from <see cref="CryNetSOptions.BaseFilters"/>, doubling),
/// <c>conv{i}</c> (3 × 3, padding 1) → <c>bn{i}</c> → <c>relu{i}</c> → <c>pool{i}</c> (2 × 2 max); then
/// <c>gap</c> (AdaptiveAvgPool2d(1)) → <c>flatten</c> → <c>dropout</c> → <c>fc</c> (Linear(filters → classes)).
/// A block whose input side is already 1 has no pool layer, so every input size from 1 up works; 3 × 64 × 64 gives
/// 8 × 8 maps before the global pool. About 94 k parameters with 3 input channels, 3 blocks and 5 classes.
/// </remarks>
public static class CryNetS
{
    /// <summary>The name under which <see cref="ModelFactory"/> knows this network.</summary>
    public const string Name = "crynet-s";

    /// <summary>Creates the network with fresh weights from torch's global generator.</summary>
    /// <param name="inputChannels">Channels C of the input image.</param>
    /// <param name="inputSize">Side S of the (square) input image; decides where pooling stops.</param>
    /// <param name="classCount">Number of output logits.</param>
    /// <param name="options">Block count and dropout; the defaults when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size or count is not positive.</exception>
    public static Sequential Create(int inputChannels, int inputSize, int classCount, CryNetSOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classCount);
        options ??= new CryNetSOptions();

        var stack = new ConvStack(inputChannels, inputSize);
        long filters = options.BaseFilters;
        for (int block = 1; block <= options.Blocks; block++, filters *= 2)
        {
            stack.AddBlock(block, filters);
        }

        stack.Add("gap", nn.AdaptiveAvgPool2d(1));
        stack.Add("flatten", nn.Flatten());
        stack.Add("dropout", nn.Dropout(options.Dropout));
        stack.Add("fc", nn.Linear(stack.Channels, classCount));
        return stack.Build();
    }
}

/// <summary>CryNet-XS: <see cref="CryNetS"/> at half the width (16, 32, 64 filters), about a quarter of its cost.</summary>
/// <remarks>
/// About 24 k parameters with 3 input channels and 5 classes; at 3 × 64 × 64 about 11 M multiply-adds against
/// CryNet-S's 41 M, which is what lets a five-member ensemble answer within the prediction budget on one thread.
/// </remarks>
public static class CryNetXs
{
    /// <summary>The name under which <see cref="ModelFactory"/> knows this network.</summary>
    public const string Name = "crynet-xs";

    /// <summary>Creates the network with fresh weights from torch's global generator.</summary>
    /// <param name="inputChannels">Channels C of the input image.</param>
    /// <param name="inputSize">Side S of the (square) input image; decides where pooling stops.</param>
    /// <param name="classCount">Number of output logits.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size or count is not positive.</exception>
    public static Sequential Create(int inputChannels, int inputSize, int classCount) =>
        CryNetS.Create(inputChannels, inputSize, classCount, new CryNetSOptions { BaseFilters = 16 });
}

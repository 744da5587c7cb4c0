using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cry.Training.Torch.Models;

/// <summary>The research's seven-block network ("paper"), for 1 × 280 × 280 images or smaller feature images.</summary>
/// <remarks>
/// Blocks i = 1…7 with 16, 32, 64, 128, 256, 512, 1024 filters: <c>conv{i}</c> (3 × 3, padding 1) → <c>bn{i}</c> →
/// <c>relu{i}</c> → <c>pool{i}</c> (2 × 2 max), with <c>drop1</c> and <c>drop4</c> (Dropout 0.1) after blocks 1 and 4.
/// Pooling runs while the side allows it: a block whose input side is 1 has no pool layer, so any input of at least
/// 1 × 1 is accepted (280 → 140 → 70 → 35 → 17 → 8 → 4 → 2; 64 → … → 1 with the seventh pool left out).
/// The research's head was dense 1024 → 512 → classes on the flattened last map; here global average pooling gives
/// the 1024 features (one per block-7 filter), so the head does not depend on the input size: <c>gap</c>
/// (AdaptiveAvgPool2d(1)) → <c>flatten</c> → <c>fc1</c> (Linear(1024 → 512)) → <c>relu_fc1</c> → <c>fc2</c>
/// (Linear(512 → classes)). About 6.8 M parameters for 1 input channel and 5 classes.
/// </remarks>
public static class PaperNet
{
    /// <summary>The name under which <see cref="ModelFactory"/> knows this network.</summary>
    public const string Name = "paper";

    private static readonly int[] s_filters = [16, 32, 64, 128, 256, 512, 1024];

    /// <summary>Creates the network with fresh weights from torch's global generator.</summary>
    /// <param name="inputChannels">Channels C of the input image.</param>
    /// <param name="inputSize">Side S of the (square) input image; decides where pooling stops.</param>
    /// <param name="classCount">Number of output logits.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size or count is not positive.</exception>
    public static Sequential Create(int inputChannels, int inputSize, int classCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classCount);

        var stack = new ConvStack(inputChannels, inputSize);
        for (int i = 0; i < s_filters.Length; i++)
        {
            int block = i + 1;
            stack.AddBlock(block, s_filters[i]);
            if (block is 1 or 4)
            {
                stack.Add($"drop{block}", nn.Dropout(0.1));
            }
        }

        stack.Add("gap", nn.AdaptiveAvgPool2d(1));
        stack.Add("flatten", nn.Flatten());
        stack.Add("fc1", nn.Linear(stack.Channels, 512));
        stack.Add("relu_fc1", nn.ReLU());
        stack.Add("fc2", nn.Linear(512, classCount));
        return stack.Build();
    }
}

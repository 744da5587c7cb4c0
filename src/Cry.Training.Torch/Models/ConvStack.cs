using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cry.Training.Torch.Models;

/// <summary>Builds the named conv → batch-norm → ReLU → max-pool blocks that both networks share.</summary>
internal sealed class ConvStack
{
    private readonly List<(string Name, nn.Module<Tensor, Tensor> Layer)> _layers = [];
    private long _channels;
    private int _side;

    public ConvStack(int inputChannels, int inputSize)
    {
        _channels = inputChannels;
        _side = inputSize;
    }

    /// <summary>The channel count of the last block's output.</summary>
    public long Channels => _channels;

    /// <summary>The spatial side of the last block's output.</summary>
    public int Side => _side;

    /// <summary>Adds block <paramref name="index"/>: 3 × 3 conv (padding 1), BN, ReLU and, while the side is at least 2, a 2 × 2 max-pool.</summary>
    public void AddBlock(int index, long filters)
    {
        _layers.Add(($"conv{index}", nn.Conv2d(_channels, filters, 3, padding: 1)));
        _layers.Add(($"bn{index}", nn.BatchNorm2d(filters)));
        _layers.Add(($"relu{index}", nn.ReLU()));
        // A 2 × 2 pool on a 1-pixel side would produce an empty map: the block keeps its side instead.
        if (_side >= 2)
        {
            _layers.Add(($"pool{index}", nn.MaxPool2d(2)));
            _side /= 2;
        }

        _channels = filters;
    }

    /// <summary>Adds any other named layer.</summary>
    public void Add(string name, nn.Module<Tensor, Tensor> layer) => _layers.Add((name, layer));

    /// <summary>The layers so far as one <see cref="Sequential"/>.</summary>
    public Sequential Build() => nn.Sequential(_layers.ToArray());
}

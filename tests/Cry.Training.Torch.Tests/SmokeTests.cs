using static TorchSharp.torch;

namespace Cry.Training.Torch.Tests;

public class SmokeTests
{
    [Fact]
    public void Conv2d_RunsOnTheCpuBackend()
    {
        TorchSharp.torch.random.manual_seed(1);
        using var conv = nn.Conv2d(3, 4, 3, padding: 1);
        using var input = ones(2, 3, 8, 8);
        using var output = conv.forward(input);
        Assert.Equal(new long[] { 2, 4, 8, 8 }, output.shape);
    }
}

namespace Cry.Training.Torch.Tests;

public class ChannelNormalizationTests
{
    [Fact]
    public void Compute_TwoSamplesTwoChannels_MatchesHandStatistics()
    {
        // Sample-major, channel-major: channel 0 holds 1, 3 | 5, 7 (mean 4, variance (9 + 1 + 1 + 9) / 4 = 5);
        // channel 1 is constant 2, so its deviation falls back to 1.
        float[] inputs = [1, 3, 2, 2, 5, 7, 2, 2];

        var normalization = ChannelNormalization.Compute(inputs, channels: 2, pixelsPerChannel: 2);

        Assert.Equal(4f, normalization.Mean[0], 1e-6f);
        Assert.Equal((float)Math.Sqrt(5), normalization.Std[0], 1e-6f);
        Assert.Equal(2f, normalization.Mean[1], 1e-6f);
        Assert.Equal(1f, normalization.Std[1]);
    }

    [Fact]
    public void Compute_LargeOffset_KeepsTheVariance()
    {
        float[] inputs = [10000.5f, 10001.5f, 10000.5f, 10001.5f];

        var normalization = ChannelNormalization.Compute(inputs, channels: 1, pixelsPerChannel: 2);

        Assert.Equal(0.5f, normalization.Std[0], 1e-5f);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void Compute_NotWholeSamples_Throws(int length) =>
        Assert.Throws<ArgumentException>(() => ChannelNormalization.Compute(new float[length], channels: 2, pixelsPerChannel: 2));

    [Fact]
    public void Constructor_NonPositiveStd_Throws() =>
        Assert.Throws<ArgumentException>(() => new ChannelNormalization([0f], [0f]));
}

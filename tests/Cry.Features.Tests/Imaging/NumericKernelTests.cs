using Cry.Features.Imaging;

namespace Cry.Features.Tests.Imaging;

public sealed class NumericKernelTests
{
    [Theory]
    [InlineData(0.5, 0.0)]
    [InlineData(0.975, 1.959963984540054)]
    [InlineData(0.025, -1.959963984540054)]
    [InlineData(0.1, -1.2815515655446004)]
    [InlineData(0.75, 0.6744897501960817)]
    [InlineData(1e-10, -6.361340902404056)]
    public void InverseCdf_KnownQuantiles_MatchScipyToOneEMinus15Relative(double probability, double expected)
    {
        double actual = NormalDistribution.InverseCdf(probability);

        Assert.True(
            Math.Abs(actual - expected) <= 1e-15 * Math.Max(1, Math.Abs(expected)),
            $"Φ⁻¹({probability}) = {actual:R}, expected {expected:R}.");
    }

    [Fact]
    public void InverseCdf_Bounds_AreInfiniteOrNaN()
    {
        Assert.Equal(double.NegativeInfinity, NormalDistribution.InverseCdf(0));
        Assert.Equal(double.PositiveInfinity, NormalDistribution.InverseCdf(1));
        Assert.True(double.IsNaN(NormalDistribution.InverseCdf(1.5)));
    }

    [Theory]
    [InlineData(new[] { 1.0, 2, 3, 4 }, 50, 2.5)]
    [InlineData(new[] { 0.0, 1, 2, 3, 4, 5, 6, 7, 8, 9 }, 10, 0.9)]
    [InlineData(new[] { 0.0, 1, 2, 3, 4, 5, 6, 7, 8, 9 }, 100, 9)]
    [InlineData(new[] { 0.0, 1, 2, 3, 4, 5, 6, 7, 8, 9 }, 0, 0)]
    [InlineData(new[] { 7.0 }, 30, 7)]
    public void PercentileOfSorted_LinearInterpolation_MatchesNumpy(double[] sorted, double percentage, double expected)
    {
        Assert.Equal(expected, NumpyCompat.PercentileOfSorted(sorted, percentage), 1e-15);
    }

    [Fact]
    public void Linspace_LastElement_IsStopExactly()
    {
        Assert.Equal(0.25, NumpyCompat.Linspace(0, 1, 5, 1));
        Assert.Equal(0.1, NumpyCompat.Linspace(-0.7, 0.1, 9, 8));
        Assert.Equal(3.0, NumpyCompat.Linspace(3, 3, 4, 2));
    }

    [Theory]
    [InlineData(0.0, 0)]
    [InlineData(1.0, 0)]
    [InlineData(1.5, 1)]
    [InlineData(2.0, 1)]
    [InlineData(2.5, 3)]
    [InlineData(4.0, 4)]
    public void SearchSortedLeft_Ties_GoToTheLeft(double value, int expected)
    {
        Assert.Equal(expected, NumpyCompat.SearchSortedLeft([1, 2, 2, 3], value));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(129)]
    [InlineData(1000)]
    public void PairwiseSum_Integers_IsExact(int count)
    {
        double[] values = Enumerable.Range(1, count).Select(i => (double)i).ToArray();

        Assert.Equal(count * (count + 1) / 2.0, NumpyCompat.PairwiseSum(values));
    }
}

using Cry.Features.Imaging;

namespace Cry.Features.Tests.Imaging;

public sealed class PiecewiseAggregateApproximationTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(500)]
    public void Transform_SizeEqualsLength_ReturnsSeriesUnchanged(int length)
    {
        double[] series = TestSeries.Uniform(length, seed: length);
        foreach (bool overlapping in new[] { false, true })
        {
            var paa = new PiecewiseAggregateApproximation(new() { OutputSize = length, Overlapping = overlapping });
            Assert.Equal(series, paa.Transform(series));
        }
    }

    [Theory]
    [InlineData(12, 3)]
    [InlineData(12, 4)]
    [InlineData(100, 10)]
    [InlineData(9, 1)]
    public void Transform_EqualBlocks_MeansOfBlocksPreserveSeriesMean(int length, int size)
    {
        double[] series = TestSeries.RandomWalk(length, seed: 3);
        int block = length / size;
        foreach (bool overlapping in new[] { false, true })
        {
            var paa = new PiecewiseAggregateApproximation(new() { OutputSize = size, Overlapping = overlapping });
            double[] result = paa.Transform(series);

            for (int k = 0; k < size; k++)
            {
                Assert.Equal(series.Skip(k * block).Take(block).Average(), result[k], 1e-12);
            }

            Assert.Equal(series.Average(), result.Average(), 1e-12);
        }
    }

    [Fact]
    public void Transform_TenValuesToThree_UsesPytsBounds()
    {
        // Non-overlapping bounds floor(linspace(0, 10, 4)) = [0, 3, 6, 10];
        // overlapping: window 4, overlaps linspace(0, 2, 3) = [0, 1, 2] → [0, 4), [3, 7), [6, 10).
        double[] series = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

        double[] tiled = new PiecewiseAggregateApproximation(new() { OutputSize = 3 }).Transform(series);
        double[] overlapped = new PiecewiseAggregateApproximation(new() { OutputSize = 3, Overlapping = true }).Transform(series);

        Assert.Equal([1.0, 4.0, 7.5], tiled);
        Assert.Equal([1.5, 4.5, 7.5], overlapped);
    }

    [Fact]
    public void Transform_SpanOverload_MatchesAllocatingOverload()
    {
        double[] series = TestSeries.RandomWalk(97, seed: 5);
        var paa = new PiecewiseAggregateApproximation(new() { OutputSize = 13, Overlapping = true });
        var destination = new double[20];

        paa.Transform(series, destination);

        Assert.Equal(paa.Transform(series), destination[..13]);
        Assert.All(destination[13..], value => Assert.Equal(0, value));
    }

    [Fact]
    public void Constructor_OutputSizeZero_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PiecewiseAggregateApproximation(new() { OutputSize = 0 }));
    }

    [Fact]
    public void Transform_SizeAboveLength_ThrowsNamingPyts()
    {
        var paa = new PiecewiseAggregateApproximation(new() { OutputSize = 8 });
        var exception = Assert.Throws<ArgumentException>(() => paa.Transform(new double[5]));
        Assert.Contains("pyts", exception.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => paa.OutputSize(5));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Transform_EmptyOrNonFiniteSeries_Throws(double bad)
    {
        var paa = new PiecewiseAggregateApproximation(new() { OutputSize = 1 });
        Assert.Throws<ArgumentException>(() => paa.Transform(ReadOnlySpan<double>.Empty));
        if (bad != 0)
        {
            Assert.Throws<ArgumentException>(() => paa.Transform([1, bad, 2]));
        }
    }

    [Fact]
    public void Transform_DestinationTooShort_Throws()
    {
        var paa = new PiecewiseAggregateApproximation(new() { OutputSize = 4 });
        Assert.Throws<ArgumentException>(() => paa.Transform(new double[10], new double[3]));
    }
}

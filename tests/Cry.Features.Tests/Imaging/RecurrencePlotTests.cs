using Cry.Features.Imaging;

namespace Cry.Features.Tests.Imaging;

public sealed class RecurrencePlotTests
{
    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(30, 1, 1)]
    [InlineData(30, 3, 2)]
    [InlineData(41, 9, 1)]
    [InlineData(17, 2, 16)]
    public void Transform_NoThreshold_IsSymmetricEuclideanDistanceWithZeroDiagonal(int length, int dimension, int delay)
    {
        double[] series = TestSeries.RandomWalk(length, seed: 20);
        var plot = new RecurrencePlot(new() { Dimension = dimension, TimeDelay = delay });
        int m = plot.OutputSize(length);

        double[] distances = plot.Transform(series);

        Assert.Equal(length - ((dimension - 1) * delay), m);
        for (int i = 0; i < m; i++)
        {
            Assert.Equal(0, distances[(i * m) + i]);
            for (int j = 0; j < m; j++)
            {
                double sum = 0;
                for (int k = 0; k < dimension; k++)
                {
                    double d = series[i + (k * delay)] - series[j + (k * delay)];
                    sum += d * d;
                }

                Assert.Equal(Math.Sqrt(sum), distances[(i * m) + j], 1e-12);
                Assert.Equal(distances[(j * m) + i], distances[(i * m) + j]);
            }
        }
    }

    [Theory]
    [InlineData(10.0)]
    [InlineData(25.0)]
    [InlineData(50.0)]
    [InlineData(90.0)]
    public void Transform_PointThreshold_MarksAboutPercentageOfPixels(double percentage)
    {
        double[] series = TestSeries.Uniform(150, seed: 21);
        var plot = new RecurrencePlot(new() { Dimension = 2, Threshold = RecurrenceThreshold.Point, Percentage = percentage });

        double[] binary = plot.Transform(series);

        Assert.All(binary, value => Assert.True(value is 0.0 or 1.0));
        Assert.Equal(percentage / 100, binary.Average(), 0.01);
    }

    [Fact]
    public void Transform_DistanceAndValueThresholds_AreStrictComparisonsWithRawDistances()
    {
        double[] series = TestSeries.RandomWalk(60, seed: 22);
        double[] raw = new RecurrencePlot(new() { Dimension = 3, TimeDelay = 2 }).Transform(series);
        double epsilon = 0.3 * raw.Max();
        var byDistance = new RecurrencePlot(new() { Dimension = 3, TimeDelay = 2, Threshold = RecurrenceThreshold.Distance, Percentage = 30 });
        var byValue = new RecurrencePlot(new() { Dimension = 3, TimeDelay = 2, Threshold = RecurrenceThreshold.Value, ThresholdValue = raw[5] });

        Assert.Equal(raw.Select(d => d < epsilon ? 1.0 : 0.0), byDistance.Transform(series));
        Assert.Equal(raw.Select(d => d < raw[5] ? 1.0 : 0.0), byValue.Transform(series));
        Assert.Equal(0, byValue.Transform(series)[5]);
    }

    [Fact]
    public void Transform_PointThresholdZeroPercent_MarksNothing()
    {
        var plot = new RecurrencePlot(new() { Threshold = RecurrenceThreshold.Point, Percentage = 0 });

        Assert.All(plot.Transform(TestSeries.Uniform(20, seed: 23)), value => Assert.Equal(0, value));
    }

    [Fact]
    public void OutputSize_NoTrajectory_Throws()
    {
        var plot = new RecurrencePlot(new() { Dimension = 4, TimeDelay = 3 });

        Assert.Equal(1, plot.OutputSize(10));
        Assert.Throws<ArgumentException>(() => plot.OutputSize(9));
        Assert.Throws<ArgumentException>(() => plot.Transform(new double[9]));
    }

    [Fact]
    public void Constructor_InvalidOptions_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RecurrencePlot(new() { Dimension = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RecurrencePlot(new() { TimeDelay = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RecurrencePlot(new() { Percentage = 100.5 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RecurrencePlot(new() { Percentage = double.NaN }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RecurrencePlot(new() { Threshold = RecurrenceThreshold.Value, ThresholdValue = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RecurrencePlot(new() { Threshold = (RecurrenceThreshold)7 }));
    }

    [Theory]
    [InlineData(40, 7, 1, 1, false)]
    [InlineData(61, 7, 3, 2, true)]
    [InlineData(11, 7, 3, 2, false)]
    public void Transform_WithSize_IsThePlotOfThePaaReducedSeries(int length, int size, int dimension, int delay, bool overlapping)
    {
        double[] series = TestSeries.RandomWalk(length, seed: 24);
        int points = size + ((dimension - 1) * delay);
        double[] reduced = new PiecewiseAggregateApproximation(new() { OutputSize = points, Overlapping = overlapping }).Transform(series);
        var options = new RecurrencePlotOptions { Dimension = dimension, TimeDelay = delay, Threshold = RecurrenceThreshold.Point, Percentage = 30 };
        var sized = new RecurrencePlot(options with { Size = size, Overlapping = overlapping });

        Assert.Equal(points, sized.MinimumSeriesLength);
        Assert.Equal(size, sized.OutputSize(length));
        Assert.Equal(new RecurrencePlot(options).Transform(reduced), sized.Transform(series));
    }

    [Fact]
    public void OutputSize_SizeAboveTrajectories_Throws()
    {
        var plot = new RecurrencePlot(new() { Dimension = 3, TimeDelay = 2, Size = 7 });
        Assert.Equal(7, plot.OutputSize(11));
        Assert.Throws<ArgumentException>(() => plot.OutputSize(10));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RecurrencePlot(new() { Size = 0 }));
    }

    [Fact]
    public void Transform_DestinationTooShort_Throws()
    {
        var plot = new RecurrencePlot(new());
        Assert.Throws<ArgumentException>(() => plot.Transform(new double[4], new double[15]));
    }
}

using Cry.Features.Imaging;

namespace Cry.Features.Tests.Imaging;

public sealed class GramianAngularFieldTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(101, 17)]
    [InlineData(300, 64)]
    public void Transform_Summation_IsSymmetric(int length, int size)
    {
        double[] field = Field(GramianAngularFieldMethod.Summation, TestSeries.RandomWalk(length, seed: 7), size);

        for (int i = 0; i < size; i++)
        {
            for (int j = 0; j < size; j++)
            {
                Assert.Equal(field[(i * size) + j], field[(j * size) + i], 1e-15);
            }
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 2)]
    [InlineData(101, 17)]
    [InlineData(300, 64)]
    public void Transform_Difference_IsAntisymmetricWithZeroDiagonal(int length, int size)
    {
        double[] field = Field(GramianAngularFieldMethod.Difference, TestSeries.RandomWalk(length, seed: 8), size);

        for (int i = 0; i < size; i++)
        {
            Assert.Equal(0, field[(i * size) + i], 1e-15);
            for (int j = 0; j < size; j++)
            {
                Assert.Equal(-field[(i * size) + j], field[(j * size) + i], 1e-15);
            }
        }
    }

    [Theory]
    [InlineData(-1.0, 1.0)]
    [InlineData(0.0, 1.0)]
    [InlineData(-0.5, 0.25)]
    public void Transform_Summation_DiagonalIsCosOfDoubleAngle(double sampleMin, double sampleMax)
    {
        // With Size == n PAA is the identity, so cos φ_i is the min-max scaled value x_i and GASF[i, i] = 2x² − 1.
        double[] series = TestSeries.Uniform(40, seed: 9);
        double min = series.Min();
        double max = series.Max();
        var gaf = new GramianAngularField(new() { Size = 40, SampleMin = sampleMin, SampleMax = sampleMax });

        double[] field = gaf.Transform(series);

        for (int i = 0; i < 40; i++)
        {
            double x = sampleMin + ((series[i] - min) / (max - min) * (sampleMax - sampleMin));
            Assert.Equal((2 * x * x) - 1, field[(i * 40) + i], 1e-12);
        }
    }

    [Fact]
    public void Transform_ConstantSeries_MapsToRangeMinimum()
    {
        var gasf = new GramianAngularField(new() { Size = 5, SampleMin = 0, SampleMax = 1 });
        var gadf = new GramianAngularField(new() { Size = 5, SampleMin = 0, SampleMax = 1, Method = GramianAngularFieldMethod.Difference });
        double[] series = Enumerable.Repeat(3.25, 12).ToArray();

        // cos φ = 0 everywhere: GASF = 0·0 − 1·1 = −1, GADF = 0.
        Assert.All(gasf.Transform(series), value => Assert.Equal(-1, value, 1e-15));
        Assert.All(gadf.Transform(series), value => Assert.Equal(0, value, 1e-15));
    }

    [Fact]
    public void Transform_Values_StayInUnitInterval()
    {
        double[] series = TestSeries.RandomWalk(250, seed: 10);
        foreach (GramianAngularFieldMethod method in Enum.GetValues<GramianAngularFieldMethod>())
        {
            Assert.All(Field(method, series, 32), value => Assert.InRange(value, -1 - 1e-12, 1 + 1e-12));
        }
    }

    [Theory]
    [InlineData(-1.5, 1.0)]
    [InlineData(0.0, 1.5)]
    [InlineData(0.5, 0.5)]
    [InlineData(0.5, -0.5)]
    [InlineData(double.NaN, 1.0)]
    public void Constructor_InvalidSampleRange_Throws(double sampleMin, double sampleMax)
    {
        Assert.Throws<ArgumentOutOfRangeException>(
            () => new GramianAngularField(new() { SampleMin = sampleMin, SampleMax = sampleMax }));
    }

    [Fact]
    public void Constructor_SizeZero_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new GramianAngularField(new() { Size = 0 }));
    }

    [Fact]
    public void Transform_SizeAboveLength_ThrowsNamingPyts()
    {
        var gaf = new GramianAngularField(new() { Size = 64 });
        var exception = Assert.Throws<ArgumentException>(() => gaf.Transform(new double[63]));
        Assert.Contains("pyts", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Transform_DestinationTooShort_Throws()
    {
        var gaf = new GramianAngularField(new() { Size = 4 });
        Assert.Throws<ArgumentException>(() => gaf.Transform(TestSeries.Uniform(10, 1), new double[15]));
    }

    private static double[] Field(GramianAngularFieldMethod method, double[] series, int size) =>
        new GramianAngularField(new() { Size = size, Method = method }).Transform(series);
}

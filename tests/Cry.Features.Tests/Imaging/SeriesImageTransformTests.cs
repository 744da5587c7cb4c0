using Cry.Features.Imaging;

namespace Cry.Features.Tests.Imaging;

public sealed class SeriesImageTransformTests
{
    public static TheoryData<string> Transforms => ["gasf", "mtf", "rp", "rp-sized"];

    [Theory]
    [MemberData(nameof(Transforms))]
    public void Transform_SpanAndArray_GiveOutputSizeSquaredEqualValues(string name)
    {
        ISeriesImageTransform transform = Create(name);
        double[] series = TestSeries.RandomWalk(50, seed: 30);
        int side = transform.OutputSize(series.Length);
        var destination = new double[(side * side) + 3];

        transform.Transform(series, destination);

        Assert.Equal(destination[..(side * side)], transform.Transform(series));
        Assert.All(destination[(side * side)..], value => Assert.Equal(0, value));
    }

    [Theory]
    [MemberData(nameof(Transforms))]
    public void OutputSize_BelowMinimumSeriesLength_Throws(string name)
    {
        ISeriesImageTransform transform = Create(name);
        int minimum = transform.MinimumSeriesLength;

        transform.OutputSize(minimum);

        Assert.ThrowsAny<ArgumentException>(() => transform.OutputSize(minimum - 1));
    }

    private static ISeriesImageTransform Create(string name) => name switch
    {
        "gasf" => new GramianAngularField(new() { Size = 12 }),
        "mtf" => new MarkovTransitionField(new() { Size = 12 }),
        "rp" => new RecurrencePlot(new() { Dimension = 3, TimeDelay = 4 }),
        _ => new RecurrencePlot(new() { Size = 12, Dimension = 2, TimeDelay = 3 }),
    };
}

namespace Cry.Features.Imaging;

/// <summary>A time-series imaging transform: a 1-D series in, a square image out (row-major), span in and span out.</summary>
/// <remarks>
/// Implemented by <see cref="GramianAngularField"/>, <see cref="MarkovTransitionField"/> and <see cref="RecurrencePlot"/>;
/// <c>ImageSpec.CreateTransform</c> builds one for a feature spec's image channel. Implementations validate their
/// options on construction and are immutable and thread-safe.
/// </remarks>
public interface ISeriesImageTransform
{
    /// <summary>The fewest series values the transform accepts.</summary>
    int MinimumSeriesLength { get; }

    /// <summary>The image side for a series of <paramref name="seriesLength"/> values; the image holds its square.</summary>
    /// <exception cref="ArgumentException">The series is shorter than <see cref="MinimumSeriesLength"/>, or the image would exceed the largest array.</exception>
    int OutputSize(int seriesLength);

    /// <summary>Writes the image of <paramref name="series"/>, row-major, to <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentException">The series is empty, non-finite or too short, or the destination holds fewer than OutputSize² values.</exception>
    void Transform(ReadOnlySpan<double> series, Span<double> destination);

    /// <summary>Returns the image of <paramref name="series"/>, row-major.</summary>
    /// <exception cref="ArgumentException">The series is empty, non-finite or too short.</exception>
    double[] Transform(ReadOnlySpan<double> series);
}

using System.Buffers;

namespace Cry.Features.Imaging;

/// <summary>Options for <see cref="PiecewiseAggregateApproximation"/>.</summary>
public sealed record PiecewiseAggregateApproximationOptions
{
    /// <summary>Number of values in the output; between 1 and the series length. Default 64.</summary>
    public int OutputSize { get; init; } = 64;

    /// <summary>Whether equal-length segments may overlap (true) or segments tile the series exactly (false). Default false.</summary>
    public bool Overlapping { get; init; }
}

/// <summary>Piecewise Aggregate Approximation: shrinks a series to a fixed length by averaging segments.</summary>
/// <remarks>
/// Compatible with pyts 0.13 <c>PiecewiseAggregateApproximation(window_size=None, output_size=OutputSize,
/// overlapping=Overlapping)</c>. Output k is the mean of <c>series[start_k..end_k)</c> where the bounds are:
/// <list type="bullet">
/// <item>non-overlapping: <c>floor(linspace(0, n, size + 1))</c>;</item>
/// <item>overlapping: windows of length <c>w = n / size</c> (+1 when <c>n % size != 0</c>) starting at
/// <c>k·w − o_k</c> with <c>o = linspace(0, size·w − n, size).astype(int)</c>.</item>
/// </list>
/// When the window is one sample (size equals n) the series is returned unchanged, as pyts does.
/// pyts refuses <c>output_size = 1</c> on series longer than one value; here it gives the series mean.
/// Instances are immutable and thread-safe.
/// </remarks>
public sealed class PiecewiseAggregateApproximation
{
    private const int StackBoundsLimit = 256;

    /// <summary>Creates the transform after validating the options.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">OutputSize is below 1.</exception>
    public PiecewiseAggregateApproximation(PiecewiseAggregateApproximationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.OutputSize, 1);
        Options = options;
    }

    /// <summary>The validated options.</summary>
    public PiecewiseAggregateApproximationOptions Options { get; }

    /// <summary>The output length for a series of <paramref name="seriesLength"/> values.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="seriesLength"/> is below 1.</exception>
    /// <exception cref="ArgumentException">OutputSize exceeds <paramref name="seriesLength"/>.</exception>
    public int OutputSize(int seriesLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(seriesLength, 1);
        SeriesGuard.ThrowIfSizeExceedsLength(Options.OutputSize, seriesLength, nameof(Options.OutputSize), nameof(seriesLength));
        return Options.OutputSize;
    }

    /// <summary>Writes the OutputSize segment means of <paramref name="series"/> to <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentException">The series is empty, non-finite or shorter than OutputSize, or the destination is too short.</exception>
    public void Transform(ReadOnlySpan<double> series, Span<double> destination)
    {
        SeriesGuard.ThrowIfEmptyOrNonFinite(series, nameof(series));
        SeriesGuard.ThrowIfSizeExceedsLength(Options.OutputSize, series.Length, nameof(Options.OutputSize), nameof(series));
        SeriesGuard.ThrowIfDestinationTooShort(destination.Length, Options.OutputSize, nameof(destination));
        TransformCore(series, destination[..Options.OutputSize], Options.Overlapping);
    }

    /// <summary>Returns the OutputSize segment means of <paramref name="series"/>.</summary>
    /// <exception cref="ArgumentException">The series is empty, non-finite or shorter than OutputSize.</exception>
    public double[] Transform(ReadOnlySpan<double> series)
    {
        SeriesGuard.ThrowIfEmptyOrNonFinite(series, nameof(series));
        SeriesGuard.ThrowIfSizeExceedsLength(Options.OutputSize, series.Length, nameof(Options.OutputSize), nameof(series));
        var result = new double[Options.OutputSize];
        TransformCore(series, result, Options.Overlapping);
        return result;
    }

    /// <summary>The unchecked kernel: <paramref name="destination"/> has exactly the output size, which is at most the series length.</summary>
    internal static void TransformCore(ReadOnlySpan<double> series, Span<double> destination, bool overlapping)
    {
        int size = destination.Length;
        if (size == series.Length)
        {
            series.CopyTo(destination);
            return;
        }

        int[]? rented = null;
        Span<int> bounds = size <= StackBoundsLimit
            ? stackalloc int[2 * StackBoundsLimit]
            : (rented = ArrayPool<int>.Shared.Rent(2 * size));
        try
        {
            Span<int> start = bounds[..size];
            Span<int> end = bounds.Slice(size, size);
            Segmentation.Compute(series.Length, size, overlapping, start, end);
            for (int k = 0; k < size; k++)
            {
                destination[k] = NumpyCompat.Mean(series[start[k]..end[k]]);
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<int>.Shared.Return(rented);
            }
        }
    }
}

using System.Buffers;
using System.Numerics.Tensors;

namespace Cry.Features.Imaging;

/// <summary>How a recurrence plot turns distances into pixels.</summary>
public enum RecurrenceThreshold
{
    /// <summary>No binarisation: the plot holds the raw distances.</summary>
    None,

    /// <summary>Threshold at the <see cref="RecurrencePlotOptions.Percentage"/> percentile of all distances.</summary>
    Point,

    /// <summary>Threshold at <see cref="RecurrencePlotOptions.Percentage"/> percent of the largest distance.</summary>
    Distance,

    /// <summary>Threshold at <see cref="RecurrencePlotOptions.ThresholdValue"/>.</summary>
    Value,
}

/// <summary>Options for <see cref="RecurrencePlot"/>.</summary>
public sealed record RecurrencePlotOptions
{
    /// <summary>Trajectory dimension d (embedding dimension); at least 1. Default 1.</summary>
    public int Dimension { get; init; } = 1;

    /// <summary>Time delay τ between a trajectory's coordinates; at least 1. Default 1.</summary>
    public int TimeDelay { get; init; } = 1;

    /// <summary>Binarisation rule. Default none (raw distances).</summary>
    public RecurrenceThreshold Threshold { get; init; } = RecurrenceThreshold.None;

    /// <summary>The threshold ε when <see cref="Threshold"/> is <see cref="RecurrenceThreshold.Value"/>; positive and finite.</summary>
    public double ThresholdValue { get; init; }

    /// <summary>Percentile (Point) or percent of the largest distance (Distance); in [0, 100]. Default 10.</summary>
    public double Percentage { get; init; } = 10;

    /// <summary>
    /// Image side, at least 1: the series is first shrunk by PAA to Size + (Dimension − 1)·TimeDelay values, so the plot
    /// is Size × Size. Default null: no shrinking, one row per trajectory, as pyts.
    /// </summary>
    public int? Size { get; init; }

    /// <summary>Whether the PAA step (when <see cref="Size"/> is set) uses overlapping windows. Default false.</summary>
    public bool Overlapping { get; init; }
}

/// <summary>Recurrence plot: the m×m matrix of distances between a series' delay-embedded trajectories, optionally binarised.</summary>
/// <remarks>
/// Compatible with pyts 0.13 <c>RecurrencePlot(dimension, time_delay, threshold, percentage)</c>.
/// Trajectories are <c>x_i = (s[i], s[i + τ], …, s[i + (d − 1)τ])</c> for <c>i &lt; m = n − (d − 1)τ</c>;
/// <c>R[i, j] = ‖x_i − x_j‖₂</c> (for d = 1, <c>|s[i] − s[j]|</c>), with the squares summed in NumPy's pairwise order.
/// Binarised plots hold <c>1.0</c> where <c>R[i, j] &lt; ε</c> (strictly) and <c>0.0</c> elsewhere, with ε the
/// <c>Percentage</c> percentile of all m² distances (NumPy linear interpolation), <c>Percentage / 100 × max R</c>,
/// or <see cref="RecurrencePlotOptions.ThresholdValue"/>.
/// With <see cref="RecurrencePlotOptions.Size"/> set (the feature spec's <c>rp</c> channel, not a pyts parameter), the
/// series is first shrunk by <see cref="PiecewiseAggregateApproximation"/> to <c>Size + (d − 1)τ</c> values, so m = Size.
/// The plot is symmetric with a zero-distance diagonal. Instances are immutable and thread-safe.
/// </remarks>
public sealed class RecurrencePlot : ISeriesImageTransform
{
    private const int StackLimit = 128;

    /// <summary>Creates the transform after validating the options.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">Dimension or TimeDelay is below 1, Percentage leaves [0, 100], the threshold kind is unknown, a Value threshold is not positive and finite, or Size is below 1.</exception>
    public RecurrencePlot(RecurrencePlotOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Dimension, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.TimeDelay, 1);
        if (!Enum.IsDefined(options.Threshold))
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"Unknown threshold kind {options.Threshold}.");
        }

        if (!(options.Percentage >= 0 && options.Percentage <= 100))
        {
            throw new ArgumentOutOfRangeException(
                nameof(options), $"Percentage ({options.Percentage}) must be between 0 and 100.");
        }

        if (options.Threshold == RecurrenceThreshold.Value
            && !(options.ThresholdValue > 0 && double.IsFinite(options.ThresholdValue)))
        {
            throw new ArgumentOutOfRangeException(
                nameof(options), $"ThresholdValue ({options.ThresholdValue}) must be positive and finite.");
        }

        if (options.Size is { } size)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(size, 1, "options.Size");
        }

        Options = options;
    }

    /// <summary>The validated options.</summary>
    public RecurrencePlotOptions Options { get; }

    /// <summary>The fewest values: Size (1 without it) + (Dimension − 1)·TimeDelay.</summary>
    public int MinimumSeriesLength => (int)Math.Min(int.MaxValue, (Options.Size ?? 1) + EmbeddingSpan);

    /// <summary>The plot's side: Size when set, otherwise the number of trajectories m = n − (Dimension − 1)·TimeDelay.</summary>
    /// <exception cref="ArgumentException">The series is too short to hold one trajectory (or Size of them), or the plot would be too large.</exception>
    public int OutputSize(int seriesLength)
    {
        long m = seriesLength - EmbeddingSpan;
        if (m < 1)
        {
            throw new ArgumentException(
                $"A series of {seriesLength} values holds no trajectory: n − (Dimension − 1)·TimeDelay = {m}; " +
                "use a longer series or a smaller Dimension or TimeDelay.",
                nameof(seriesLength));
        }

        if (Options.Size is { } size)
        {
            if (size > m)
            {
                throw new ArgumentException(
                    $"A series of {seriesLength} values holds {m} trajectories, fewer than Size ({size}); " +
                    "use a longer series or a smaller Size, Dimension or TimeDelay.",
                    nameof(seriesLength));
            }

            m = size;
        }

        if (m * m > Array.MaxLength)
        {
            throw new ArgumentException($"A {m}×{m} plot exceeds the largest array.", nameof(seriesLength));
        }

        return (int)m;
    }

    /// <summary>Writes the m×m plot of <paramref name="series"/>, row-major, to <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentException">The series is empty, non-finite or too short for one trajectory, or the destination holds fewer than m² values.</exception>
    public void Transform(ReadOnlySpan<double> series, Span<double> destination)
    {
        SeriesGuard.ThrowIfEmptyOrNonFinite(series, nameof(series));
        int m = OutputSize(series.Length);
        int count = m * m;
        SeriesGuard.ThrowIfDestinationTooShort(destination.Length, count, nameof(destination));
        Span<double> plot = destination[..count];

        if (Options.Size is null)
        {
            ComputeDistances(series, m, plot);
        }
        else
        {
            int points = (int)(m + EmbeddingSpan);
            double[] rented = ArrayPool<double>.Shared.Rent(points);
            try
            {
                Span<double> reduced = rented.AsSpan(0, points);
                PiecewiseAggregateApproximation.TransformCore(series, reduced, Options.Overlapping);
                SeriesGuard.ThrowIfEmptyOrNonFinite(reduced, nameof(series)); // a mean of huge values can overflow
                ComputeDistances(reduced, m, plot);
            }
            finally
            {
                ArrayPool<double>.Shared.Return(rented);
            }
        }

        if (Options.Threshold == RecurrenceThreshold.None)
        {
            return;
        }

        double threshold = Options.Threshold switch
        {
            RecurrenceThreshold.Point => PercentileOf(plot, Options.Percentage),
            RecurrenceThreshold.Distance => Options.Percentage / 100 * TensorPrimitives.Max<double>(plot),
            _ => Options.ThresholdValue,
        };

        for (int i = 0; i < plot.Length; i++)
        {
            plot[i] = plot[i] < threshold ? 1.0 : 0.0;
        }
    }

    /// <summary>Returns the m×m plot of <paramref name="series"/>, row-major.</summary>
    /// <exception cref="ArgumentException">The series is empty, non-finite or too short for one trajectory.</exception>
    public double[] Transform(ReadOnlySpan<double> series)
    {
        SeriesGuard.ThrowIfEmptyOrNonFinite(series, nameof(series));
        int m = OutputSize(series.Length);
        var result = new double[m * m];
        Transform(series, result);
        return result;
    }

    // (d − 1)·τ: how many more values the last trajectory spans than the first.
    private long EmbeddingSpan => (long)(Options.Dimension - 1) * Options.TimeDelay;

    private void ComputeDistances(ReadOnlySpan<double> series, int m, Span<double> plot)
    {
        int dimension = Options.Dimension;
        int delay = Options.TimeDelay;
        if (dimension == 1)
        {
            for (int i = 0; i < m; i++)
            {
                plot[(i * m) + i] = 0;
                for (int j = i + 1; j < m; j++)
                {
                    double distance = Math.Abs(series[i] - series[j]);
                    plot[(i * m) + j] = distance;
                    plot[(j * m) + i] = distance;
                }
            }

            return;
        }

        double[]? rented = null;
        Span<double> squares = dimension <= StackLimit
            ? stackalloc double[StackLimit]
            : (rented = ArrayPool<double>.Shared.Rent(dimension));
        squares = squares[..dimension];
        try
        {
            for (int i = 0; i < m; i++)
            {
                plot[(i * m) + i] = 0;
                for (int j = i + 1; j < m; j++)
                {
                    for (int k = 0; k < dimension; k++)
                    {
                        double difference = series[j + (k * delay)] - series[i + (k * delay)];
                        squares[k] = difference * difference;
                    }

                    double distance = Math.Sqrt(NumpyCompat.PairwiseSum(squares));
                    plot[(i * m) + j] = distance;
                    plot[(j * m) + i] = distance;
                }
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<double>.Shared.Return(rented);
            }
        }
    }

    private static double PercentileOf(ReadOnlySpan<double> values, double percentage)
    {
        double[] rented = ArrayPool<double>.Shared.Rent(values.Length);
        try
        {
            Span<double> sorted = rented.AsSpan(0, values.Length);
            values.CopyTo(sorted);
            sorted.Sort();
            return NumpyCompat.PercentileOfSorted(sorted, percentage);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(rented);
        }
    }
}

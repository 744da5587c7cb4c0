using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;

namespace Cry.Features.Imaging;

/// <summary>Which Gramian Angular Field to compute.</summary>
public enum GramianAngularFieldMethod
{
    /// <summary>GASF: <c>cos(φ_i + φ_j)</c>.</summary>
    Summation,

    /// <summary>GADF: <c>sin(φ_i − φ_j)</c>.</summary>
    Difference,
}

/// <summary>Options for <see cref="GramianAngularField"/>.</summary>
public sealed record GramianAngularFieldOptions
{
    /// <summary>Image side; the series is shrunk to this many values by PAA. Between 1 and the series length. Default 64.</summary>
    public int Size { get; init; } = 64;

    /// <summary>Lower end of the min-max scaling range; at least −1. Default −1.</summary>
    public double SampleMin { get; init; } = -1;

    /// <summary>Upper end of the min-max scaling range; at most 1 and above <see cref="SampleMin"/>. Default 1.</summary>
    public double SampleMax { get; init; } = 1;

    /// <summary>Whether the PAA step uses overlapping windows. Default false.</summary>
    public bool Overlapping { get; init; }

    /// <summary>Summation (GASF) or difference (GADF). Default summation.</summary>
    public GramianAngularFieldMethod Method { get; init; } = GramianAngularFieldMethod.Summation;
}

/// <summary>Gramian Angular Field: encodes a series as a Size×Size image of pairwise angle sums or differences.</summary>
/// <remarks>
/// Compatible with pyts 0.13 <c>GramianAngularField(image_size=Size, sample_range=(SampleMin, SampleMax),
/// method, overlapping)</c>:
/// <list type="number">
/// <item>PAA shrinks the series to Size values (see <see cref="PiecewiseAggregateApproximation"/>);</item>
/// <item>min-max scaling per series to [SampleMin, SampleMax] as scikit-learn's <c>MinMaxScaler</c>
/// (<c>x·s + (min − x_min·s)</c>, a range below 10 ε replaced by 1, so a constant series maps to SampleMin);
/// the scaled value is <c>cos φ</c>, and <c>sin φ = sqrt(clip(1 − cos² φ, 0, 1))</c>;</item>
/// <item>GASF<c>[i, j] = cos φ_i cos φ_j − sin φ_i sin φ_j = cos(φ_i + φ_j)</c>;
/// GADF<c>[i, j] = sin φ_i cos φ_j − cos φ_i sin φ_j = sin(φ_i − φ_j)</c>.</item>
/// </list>
/// The output is row-major. GASF is symmetric with diagonal <c>2x² − 1</c>; GADF is antisymmetric.
/// Instances are immutable and thread-safe.
/// </remarks>
public sealed class GramianAngularField : ISeriesImageTransform
{
    private const int StackLimit = 256;

    // numpy.finfo(float64).eps, used by scikit-learn's zero-range test.
    private const double MachineEpsilon = 2.220446049250313e-16;

    /// <summary>Creates the transform after validating the options.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">Size is below 1, the sample range leaves [−1, 1] or is empty, or the method is unknown.</exception>
    public GramianAngularField(GramianAngularFieldOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Size, 1);
        if (!(options.SampleMin >= -1 && options.SampleMin < options.SampleMax && options.SampleMax <= 1))
        {
            throw new ArgumentOutOfRangeException(
                nameof(options),
                $"The sample range [{options.SampleMin}, {options.SampleMax}] must satisfy −1 ≤ SampleMin < SampleMax ≤ 1, " +
                "since the scaled values are cosines.");
        }

        if (!Enum.IsDefined(options.Method))
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"Unknown method {options.Method}.");
        }

        Options = options;
    }

    /// <summary>The validated options.</summary>
    public GramianAngularFieldOptions Options { get; }

    /// <inheritdoc/>
    public int MinimumSeriesLength => Options.Size;

    /// <summary>The image side, Size, for a series of <paramref name="seriesLength"/> values.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="seriesLength"/> is below 1.</exception>
    /// <exception cref="ArgumentException">Size exceeds <paramref name="seriesLength"/>.</exception>
    public int OutputSize(int seriesLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(seriesLength, 1);
        SeriesGuard.ThrowIfSizeExceedsLength(Options.Size, seriesLength, nameof(Options.Size), nameof(seriesLength));
        return Options.Size;
    }

    /// <summary>Writes the Size×Size field of <paramref name="series"/>, row-major, to <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentException">The series is empty, non-finite or shorter than Size, or the destination holds fewer than Size² values.</exception>
    public void Transform(ReadOnlySpan<double> series, Span<double> destination)
    {
        int size = Options.Size;
        SeriesGuard.ThrowIfEmptyOrNonFinite(series, nameof(series));
        SeriesGuard.ThrowIfSizeExceedsLength(size, series.Length, nameof(Options.Size), nameof(series));
        SeriesGuard.ThrowIfDestinationTooShort(destination.Length, (long)size * size, nameof(destination));

        double[]? rented = null;
        Span<double> scratch = size <= StackLimit
            ? stackalloc double[2 * StackLimit]
            : (rented = ArrayPool<double>.Shared.Rent(2 * size));
        try
        {
            Span<double> cos = scratch[..size];
            Span<double> sin = scratch.Slice(size, size);
            PiecewiseAggregateApproximation.TransformCore(series, cos, Options.Overlapping);
            ScaleToCosines(cos, Options.SampleMin, Options.SampleMax);
            for (int i = 0; i < size; i++)
            {
                sin[i] = Math.Sqrt(Math.Clamp(1 - (cos[i] * cos[i]), 0, 1));
            }

            bool summation = Options.Method == GramianAngularFieldMethod.Summation;
            for (int i = 0; i < size; i++)
            {
                Span<double> row = destination.Slice(i * size, size);
                if (summation)
                {
                    // cos φ_i cos φ_j − sin φ_i sin φ_j
                    OuterRow(cos[i], cos, sin[i], sin, row);
                }
                else
                {
                    // sin φ_i cos φ_j − cos φ_i sin φ_j
                    OuterRow(sin[i], cos, cos[i], sin, row);
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

    /// <summary>Returns the Size×Size field of <paramref name="series"/>, row-major.</summary>
    /// <exception cref="ArgumentException">The series is empty, non-finite or shorter than Size.</exception>
    public double[] Transform(ReadOnlySpan<double> series)
    {
        SeriesGuard.ThrowIfEmptyOrNonFinite(series, nameof(series));
        SeriesGuard.ThrowIfSizeExceedsLength(Options.Size, series.Length, nameof(Options.Size), nameof(series));
        var result = new double[Options.Size * Options.Size];
        Transform(series, result);
        return result;
    }

    /// <summary><c>row[j] = p · x[j] − q · y[j]</c>, vectorised; element-wise, so the bits match the scalar loop.</summary>
    private static void OuterRow(double p, ReadOnlySpan<double> x, double q, ReadOnlySpan<double> y, Span<double> row)
    {
        int j = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int width = Vector<double>.Count;
            var vp = new Vector<double>(p);
            var vq = new Vector<double>(q);
            for (; j <= row.Length - width; j += width)
            {
                ((vp * new Vector<double>(x.Slice(j, width))) - (vq * new Vector<double>(y.Slice(j, width)))).CopyTo(row.Slice(j, width));
            }
        }

        for (; j < row.Length; j++)
        {
            row[j] = (p * x[j]) - (q * y[j]);
        }
    }

    // scikit-learn MinMaxScaler: X * scale + (feature_min - data_min * scale), near-zero range treated as 1.
    private static void ScaleToCosines(Span<double> values, double sampleMin, double sampleMax)
    {
        double dataMin = TensorPrimitives.Min<double>(values);
        double dataMax = TensorPrimitives.Max<double>(values);
        double range = dataMax - dataMin;
        if (range < 10 * MachineEpsilon)
        {
            range = 1;
        }

        double scale = (sampleMax - sampleMin) / range;
        double offset = sampleMin - (dataMin * scale);
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (values[i] * scale) + offset;
        }
    }
}

using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;

namespace Cry.Features.Imaging;

/// <summary>How the MTF assigns values to bins.</summary>
public enum BinStrategy
{
    /// <summary>Edges at the series' own quantiles, so bins hold about equally many values.</summary>
    Quantile,

    /// <summary>Equal-width bins between the series' minimum and maximum.</summary>
    Uniform,

    /// <summary>Edges at the standard normal quantiles, for standardised series.</summary>
    Normal,
}

/// <summary>Options for <see cref="MarkovTransitionField"/>.</summary>
public sealed record MarkovTransitionFieldOptions
{
    /// <summary>Image side; between 1 and the series length. Default 64.</summary>
    public int Size { get; init; } = 64;

    /// <summary>Number of bins (states of the Markov chain); at least 2. Default 5, as pyts and <c>ImageSpec</c>.</summary>
    public int Bins { get; init; } = 5;

    /// <summary>How bin edges are chosen. Default quantile.</summary>
    public BinStrategy Strategy { get; init; } = BinStrategy.Quantile;

    /// <summary>Whether the aggregation windows may overlap when the length is not a multiple of Size. Default false.</summary>
    public bool Overlapping { get; init; }
}

/// <summary>Markov Transition Field: encodes a series as a Size×Size image of transition probabilities between its values' bins.</summary>
/// <remarks>
/// Compatible with pyts 0.13 <c>MarkovTransitionField(image_size=Size, n_bins=Bins, strategy, overlapping)</c>:
/// <list type="number">
/// <item>Bin edges (Bins − 1 of them): quantile — <c>np.percentile</c> (linear) at
/// <c>linspace(0, 100, Bins + 1)[1:-1]</c>, dropping an edge within 1e-8 of the next as pyts does;
/// uniform — <c>linspace(min, max, Bins + 1)[1:-1]</c>; normal — <c>Φ⁻¹(linspace(0, 1, Bins + 1)[1:-1])</c>.
/// Value x goes to bin <c>searchsorted(edges, x, side='left')</c>, the number of edges strictly below x.</item>
/// <item>Transition matrix W: counts of bin pairs of consecutive values, each row divided by its sum (an all-zero
/// row stays zero).</item>
/// <item>Field <c>M[i, j] = W[bin(x_i), bin(x_j)]</c>, averaged over Size×Size blocks: equal blocks when
/// <c>n % Size == 0</c>, otherwise the PAA segmentation with window <c>n / Size + 1</c> and the Overlapping flag.</item>
/// </list>
/// The n×n field is never built: with <c>h_a</c> the bin histogram of segment a,
/// <c>mean(M[S_a, S_b]) = h_aᵀ W h_b / (|S_a| |S_b|)</c>, which costs O(n + Size²·Bins) time and O(Size·Bins) memory.
/// Output values lie in [0, 1]. Instances are immutable and thread-safe.
/// </remarks>
public sealed class MarkovTransitionField : ISeriesImageTransform
{
    // pyts drops quantile edges closer than this to the next one (np.isclose with atol 1e-8, rtol 0).
    private const double DuplicateEdgeTolerance = 1e-8;

    // Up to this many edges a linear count beats a binary search.
    private const int LinearSearchEdges = 16;

    private readonly double[] _normalEdges;

    /// <summary>Creates the transform after validating the options.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">Size is below 1, Bins below 2, or the strategy is unknown.</exception>
    public MarkovTransitionField(MarkovTransitionFieldOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Size, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Bins, 2);
        if (!Enum.IsDefined(options.Strategy))
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"Unknown bin strategy {options.Strategy}.");
        }

        Options = options;
        _normalEdges = [];
        if (options.Strategy == BinStrategy.Normal)
        {
            _normalEdges = new double[options.Bins - 1];
            for (int k = 1; k < options.Bins; k++)
            {
                _normalEdges[k - 1] = NormalDistribution.InverseCdf(NumpyCompat.Linspace(0, 1, options.Bins + 1, k));
            }
        }
    }

    /// <summary>The validated options.</summary>
    public MarkovTransitionFieldOptions Options { get; }

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
        int bins = Options.Bins;
        int n = series.Length;
        SeriesGuard.ThrowIfEmptyOrNonFinite(series, nameof(series));
        SeriesGuard.ThrowIfSizeExceedsLength(size, n, nameof(Options.Size), nameof(series));
        SeriesGuard.ThrowIfDestinationTooShort(destination.Length, (long)size * size, nameof(destination));

        int[] binOf = ArrayPool<int>.Shared.Rent(n);
        int[] bounds = ArrayPool<int>.Shared.Rent(2 * size);
        double[] matrices = ArrayPool<double>.Shared.Rent((bins * bins) + (2 * size * bins) + bins + size);
        try
        {
            Span<double> transitions = matrices.AsSpan(0, bins * bins);
            Span<double> histograms = matrices.AsSpan(bins * bins, size * bins);
            Span<double> weighted = matrices.AsSpan((bins * bins) + (size * bins), size * bins);
            Span<double> edges = matrices.AsSpan((bins * bins) + (2 * size * bins), bins - 1);
            Span<double> lengths = matrices.AsSpan((bins * bins) + (2 * size * bins) + bins - 1, size);

            AssignBins(series, edges, binOf.AsSpan(0, n));
            BuildTransitionMatrix(binOf.AsSpan(0, n), bins, transitions);

            Span<int> start = bounds.AsSpan(0, size);
            Span<int> end = bounds.AsSpan(size, size);
            Segmentation.Compute(n, size, Options.Overlapping, start, end);

            // Bin-major (histograms[k * size + a] counts bin k in segment a), so the last product runs along contiguous b.
            histograms.Clear();
            for (int a = 0; a < size; a++)
            {
                lengths[a] = end[a] - start[a];
                for (int i = start[a]; i < end[a]; i++)
                {
                    histograms[(binOf[i] * size) + a] += 1;
                }
            }

            // weighted[a] = h_aᵀ W
            weighted.Clear();
            for (int a = 0; a < size; a++)
            {
                Span<double> row = weighted.Slice(a * bins, bins);
                for (int k = 0; k < bins; k++)
                {
                    double count = histograms[(k * size) + a];
                    if (count == 0)
                    {
                        continue;
                    }

                    ReadOnlySpan<double> transitionRow = transitions.Slice(k * bins, bins);
                    for (int l = 0; l < bins; l++)
                    {
                        row[l] += count * transitionRow[l];
                    }
                }
            }

            for (int a = 0; a < size; a++)
            {
                FieldRow(weighted.Slice(a * bins, bins), histograms, lengths, lengths[a], destination.Slice(a * size, size));
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(matrices);
            ArrayPool<int>.Shared.Return(bounds);
            ArrayPool<int>.Shared.Return(binOf);
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

    /// <summary>One output row: <c>output[b] = Σ_l weighted[l] · histograms[l, b] / (lengthA · lengths[b])</c>.</summary>
    /// <remarks>Vectorised along b; each lane adds the same products in the same order as the scalar loop, so the bits agree.</remarks>
    private static void FieldRow(ReadOnlySpan<double> weighted, ReadOnlySpan<double> histograms, ReadOnlySpan<double> lengths, double lengthA, Span<double> output)
    {
        int size = output.Length;
        int bins = weighted.Length;
        int b = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int width = Vector<double>.Count;
            var vectorLengthA = new Vector<double>(lengthA);

            // Four independent sums per pass hide the latency of the additions.
            for (; b <= size - (4 * width); b += 4 * width)
            {
                Vector<double> sum0 = Vector<double>.Zero, sum1 = Vector<double>.Zero, sum2 = Vector<double>.Zero, sum3 = Vector<double>.Zero;
                for (int l = 0; l < bins; l++)
                {
                    var weight = new Vector<double>(weighted[l]);
                    ReadOnlySpan<double> histogram = histograms.Slice((l * size) + b, 4 * width);
                    sum0 += weight * new Vector<double>(histogram);
                    sum1 += weight * new Vector<double>(histogram[width..]);
                    sum2 += weight * new Vector<double>(histogram[(2 * width)..]);
                    sum3 += weight * new Vector<double>(histogram[(3 * width)..]);
                }

                ReadOnlySpan<double> length = lengths.Slice(b, 4 * width);
                Span<double> target = output.Slice(b, 4 * width);
                (sum0 / (vectorLengthA * new Vector<double>(length))).CopyTo(target);
                (sum1 / (vectorLengthA * new Vector<double>(length[width..]))).CopyTo(target[width..]);
                (sum2 / (vectorLengthA * new Vector<double>(length[(2 * width)..]))).CopyTo(target[(2 * width)..]);
                (sum3 / (vectorLengthA * new Vector<double>(length[(3 * width)..]))).CopyTo(target[(3 * width)..]);
            }

            for (; b <= size - width; b += width)
            {
                Vector<double> sum = Vector<double>.Zero;
                for (int l = 0; l < bins; l++)
                {
                    sum += new Vector<double>(weighted[l]) * new Vector<double>(histograms.Slice((l * size) + b, width));
                }

                (sum / (vectorLengthA * new Vector<double>(lengths.Slice(b, width)))).CopyTo(output.Slice(b, width));
            }
        }

        for (; b < size; b++)
        {
            double sum = 0;
            for (int l = 0; l < bins; l++)
            {
                sum += weighted[l] * histograms[(l * size) + b];
            }

            output[b] = sum / (lengthA * lengths[b]);
        }
    }

    /// <summary>Writes each value's bin index (0 .. Bins − 1) to <paramref name="binOf"/>; <paramref name="edges"/> is Bins − 1 scratch values.</summary>
    private void AssignBins(ReadOnlySpan<double> series, Span<double> edges, Span<int> binOf)
    {
        int edgeCount = ComputeEdges(series, edges);
        ReadOnlySpan<double> used = edges[..edgeCount];
        if (used.Length > LinearSearchEdges)
        {
            for (int i = 0; i < series.Length; i++)
            {
                binOf[i] = NumpyCompat.SearchSortedLeft(used, series[i]);
            }

            return;
        }

        // Edges are sorted, so counting those strictly below x is searchsorted-left; without branches it is faster for a few edges.
        for (int i = 0; i < series.Length; i++)
        {
            double value = series[i];
            int bin = 0;
            foreach (double edge in used)
            {
                bin += edge < value ? 1 : 0;
            }

            binOf[i] = bin;
        }
    }

    private int ComputeEdges(ReadOnlySpan<double> series, Span<double> edges)
    {
        int bins = Options.Bins;
        switch (Options.Strategy)
        {
            case BinStrategy.Normal:
                _normalEdges.CopyTo(edges);
                return edges.Length;

            case BinStrategy.Uniform:
            {
                double min = TensorPrimitives.Min(series);
                double max = TensorPrimitives.Max(series);
                for (int k = 1; k < bins; k++)
                {
                    edges[k - 1] = NumpyCompat.Linspace(min, max, bins + 1, k);
                }

                return edges.Length;
            }

            default:
            {
                double[] sorted = ArrayPool<double>.Shared.Rent(series.Length);
                try
                {
                    Span<double> values = sorted.AsSpan(0, series.Length);
                    series.CopyTo(values);
                    values.Sort();
                    for (int k = 1; k < bins; k++)
                    {
                        edges[k - 1] = NumpyCompat.PercentileOfSorted(values, NumpyCompat.Linspace(0, 100, bins + 1, k));
                    }
                }
                finally
                {
                    ArrayPool<double>.Shared.Return(sorted);
                }

                int kept = 0;
                for (int k = 0; k < edges.Length; k++)
                {
                    bool last = k == edges.Length - 1;
                    if (last || Math.Abs(edges[k + 1] - edges[k]) > DuplicateEdgeTolerance)
                    {
                        edges[kept++] = edges[k];
                    }
                }

                return kept;
            }
        }
    }

    private static void BuildTransitionMatrix(ReadOnlySpan<int> binOf, int bins, Span<double> transitions)
    {
        transitions.Clear();
        for (int i = 0; i + 1 < binOf.Length; i++)
        {
            transitions[(binOf[i] * bins) + binOf[i + 1]] += 1;
        }

        for (int k = 0; k < bins; k++)
        {
            Span<double> row = transitions.Slice(k * bins, bins);
            double sum = 0;
            foreach (double count in row)
            {
                sum += count;
            }

            if (sum != 0)
            {
                for (int l = 0; l < bins; l++)
                {
                    row[l] /= sum;
                }
            }
        }
    }
}

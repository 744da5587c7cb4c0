namespace Cry.Features.Imaging;

/// <summary>Small numeric kernels that reproduce NumPy 1.24's floating-point order where it decides ties.</summary>
/// <remarks>
/// The imaging types binarise and bin with strict comparisons, so a value one ulp away from NumPy's can flip a
/// pixel; these helpers follow NumPy's order of operations rather than the shortest formula.
/// </remarks>
internal static class NumpyCompat
{
    /// <summary>Element <paramref name="index"/> of <c>np.linspace(start, stop, count)</c>.</summary>
    /// <remarks>NumPy computes <c>i * step + start</c> with <c>step = (stop - start) / (count - 1)</c>,
    /// divides first when the step is zero, and sets the last element to <c>stop</c>.</remarks>
    public static double Linspace(double start, double stop, int count, int index)
    {
        if (count > 1 && index == count - 1)
        {
            return stop;
        }

        double delta = stop - start;
        int divisor = count - 1;
        if (divisor <= 0)
        {
            return start;
        }

        double step = delta / divisor;
        return step == 0 ? ((double)index / divisor * delta) + start : (index * step) + start;
    }

    /// <summary><c>np.percentile(values, percentage)</c> with linear interpolation over already sorted values.</summary>
    /// <remarks>Virtual index <c>(n - 1) * (percentage / 100)</c>; interpolation <c>a + (b - a) t</c> for
    /// <c>t &lt; 0.5</c> and <c>b - (b - a)(1 - t)</c> otherwise, as NumPy's <c>_lerp</c>.</remarks>
    public static double PercentileOfSorted(ReadOnlySpan<double> sorted, double percentage)
    {
        double fraction = percentage / 100;
        double virtualIndex = (sorted.Length - 1) * fraction;
        if (virtualIndex >= sorted.Length - 1)
        {
            return sorted[^1];
        }

        if (virtualIndex < 0)
        {
            return sorted[0];
        }

        double previous = Math.Floor(virtualIndex);
        int lower = (int)previous;
        return Lerp(sorted[lower], sorted[lower + 1], virtualIndex - previous);
    }

    /// <summary>NumPy's <c>_lerp</c>: the form is chosen by <paramref name="t"/> so that t = 1 returns b exactly.</summary>
    public static double Lerp(double a, double b, double t)
    {
        double difference = b - a;
        return t >= 0.5 ? b - (difference * (1 - t)) : a + (difference * t);
    }

    /// <summary><c>np.searchsorted(edges, value, side='left')</c>: the number of edges strictly below the value.</summary>
    public static int SearchSortedLeft(ReadOnlySpan<double> edges, double value)
    {
        int low = 0;
        int high = edges.Length;
        while (low < high)
        {
            int middle = (int)((uint)(low + high) >> 1);
            if (edges[middle] < value)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    /// <summary>NumPy's pairwise summation of a contiguous float64 run (eight accumulators, blocks of 128).</summary>
    public static double PairwiseSum(ReadOnlySpan<double> values)
    {
        int n = values.Length;
        if (n < 8)
        {
            double sum = 0;
            for (int i = 0; i < n; i++)
            {
                sum += values[i];
            }

            return sum;
        }

        if (n <= 128)
        {
            double r0 = values[0], r1 = values[1], r2 = values[2], r3 = values[3];
            double r4 = values[4], r5 = values[5], r6 = values[6], r7 = values[7];
            int i = 8;
            for (; i < n - (n % 8); i += 8)
            {
                r0 += values[i];
                r1 += values[i + 1];
                r2 += values[i + 2];
                r3 += values[i + 3];
                r4 += values[i + 4];
                r5 += values[i + 5];
                r6 += values[i + 6];
                r7 += values[i + 7];
            }

            double sum = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
            for (; i < n; i++)
            {
                sum += values[i];
            }

            return sum;
        }

        int half = n / 2;
        half -= half % 8;
        return PairwiseSum(values[..half]) + PairwiseSum(values[half..]);
    }

    /// <summary><c>np.mean</c> of a contiguous run: pairwise sum divided by the count.</summary>
    public static double Mean(ReadOnlySpan<double> values) => PairwiseSum(values) / values.Length;
}

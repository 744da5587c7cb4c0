namespace Cry.Features.Imaging;

/// <summary>The segment bounds pyts uses to shrink a series of length n to <c>size</c> values.</summary>
/// <remarks>
/// Follows <c>pyts.utils.segmentation(n, window, overlapping, size)</c> with <c>window = n / size</c>, plus one
/// when <c>n % size != 0</c>.
/// Non-overlapping: bounds are <c>floor(linspace(0, n, size + 1))</c>, so segment lengths differ by at most one.
/// Overlapping: every segment has length <c>window</c>; segment k starts at <c>k * window - o_k</c> with
/// <c>o = linspace(0, size * window - n, size).astype(int)</c>, so neighbours may share samples.
/// When <c>n % size == 0</c> both give equal, disjoint blocks.
/// </remarks>
internal static class Segmentation
{
    /// <summary>Fills <paramref name="start"/> and <paramref name="end"/> (exclusive) with <paramref name="size"/> bounds.</summary>
    public static void Compute(int seriesLength, int size, bool overlapping, Span<int> start, Span<int> end)
    {
        if (!overlapping)
        {
            int previous = 0;
            for (int k = 1; k <= size; k++)
            {
                // astype(int64) truncates; bounds are non-negative so truncation is floor.
                int bound = (int)NumpyCompat.Linspace(0, seriesLength, size + 1, k);
                start[k - 1] = previous;
                end[k - 1] = bound;
                previous = bound;
            }

            return;
        }

        int window = (seriesLength / size) + (seriesLength % size == 0 ? 0 : 1);
        long overlapTotal = ((long)size * window) - seriesLength;
        for (int k = 0; k < size; k++)
        {
            long overlap = (long)NumpyCompat.Linspace(0, overlapTotal, size, k);
            start[k] = (int)(((long)k * window) - overlap);
            end[k] = (int)(((long)(k + 1) * window) - overlap);
        }
    }

    /// <summary>The non-overlapping bounds as the mel image has always computed them: <c>⌊k · (n / size)⌋</c> for k = 0 … size.</summary>
    /// <remarks>
    /// The same as <see cref="Compute"/>'s non-overlapping bounds (NumPy's linspace computes <c>k · step + 0</c> with
    /// <c>step = n / size</c>) except the last: linspace sets it to n, while <c>⌊size · (n / size)⌋</c> is n − 1 wherever
    /// the product rounds below n (n = 61 and size = 7 give 60), leaving the last value out of the last segment.
    /// Kept for the mel image so that its numbers stay those of the features already stored and the models trained on them.
    /// </remarks>
    public static void ComputeFlooredLast(int seriesLength, int size, Span<int> start, Span<int> end)
    {
        Compute(seriesLength, size, overlapping: false, start, end);
        end[size - 1] = (int)(size * ((double)seriesLength / size));
    }
}

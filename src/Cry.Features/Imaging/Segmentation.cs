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
}

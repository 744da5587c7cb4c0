using System.Buffers;

namespace Cry.Features.Imaging;

/// <summary>Options for <see cref="MelImage"/>.</summary>
public sealed record MelImageOptions
{
    /// <summary>Image side; between 1 and both the band and the frame count. Default 64.</summary>
    public int Size { get; init; } = 64;
}

/// <summary>The mel image: a dB mel spectrogram averaged over Size × Size segments and min–max scaled to [0, 1].</summary>
/// <remarks>
/// Pixel (r, c) is the mean of the dB values in band segment r and frame segment c; row 0 holds the highest bands, as a
/// spectrogram is drawn. The segments are pyts's non-overlapping PAA bounds on both axes, with the last bound as
/// <see cref="Segmentation.ComputeFlooredLast"/> gives it (one band or frame short in some sizes, kept for stored
/// features). The image is then scaled by <c>(x − min) / (max − min)</c>; a flat image is all zeros.
/// Instances are immutable and thread-safe.
/// </remarks>
public sealed class MelImage
{
    private const int StackBoundsLimit = 256;

    /// <summary>Creates the transform after validating the options.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">Size is below 1.</exception>
    public MelImage(MelImageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Size, 1);
        Options = options;
    }

    /// <summary>The validated options.</summary>
    public MelImageOptions Options { get; }

    /// <summary>Writes the Size × Size image of a dB mel spectrogram (bands × frames, band-major), row-major, to <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="frames"/> is below 1.</exception>
    /// <exception cref="ArgumentException">The spectrogram has fewer bands or frames than Size, or the destination holds fewer than Size² values.</exception>
    public void Transform(ReadOnlySpan<float> db, int frames, Span<double> destination)
    {
        int size = Options.Size;
        ArgumentOutOfRangeException.ThrowIfLessThan(frames, 1);
        int bands = db.Length / frames;
        if (bands < size || frames < size)
        {
            throw new ArgumentException(
                $"A spectrogram of {bands} bands × {frames} frames is smaller than the {size} × {size} image.", nameof(db));
        }

        SeriesGuard.ThrowIfDestinationTooShort(destination.Length, (long)size * size, nameof(destination));
        int[]? rented = null;
        Span<int> bounds = size <= StackBoundsLimit
            ? stackalloc int[4 * StackBoundsLimit]
            : (rented = ArrayPool<int>.Shared.Rent(4 * size));
        try
        {
            Span<int> bandStart = bounds[..size];
            Span<int> bandEnd = bounds.Slice(size, size);
            Span<int> frameStart = bounds.Slice(2 * size, size);
            Span<int> frameEnd = bounds.Slice(3 * size, size);
            Segmentation.ComputeFlooredLast(bands, size, bandStart, bandEnd);
            Segmentation.ComputeFlooredLast(frames, size, frameStart, frameEnd);
            Average(db, frames, bandStart, bandEnd, frameStart, frameEnd, destination[..(size * size)]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<int>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Returns the Size × Size image of a dB mel spectrogram (bands × frames, band-major), row-major.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="frames"/> is below 1.</exception>
    /// <exception cref="ArgumentException">The spectrogram has fewer bands or frames than Size.</exception>
    public double[] Transform(ReadOnlySpan<float> db, int frames)
    {
        var result = new double[Options.Size * Options.Size];
        Transform(db, frames, result);
        return result;
    }

    private static void Average(
        ReadOnlySpan<float> db, int frames, ReadOnlySpan<int> bandStart, ReadOnlySpan<int> bandEnd,
        ReadOnlySpan<int> frameStart, ReadOnlySpan<int> frameEnd, Span<double> image)
    {
        int size = bandStart.Length;
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        for (int r = 0; r < size; r++)
        {
            int b0 = bandStart[r], b1 = bandEnd[r];
            for (int c = 0; c < size; c++)
            {
                int t0 = frameStart[c], t1 = frameEnd[c];
                double sum = 0;
                for (int b = b0; b < b1; b++)
                {
                    ReadOnlySpan<float> row = db.Slice(b * frames, frames);
                    for (int t = t0; t < t1; t++)
                    {
                        sum += row[t];
                    }
                }

                double mean = sum / ((b1 - b0) * (t1 - t0));
                image[((size - 1 - r) * size) + c] = mean;
                min = Math.Min(min, mean);
                max = Math.Max(max, mean);
            }
        }

        double range = max - min;
        for (int i = 0; i < image.Length; i++)
        {
            image[i] = range > 0 ? (image[i] - min) / range : 0.0;
        }
    }
}

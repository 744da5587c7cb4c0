namespace Cry.Features.Imaging;

/// <summary>Argument checks shared by the imaging transforms.</summary>
internal static class SeriesGuard
{
    /// <summary>Throws when the series is empty or holds NaN or an infinity.</summary>
    public static void ThrowIfEmptyOrNonFinite(ReadOnlySpan<double> series, string paramName)
    {
        if (series.IsEmpty)
        {
            throw new ArgumentException("The series is empty; at least one value is needed.", paramName);
        }

        for (int i = 0; i < series.Length; i++)
        {
            if (!double.IsFinite(series[i]))
            {
                throw new ArgumentException(
                    $"The series holds a non-finite value ({series[i]}) at index {i}; every value must be finite.",
                    paramName);
            }
        }
    }

    /// <summary>Throws when the destination cannot hold <paramref name="required"/> values.</summary>
    public static void ThrowIfDestinationTooShort(int destinationLength, long required, string paramName)
    {
        if (destinationLength < required)
        {
            throw new ArgumentException(
                $"The destination holds {destinationLength} values but {required} are needed.", paramName);
        }
    }

    /// <summary>Throws when an image or output size exceeds the series length, as pyts does.</summary>
    public static void ThrowIfSizeExceedsLength(int size, int seriesLength, string optionName, string paramName)
    {
        if (size > seriesLength)
        {
            throw new ArgumentException(
                $"{optionName} ({size}) exceeds the series length ({seriesLength}); pyts refuses an image_size " +
                "greater than n_timestamps, so use a size between 1 and the series length.",
                paramName);
        }
    }
}

using System.Globalization;

namespace Cry.Audio.Dsp;

/// <summary>Fixed-length windows over a recording: its first seconds, or a sliding sequence of windows.</summary>
public static class AudioWindows
{
    /// <summary>Number of samples in a window of <paramref name="seconds"/> at <paramref name="sampleRate"/>: round(seconds × rate).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The rate or duration is not positive, or the window is empty.</exception>
    public static int WindowLength(int sampleRate, double seconds)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRate);
        Guard.ThrowIfNotFinite(seconds);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(seconds);
        double length = Math.Round(seconds * sampleRate, MidpointRounding.AwayFromZero);
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1.0, nameof(seconds));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, Array.MaxLength, nameof(seconds));
        return (int)length;
    }

    /// <summary>The first <paramref name="seconds"/> of a recording, zero-padded at the end when it is shorter.</summary>
    /// <param name="samples">The recording.</param>
    /// <param name="sampleRate">Its sample rate in Hz.</param>
    /// <param name="seconds">Window duration; the result has <see cref="WindowLength"/> samples.</param>
    /// <param name="minimumSeconds">Shortest recording accepted; 1 s by default, 0 accepts anything.</param>
    /// <exception cref="AudioFormatException">The recording is shorter than <paramref name="minimumSeconds"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A rate or duration is out of range.</exception>
    public static float[] FirstSeconds(ReadOnlySpan<float> samples, int sampleRate, double seconds, double minimumSeconds = 1.0)
    {
        var window = new float[WindowLength(sampleRate, seconds)];
        FirstSeconds(samples, sampleRate, seconds, window, minimumSeconds);
        return window;
    }

    /// <summary>Writes the first <paramref name="seconds"/> of a recording into <paramref name="destination"/>, zero-padding when it is shorter; nothing is allocated.</summary>
    /// <param name="samples">The recording.</param>
    /// <param name="sampleRate">Its sample rate in Hz.</param>
    /// <param name="seconds">Window duration.</param>
    /// <param name="destination">The window: exactly <see cref="WindowLength"/> samples.</param>
    /// <param name="minimumSeconds">Shortest recording accepted; 1 s by default, 0 accepts anything.</param>
    /// <exception cref="AudioFormatException">The recording is shorter than <paramref name="minimumSeconds"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A rate or duration is out of range.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> does not hold exactly round(seconds × rate) samples.</exception>
    public static void FirstSeconds(ReadOnlySpan<float> samples, int sampleRate, double seconds, Span<float> destination, double minimumSeconds = 1.0)
    {
        int length = WindowLength(sampleRate, seconds);
        Guard.ThrowIfNotFinite(minimumSeconds);
        ArgumentOutOfRangeException.ThrowIfNegative(minimumSeconds);
        if (destination.Length != length)
        {
            throw new ArgumentException($"The destination must hold exactly {length} samples; it holds {destination.Length}.", nameof(destination));
        }

        double duration = (double)samples.Length / sampleRate;
        if (duration < minimumSeconds)
        {
            throw new AudioFormatException(string.Create(
                CultureInfo.InvariantCulture,
                $"The recording is {duration:0.##} s long; at least {minimumSeconds:0.##} s is needed."));
        }

        int copied = Math.Min(samples.Length, destination.Length);
        samples[..copied].CopyTo(destination);
        destination[copied..].Clear();
    }

    /// <summary>Windows of <paramref name="windowLength"/> samples every <paramref name="hop"/> samples that lie wholly inside the recording.</summary>
    /// <returns>(Start, Length) pairs starting at 0; empty when the recording is shorter than one window. A remainder shorter than a hop at the end is not covered; see <see cref="SlidingToEnd"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A count is negative or a length or hop is not positive.</exception>
    public static IReadOnlyList<(int Start, int Length)> Sliding(int sampleCount, int windowLength, int hop)
    {
        ValidateSliding(sampleCount, windowLength, hop);
        if (sampleCount < windowLength)
        {
            return [];
        }

        int count = ((sampleCount - windowLength) / hop) + 1;
        var windows = new (int Start, int Length)[count];
        for (int i = 0; i < count; i++)
        {
            windows[i] = (i * hop, windowLength);
        }

        return windows;
    }

    /// <summary>Like <see cref="Sliding"/>, plus one last window ending exactly at the recording's end when the regular windows leave a remainder, so the tail is scored too.</summary>
    /// <remarks>With <paramref name="hop"/> ≤ <paramref name="windowLength"/> every sample lies in at least one window; a larger hop leaves gaps by design.</remarks>
    /// <returns>
    /// The <see cref="Sliding"/> windows and, when the last of them ends before <paramref name="sampleCount"/>, a window
    /// (sampleCount − windowLength, windowLength) that overlaps its predecessor by more than usual. A recording shorter than one window gives the
    /// single window (0, sampleCount), which the caller zero-pads (for example with <see cref="FirstSeconds(ReadOnlySpan{float}, int, double, Span{float}, double)"/>);
    /// an empty recording gives none.
    /// </returns>
    /// <exception cref="ArgumentOutOfRangeException">A count is negative or a length or hop is not positive.</exception>
    public static IReadOnlyList<(int Start, int Length)> SlidingToEnd(int sampleCount, int windowLength, int hop)
    {
        ValidateSliding(sampleCount, windowLength, hop);
        if (sampleCount == 0)
        {
            return [];
        }

        if (sampleCount < windowLength)
        {
            return [(0, sampleCount)];
        }

        var regular = Sliding(sampleCount, windowLength, hop);
        var last = regular[^1];
        if (last.Start + last.Length == sampleCount)
        {
            return regular;
        }

        var windows = new (int Start, int Length)[regular.Count + 1];
        for (int i = 0; i < regular.Count; i++)
        {
            windows[i] = regular[i];
        }

        windows[^1] = (sampleCount - windowLength, windowLength);
        return windows;
    }

    private static void ValidateSliding(int sampleCount, int windowLength, int hop)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sampleCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(windowLength);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hop);
    }
}

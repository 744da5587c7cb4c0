using Cry.Audio.Dsp;

namespace Cry.Features.Detection;

/// <summary>A cry episode in a recording.</summary>
/// <param name="StartSeconds">Where its first cry window starts.</param>
/// <param name="EndSeconds">Where its last cry window ends.</param>
/// <param name="FirstWindow">Its first window's index.</param>
/// <param name="WindowCount">Its windows.</param>
/// <param name="CryProbability">The mean cry probability of its windows.</param>
public readonly record struct CrySegment(double StartSeconds, double EndSeconds, int FirstWindow, int WindowCount, double CryProbability);

/// <summary>The detector's arithmetic shared by training, evaluation and serving: window features, segments, the recording's score.</summary>
public static class CryDetection
{
    /// <summary>The detector features of every window (windows × <see cref="CryFeatures.Count"/>, row-major).</summary>
    public static float[] Features(RecordingWindows windows, CryFeatures? features = null)
    {
        features ??= new CryFeatures();
        var result = new float[windows.Count * CryFeatures.Count];
        for (int w = 0; w < windows.Count; w++)
        {
            var window = windows.Window(w);
            var destination = result.AsSpan(w * CryFeatures.Count, CryFeatures.Count);
            if (windows.SampleRate == CryFeatures.SampleRate)
            {
                features.Compute(window, destination);
            }
            else
            {
                features.Compute(Resampler.Resample(window, windows.SampleRate, CryFeatures.SampleRate), destination);
            }
        }

        return result;
    }

    /// <summary>
    /// The cry episodes: runs of consecutive windows at or above the threshold, at least
    /// <paramref name="minWindows"/> long — except in a recording of fewer windows than that, where one cry window is
    /// a segment (a short clip is judged on its only window).
    /// </summary>
    public static IReadOnlyList<CrySegment> Segments(
        ReadOnlySpan<double> probabilities, ReadOnlySpan<double> startSeconds, double windowSeconds, double durationSeconds, double threshold, int minWindows)
    {
        var result = new List<CrySegment>();
        int needed = probabilities.Length < minWindows ? 1 : minWindows;
        int w = 0;
        while (w < probabilities.Length)
        {
            if (probabilities[w] < threshold)
            {
                w++;
                continue;
            }

            int first = w;
            double sum = 0;
            while (w < probabilities.Length && probabilities[w] >= threshold)
            {
                sum += probabilities[w];
                w++;
            }

            int count = w - first;
            if (count >= needed)
            {
                double end = Math.Min(durationSeconds, startSeconds[w - 1] + windowSeconds);
                result.Add(new CrySegment(Math.Round(startSeconds[first], 3), Math.Round(end, 3), first, count, Math.Round(sum / count, 6)));
            }
        }

        return result;
    }

    /// <summary>
    /// The recording's cry score: the highest value the threshold could take and still leave a segment (the best
    /// minimum over any <paramref name="minWindows"/> consecutive windows; the best window when there are fewer).
    /// The recording has a segment exactly when this score is at least the threshold.
    /// </summary>
    public static double RecordingScore(ReadOnlySpan<double> probabilities, int minWindows)
    {
        if (probabilities.Length == 0)
        {
            return 0;
        }

        int run = probabilities.Length < minWindows ? 1 : minWindows;
        double best = 0;
        for (int start = 0; start + run <= probabilities.Length; start++)
        {
            double low = double.PositiveInfinity;
            for (int i = start; i < start + run; i++)
            {
                low = Math.Min(low, probabilities[i]);
            }

            best = Math.Max(best, low);
        }

        return best;
    }
}

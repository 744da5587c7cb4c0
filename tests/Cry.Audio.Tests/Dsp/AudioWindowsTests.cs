using Cry.Audio.Dsp;

namespace Cry.Audio.Tests.Dsp;

public class AudioWindowsTests
{
    private static float[] Ramp(int length) => Enumerable.Range(1, length).Select(i => (float)i).ToArray();

    [Fact]
    public void FirstSeconds_LongerRecording_FirstSamplesOnly()
    {
        var samples = Ramp(8000 * 7);

        var window = AudioWindows.FirstSeconds(samples, 8000, 5.0);

        Assert.Equal(samples.AsSpan(0, 40000).ToArray(), window);
    }

    [Fact]
    public void FirstSeconds_ShorterRecording_ZeroPaddedAtEnd()
    {
        var samples = Ramp(8000 * 3 / 2);

        var window = AudioWindows.FirstSeconds(samples, 8000, 5.0);

        Assert.Equal(40000, window.Length);
        Assert.Equal(samples, window.AsSpan(0, samples.Length).ToArray());
        Assert.All(window.AsSpan(samples.Length).ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void FirstSeconds_TooShort_ThrowsAudioFormatExceptionNamingDurations()
    {
        var samples = new float[3360];

        var error = Assert.Throws<AudioFormatException>(() => AudioWindows.FirstSeconds(samples, 8000, 5.0));

        Assert.Contains("0.42 s long", error.Message, StringComparison.Ordinal);
        Assert.Contains("at least 1 s", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FirstSeconds_ZeroMinimum_EmptyRecordingGivesSilence()
    {
        var window = AudioWindows.FirstSeconds([], 16000, 0.5, minimumSeconds: 0);

        Assert.Equal(new float[8000], window);
    }

    [Fact]
    public void FirstSeconds_ExactlyMinimum_Accepted()
    {
        var window = AudioWindows.FirstSeconds(Ramp(8000), 8000, 2.0);

        Assert.Equal(16000, window.Length);
    }

    [Theory]
    [InlineData(8000, 5.0, 40000)]
    [InlineData(22050, 0.5, 11025)]
    [InlineData(44100, 0.00002, 1)]
    [InlineData(8000, 1.23456, 9876)]
    public void WindowLength_RoundsSecondsTimesRate(int rate, double seconds, int expected)
    {
        Assert.Equal(expected, AudioWindows.WindowLength(rate, seconds));
    }

    [Fact]
    public void FirstSeconds_SpanDestination_FilledWithoutAllocating()
    {
        var samples = Ramp(12000);
        var destination = new float[16000];
        Array.Fill(destination, -1f);

        AudioWindows.FirstSeconds(samples, 8000, 2.0, destination);

        Assert.Equal(samples, destination.AsSpan(0, 12000).ToArray());
        Assert.All(destination.AsSpan(12000).ToArray(), v => Assert.Equal(0f, v));
    }

    [Theory]
    [InlineData(15999)]
    [InlineData(16001)]
    public void FirstSeconds_SpanOfWrongLength_Throws(int length)
    {
        Assert.Throws<ArgumentException>(() => AudioWindows.FirstSeconds(Ramp(16000), 8000, 2.0, new float[length]));
    }

    [Theory]
    [InlineData(0, 5.0, 1.0)]
    [InlineData(8000, 0.0, 1.0)]
    [InlineData(8000, -1.0, 1.0)]
    [InlineData(8000, double.NaN, 1.0)]
    [InlineData(8000, 5.0, -1.0)]
    public void FirstSeconds_BadArguments_Throw(int rate, double seconds, double minimum)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => AudioWindows.FirstSeconds(Ramp(16000), rate, seconds, minimum));
    }

    [Fact]
    public void Sliding_EvenFit_WindowsEveryHop()
    {
        Assert.Equal([(0, 4), (3, 4), (6, 4)], AudioWindows.Sliding(10, 4, 3));
    }

    [Fact]
    public void Sliding_Remainder_NotCovered()
    {
        Assert.Equal([(0, 4), (3, 4), (6, 4)], AudioWindows.Sliding(12, 4, 3));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void Sliding_ShorterThanWindow_NoWindows(int count)
    {
        Assert.Empty(AudioWindows.Sliding(count, 4, 2));
    }

    [Fact]
    public void SlidingToEnd_Remainder_LastWindowEndsAtEnd()
    {
        Assert.Equal([(0, 4), (3, 4), (6, 4), (8, 4)], AudioWindows.SlidingToEnd(12, 4, 3));
    }

    [Fact]
    public void SlidingToEnd_EvenFit_SameAsSliding()
    {
        Assert.Equal(AudioWindows.Sliding(10, 4, 3), AudioWindows.SlidingToEnd(10, 4, 3));
    }

    [Fact]
    public void SlidingToEnd_ShorterThanWindow_OneWholeRecordingWindow()
    {
        Assert.Equal([(0, 3)], AudioWindows.SlidingToEnd(3, 4, 2));
        Assert.Empty(AudioWindows.SlidingToEnd(0, 4, 2));
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(17, 5, 2)]
    [InlineData(40000, 16000, 8000)]
    [InlineData(40001, 16000, 8000)]
    [InlineData(99, 10, 7)]
    [InlineData(99, 10, 10)]
    public void SlidingToEnd_HopNotAboveWindow_WindowsInsideAndEverySampleCovered(int count, int length, int hop)
    {
        var windows = AudioWindows.SlidingToEnd(count, length, hop);
        var covered = new bool[count];
        foreach (var (start, windowLength) in windows)
        {
            Assert.Equal(length, windowLength);
            Assert.InRange(start, 0, count - length);
            covered.AsSpan(start, windowLength).Fill(true);
        }

        Assert.All(covered, Assert.True);
        Assert.Equal(windows.Select(w => w.Start).Order().ToArray(), windows.Select(w => w.Start).ToArray());
    }

    [Theory]
    [InlineData(-1, 4, 2)]
    [InlineData(10, 0, 2)]
    [InlineData(10, 4, 0)]
    public void Sliding_BadArguments_Throw(int count, int length, int hop)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => AudioWindows.Sliding(count, length, hop));
        Assert.Throws<ArgumentOutOfRangeException>(() => AudioWindows.SlidingToEnd(count, length, hop));
    }
}

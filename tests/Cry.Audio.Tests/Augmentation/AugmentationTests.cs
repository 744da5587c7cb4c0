using Cry.Audio.Augmentation;
using Cry.Audio.Tests.Dsp;

namespace Cry.Audio.Tests.Augmentation;

public class AugmentationTests
{
    private const int Rate = 8000;

    private static readonly float[] s_clip = MixedClip();

    public static TheoryData<IAugmentation> Ranged() =>
    [
        new GaussianNoiseSnr(5, 20),
        new GaussianNoisePeak(0.01, 0.015),
        new PitchShift(-2, 2),
        new TimeStretch(0.8, 1.25),
        new HighPass(3000, 4000, 2, 4),
        new Gain(-6, 6),
        new TimeShift(-0.2, 0.2, circular: true),
        new TimeShift(-0.2, 0.2, circular: false),
    ];

    private static float[] MixedClip()
    {
        var low = TestSignals.Tone(440, Rate, Rate, 0.3);
        var high = TestSignals.Tone(2500, Rate, Rate, 0.2);
        return low.Zip(high, (a, b) => a + b).ToArray();
    }

    [Theory]
    [MemberData(nameof(Ranged))]
    public void Apply_SameSeed_IdenticalBytes(IAugmentation augmentation)
    {
        var first = augmentation.Apply(s_clip, Rate, 1234);
        var second = augmentation.Apply(s_clip, Rate, 1234);

        Assert.Equal(first, second);
        Assert.Equal(s_clip.Length, first.Length);
    }

    [Theory]
    [MemberData(nameof(Ranged))]
    public void Apply_DifferentSeed_DifferentOutput(IAugmentation augmentation)
    {
        Assert.NotEqual(augmentation.Apply(s_clip, Rate, 1), augmentation.Apply(s_clip, Rate, 2));
    }

    [Theory]
    [MemberData(nameof(Ranged))]
    public void Resolve_AnySeed_FixedParametersGiveSameOutput(IAugmentation augmentation)
    {
        var resolved = augmentation.Resolve(99);

        Assert.Equal(augmentation.Apply(s_clip, Rate, 99), resolved.Apply(s_clip, Rate, 99));
        Assert.Equal(resolved, resolved.Resolve(5));
    }

    [Theory]
    [MemberData(nameof(Ranged))]
    public void Apply_EmptyInput_EmptyOutput(IAugmentation augmentation)
    {
        Assert.Empty(augmentation.Apply([], Rate, 3));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(10.0)]
    [InlineData(25.0)]
    public void GaussianNoiseSnr_FixedSnr_MeasuredSnrWithinHalfDecibel(double snrDb)
    {
        var noisy = new GaussianNoiseSnr(snrDb, snrDb).Apply(s_clip, Rate, 77);

        var noise = noisy.Zip(s_clip, (y, x) => y - x).ToArray();
        double measured = TestSignals.Db(TestSignals.Rms(s_clip) / TestSignals.Rms(noise));
        Assert.Equal(snrDb, measured, 0.5);
    }

    [Fact]
    public void GaussianNoiseSnr_Silence_Unchanged()
    {
        var silence = new float[100];

        Assert.Equal(silence, new GaussianNoiseSnr(10, 10).Apply(silence, Rate, 1));
    }

    [Fact]
    public void GaussianNoisePeak_Range_NoiseStdIsDrawnFractionOfPeak()
    {
        var augmentation = new GaussianNoisePeak(0.01, 0.015);
        for (ulong seed = 0; seed < 5; seed++)
        {
            var noisy = augmentation.Apply(s_clip, Rate, seed);
            var noise = noisy.Zip(s_clip, (y, x) => y - x).ToArray();
            double peak = s_clip.Max(Math.Abs);
            double drawn = ((GaussianNoisePeak)augmentation.Resolve(seed)).MinAmplitude;

            Assert.InRange(drawn, 0.01, 0.015);
            Assert.Equal(drawn, TestSignals.Rms(noise) / peak, drawn * 0.05);
        }
    }

    [Theory]
    [InlineData(12.0, 880.0)]
    [InlineData(2.0, 493.88)]
    [InlineData(-2.0, 392.0)]
    [InlineData(-12.0, 220.0)]
    public void PitchShift_Semitones_ToneMovesToExpectedFrequency(double semitones, double expectedHz)
    {
        var tone = TestSignals.Tone(440, Rate, Rate * 2);

        var shifted = new PitchShift(semitones, semitones).Apply(tone, Rate, 1);

        Assert.Equal(tone.Length, shifted.Length);
        double peak = TestSignals.PeakFrequency(shifted.AsSpan(Rate / 2, Rate / 2), Rate, 150, 1200);
        Assert.Equal(expectedHz, peak, 6.0);
    }

    [Fact]
    public void PitchShift_Octave_KeepsLoudness()
    {
        var tone = TestSignals.Tone(440, Rate, Rate * 2);

        var shifted = new PitchShift(12, 12).Apply(tone, Rate, 1);

        double ratioDb = TestSignals.Db(TestSignals.Rms(shifted.AsSpan(Rate / 2, Rate)) / TestSignals.Rms(tone.AsSpan(Rate / 2, Rate)));
        Assert.InRange(ratioDb, -1.5, 1.5);
    }

    [Theory]
    [InlineData(0.8)]
    [InlineData(1.25)]
    [InlineData(2.0)]
    public void TimeStretch_Rate_LengthKeptAndPitchUnchanged(double rate)
    {
        var tone = TestSignals.Tone(440, Rate, Rate * 2);

        var stretched = new TimeStretch(rate, rate).Apply(tone, Rate, 1);

        Assert.Equal(tone.Length, stretched.Length);
        Assert.Equal(440, TestSignals.PeakFrequency(stretched.AsSpan(Rate / 4, Rate / 2), Rate, 150, 1200), 3.0);
    }

    [Fact]
    public void TimeStretch_Faster_ContentEndsEarlyThenSilence()
    {
        var tone = TestSignals.Tone(440, Rate, Rate * 2);

        var stretched = new TimeStretch(2, 2).Apply(tone, Rate, 1);

        Assert.True(TestSignals.Rms(stretched.AsSpan(Rate / 4, Rate / 2)) > 0.3);
        Assert.All(stretched.AsSpan(Rate + 10).ToArray(), v => Assert.Equal(0f, v));
    }

    [Theory]
    [InlineData(16000, 1000.0, 4, 100.0, 4000.0)]
    [InlineData(8000, 3000.0, 2, 300.0, 3900.0)]
    [InlineData(8000, 4000.0, 8, 1000.0, 3950.0)]
    [InlineData(22050, 3500.0, 1, 100.0, 9000.0)]
    public void HighPass_Tones_LowAttenuatedHighPassed(int rate, double cutoffHz, int order, double lowHz, double highHz)
    {
        var highPass = new HighPass(cutoffHz, cutoffHz, order, order);
        var low = TestSignals.Tone(lowHz, rate, rate);
        var high = TestSignals.Tone(highHz, rate, rate);

        var lowOut = highPass.Apply(low, rate, 1);
        var highOut = highPass.Apply(high, rate, 1);

        // Skip the first half second where the filter settles.
        var lowDb = TestSignals.Db(TestSignals.Rms(lowOut.AsSpan(rate / 2)) / TestSignals.Rms(low.AsSpan(rate / 2)));
        var highDb = TestSignals.Db(TestSignals.Rms(highOut.AsSpan(rate / 2)) / TestSignals.Rms(high.AsSpan(rate / 2)));
        Assert.True(lowDb < -20, $"Low tone only {lowDb:F1} dB down.");
        Assert.InRange(highDb, -1.0, 0.1);
    }

    [Theory]
    [InlineData(3000.0, 8000, 3000.0)]
    [InlineData(4000.0, 8000, 3600.0)]
    [InlineData(4000.0, 16000, 4000.0)]
    public void HighPass_EffectiveCutoff_ClampedToNinetyPercentOfNyquist(double cutoffHz, int rate, double expected)
    {
        Assert.Equal(expected, HighPass.EffectiveCutoffHz(cutoffHz, rate), 1e-9);
    }

    [Theory]
    [InlineData(6.0)]
    [InlineData(-12.5)]
    [InlineData(0.0)]
    public void Gain_FixedDecibels_ExactScale(double db)
    {
        double factor = Math.Pow(10, db / 20);

        var scaled = new Gain(db, db).Apply(s_clip, Rate, 8);

        for (int i = 0; i < s_clip.Length; i++)
        {
            Assert.Equal(s_clip[i] * factor, scaled[i], Math.Abs(s_clip[i] * factor) * 1e-6);
        }
    }

    [Theory]
    [InlineData(0.001, 8)]
    [InlineData(-0.001, -8)]
    [InlineData(0.0, 0)]
    [InlineData(1.0, 8000)]
    public void TimeShift_Circular_IsRotation(double seconds, int samples)
    {
        var input = Enumerable.Range(0, 1000).Select(i => (float)i).ToArray();

        var shifted = new TimeShift(seconds, seconds, circular: true).Apply(input, Rate, 1);

        for (int i = 0; i < input.Length; i++)
        {
            Assert.Equal(input[(((i - samples) % 1000) + 1000) % 1000], shifted[i]);
        }
    }

    [Theory]
    [InlineData(0.001, 8)]
    [InlineData(-0.001, -8)]
    [InlineData(0.2, 1600)]
    [InlineData(-0.2, -1600)]
    public void TimeShift_Padded_MovesAndZeroFills(double seconds, int samples)
    {
        var input = Enumerable.Range(1, 1000).Select(i => (float)i).ToArray();

        var shifted = new TimeShift(seconds, seconds, circular: false).Apply(input, Rate, 1);

        for (int i = 0; i < input.Length; i++)
        {
            int source = i - samples;
            float expected = source >= 0 && source < input.Length ? input[source] : 0f;
            Assert.Equal(expected, shifted[i]);
        }
    }

    public static TheoryData<string, Func<IAugmentation>> Invalid() => new()
    {
        { "snr min > max", () => new GaussianNoiseSnr(20, 10) },
        { "snr NaN", () => new GaussianNoiseSnr(double.NaN, 10) },
        { "peak negative", () => new GaussianNoisePeak(-0.1, 0.1) },
        { "peak above 1", () => new GaussianNoisePeak(0.1, 1.5) },
        { "pitch beyond 24", () => new PitchShift(-30, 0) },
        { "pitch min > max", () => new PitchShift(2, -2) },
        { "stretch zero", () => new TimeStretch(0, 1) },
        { "stretch infinite", () => new TimeStretch(1, double.PositiveInfinity) },
        { "high-pass zero cutoff", () => new HighPass(0, 1000, 2, 4) },
        { "high-pass order 0", () => new HighPass(1000, 2000, 0, 4) },
        { "high-pass order 9", () => new HighPass(1000, 2000, 2, 9) },
        { "high-pass orders reversed", () => new HighPass(1000, 2000, 4, 2) },
        { "high-pass cutoffs reversed", () => new HighPass(2000, 1000, 2, 4) },
        { "gain beyond 60", () => new Gain(0, 61) },
        { "shift reversed", () => new TimeShift(1, -1, circular: true) },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Constructor_InvalidParameters_Throws(string because, Func<IAugmentation> create)
    {
        Assert.NotNull(because);
        Assert.Throws<ArgumentOutOfRangeException>(() => create());
    }

    [Theory]
    [MemberData(nameof(Ranged))]
    public void Apply_NonPositiveRate_Throws(IAugmentation augmentation)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => augmentation.Apply(s_clip, 0, 1));
    }
}

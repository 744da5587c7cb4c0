using Cry.Audio.Dsp;

namespace Cry.Audio.Tests.Dsp;

public class ResamplerTests
{
    private const double Amplitude = 0.5;

    [Theory]
    [InlineData(48000, 8000, 6000)]
    [InlineData(48000, 8000, 4500)]
    [InlineData(44100, 8000, 6000)]
    [InlineData(48000, 16000, 9000)]
    [InlineData(44100, 16000, 12000)]
    public void Resample_OutOfBandTone_AttenuatedAtLeast60Db(int fromRate, int toRate, double toneHz)
    {
        var input = TestSignals.Tone(toneHz, fromRate, fromRate, Amplitude);

        var output = Resampler.Resample(input, fromRate, toRate);

        // Skip the filter's start-up and run-out at both ends; compare the RMS of everything left with an in-band sinusoid's RMS.
        var middle = output.AsSpan(toRate / 10, toRate * 8 / 10);
        double attenuationDb = TestSignals.Db(TestSignals.Rms(middle) / (Amplitude / Math.Sqrt(2)));
        Assert.True(attenuationDb <= -60, $"Out-of-band tone only {attenuationDb:F1} dB down.");
    }

    [Theory]
    [InlineData(48000, 8000, 1000)]
    [InlineData(48000, 8000, 3500)]
    [InlineData(44100, 8000, 1000)]
    [InlineData(8000, 22050, 1000)]
    [InlineData(8000, 22050, 3500)]
    [InlineData(48000, 16000, 3000)]
    [InlineData(16000, 8000, 440)]
    [InlineData(22050, 44100, 5000)]
    public void Resample_InBandTone_SameAmplitudeAndFrequency(int fromRate, int toRate, double toneHz)
    {
        var input = TestSignals.Tone(toneHz, fromRate, fromRate, Amplitude, phase: 0.3);

        var output = Resampler.Resample(input, fromRate, toRate);

        var middle = output.AsSpan(toRate / 10, toRate * 8 / 10);
        var (amplitude, residual) = TestSignals.FitSinusoid(middle, toneHz, toRate);
        Assert.InRange(TestSignals.Db(amplitude / Amplitude), -0.1, 0.1);
        Assert.True(TestSignals.Db(residual / Amplitude) < -60, $"Residual after removing the {toneHz} Hz tone is {TestSignals.Db(residual / Amplitude):F1} dB.");
    }

    [Theory]
    [InlineData(1.5)]
    [InlineData(0.6)]
    [InlineData(1.0594630943592953)]
    [InlineData(0.8908987181403393)]
    public void Resample_RealRatio_ToneScaledInFrequency(double ratio)
    {
        const int Rate = 16000;
        var input = TestSignals.Tone(1000, Rate, Rate, Amplitude);

        var output = Resampler.Resample(input, ratio);

        // Read at the original Rate, the output holds the tone at 1000 / ratio Hz.
        Assert.Equal((int)Math.Round(Rate * ratio, MidpointRounding.AwayFromZero), output.Length);
        var middle = output.AsSpan(output.Length / 10, output.Length * 8 / 10);
        var (amplitude, residual) = TestSignals.FitSinusoid(middle, 1000 / ratio, Rate);
        Assert.InRange(TestSignals.Db(amplitude / Amplitude), -0.1, 0.1);
        Assert.True(TestSignals.Db(residual / Amplitude) < -60);
    }

    [Theory]
    [InlineData(0, 44100, 8000)]
    [InlineData(1, 44100, 8000)]
    [InlineData(1, 8000, 44100)]
    [InlineData(441, 44100, 8000)]
    [InlineData(12345, 44100, 8000)]
    [InlineData(12345, 8000, 22050)]
    [InlineData(7, 48000, 16000)]
    [InlineData(100_001, 16000, 8000)]
    [InlineData(999, 11025, 16000)]
    public void Resample_IntegerRates_LengthIsRoundedProduct(int length, int fromRate, int toRate)
    {
        var input = new float[length];
        int expected = (int)Math.Round((decimal)length * toRate / fromRate, MidpointRounding.AwayFromZero);

        Assert.Equal(expected, Resampler.Resample(input, fromRate, toRate).Length);
        Assert.Equal(expected, Resampler.OutputLength(length, fromRate, toRate));
    }

    [Theory]
    [InlineData(0, 0.5)]
    [InlineData(1, 2.0)]
    [InlineData(3, 0.5)]
    [InlineData(1001, 1.0594630943592953)]
    public void Resample_RealRatio_LengthIsRoundedProduct(int length, double ratio)
    {
        var output = Resampler.Resample(new float[length], ratio);

        Assert.Equal((int)Math.Round(length * ratio, MidpointRounding.AwayFromZero), output.Length);
    }

    [Fact]
    public void Resample_EqualRates_CopyOfInput()
    {
        var input = TestSignals.Tone(440, 8000, 1001);

        var output = Resampler.Resample(input, 8000, 8000);

        Assert.Equal(input, output);
        Assert.NotSame(input, output);
    }

    [Fact]
    public void Resample_SignalAtTargetRate_SameInstance()
    {
        var signal = new AudioSignal(TestSignals.Tone(440, 8000, 800), 8000);

        Assert.Same(signal, Resampler.Resample(signal, 8000));
    }

    [Fact]
    public void Resample_SignalAtOtherRate_NewSignalAtTargetRate()
    {
        var signal = new AudioSignal(new float[44100], 44100);

        var result = Resampler.Resample(signal, 8000);

        Assert.Equal(8000, result.SampleRate);
        Assert.Equal(8000, result.Samples.Length);
    }

    [Theory]
    [InlineData(44100, 8000)]
    [InlineData(8000, 22050)]
    [InlineData(48000, 16000)]
    [InlineData(16000, 16001)]
    public void Resample_Constant_DcPreserved(int fromRate, int toRate)
    {
        var input = Enumerable.Repeat(0.25f, fromRate / 2).ToArray();

        var output = Resampler.Resample(input, fromRate, toRate);

        foreach (float v in output.AsSpan(output.Length / 4, output.Length / 2))
        {
            Assert.Equal(0.25, v, 1e-5);
        }
    }

    [Fact]
    public void Resample_SameInputTwice_IdenticalOutput()
    {
        var input = TestSignals.Tone(1234, 44100, 10000);

        Assert.Equal(Resampler.Resample(input, 44100, 8000), Resampler.Resample(input, 44100, 8000));
    }

    [Theory]
    [InlineData(1, 8000, 22050)]
    [InlineData(5, 44100, 8000)]
    [InlineData(37, 16000, 22050)]
    [InlineData(300, 22050, 16000)]
    public void Resample_IntegerRates_MatchesDirectSumOverInputSamples(int length, int fromRate, int toRate)
    {
        var rng = new Random(3);
        float[] input = [.. Enumerable.Range(0, length).Select(_ => (float)(rng.NextDouble() - 0.5))];
        int gcd = (int)System.Numerics.BigInteger.GreatestCommonDivisor(fromRate, toRate);
        int up = toRate / gcd, down = fromRate / gcd;
        var kernel = new KaiserSincKernel((double)toRate / fromRate, ResamplerOptions.Default);
        var taps = new float[2 * kernel.HalfWidth];

        float[] output = Resampler.Resample(input, fromRate, toRate);

        for (int m = 0; m < output.Length; m++)
        {
            long position = (long)m * down;
            kernel.FillTaps((double)(position % up) / up, taps);
            long first = (position / up) - kernel.HalfWidth + 1;
            double expected = 0;
            for (int j = 0; j < taps.Length; j++)
            {
                long k = first + j;
                if (k >= 0 && k < length)
                {
                    expected += (double)input[k] * taps[j];
                }
            }

            Assert.Equal(expected, output[m], 1e-6);
        }
    }

    [Fact]
    public void Resample_SameRatioOtherOptions_UsesOtherFilter()
    {
        var input = TestSignals.Tone(3000, 16000, 4000);
        var sharp = new ResamplerOptions { StopbandAttenuationDb = 120 };

        float[] first = Resampler.Resample(input, 16000, 8000);
        float[] other = Resampler.Resample(input, 16000, 8000, sharp);
        float[] again = Resampler.Resample(input, 16000, 8000);

        Assert.NotEqual(first, other);
        Assert.Equal(first, again);
    }

    [Theory]
    [InlineData(0, 8000)]
    [InlineData(8000, 0)]
    [InlineData(-1, 8000)]
    public void Resample_NonPositiveRate_Throws(int fromRate, int toRate)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Resampler.Resample(new float[10], fromRate, toRate));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Resample_BadRatio_Throws(double ratio)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Resampler.Resample(new float[10], ratio));
    }

    [Fact]
    public void Resample_DestinationOfWrongLength_Throws()
    {
        Assert.Throws<ArgumentException>(() => Resampler.Resample(new float[100], new float[20], 44100, 8000));
    }

    [Fact]
    public void Options_AttenuationOutOfRange_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ResamplerOptions { StopbandAttenuationDb = 10 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new ResamplerOptions { StopbandAttenuationDb = double.NaN });
        Assert.Throws<ArgumentOutOfRangeException>(() => new ResamplerOptions { TransitionWidth = 0 });
    }
}

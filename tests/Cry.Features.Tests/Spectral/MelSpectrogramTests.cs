using Cry.Features.Spectral;

namespace Cry.Features.Tests.Spectral;

public class MelSpectrogramTests
{
    [Theory]
    [InlineData(8000, 512, 128, true, 63)]
    [InlineData(52000, 512, 128, true, 407)]
    [InlineData(400, 512, 128, true, 4)]
    [InlineData(6764, 256, 128, false, 51)]
    [InlineData(100, 256, 128, false, 0)]
    public void FrameCount_FollowsLibrosa(int samples, int nFft, int hop, bool center, int expected)
    {
        var mel = new MelSpectrogram(new MelSpectrogramOptions { NFft = nFft, HopLength = hop, Center = center, SampleRate = 8000, FMax = 4000 });
        Assert.Equal(expected, mel.FrameCount(samples));
    }

    [Theory]
    [InlineData(512)]
    [InlineData(400)]
    [InlineData(255)]
    public void Spectrogram_ObeysParsevalAndMatchesDirectDft(int n)
    {
        var rng = new Random(n);
        var frame = new float[n];
        for (int i = 0; i < n; i++)
        {
            frame[i] = (float)((rng.NextDouble() * 2) - 1);
        }

        var stft = new MelSpectrogram(new MelSpectrogramOptions { SampleRate = 8000, NFft = n, HopLength = n, Center = false, FMax = 4000 });
        int bins = (n / 2) + 1;
        var spectrum = new float[bins];
        stft.Spectrogram(frame, spectrum);

        double windowedEnergy = 0;
        for (int i = 0; i < n; i++)
        {
            double w = 0.5 - (0.5 * Math.Cos(2 * Math.PI * i / n));
            windowedEnergy += frame[i] * w * frame[i] * w;
        }

        // Parseval: Σ over all n bins of |X_k|² = n Σ x²; the one-sided spectrum counts the mirrored bins twice.
        double total = spectrum[0];
        for (int k = 1; k < bins; k++)
        {
            total += (n % 2 == 0 && k == n / 2) ? spectrum[k] : 2 * spectrum[k];
        }

        Assert.Equal(n * windowedEnergy, total, n * windowedEnergy * 1e-4);

        for (int k = 0; k < bins; k += 17)
        {
            double re = 0, im = 0;
            for (int i = 0; i < n; i++)
            {
                double w = 0.5 - (0.5 * Math.Cos(2 * Math.PI * i / n));
                double angle = -2 * Math.PI * k * i / n;
                re += frame[i] * w * Math.Cos(angle);
                im += frame[i] * w * Math.Sin(angle);
            }

            double expected = (re * re) + (im * im);
            Assert.Equal(expected, spectrum[k], Math.Max(1e-3, expected * 1e-4));
        }
    }

    [Theory]
    [InlineData(500.0)]
    [InlineData(1000.0)]
    [InlineData(2500.0)]
    public void Transform_Tone_LandsInTheBandCentredNearItsFrequency(double frequency)
    {
        const int Rate = 8000;
        var tone = new float[Rate];
        for (int i = 0; i < tone.Length; i++)
        {
            tone[i] = (float)Math.Sin(2 * Math.PI * frequency * i / Rate);
        }

        var options = new MelSpectrogramOptions { SampleRate = Rate, NFft = 512, HopLength = 128, NMels = 40, FMin = 0, FMax = 4000 };
        var mel = new MelSpectrogram(options).Transform(tone, out int frames);
        int middle = frames / 2;
        int best = 0;
        for (int m = 1; m < options.NMels; m++)
        {
            if (mel[(m * frames) + middle] > mel[(best * frames) + middle])
            {
                best = m;
            }
        }

        var centres = MelScale.Frequencies(options.NMels + 2, options.FMin, options.FMax, htk: false);
        int nearest = Enumerable.Range(0, options.NMels).MinBy(m => Math.Abs(centres[m + 1] - frequency));
        Assert.InRange(best, nearest - 1, nearest + 1);
    }

    [Fact]
    public void Transform_Silence_IsZero()
    {
        var mel = new MelSpectrogram(new MelSpectrogramOptions()).Transform(new float[8000], out _);
        Assert.All(mel, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Transform_EmptySignal_Throws()
    {
        var mel = new MelSpectrogram(new MelSpectrogramOptions());
        Assert.Throws<ArgumentException>(() => mel.Transform(ReadOnlySpan<float>.Empty, out _));
    }

    [Fact]
    public void Transform_ShorterThanOneFrameWithoutCentring_Throws()
    {
        var mel = new MelSpectrogram(new MelSpectrogramOptions { Center = false });
        var ex = Assert.Throws<ArgumentException>(() => mel.Transform(new float[100], out _));
        Assert.Contains("fewer than one frame", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_FMaxAboveNyquist_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new MelSpectrogram(new MelSpectrogramOptions { SampleRate = 8000, FMax = 5000 }));
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(1.5)]
    public void Spectrogram_PowerExponent_RaisesTheMagnitude(double exponent)
    {
        var rng = new Random(5);
        var signal = Enumerable.Range(0, 2000).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
        var options = new MelSpectrogramOptions { NFft = 256, HopLength = 100 };
        var squared = new MelSpectrogram(options);
        var raised = new MelSpectrogram(options with { Power = exponent });
        int length = 129 * squared.FrameCount(signal.Length);
        var power = new float[length];
        var result = new float[length];
        squared.Spectrogram(signal, power);
        raised.Spectrogram(signal, result);
        for (int i = 0; i < length; i++)
        {
            double expected = Math.Pow(power[i], exponent / 2);
            Assert.Equal(expected, result[i], Math.Max(1e-6, expected * 1e-4));
        }
    }
}

namespace Cry.Audio.Tests.Dsp;

/// <summary>Builders and measurements for synthetic test signals.</summary>
internal static class TestSignals
{
    public static float[] Tone(double frequencyHz, int sampleRate, int length, double amplitude = 0.5, double phase = 0)
    {
        var samples = new float[length];
        for (int i = 0; i < length; i++)
        {
            samples[i] = (float)(amplitude * Math.Sin((2 * Math.PI * frequencyHz * i / sampleRate) + phase));
        }

        return samples;
    }

    /// <summary>Least-squares amplitude of a sinusoid at <paramref name="frequencyHz"/> and the RMS of what is left after removing it.</summary>
    public static (double Amplitude, double ResidualRms) FitSinusoid(ReadOnlySpan<float> x, double frequencyHz, int sampleRate)
    {
        // Normal equations for x ≈ a·cos + b·sin.
        double cc = 0, ss = 0, cs = 0, xc = 0, xs = 0;
        for (int n = 0; n < x.Length; n++)
        {
            double w = 2 * Math.PI * frequencyHz * n / sampleRate;
            double c = Math.Cos(w), s = Math.Sin(w);
            cc += c * c;
            ss += s * s;
            cs += c * s;
            xc += x[n] * c;
            xs += x[n] * s;
        }

        double det = (cc * ss) - (cs * cs);
        double a = ((xc * ss) - (xs * cs)) / det;
        double b = ((xs * cc) - (xc * cs)) / det;
        double residual = 0;
        for (int n = 0; n < x.Length; n++)
        {
            double w = 2 * Math.PI * frequencyHz * n / sampleRate;
            double e = x[n] - (a * Math.Cos(w)) - (b * Math.Sin(w));
            residual += e * e;
        }

        return (Math.Sqrt((a * a) + (b * b)), Math.Sqrt(residual / x.Length));
    }

    public static double Rms(ReadOnlySpan<float> x)
    {
        double sum = 0;
        foreach (float v in x)
        {
            sum += (double)v * v;
        }

        return Math.Sqrt(sum / x.Length);
    }

    /// <summary>Frequency of the largest Hann-windowed DFT magnitude between the bounds, scanned in 1 Hz steps.</summary>
    public static double PeakFrequency(ReadOnlySpan<float> x, int sampleRate, double lowHz, double highHz)
    {
        double best = 0, bestHz = lowHz;
        for (double f = lowHz; f <= highHz; f += 1)
        {
            double re = 0, im = 0;
            for (int n = 0; n < x.Length; n++)
            {
                double window = 0.5 - (0.5 * Math.Cos(2 * Math.PI * n / (x.Length - 1)));
                double w = 2 * Math.PI * f * n / sampleRate;
                re += window * x[n] * Math.Cos(w);
                im -= window * x[n] * Math.Sin(w);
            }

            double magnitude = (re * re) + (im * im);
            if (magnitude > best)
            {
                best = magnitude;
                bestHz = f;
            }
        }

        return bestHz;
    }

    public static double Db(double ratio) => 20 * Math.Log10(ratio);
}

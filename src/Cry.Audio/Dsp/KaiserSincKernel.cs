namespace Cry.Audio.Dsp;

/// <summary>The Kaiser-windowed-sinc low-pass kernel of <see cref="Resampler"/>, in input-sample units.</summary>
internal sealed class KaiserSincKernel
{
    private readonly double _twoCutoff;
    private readonly double _beta;
    private readonly double _besselOfBeta;

    /// <summary>Designs the kernel for <paramref name="ratio"/> = output rate ÷ input rate.</summary>
    public KaiserSincKernel(double ratio, ResamplerOptions options)
    {
        Ratio = ratio;
        double nyquist = 0.5 * Math.Min(1.0, ratio);
        double transition = options.TransitionWidth * nyquist;
        double attenuation = options.StopbandAttenuationDb;
        _twoCutoff = 2.0 * (nyquist - (0.5 * transition));
        _beta = attenuation > 50
            ? 0.1102 * (attenuation - 8.7)
            : (0.5842 * Math.Pow(attenuation - 21, 0.4)) + (0.07886 * (attenuation - 21));
        _besselOfBeta = BesselI0(_beta);
        double length = ((attenuation - 7.95) / (14.36 * transition)) + 1;
        HalfWidth = Math.Max(1, (int)Math.Ceiling(length / 2));
    }

    /// <summary>The ratio (output rate ÷ input rate) the kernel was designed for.</summary>
    public double Ratio { get; }

    /// <summary>Half the support of the kernel in input samples; it is zero for |x| ≥ HalfWidth.</summary>
    public int HalfWidth { get; }

    /// <summary>The kernel at offset <paramref name="x"/> input samples from the output instant.</summary>
    public double Evaluate(double x)
    {
        double r = x / HalfWidth;
        if (r <= -1 || r >= 1)
        {
            return 0;
        }

        double arg = Math.PI * _twoCutoff * x;
        double sinc = arg == 0 ? 1 : Math.Sin(arg) / arg;
        return _twoCutoff * sinc * BesselI0(_beta * Math.Sqrt(1 - (r * r))) / _besselOfBeta;
    }

    /// <summary>Fills the 2·HalfWidth taps for an output instant <paramref name="fraction"/> past an input sample, normalised to unit sum.</summary>
    /// <remarks>Tap j multiplies input sample n − HalfWidth + 1 + j, at distance fraction + HalfWidth − 1 − j.</remarks>
    public void FillTaps(double fraction, Span<float> taps)
    {
        double sum = 0;
        for (int j = 0; j < taps.Length; j++)
        {
            double value = Evaluate(fraction + HalfWidth - 1 - j);
            taps[j] = (float)value;
            sum += value;
        }

        Normalise(taps, sum);
    }

    /// <summary>The kernel at x = i / <paramref name="density"/> for i = 0 … HalfWidth·density + 1 (it is even).</summary>
    public double[] Tabulate(int density)
    {
        var table = new double[(HalfWidth * density) + 2];
        for (int i = 0; i < table.Length; i++)
        {
            table[i] = Evaluate((double)i / density);
        }

        return table;
    }

    /// <summary>Like <see cref="FillTaps"/> but linearly interpolated in a table from <see cref="Tabulate"/>.</summary>
    public static void InterpolateTaps(double[] table, int density, int halfWidth, double fraction, Span<float> taps)
    {
        double sum = 0;
        for (int j = 0; j < taps.Length; j++)
        {
            double u = Math.Abs(fraction + halfWidth - 1 - j) * density;
            var i = (int)u;
            double value = 0;
            if (i < table.Length - 1)
            {
                double w = u - i;
                value = table[i] + (w * (table[i + 1] - table[i]));
            }

            taps[j] = (float)value;
            sum += value;
        }

        Normalise(taps, sum);
    }

    private static void Normalise(Span<float> taps, double sum)
    {
        var scale = (float)(1.0 / sum);
        for (int j = 0; j < taps.Length; j++)
        {
            taps[j] *= scale;
        }
    }

    // Modified Bessel function of the first kind, order 0, by its power series (converges fast for β ≤ 20).
    private static double BesselI0(double x)
    {
        double sum = 1;
        double term = 1;
        double quarterSquare = x * x / 4;
        for (int k = 1; k < 100; k++)
        {
            term *= quarterSquare / (k * k);
            sum += term;
            if (term < sum * 1e-17)
            {
                break;
            }
        }

        return sum;
    }
}

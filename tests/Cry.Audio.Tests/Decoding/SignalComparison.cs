using Cry.Audio.Dsp;

namespace Cry.Audio.Tests.Decoding;

/// <summary>How closely one signal matches another: the best lag, and correlation, SNR and largest difference there.</summary>
/// <param name="Lag">Where <c>actual</c> matches <c>expected</c> best, in samples (positive: <c>actual</c> is late).</param>
/// <param name="Correlation">Pearson correlation over the overlap at that lag.</param>
/// <param name="SnrDb">10 log10(Σ expected² / Σ (actual − expected)²) over the overlap.</param>
/// <param name="MaxAbsDifference">The largest |actual − expected| over the overlap.</param>
internal readonly record struct SignalComparison(int Lag, double Correlation, double SnrDb, double MaxAbsDifference)
{
    /// <summary>Compares two signals at the same rate, searching lags in [-maxLag, maxLag].</summary>
    public static SignalComparison Of(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, int maxLag = 0)
    {
        int best = 0;
        double bestDot = double.NegativeInfinity;
        for (int lag = -maxLag; lag <= maxLag; lag++)
        {
            double dot = 0;
            Overlap(expected, actual, lag, out var e, out var a);
            for (int i = 0; i < e.Length; i++)
            {
                dot += e[i] * (double)a[i];
            }

            if (dot > bestDot)
            {
                bestDot = dot;
                best = lag;
            }
        }

        return At(expected, actual, best);
    }

    /// <summary>Compares at a given lag.</summary>
    public static SignalComparison At(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, int lag)
    {
        Overlap(expected, actual, lag, out var e, out var a);
        double se = 0, sa = 0;
        for (int i = 0; i < e.Length; i++)
        {
            se += e[i];
            sa += a[i];
        }

        double me = se / e.Length, ma = sa / a.Length;
        double cov = 0, ve = 0, va = 0, power = 0, error = 0, max = 0;
        for (int i = 0; i < e.Length; i++)
        {
            double de = e[i] - me, da = a[i] - ma, d = (double)a[i] - e[i];
            cov += de * da;
            ve += de * de;
            va += da * da;
            power += (double)e[i] * e[i];
            error += d * d;
            max = Math.Max(max, Math.Abs(d));
        }

        double correlation = ve > 0 && va > 0 ? cov / Math.Sqrt(ve * va) : 0;
        double snr = error == 0 ? double.PositiveInfinity : 10 * Math.Log10(power / error);
        return new SignalComparison(lag, correlation, snr, max);
    }

    /// <summary>Brings <paramref name="signal"/> to <paramref name="rate"/> with the product's resampler (a copy when it is there already).</summary>
    public static float[] AtRate(AudioSignal signal, int rate) =>
        signal.SampleRate == rate ? signal.Samples : Resampler.Resample(signal.Samples, signal.SampleRate, rate);

    public override string ToString() =>
        FormattableString.Invariant($"lag {Lag}, correlation {Correlation:0.000000}, SNR {SnrDb:0.00} dB, max |diff| {MaxAbsDifference:0.###e+0}");

    private static void Overlap(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, int lag, out ReadOnlySpan<float> e, out ReadOnlySpan<float> a)
    {
        // actual[i + lag] lines up with expected[i].
        int start = Math.Max(0, -lag);
        int end = Math.Min(expected.Length, actual.Length - lag);
        e = end > start ? expected[start..end] : [];
        a = end > start ? actual[(start + lag)..(end + lag)] : [];
    }
}

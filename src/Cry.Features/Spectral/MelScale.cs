namespace Cry.Features.Spectral;

/// <summary>Conversions between hertz and mels on the Slaney (Auditory Toolbox) or HTK scale, as librosa defines them.</summary>
/// <remarks>
/// HTK: mel = 2595 log10(1 + f / 700). Slaney: linear below 1 kHz (f / (200/3)), logarithmic above with a step of
/// ln(6.4) / 27 per mel.
/// </remarks>
public static class MelScale
{
    private const double SlaneyStep = 200.0 / 3.0;
    private const double MinLogHz = 1000.0;
    private const double MinLogMel = MinLogHz / SlaneyStep;
    private static readonly double s_logStep = Math.Log(6.4) / 27.0;

    /// <summary>Converts a frequency in hertz to mels.</summary>
    public static double HzToMel(double hz, bool htk) =>
        htk ? 2595.0 * Math.Log10(1.0 + (hz / 700.0))
        : hz >= MinLogHz ? MinLogMel + (Math.Log(hz / MinLogHz) / s_logStep)
        : hz / SlaneyStep;

    /// <summary>Converts mels to a frequency in hertz.</summary>
    public static double MelToHz(double mel, bool htk) =>
        htk ? 700.0 * (Math.Pow(10.0, mel / 2595.0) - 1.0)
        : mel >= MinLogMel ? MinLogHz * Math.Exp(s_logStep * (mel - MinLogMel))
        : SlaneyStep * mel;

    /// <summary>Returns <paramref name="count"/> frequencies equally spaced in mels from fMin to fMax (librosa's mel_frequencies).</summary>
    public static double[] Frequencies(int count, double fMin, double fMax, bool htk)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        double minMel = HzToMel(fMin, htk);
        double maxMel = HzToMel(fMax, htk);
        var result = new double[count];
        double step = count > 1 ? (maxMel - minMel) / (count - 1) : 0;
        for (int i = 0; i < count; i++)
        {
            double mel = i == count - 1 && count > 1 ? maxMel : (i * step) + minMel;
            result[i] = MelToHz(mel, htk);
        }

        return result;
    }
}

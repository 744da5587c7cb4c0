namespace Cry.Features.Spectral;

/// <summary>How the triangular mel filters are scaled.</summary>
public enum MelNormalization
{
    /// <summary>Peak 1 (librosa <c>norm=None</c>).</summary>
    None,

    /// <summary>Each filter divided by its width in hertz / 2, so every filter has the same area (librosa <c>norm="slaney"</c>).</summary>
    Slaney,
}

/// <summary>A bank of triangular mel filters over the bins of a real FFT, identical to librosa's <c>filters.mel</c>.</summary>
/// <remarks>
/// Filter i rises linearly from mel frequency f[i] to f[i+1] and falls to f[i+2], where f are nMels + 2 frequencies
/// equally spaced in mels between fMin and fMax. Weights are computed in double and stored in single precision, as
/// librosa does. Each row keeps the range of its non-zero bins so that applying the bank costs O(bins), not O(mels × bins).
/// </remarks>
public sealed class MelFilterBank
{
    private readonly float[] _weights;
    private readonly int[] _first;
    private readonly int[] _end;

    /// <summary>Builds the filter bank.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A parameter is out of range.</exception>
    public MelFilterBank(int sampleRate, int nFft, int nMels, double fMin, double fMax, bool htk, MelNormalization norm)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(nFft);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(nMels);
        ArgumentOutOfRangeException.ThrowIfNegative(fMin);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(fMax, fMin);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(fMax, sampleRate / 2.0);

        MelCount = nMels;
        BinCount = (nFft / 2) + 1;
        _weights = new float[nMels * BinCount];
        _first = new int[nMels];
        _end = new int[nMels];

        // numpy's rfftfreq: k * (1 / (n * (1 / sr))), kept in that order for identical rounding.
        double binWidth = 1.0 / (nFft * (1.0 / sampleRate));
        var fftFreqs = new double[BinCount];
        for (int k = 0; k < BinCount; k++)
        {
            fftFreqs[k] = k * binWidth;
        }

        var melF = MelScale.Frequencies(nMels + 2, fMin, fMax, htk);
        for (int i = 0; i < nMels; i++)
        {
            double lowerDiff = melF[i + 1] - melF[i];
            double upperDiff = melF[i + 2] - melF[i + 1];
            double enorm = norm == MelNormalization.Slaney ? 2.0 / (melF[i + 2] - melF[i]) : 1.0;
            int first = BinCount, end = 0;
            for (int k = 0; k < BinCount; k++)
            {
                double lower = -(melF[i] - fftFreqs[k]) / lowerDiff;
                double upper = (melF[i + 2] - fftFreqs[k]) / upperDiff;
                double w = Math.Max(0.0, Math.Min(lower, upper));
                float weight = (float)w;
                if (norm == MelNormalization.Slaney)
                {
                    // librosa scales the single-precision weights in place by the double-precision area factor.
                    weight = (float)(weight * enorm);
                }

                _weights[(i * BinCount) + k] = weight;
                if (weight != 0f)
                {
                    first = Math.Min(first, k);
                    end = k + 1;
                }
            }

            _first[i] = first;
            _end[i] = Math.Max(first, end);
        }
    }

    /// <summary>The number of mel bands.</summary>
    public int MelCount { get; }

    /// <summary>The number of FFT bins the filters span (nFft / 2 + 1).</summary>
    public int BinCount { get; }

    /// <summary>The weights, mel-major (MelCount × BinCount).</summary>
    public ReadOnlySpan<float> Weights => _weights;

    /// <summary>The first and one-past-last non-zero bin of a band.</summary>
    public (int First, int End) Support(int band) => (_first[band], _end[band]);

    /// <summary>Applies the bank to one power spectrum.</summary>
    public void Apply(ReadOnlySpan<float> spectrum, Span<float> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(spectrum.Length, BinCount);
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, MelCount);
        for (int m = 0; m < MelCount; m++)
        {
            float acc = 0f;
            var row = _weights.AsSpan(m * BinCount, BinCount);
            for (int k = _first[m]; k < _end[m]; k++)
            {
                acc += row[k] * spectrum[k];
            }

            destination[m] = acc;
        }
    }
}

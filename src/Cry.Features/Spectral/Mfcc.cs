namespace Cry.Features.Spectral;

/// <summary>Mel-frequency cepstral coefficients from a dB mel spectrogram, as librosa's <c>feature.mfcc(S=...)</c>.</summary>
/// <remarks>
/// c[k, t] = L(k) · DCT-II(dB[·, t])[k] with the orthonormal DCT-II over the mel axis:
/// DCT[k, m] = sqrt(2 / M) cos(π k (2m + 1) / 2M), row 0 scaled by 1 / sqrt 2; liftering L(k) = 1 + (lifter / 2) sin(π (k + 1) / lifter)
/// when lifter &gt; 0, else 1. A request for more coefficients than mel bands is clamped to the number of bands,
/// which is what librosa returns in that case (<see cref="Clamped"/> says when it happened).
/// The mean over coefficients, the 1-D series the imaging methods use, is the same linear map folded into one weight
/// per band: series[t] = Σ_m w[m] dB[m, t], w[m] = (1/K) Σ_k L(k) DCT[k, m].
/// </remarks>
public sealed class Mfcc
{
    private readonly float[] _matrix;
    private readonly float[] _meanWeights;

    /// <summary>Builds the transform after validating the options.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A count is not positive or lifter is negative.</exception>
    public Mfcc(MfccOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.NMels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.NMfcc);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Lifter);
        Options = options;
        int melCount = options.NMels, coefficientCount = options.NMfcc, lifter = options.Lifter;
        MelCount = melCount;
        Clamped = coefficientCount > melCount;
        CoefficientCount = Math.Min(coefficientCount, melCount);
        _matrix = new float[CoefficientCount * melCount];
        var mean = new double[melCount];
        for (int k = 0; k < CoefficientCount; k++)
        {
            double scale = Math.Sqrt(2.0 / melCount) * (k == 0 ? 1.0 / Math.Sqrt(2.0) : 1.0);
            double lift = lifter > 0 ? 1.0 + (lifter / 2.0 * Math.Sin(Math.PI * (k + 1) / lifter)) : 1.0;
            for (int m = 0; m < melCount; m++)
            {
                double value = scale * Math.Cos(Math.PI * k * ((2 * m) + 1) / (2.0 * melCount)) * lift;
                _matrix[(k * melCount) + m] = (float)value;
                mean[m] += value / CoefficientCount;
            }
        }

        _meanWeights = Array.ConvertAll(mean, v => (float)v);
    }

    /// <summary>The validated options.</summary>
    public MfccOptions Options { get; }

    /// <summary>The number of mel bands expected.</summary>
    public int MelCount { get; }

    /// <summary>The number of coefficients produced (the request, clamped to <see cref="MelCount"/>).</summary>
    public int CoefficientCount { get; }

    /// <summary>True when more coefficients were requested than there are mel bands.</summary>
    public bool Clamped { get; }

    /// <summary>The per-band weights of the mean over coefficients (see remarks).</summary>
    internal ReadOnlySpan<float> MeanWeights => _meanWeights;

    /// <summary>Computes coefficients (CoefficientCount × frames) from a dB mel spectrogram (MelCount × frames).</summary>
    public void Transform(ReadOnlySpan<float> db, int frames, Span<float> destination)
    {
        CheckShapes(db, frames);
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, CoefficientCount * frames, nameof(destination));
        destination[..(CoefficientCount * frames)].Clear();
        for (int k = 0; k < CoefficientCount; k++)
        {
            var row = destination.Slice(k * frames, frames);
            for (int m = 0; m < MelCount; m++)
            {
                float w = _matrix[(k * MelCount) + m];
                var band = db.Slice(m * frames, frames);
                for (int t = 0; t < frames; t++)
                {
                    row[t] += w * band[t];
                }
            }
        }
    }

    /// <summary>Computes the mean over coefficients of every frame (length frames) from a dB mel spectrogram.</summary>
    public void MeanSeries(ReadOnlySpan<float> db, int frames, Span<float> destination)
    {
        CheckShapes(db, frames);
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, frames, nameof(destination));
        var dst = destination[..frames];
        dst.Clear();
        for (int m = 0; m < MelCount; m++)
        {
            float w = _meanWeights[m];
            var band = db.Slice(m * frames, frames);
            for (int t = 0; t < frames; t++)
            {
                dst[t] += w * band[t];
            }
        }
    }

    private void CheckShapes(ReadOnlySpan<float> db, int frames)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(frames);
        if (db.Length < MelCount * frames)
        {
            throw new ArgumentException($"Expected {MelCount} × {frames} dB values, got {db.Length}.", nameof(db));
        }
    }
}

using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Cry.Features.Spectral;

/// <summary>Short-time Fourier transform, magnitude to a power and a mel filter bank, as librosa's <c>feature.melspectrogram</c>.</summary>
/// <remarks>
/// Periodic Hann window of length NFft; with <see cref="MelSpectrogramOptions.Center"/> the signal is zero-padded by
/// NFft / 2 on both sides (librosa's <c>pad_mode="constant"</c>), giving 1 + (n + 2⌊NFft/2⌋ − NFft) / hop frames.
/// Frames are processed <see cref="Vector{T}.Count"/> at a time: one FFT call transforms a whole batch (see
/// <see cref="BatchFft"/>), a real FFT of even length runs as a complex FFT of half the length. Single precision
/// throughout, like librosa's float32 pipeline. The output is mel-major: band m of frame t is at m × frames + t.
/// Instances are immutable and thread-safe; scratch memory comes from <see cref="ArrayPool{T}"/>.
/// </remarks>
public sealed class MelSpectrogram
{
    private readonly MelSpectrogramOptions _options;
    private readonly BatchFft _fft;
    private readonly bool _halfLength;
    private readonly float[] _window;
    private readonly float[] _postRe;
    private readonly float[] _postIm;

    /// <summary>Plans the transform.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A parameter is out of range.</exception>
    public MelSpectrogram(MelSpectrogramOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        int n = options.NFft;
        _halfLength = n % 2 == 0;
        _fft = new BatchFft(_halfLength ? n / 2 : n);
        _window = new float[n];
        for (int i = 0; i < n; i++)
        {
            _window[i] = (float)(0.5 - (0.5 * Math.Cos(2.0 * Math.PI * i / n)));
        }

        int bins = (n / 2) + 1;
        _postRe = new float[bins];
        _postIm = new float[bins];
        for (int k = 0; k < bins; k++)
        {
            double angle = -2.0 * Math.PI * k / n;
            _postRe[k] = (float)Math.Cos(angle);
            _postIm[k] = (float)Math.Sin(angle);
        }

        FilterBank = new MelFilterBank(options.SampleRate, n, options.NMels, options.FMin, options.FMax, options.Htk, options.Norm);
    }

    /// <summary>The options this transform was planned with.</summary>
    public MelSpectrogramOptions Options => _options;

    /// <summary>The mel filter bank.</summary>
    public MelFilterBank FilterBank { get; }

    /// <summary>The number of frames for a signal of <paramref name="sampleCount"/> samples (0 when too short without centring).</summary>
    public int FrameCount(int sampleCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sampleCount);
        int padded = _options.Center ? sampleCount + (2 * (_options.NFft / 2)) : sampleCount;
        return padded < _options.NFft ? 0 : 1 + ((padded - _options.NFft) / _options.HopLength);
    }

    /// <summary>Computes the mel spectrogram (NMels × frames, mel-major) into <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentException">The signal is empty or shorter than one frame, or the destination is too small.</exception>
    public void Transform(ReadOnlySpan<float> signal, Span<float> destination) => Run(signal, destination, applyFilterBank: true);

    /// <summary>Computes the STFT magnitude raised to <see cref="MelSpectrogramOptions.Power"/> (bins × frames, bin-major) without the mel bank.</summary>
    /// <exception cref="ArgumentException">The signal is empty or shorter than one frame, or the destination is too small.</exception>
    public void Spectrogram(ReadOnlySpan<float> signal, Span<float> destination) => Run(signal, destination, applyFilterBank: false);

    private void Run(ReadOnlySpan<float> signal, Span<float> destination, bool applyFilterBank)
    {
        if (signal.IsEmpty)
        {
            throw new ArgumentException("The signal is empty.", nameof(signal));
        }

        int frames = FrameCount(signal.Length);
        if (frames == 0)
        {
            throw new ArgumentException(
                $"The signal has {signal.Length} samples, fewer than one frame of {_options.NFft} without centring.", nameof(signal));
        }

        int nFft = _options.NFft;
        int bins = (nFft / 2) + 1;
        int rows = applyFilterBank ? _options.NMels : bins;
        if (destination.Length < rows * frames)
        {
            throw new ArgumentException($"The destination needs {rows * frames} elements.", nameof(destination));
        }

        int pad = _options.Center ? nFft / 2 : 0;
        int paddedLength = signal.Length + (2 * pad);
        int lanes = Vector<float>.Count;
        int fftLength = _fft.Length;
        int nMels = _options.NMels;

        float[] padded = ArrayPool<float>.Shared.Rent(paddedLength);
        float[] work = ArrayPool<float>.Shared.Rent(((4 * fftLength) + bins + nMels) * lanes);
        try
        {
            var paddedSpan = padded.AsSpan(0, paddedLength);
            paddedSpan[..pad].Clear();
            signal.CopyTo(paddedSpan[pad..]);
            paddedSpan[(pad + signal.Length)..].Clear();

            var vectors = MemoryMarshal.Cast<float, Vector<float>>(work.AsSpan(0, ((4 * fftLength) + bins + nMels) * lanes));
            var re = vectors[..fftLength];
            var im = vectors.Slice(fftLength, fftLength);
            var workRe = vectors.Slice(2 * fftLength, fftLength);
            var workIm = vectors.Slice(3 * fftLength, fftLength);
            var power = vectors.Slice(4 * fftLength, bins);
            var mel = vectors.Slice((4 * fftLength) + bins, nMels);
            var reLanes = MemoryMarshal.Cast<Vector<float>, float>(re);
            var imLanes = MemoryMarshal.Cast<Vector<float>, float>(im);
            var outLanes = MemoryMarshal.Cast<Vector<float>, float>(applyFilterBank ? mel : power);

            for (int batch = 0; batch < frames; batch += lanes)
            {
                int count = Math.Min(lanes, frames - batch);
                LoadFrames(paddedSpan, batch, count, reLanes, imLanes);
                _fft.Forward(re, im, workRe, workIm);
                PowerSpectrum(re, im, power);
                if (applyFilterBank)
                {
                    ApplyFilterBank(power, mel);
                }

                for (int r = 0; r < rows; r++)
                {
                    outLanes.Slice(r * lanes, count).CopyTo(destination.Slice((r * frames) + batch, count));
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(work);
            ArrayPool<float>.Shared.Return(padded);
        }
    }

    /// <summary>Computes the mel spectrogram into a new array (NMels × frames, mel-major).</summary>
    public float[] Transform(ReadOnlySpan<float> signal, out int frames)
    {
        frames = FrameCount(signal.Length);
        var result = new float[_options.NMels * frames];
        Transform(signal, result);
        return result;
    }

    private void LoadFrames(ReadOnlySpan<float> padded, int firstFrame, int count, Span<float> reLanes, Span<float> imLanes)
    {
        int lanes = Vector<float>.Count;
        int hop = _options.HopLength;
        var window = _window.AsSpan();
        if (count < lanes)
        {
            reLanes.Clear();
            imLanes.Clear();
        }

        if (_halfLength)
        {
            int half = _fft.Length;
            for (int l = 0; l < count; l++)
            {
                var frame = padded.Slice((firstFrame + l) * hop, 2 * half);
                for (int j = 0, idx = l; j < half; j++, idx += lanes)
                {
                    reLanes[idx] = frame[2 * j] * window[2 * j];
                    imLanes[idx] = frame[(2 * j) + 1] * window[(2 * j) + 1];
                }
            }
        }
        else
        {
            int n = _fft.Length;
            for (int l = 0; l < count; l++)
            {
                var frame = padded.Slice((firstFrame + l) * hop, n);
                for (int j = 0, idx = l; j < n; j++, idx += lanes)
                {
                    reLanes[idx] = frame[j] * window[j];
                    imLanes[idx] = 0f;
                }
            }
        }
    }

    private void PowerSpectrum(ReadOnlySpan<Vector<float>> re, ReadOnlySpan<Vector<float>> im, Span<Vector<float>> power)
    {
        int bins = power.Length;
        if (_halfLength)
        {
            // Split the half-length complex transform Z of (even, odd) samples into the real transform X:
            // X[k] = E[k] − i·w^k·O[k], E = (Z[k] + conj Z[M−k]) / 2, O = (Z[k] − conj Z[M−k]) / 2, w = e^{−2πi/N}.
            int m = _fft.Length;
            var half = new Vector<float>(0.5f);
            for (int k = 0; k < bins; k++)
            {
                int a = k == m ? 0 : k;
                int b = k == 0 ? 0 : m - k;
                var er = (re[a] + re[b]) * half;
                var ei = (im[a] - im[b]) * half;
                var or = (re[a] - re[b]) * half;
                var oi = (im[a] + im[b]) * half;
                float wr = _postRe[k], wi = _postIm[k];
                var xr = er + (oi * wr) + (or * wi);
                var xi = ei - (or * wr) + (oi * wi);
                power[k] = (xr * xr) + (xi * xi);
            }
        }
        else
        {
            for (int k = 0; k < bins; k++)
            {
                power[k] = (re[k] * re[k]) + (im[k] * im[k]);
            }
        }

        double p = _options.Power;
        if (p == 2.0)
        {
            return;
        }

        if (p == 1.0)
        {
            for (int k = 0; k < bins; k++)
            {
                power[k] = Vector.SquareRoot(power[k]);
            }

            return;
        }

        var exponent = new Vector<float>((float)(p / 2.0));
        for (int k = 0; k < bins; k++)
        {
            var v = power[k];
            var mask = Vector.GreaterThan(v, Vector<float>.Zero);
            power[k] = Vector.ConditionalSelect(mask, Vector.Exp(Vector.Log(v) * exponent), Vector<float>.Zero);
        }
    }

    private void ApplyFilterBank(ReadOnlySpan<Vector<float>> power, Span<Vector<float>> mel)
    {
        var weights = FilterBank.Weights;
        int bins = FilterBank.BinCount;
        for (int m = 0; m < mel.Length; m++)
        {
            var (first, end) = FilterBank.Support(m);
            var row = weights.Slice(m * bins, bins);
            var acc = Vector<float>.Zero;
            for (int k = first; k < end; k++)
            {
                acc += power[k] * row[k];
            }

            mel[m] = acc;
        }
    }
}

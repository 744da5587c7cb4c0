using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

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
    public void Transform(ReadOnlySpan<float> signal, Span<float> destination) =>
        Run(signal, destination, default, applyFilterBank: true);

    /// <summary>Computes the STFT magnitude raised to <see cref="MelSpectrogramOptions.Power"/> (bins × frames, bin-major) without the mel bank.</summary>
    /// <exception cref="ArgumentException">The signal is empty or shorter than one frame, or the destination is too small.</exception>
    public void Spectrogram(ReadOnlySpan<float> signal, Span<float> destination) =>
        Run(signal, destination, default, applyFilterBank: false);

    /// <summary>The number of vectors <see cref="TransformBatched"/> writes: one per band per batch of Vector&lt;float&gt;.Count frames.</summary>
    internal int BatchedLength(int sampleCount)
    {
        int lanes = Vector<float>.Count;
        return (FrameCount(sampleCount) + lanes - 1) / lanes * _options.NMels;
    }

    /// <summary>
    /// Computes the mel spectrogram in the FFT's own layout: vector (batch × NMels + band) holds that band of frames
    /// batch × lanes … batch × lanes + lanes − 1 (lanes past the last frame are 0). Saves the transpose when the
    /// consumer works frame by frame, as the MFCC series does.
    /// </summary>
    internal void TransformBatched(ReadOnlySpan<float> signal, Span<Vector<float>> destination) =>
        Run(signal, default, destination, applyFilterBank: true);

    private void Run(ReadOnlySpan<float> signal, Span<float> destination, Span<Vector<float>> batched, bool applyFilterBank)
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
        bool isBatched = !batched.IsEmpty;
        if (isBatched ? batched.Length < BatchedLength(signal.Length) : destination.Length < rows * frames)
        {
            throw new ArgumentException($"The destination is too small for {rows} × {frames} values.", nameof(destination));
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
                if (isBatched)
                {
                    ApplyFilterBank(power, batched.Slice(batch / lanes * nMels, nMels));
                    continue;
                }

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
        int nFft = _options.NFft;
        var window = _window.AsSpan();
        if (count < lanes)
        {
            reLanes.Clear();
            imLanes.Clear();
        }

        int done = 0;
        if (lanes == 8 && Avx.IsSupported)
        {
            done = LoadFramesTransposed(padded, firstFrame, count, reLanes, imLanes);
        }

        // Scalar path for what the 8 × 8 transposes did not cover (other vector widths, the tail of nFft).
        for (int l = 0; l < count; l++)
        {
            var frame = padded.Slice((firstFrame + l) * hop, nFft);
            for (int i = done; i < nFft; i++)
            {
                float value = frame[i] * window[i];
                if (_halfLength)
                {
                    (i % 2 == 0 ? reLanes : imLanes)[((i / 2) * lanes) + l] = value;
                }
                else
                {
                    reLanes[(i * lanes) + l] = value;
                    imLanes[(i * lanes) + l] = 0f;
                }
            }
        }
    }

    /// <summary>Loads 8 frames × 8 samples at a time and transposes them in registers; returns the samples covered.</summary>
    /// <remarks>The frame-major signal has to become sample-major lanes; scalar strided stores cost more than the FFT itself.</remarks>
    private int LoadFramesTransposed(ReadOnlySpan<float> padded, int firstFrame, int count, Span<float> reLanes, Span<float> imLanes)
    {
        int hop = _options.HopLength;
        int blocks = _options.NFft / 8;
        ref float signal = ref MemoryMarshal.GetReference(padded);
        ref float window = ref MemoryMarshal.GetArrayDataReference(_window);
        ref float re = ref MemoryMarshal.GetReference(reLanes);
        ref float im = ref MemoryMarshal.GetReference(imLanes);
        Span<int> offsets = stackalloc int[8];
        for (int l = 0; l < 8; l++)
        {
            offsets[l] = l < count ? (firstFrame + l) * hop : -1;
        }

        for (int b = 0; b < blocks; b++)
        {
            int n0 = b * 8;
            var r0 = Row(ref signal, offsets[0], n0);
            var r1 = Row(ref signal, offsets[1], n0);
            var r2 = Row(ref signal, offsets[2], n0);
            var r3 = Row(ref signal, offsets[3], n0);
            var r4 = Row(ref signal, offsets[4], n0);
            var r5 = Row(ref signal, offsets[5], n0);
            var r6 = Row(ref signal, offsets[6], n0);
            var r7 = Row(ref signal, offsets[7], n0);
            var t0 = Avx.UnpackLow(r0, r1);
            var t1 = Avx.UnpackHigh(r0, r1);
            var t2 = Avx.UnpackLow(r2, r3);
            var t3 = Avx.UnpackHigh(r2, r3);
            var t4 = Avx.UnpackLow(r4, r5);
            var t5 = Avx.UnpackHigh(r4, r5);
            var t6 = Avx.UnpackLow(r6, r7);
            var t7 = Avx.UnpackHigh(r6, r7);
            var u0 = Avx.Shuffle(t0, t2, 0x44);
            var u1 = Avx.Shuffle(t0, t2, 0xEE);
            var u2 = Avx.Shuffle(t1, t3, 0x44);
            var u3 = Avx.Shuffle(t1, t3, 0xEE);
            var u4 = Avx.Shuffle(t4, t6, 0x44);
            var u5 = Avx.Shuffle(t4, t6, 0xEE);
            var u6 = Avx.Shuffle(t5, t7, 0x44);
            var u7 = Avx.Shuffle(t5, t7, 0xEE);
            Store(ref re, ref im, ref window, n0 + 0, Avx.Permute2x128(u0, u4, 0x20));
            Store(ref re, ref im, ref window, n0 + 1, Avx.Permute2x128(u1, u5, 0x20));
            Store(ref re, ref im, ref window, n0 + 2, Avx.Permute2x128(u2, u6, 0x20));
            Store(ref re, ref im, ref window, n0 + 3, Avx.Permute2x128(u3, u7, 0x20));
            Store(ref re, ref im, ref window, n0 + 4, Avx.Permute2x128(u0, u4, 0x31));
            Store(ref re, ref im, ref window, n0 + 5, Avx.Permute2x128(u1, u5, 0x31));
            Store(ref re, ref im, ref window, n0 + 6, Avx.Permute2x128(u2, u6, 0x31));
            Store(ref re, ref im, ref window, n0 + 7, Avx.Permute2x128(u3, u7, 0x31));
        }

        return blocks * 8;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Row(ref float signal, int offset, int n0) =>
        offset < 0 ? Vector256<float>.Zero : Vector256.LoadUnsafe(ref signal, (nuint)(offset + n0));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Store(ref float re, ref float im, ref float window, int n, Vector256<float> column)
    {
        var value = column * Unsafe.Add(ref window, n);
        if (_halfLength)
        {
            value.StoreUnsafe(ref (n % 2 == 0 ? ref re : ref im), (nuint)((n / 2) * 8));
        }
        else
        {
            value.StoreUnsafe(ref re, (nuint)(n * 8));
            Vector256<float>.Zero.StoreUnsafe(ref im, (nuint)(n * 8));
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
            ref var zr = ref MemoryMarshal.GetReference(re);
            ref var zi = ref MemoryMarshal.GetReference(im);
            ref var output = ref MemoryMarshal.GetReference(power);
            for (int k = 0; k < bins; k++)
            {
                int a = k == m ? 0 : k;
                int b = k == 0 ? 0 : m - k;
                var ar = Unsafe.Add(ref zr, a);
                var ai = Unsafe.Add(ref zi, a);
                var br = Unsafe.Add(ref zr, b);
                var bi = Unsafe.Add(ref zi, b);
                var er = (ar + br) * half;
                var ei = (ai - bi) * half;
                var or = (ar - br) * half;
                var oi = (ai + bi) * half;
                float wr = _postRe[k], wi = _postIm[k];
                var xr = er + (oi * wr) + (or * wi);
                var xi = ei - (or * wr) + (oi * wi);
                Unsafe.Add(ref output, k) = (xr * xr) + (xi * xi);
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
        ref float weights = ref MemoryMarshal.GetReference(FilterBank.Weights);
        ref var spectrum = ref MemoryMarshal.GetReference(power);
        int bins = FilterBank.BinCount;
        for (int m = 0; m < mel.Length; m++)
        {
            var (first, end) = FilterBank.Support(m);
            ref float row = ref Unsafe.Add(ref weights, m * bins);
            var acc = Vector<float>.Zero;
            for (int k = first; k < end; k++)
            {
                acc += Unsafe.Add(ref spectrum, k) * Unsafe.Add(ref row, k);
            }

            mel[m] = acc;
        }
    }
}

using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Cry.Features.Spectral;

/// <summary>Forward complex FFT of any length, applied to <see cref="Vector{T}.Count"/> sequences at once.</summary>
/// <remarks>
/// Each lane of a <see cref="Vector{T}"/> holds a different sequence ("vertical" SIMD), so a batch of STFT frames is
/// transformed with full-width vector arithmetic and no shuffles. The algorithm is a mixed-radix Stockham autosort
/// (decimation in frequency, radices 4, 2, 3 and any odd prime), so the output is in natural order and any length is
/// supported, with the best speed for lengths whose factors are small. Written by hand because no .NET library offers a
/// batched FFT of arbitrary length (NWaves' FFT is radix-2 only, one sequence at a time).
/// Stage with radix r on a sub-length n and stride s: y[q + s(rp + k)] = w_n^{pk} Σ_j x[q + s(p + jm)] ω_r^{jk},
/// m = n / r, p &lt; m, q &lt; s; then the next stage runs on length m with stride rs.
/// Instances are immutable and thread-safe; callers pass the scratch buffers.
/// </remarks>
internal sealed class BatchFft
{
    private readonly Stage[] _stages;

    /// <summary>Plans a transform of the given length.</summary>
    public BatchFft(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        Length = length;
        var radices = Factor(length);
        _stages = new Stage[radices.Count];
        int n = length;
        int stride = 1;
        for (int i = 0; i < radices.Count; i++)
        {
            _stages[i] = new Stage(radices[i], n, stride);
            n /= radices[i];
            stride *= radices[i];
        }
    }

    /// <summary>The transform length.</summary>
    public int Length { get; }

    /// <summary>
    /// Transforms the sequences in (<paramref name="re"/>, <paramref name="im"/>) in place, using
    /// (<paramref name="workRe"/>, <paramref name="workIm"/>) as scratch; all four spans have <see cref="Length"/> items.
    /// </summary>
    public void Forward(Span<Vector<float>> re, Span<Vector<float>> im, Span<Vector<float>> workRe, Span<Vector<float>> workIm)
    {
        Span<Vector<float>> xr = re, xi = im, yr = workRe, yi = workIm;
        foreach (var stage in _stages)
        {
            stage.Run(xr, xi, yr, yi);
            var tr = xr;
            var ti = xi;
            xr = yr;
            xi = yi;
            yr = tr;
            yi = ti;
        }

        if (_stages.Length % 2 == 1)
        {
            xr.CopyTo(re);
            xi.CopyTo(im);
        }
    }

    private static List<int> Factor(int n)
    {
        var radices = new List<int>();
        while (n % 4 == 0)
        {
            radices.Add(4);
            n /= 4;
        }

        while (n % 2 == 0)
        {
            radices.Add(2);
            n /= 2;
        }

        for (int p = 3; n > 1; p += 2)
        {
            while (n % p == 0)
            {
                radices.Add(p);
                n /= p;
            }

            if (p * p > n && n > 1)
            {
                radices.Add(n);
                break;
            }
        }

        return radices;
    }

    private sealed class Stage
    {
        private readonly int _radix;
        private readonly int _m;
        private readonly int _stride;
        private readonly float[] _twRe;
        private readonly float[] _twIm;
        private readonly float[] _dftCos;
        private readonly float[] _dftSin;
        private readonly float _sin3;

        public Stage(int radix, int n, int stride)
        {
            _radix = radix;
            _m = n / radix;
            _stride = stride;
            _twRe = new float[_m * radix];
            _twIm = new float[_m * radix];
            for (int p = 0; p < _m; p++)
            {
                for (int k = 0; k < radix; k++)
                {
                    double angle = -2.0 * Math.PI * p * k / n;
                    _twRe[(p * radix) + k] = (float)Math.Cos(angle);
                    _twIm[(p * radix) + k] = (float)Math.Sin(angle);
                }
            }

            _dftCos = new float[radix];
            _dftSin = new float[radix];
            for (int k = 0; k < radix; k++)
            {
                double angle = -2.0 * Math.PI * k / radix;
                _dftCos[k] = (float)Math.Cos(angle);
                _dftSin[k] = (float)Math.Sin(angle);
            }

            _sin3 = (float)(-Math.Sqrt(3.0) / 2.0);
        }

        public void Run(Span<Vector<float>> xr, Span<Vector<float>> xi, Span<Vector<float>> yr, Span<Vector<float>> yi)
        {
            switch (_radix)
            {
                case 4:
                    Radix4(xr, xi, yr, yi);
                    break;
                case 2:
                    Radix2(xr, xi, yr, yi);
                    break;
                case 3:
                    Radix3(xr, xi, yr, yi);
                    break;
                default:
                    RadixGeneric(xr, xi, yr, yi);
                    break;
            }
        }

        private void Radix2(Span<Vector<float>> xr, Span<Vector<float>> xi, Span<Vector<float>> yr, Span<Vector<float>> yi)
        {
            int m = _m, s = _stride;
            for (int p = 0; p < m; p++)
            {
                float wr = _twRe[(p * 2) + 1], wi = _twIm[(p * 2) + 1];
                for (int q = 0; q < s; q++)
                {
                    int i0 = q + (s * p), i1 = i0 + (s * m);
                    int o0 = q + (s * 2 * p), o1 = o0 + s;
                    var ar = xr[i0]; var ai = xi[i0];
                    var br = xr[i1]; var bi = xi[i1];
                    yr[o0] = ar + br;
                    yi[o0] = ai + bi;
                    var dr = ar - br;
                    var di = ai - bi;
                    yr[o1] = (dr * wr) - (di * wi);
                    yi[o1] = (dr * wi) + (di * wr);
                }
            }
        }

        private void Radix3(Span<Vector<float>> xr, Span<Vector<float>> xi, Span<Vector<float>> yr, Span<Vector<float>> yi)
        {
            int m = _m, s = _stride;
            float s3 = _sin3;
            for (int p = 0; p < m; p++)
            {
                float w1r = _twRe[(p * 3) + 1], w1i = _twIm[(p * 3) + 1];
                float w2r = _twRe[(p * 3) + 2], w2i = _twIm[(p * 3) + 2];
                for (int q = 0; q < s; q++)
                {
                    int i0 = q + (s * p), i1 = i0 + (s * m), i2 = i1 + (s * m);
                    int o0 = q + (s * 3 * p), o1 = o0 + s, o2 = o1 + s;
                    var a0r = xr[i0]; var a0i = xi[i0];
                    var a1r = xr[i1]; var a1i = xi[i1];
                    var a2r = xr[i2]; var a2i = xi[i2];
                    var sr = a1r + a2r; var si = a1i + a2i;
                    var dr = a1r - a2r; var di = a1i - a2i;
                    yr[o0] = a0r + sr;
                    yi[o0] = a0i + si;
                    var ur = a0r - (sr * 0.5f); var ui = a0i - (si * 0.5f);
                    var b1r = ur - (di * s3); var b1i = ui + (dr * s3);
                    var b2r = ur + (di * s3); var b2i = ui - (dr * s3);
                    yr[o1] = (b1r * w1r) - (b1i * w1i);
                    yi[o1] = (b1r * w1i) + (b1i * w1r);
                    yr[o2] = (b2r * w2r) - (b2i * w2i);
                    yi[o2] = (b2r * w2i) + (b2i * w2r);
                }
            }
        }

        private void Radix4(Span<Vector<float>> xrSpan, Span<Vector<float>> xiSpan, Span<Vector<float>> yrSpan, Span<Vector<float>> yiSpan)
        {
            // Hot loop: refs instead of span indexing (no bounds checks); the spans were sized by the caller.
            ref var xr = ref MemoryMarshal.GetReference(xrSpan);
            ref var xi = ref MemoryMarshal.GetReference(xiSpan);
            ref var yr = ref MemoryMarshal.GetReference(yrSpan);
            ref var yi = ref MemoryMarshal.GetReference(yiSpan);
            ref float twRe = ref MemoryMarshal.GetArrayDataReference(_twRe);
            ref float twIm = ref MemoryMarshal.GetArrayDataReference(_twIm);
            int m = _m, s = _stride, sm = s * m;
            for (int p = 0; p < m; p++)
            {
                int t = p * 4;
                var w1r = new Vector<float>(Unsafe.Add(ref twRe, t + 1));
                var w1i = new Vector<float>(Unsafe.Add(ref twIm, t + 1));
                var w2r = new Vector<float>(Unsafe.Add(ref twRe, t + 2));
                var w2i = new Vector<float>(Unsafe.Add(ref twIm, t + 2));
                var w3r = new Vector<float>(Unsafe.Add(ref twRe, t + 3));
                var w3i = new Vector<float>(Unsafe.Add(ref twIm, t + 3));
                for (int q = 0; q < s; q++)
                {
                    int i0 = q + (s * p);
                    int o0 = q + (s * 4 * p);
                    var a0r = Unsafe.Add(ref xr, i0);
                    var a0i = Unsafe.Add(ref xi, i0);
                    var a1r = Unsafe.Add(ref xr, i0 + sm);
                    var a1i = Unsafe.Add(ref xi, i0 + sm);
                    var a2r = Unsafe.Add(ref xr, i0 + (2 * sm));
                    var a2i = Unsafe.Add(ref xi, i0 + (2 * sm));
                    var a3r = Unsafe.Add(ref xr, i0 + (3 * sm));
                    var a3i = Unsafe.Add(ref xi, i0 + (3 * sm));
                    var t0r = a0r + a2r;
                    var t0i = a0i + a2i;
                    var t1r = a0r - a2r;
                    var t1i = a0i - a2i;
                    var t2r = a1r + a3r;
                    var t2i = a1i + a3i;
                    var t3r = a1r - a3r;
                    var t3i = a1i - a3i;
                    Unsafe.Add(ref yr, o0) = t0r + t2r;
                    Unsafe.Add(ref yi, o0) = t0i + t2i;
                    var b1r = t1r + t3i;
                    var b1i = t1i - t3r;
                    var b2r = t0r - t2r;
                    var b2i = t0i - t2i;
                    var b3r = t1r - t3i;
                    var b3i = t1i + t3r;
                    Unsafe.Add(ref yr, o0 + s) = (b1r * w1r) - (b1i * w1i);
                    Unsafe.Add(ref yi, o0 + s) = (b1r * w1i) + (b1i * w1r);
                    Unsafe.Add(ref yr, o0 + (2 * s)) = (b2r * w2r) - (b2i * w2i);
                    Unsafe.Add(ref yi, o0 + (2 * s)) = (b2r * w2i) + (b2i * w2r);
                    Unsafe.Add(ref yr, o0 + (3 * s)) = (b3r * w3r) - (b3i * w3i);
                    Unsafe.Add(ref yi, o0 + (3 * s)) = (b3r * w3i) + (b3i * w3r);
                }
            }
        }

        private void RadixGeneric(Span<Vector<float>> xr, Span<Vector<float>> xi, Span<Vector<float>> yr, Span<Vector<float>> yi)
        {
            int r = _radix, m = _m, s = _stride;
            for (int p = 0; p < m; p++)
            {
                for (int q = 0; q < s; q++)
                {
                    int i0 = q + (s * p);
                    int o0 = q + (s * r * p);
                    for (int k = 0; k < r; k++)
                    {
                        var accR = Vector<float>.Zero;
                        var accI = Vector<float>.Zero;
                        for (int j = 0; j < r; j++)
                        {
                            int e = j * k % r;
                            float c = _dftCos[e], sn = _dftSin[e];
                            var ar = xr[i0 + (j * s * m)];
                            var ai = xi[i0 + (j * s * m)];
                            accR += (ar * c) - (ai * sn);
                            accI += (ar * sn) + (ai * c);
                        }

                        float wr = _twRe[(p * r) + k], wi = _twIm[(p * r) + k];
                        yr[o0 + (k * s)] = (accR * wr) - (accI * wi);
                        yi[o0 + (k * s)] = (accR * wi) + (accI * wr);
                    }
                }
            }
        }
    }
}

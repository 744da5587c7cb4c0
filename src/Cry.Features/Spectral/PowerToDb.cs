using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace Cry.Features.Spectral;

/// <summary>The reference power that maps to 0 dB.</summary>
public enum DbReference
{
    /// <summary>A power of 1 (librosa <c>ref=1.0</c>).</summary>
    One,

    /// <summary>The largest power in the input (librosa <c>ref=np.max</c>).</summary>
    Max,
}

/// <summary>Power to decibels, as librosa's <c>power_to_db</c>.</summary>
/// <remarks>
/// dB = 10 log10(max(amin, S)) − 10 log10(max(amin, ref)); with a top-dB value every result is raised to at least
/// (largest result − topDb). Single precision, like librosa on float32 input.
/// </remarks>
public static class PowerToDb
{
    /// <summary>librosa's default floor on power.</summary>
    public const double DefaultAmin = 1e-10;

    private const float TenOverLn10 = 4.342944819032518f;
    private const float TenLog10Of2 = 3.0102999566398120f;

    /// <summary>Converts <paramref name="power"/> to decibels into <paramref name="destination"/> (same length; may be the same span).</summary>
    /// <exception cref="ArgumentOutOfRangeException">amin is not positive or topDb is negative.</exception>
    public static void Transform(ReadOnlySpan<float> power, Span<float> destination, DbReference reference, double? topDb, double amin = DefaultAmin)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(amin);
        if (topDb is { } top)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(top, nameof(topDb));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, power.Length, nameof(destination));
        if (power.IsEmpty)
        {
            return;
        }

        // The vector logarithm needs normal floats: a floor below the smallest normal float is raised to it.
        float floor = MathF.Max((float)amin, 1.17549435e-38f);
        float refValue = 1f;
        if (reference == DbReference.Max)
        {
            refValue = TensorPrimitives.Max(power);
        }

        float offset = TenOverLn10 * MathF.Log(MathF.Max(floor, refValue));
        var dst = destination[..power.Length];
        int lanes = Vector<float>.Count;
        int vectorized = power.Length - (power.Length % lanes);
        var src = MemoryMarshal.Cast<float, Vector<float>>(power[..vectorized]);
        var dstV = MemoryMarshal.Cast<float, Vector<float>>(dst[..vectorized]);
        var floorV = new Vector<float>(floor);
        var scale = new Vector<float>(TenLog10Of2);
        var offsetV = new Vector<float>(offset);
        var maxV = new Vector<float>(float.NegativeInfinity);
        for (int i = 0; i < src.Length; i++)
        {
            var v = (VectorMath.Log2(Vector.Max(src[i], floorV)) * scale) - offsetV;
            dstV[i] = v;
            maxV = Vector.Max(maxV, v);
        }

        float max = float.NegativeInfinity;
        for (int l = 0; l < lanes; l++)
        {
            max = MathF.Max(max, maxV[l]);
        }

        for (int i = vectorized; i < power.Length; i++)
        {
            float v = (TenOverLn10 * MathF.Log(MathF.Max(power[i], floor))) - offset;
            dst[i] = v;
            max = MathF.Max(max, v);
        }

        if (topDb is { } limit)
        {
            float lowest = max - (float)limit;
            var lowestV = new Vector<float>(lowest);
            for (int i = 0; i < dstV.Length; i++)
            {
                dstV[i] = Vector.Max(dstV[i], lowestV);
            }

            for (int i = vectorized; i < dst.Length; i++)
            {
                dst[i] = MathF.Max(dst[i], lowest);
            }
        }
    }
}

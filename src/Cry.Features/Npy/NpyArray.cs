namespace Cry.Features.Npy;

/// <summary>Element type of a .npy array.</summary>
public enum NpyDataType
{
    /// <summary>Little-endian IEEE 754 single precision, NumPy <c>'&lt;f4'</c>.</summary>
    Float32,

    /// <summary>Little-endian IEEE 754 double precision, NumPy <c>'&lt;f8'</c>.</summary>
    Float64,
}

/// <summary>An n-dimensional floating-point array in C (row-major) order, as stored in a .npy file.</summary>
/// <remarks>
/// Exactly one of <see cref="SingleData"/> and <see cref="DoubleData"/> is set, according to <see cref="DataType"/>.
/// The array owns the data it is given; a rank-0 array (shape <c>()</c>) holds one element.
/// </remarks>
public sealed class NpyArray
{
    /// <summary>Wraps float32 <paramref name="data"/> laid out in C order with the given <paramref name="shape"/>.</summary>
    /// <exception cref="ArgumentException">A dimension is negative or the shape's element count differs from the data length.</exception>
    public NpyArray(ReadOnlySpan<int> shape, float[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        ElementCount = CheckShape(shape, data.Length);
        Shape = shape.ToArray();
        DataType = NpyDataType.Float32;
        SingleData = data;
    }

    /// <summary>Wraps float64 <paramref name="data"/> laid out in C order with the given <paramref name="shape"/>.</summary>
    /// <exception cref="ArgumentException">A dimension is negative or the shape's element count differs from the data length.</exception>
    public NpyArray(ReadOnlySpan<int> shape, double[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        ElementCount = CheckShape(shape, data.Length);
        Shape = shape.ToArray();
        DataType = NpyDataType.Float64;
        DoubleData = data;
    }

    /// <summary>The dimensions, outermost first; empty for a scalar.</summary>
    public int[] Shape { get; }

    /// <summary>The number of dimensions.</summary>
    public int Rank => Shape.Length;

    /// <summary>The element type.</summary>
    public NpyDataType DataType { get; }

    /// <summary>The elements when <see cref="DataType"/> is <see cref="NpyDataType.Float32"/>; otherwise null.</summary>
    public float[]? SingleData { get; }

    /// <summary>The elements when <see cref="DataType"/> is <see cref="NpyDataType.Float64"/>; otherwise null.</summary>
    public double[]? DoubleData { get; }

    /// <summary>The number of elements: the product of the dimensions (1 for a scalar).</summary>
    public long ElementCount { get; }

    /// <summary>Returns a new float64 copy of the elements (widened exactly from float32).</summary>
    public double[] ToDoubleArray()
    {
        if (DoubleData is not null)
        {
            return (double[])DoubleData.Clone();
        }

        var result = new double[SingleData!.Length];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = SingleData[i];
        }

        return result;
    }

    /// <summary>Returns a new float32 copy of the elements (float64 values rounded to nearest).</summary>
    public float[] ToSingleArray()
    {
        if (SingleData is not null)
        {
            return (float[])SingleData.Clone();
        }

        var result = new float[DoubleData!.Length];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = (float)DoubleData[i];
        }

        return result;
    }

    /// <summary>The element count of <paramref name="shape"/>, or -1 when a dimension is negative or the count exceeds <see cref="Array.MaxLength"/>.</summary>
    internal static long ElementCountOf(ReadOnlySpan<int> shape)
    {
        foreach (int dimension in shape)
        {
            if (dimension < 0)
            {
                return -1;
            }

            if (dimension == 0)
            {
                return 0;
            }
        }

        long count = 1;
        foreach (int dimension in shape)
        {
            count *= dimension;
            if (count > Array.MaxLength)
            {
                return -1;
            }
        }

        return count;
    }

    /// <summary>The shape as Python writes a tuple: <c>()</c>, <c>(5,)</c>, <c>(3, 4)</c>.</summary>
    internal static string FormatShape(ReadOnlySpan<int> shape) => shape.Length switch
    {
        0 => "()",
        1 => $"({shape[0]},)",
        _ => "(" + string.Join(", ", shape.ToArray()) + ")",
    };

    private static long CheckShape(ReadOnlySpan<int> shape, int dataLength)
    {
        foreach (int dimension in shape)
        {
            if (dimension < 0)
            {
                throw new ArgumentException($"The shape {FormatShape(shape)} has a negative dimension.", nameof(shape));
            }
        }

        long count = ElementCountOf(shape);
        if (count != dataLength)
        {
            throw new ArgumentException(
                $"The shape {FormatShape(shape)} holds {(count < 0 ? "too many" : count.ToString(System.Globalization.CultureInfo.InvariantCulture))} " +
                $"elements but the data has {dataLength}.",
                nameof(shape));
        }

        return count;
    }
}

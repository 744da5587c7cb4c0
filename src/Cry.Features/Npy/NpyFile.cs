using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Cry.Features.Npy;

/// <summary>Reads and writes NumPy .npy files holding float32 or float64 arrays.</summary>
/// <remarks>
/// Format (NumPy NEP 1): the magic <c>\x93NUMPY</c>, a major and minor version byte, the header length (uint16 for
/// version 1.0, uint32 for 2.0 and 3.0, little-endian), the header — a Python dict literal with <c>descr</c>,
/// <c>fortran_order</c> and <c>shape</c>, Latin-1 (UTF-8 in 3.0) — then the raw elements.
/// Reading accepts versions 1.0, 2.0 and 3.0, dtypes <c>'&lt;f4'</c> and <c>'&lt;f8'</c>, and C order only.
/// Writing produces version 1.0 as <c>numpy.save</c> does: the header padded with spaces and ended with
/// <c>'\n'</c> so the data starts at a multiple of 64 bytes.
/// Reading never allocates by the declared shape before the bytes are known to exist: seekable streams are checked
/// against their length, others are read in growing chunks.
/// </remarks>
public static class NpyFile
{
    private const int MaxHeaderLength = 1 << 20;
    private const int Alignment = 64;
    private const int InitialChunkBytes = 1 << 16;
    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reads one array from <paramref name="stream"/>, leaving the stream after its last element.</summary>
    /// <exception cref="NpyFormatException">The bytes are not a supported .npy array; the message says why.</exception>
    public static NpyArray Read(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);

        Span<byte> prefix = stackalloc byte[8];
        ReadExactlyOrThrow(stream, prefix, "the magic string and version");
        if (!prefix[..6].SequenceEqual(Magic))
        {
            throw new NpyFormatException("Not a .npy file: the first six bytes are not the magic string \\x93NUMPY.");
        }

        byte major = prefix[6];
        byte minor = prefix[7];
        if (minor != 0 || major is < 1 or > 3)
        {
            throw new NpyFormatException(
                $"Unsupported .npy format version {major}.{minor}; versions 1.0, 2.0 and 3.0 are read.");
        }

        Span<byte> lengthBytes = stackalloc byte[4];
        lengthBytes = lengthBytes[..(major == 1 ? 2 : 4)];
        ReadExactlyOrThrow(stream, lengthBytes, "the header length");
        long headerLength = major == 1
            ? BinaryPrimitives.ReadUInt16LittleEndian(lengthBytes)
            : BinaryPrimitives.ReadUInt32LittleEndian(lengthBytes);
        if (headerLength > MaxHeaderLength)
        {
            throw new NpyFormatException(
                $"The .npy header claims {headerLength} bytes, more than the {MaxHeaderLength} accepted.");
        }

        long? remaining = Remaining(stream);
        if (remaining < headerLength)
        {
            throw new NpyFormatException(
                $"The .npy header claims {headerLength} bytes but only {remaining} remain in the file.");
        }

        byte[] headerBytes = new byte[headerLength];
        ReadExactlyOrThrow(stream, headerBytes, "the header");
        string headerText = major == 3 ? DecodeUtf8(headerBytes) : Encoding.Latin1.GetString(headerBytes);
        NpyHeader header = NpyHeaderParser.Parse(headerText);

        NpyDataType dataType = header.Descr switch
        {
            "<f4" => NpyDataType.Float32,
            "<f8" => NpyDataType.Float64,
            _ => throw new NpyFormatException(
                $"Unsupported dtype '{header.Descr}'; only little-endian float32 '<f4' and float64 '<f8' are read."),
        };

        if (header.FortranOrder)
        {
            throw new NpyFormatException("Fortran-order .npy arrays are not supported; save the array in C order.");
        }

        long count = NpyArray.ElementCountOf(header.Shape);
        if (count < 0)
        {
            throw new NpyFormatException(
                $"The shape {NpyArray.FormatShape(header.Shape)} holds more elements than an array can ({Array.MaxLength}).");
        }

        int elementSize = dataType == NpyDataType.Float32 ? sizeof(float) : sizeof(double);
        long needed = count * elementSize;
        remaining = Remaining(stream);
        if (remaining < needed)
        {
            throw DataTooShort(header.Shape, needed, remaining.Value);
        }

        return dataType == NpyDataType.Float32
            ? new NpyArray(header.Shape, ReadElements<float>(stream, (int)count, header.Shape))
            : new NpyArray(header.Shape, ReadElements<double>(stream, (int)count, header.Shape));
    }

    /// <summary>Reads one array from the file at <paramref name="path"/>.</summary>
    /// <exception cref="NpyFormatException">The file is not a supported .npy array; the message names the file and the problem.</exception>
    public static NpyArray Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using FileStream stream = File.OpenRead(path);
        try
        {
            return Read(stream);
        }
        catch (NpyFormatException exception)
        {
            throw new NpyFormatException($"{path}: {exception.Message}", exception);
        }
    }

    /// <summary>Writes a float32 array of the given C-order <paramref name="shape"/> as .npy version 1.0.</summary>
    /// <exception cref="ArgumentException">A dimension is negative or the shape's element count differs from the data length.</exception>
    public static void Write(Stream stream, ReadOnlySpan<float> data, ReadOnlySpan<int> shape)
    {
        ArgumentNullException.ThrowIfNull(stream);
        WriteHeader(stream, "<f4", shape, data.Length);
        WriteElements(stream, data);
    }

    /// <summary>Writes a float64 array of the given C-order <paramref name="shape"/> as .npy version 1.0.</summary>
    /// <exception cref="ArgumentException">A dimension is negative or the shape's element count differs from the data length.</exception>
    public static void Write(Stream stream, ReadOnlySpan<double> data, ReadOnlySpan<int> shape)
    {
        ArgumentNullException.ThrowIfNull(stream);
        WriteHeader(stream, "<f8", shape, data.Length);
        WriteElements(stream, data);
    }

    /// <summary>Writes <paramref name="array"/> with its own shape and element type as .npy version 1.0.</summary>
    public static void Write(Stream stream, NpyArray array)
    {
        ArgumentNullException.ThrowIfNull(array);
        if (array.SingleData is not null)
        {
            Write(stream, array.SingleData, array.Shape);
        }
        else
        {
            Write(stream, array.DoubleData!, array.Shape);
        }
    }

    /// <summary>Writes a float32 array to a new file at <paramref name="path"/>, replacing any file there.</summary>
    /// <exception cref="ArgumentException">A dimension is negative or the shape's element count differs from the data length.</exception>
    public static void Write(string path, ReadOnlySpan<float> data, ReadOnlySpan<int> shape)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        CheckShape(shape, data.Length);
        using FileStream stream = File.Create(path);
        Write(stream, data, shape);
    }

    /// <summary>Writes a float64 array to a new file at <paramref name="path"/>, replacing any file there.</summary>
    /// <exception cref="ArgumentException">A dimension is negative or the shape's element count differs from the data length.</exception>
    public static void Write(string path, ReadOnlySpan<double> data, ReadOnlySpan<int> shape)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        CheckShape(shape, data.Length);
        using FileStream stream = File.Create(path);
        Write(stream, data, shape);
    }

    /// <summary>Writes <paramref name="array"/> to a new file at <paramref name="path"/>, replacing any file there.</summary>
    public static void Write(string path, NpyArray array)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(array);
        using FileStream stream = File.Create(path);
        Write(stream, array);
    }

    private static void WriteHeader(Stream stream, string descr, ReadOnlySpan<int> shape, int dataLength)
    {
        CheckShape(shape, dataLength);

        // Same text and padding as numpy.lib.format: sorted keys, "', }" ending, spaces, then '\n'.
        string dictionary = string.Create(
            CultureInfo.InvariantCulture,
            $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {NpyArray.FormatShape(shape)}, }}");
        int unpadded = Magic.Length + 2 + 2 + dictionary.Length + 1;
        int padding = Alignment - (unpadded % Alignment);
        int headerLength = dictionary.Length + padding + 1;
        if (headerLength > ushort.MaxValue)
        {
            throw new ArgumentException("The shape is too long for a version 1.0 header.", nameof(shape));
        }

        byte[] header = new byte[Magic.Length + 4 + headerLength];
        Magic.CopyTo(header);
        header[6] = 1;
        header[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(8), (ushort)headerLength);
        int written = Encoding.Latin1.GetBytes(dictionary, header.AsSpan(10));
        header.AsSpan(10 + written, padding).Fill((byte)' ');
        header[^1] = (byte)'\n';
        stream.Write(header);
    }

    private static void CheckShape(ReadOnlySpan<int> shape, int dataLength)
    {
        foreach (int dimension in shape)
        {
            if (dimension < 0)
            {
                throw new ArgumentException($"The shape {NpyArray.FormatShape(shape)} has a negative dimension.", nameof(shape));
            }
        }

        if (NpyArray.ElementCountOf(shape) != dataLength)
        {
            throw new ArgumentException(
                $"The shape {NpyArray.FormatShape(shape)} does not hold the {dataLength} elements given.", nameof(shape));
        }
    }

    private static void WriteElements<T>(Stream stream, ReadOnlySpan<T> data)
        where T : unmanaged
    {
        if (BitConverter.IsLittleEndian)
        {
            stream.Write(MemoryMarshal.AsBytes(data));
            return;
        }

        // Big-endian hosts: swap into a pooled buffer in chunks.
        byte[] buffer = ArrayPool<byte>.Shared.Rent(InitialChunkBytes);
        try
        {
            int size = Marshal.SizeOf<T>();
            int perChunk = buffer.Length / size;
            for (int offset = 0; offset < data.Length; offset += perChunk)
            {
                ReadOnlySpan<T> chunk = data.Slice(offset, Math.Min(perChunk, data.Length - offset));
                Span<byte> bytes = buffer.AsSpan(0, chunk.Length * size);
                MemoryMarshal.AsBytes(chunk).CopyTo(bytes);
                ReverseEndianness(bytes, size);
                stream.Write(bytes);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static T[] ReadElements<T>(Stream stream, int count, int[] shape)
        where T : unmanaged
    {
        int size = Marshal.SizeOf<T>();

        // Seekable streams were checked to hold the data, so the full array is backed by bytes; otherwise the
        // array grows with the data actually received, so a false shape cannot force a large allocation.
        T[] elements = new T[stream.CanSeek ? count : Math.Min(count, InitialChunkBytes / size)];
        int filled = 0;
        while (filled < count)
        {
            if (filled == elements.Length)
            {
                Array.Resize(ref elements, (int)Math.Min(count, 2L * filled));
            }

            // Chunks keep each byte view under 2 GiB.
            int chunk = Math.Min(elements.Length - filled, InitialChunkBytes);
            Span<byte> target = MemoryMarshal.AsBytes(elements.AsSpan(filled, chunk));
            int read = stream.ReadAtLeast(target, target.Length, throwOnEndOfStream: false);
            if (read < target.Length)
            {
                throw DataTooShort(shape, (long)count * size, ((long)filled * size) + read);
            }

            filled += chunk;
        }

        if (!BitConverter.IsLittleEndian)
        {
            ReverseEndianness(MemoryMarshal.AsBytes(elements.AsSpan()), size);
        }

        return elements;
    }

    private static void ReverseEndianness(Span<byte> bytes, int elementSize)
    {
        if (elementSize == sizeof(int))
        {
            Span<int> values = MemoryMarshal.Cast<byte, int>(bytes);
            BinaryPrimitives.ReverseEndianness(values, values);
        }
        else
        {
            Span<long> values = MemoryMarshal.Cast<byte, long>(bytes);
            BinaryPrimitives.ReverseEndianness(values, values);
        }
    }

    private static NpyFormatException DataTooShort(int[] shape, long needed, long available) =>
        new($"The .npy data holds {available} bytes but the shape {NpyArray.FormatShape(shape)} needs {needed}.");

    private static long? Remaining(Stream stream)
    {
        if (!stream.CanSeek)
        {
            return null;
        }

        return Math.Max(0, stream.Length - stream.Position);
    }

    private static void ReadExactlyOrThrow(Stream stream, Span<byte> buffer, string what)
    {
        int read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        if (read < buffer.Length)
        {
            throw new NpyFormatException(
                $"The .npy data ends inside {what}: {read} of {buffer.Length} bytes are present.");
        }
    }

    private static string DecodeUtf8(byte[] bytes)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException exception)
        {
            throw new NpyFormatException("The version 3.0 .npy header is not valid UTF-8.", exception);
        }
    }
}

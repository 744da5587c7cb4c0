using System.Buffers.Binary;
using System.Text;
using Cry.Features.Npy;
using Cry.Features.Tests.Golden;

namespace Cry.Features.Tests.Npy;

public sealed class NpyFileTests
{
    public static TheoryData<int[]> Shapes() => new([], [0], [5], [3, 4], [2, 3, 4]);

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Write_ThenRead_RoundTripsFloat64(int[] shape)
    {
        double[] data = Values(shape).Select(i => (i * 0.1) - Math.PI).ToArray();
        foreach (bool seekable in new[] { true, false })
        {
            using var buffer = new MemoryStream();
            NpyFile.Write(buffer, data, shape);
            AssertAlignedHeader(buffer.ToArray());

            NpyArray array = NpyFile.Read(Reopen(buffer, seekable));

            Assert.Equal(NpyDataType.Float64, array.DataType);
            Assert.Equal(shape, array.Shape);
            Assert.Equal(data.Length, array.ElementCount);
            Assert.Equal(data, array.DoubleData!);
            Assert.Null(array.SingleData);
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Write_ThenRead_RoundTripsFloat32(int[] shape)
    {
        float[] data = Values(shape).Select(i => (float)((i * 0.37) - 1e-3)).ToArray();
        foreach (bool seekable in new[] { true, false })
        {
            using var buffer = new MemoryStream();
            NpyFile.Write(buffer, data, shape);
            AssertAlignedHeader(buffer.ToArray());

            NpyArray array = NpyFile.Read(Reopen(buffer, seekable));

            Assert.Equal(NpyDataType.Float32, array.DataType);
            Assert.Equal(shape, array.Shape);
            Assert.Equal(data, array.SingleData!);
            Assert.Equal(data.Select(v => (double)v), array.ToDoubleArray());
        }
    }

    [Fact]
    public void Read_LargeArrayFromForwardOnlyStream_GrowsToFullLength()
    {
        double[] data = Enumerable.Range(0, 300_001).Select(i => Math.Sin(i)).ToArray();
        using var buffer = new MemoryStream();
        NpyFile.Write(buffer, data, [data.Length]);

        NpyArray array = NpyFile.Read(new ForwardOnlyStream(buffer.ToArray()));

        Assert.Equal(data, array.DoubleData!);
    }

    [Fact]
    public void Write_ScalarShape_HoldsOneElement()
    {
        using var buffer = new MemoryStream();
        NpyFile.Write(buffer, [2.5], []);

        string header = Encoding.Latin1.GetString(buffer.ToArray(), 10, 118);
        Assert.StartsWith("{'descr': '<f8', 'fortran_order': False, 'shape': (), }", header, StringComparison.Ordinal);
        Assert.Equal(128 + 8, buffer.Length);
    }

    [Fact]
    public void Write_PathOverloads_RoundTrip()
    {
        string path = Path.Combine(Path.GetTempPath(), $"npy-test-{Guid.NewGuid():N}.npy");
        try
        {
            NpyFile.Write(path, [1f, 2f, 3f, 4f, 5f, 6f], [2, 3]);
            NpyArray array = NpyFile.Read(path);
            Assert.Equal([2, 3], array.Shape);
            Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f], array.ToSingleArray());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Write_ShapeMismatch_Throws()
    {
        using var buffer = new MemoryStream();
        Assert.Throws<ArgumentException>(() => NpyFile.Write(buffer, new double[5], [2, 3]));
        Assert.Throws<ArgumentException>(() => NpyFile.Write(buffer, new double[0], [-1]));
        Assert.Equal(0, buffer.Length);
    }

    [Fact]
    public void Write_HeaderBytes_MatchNumpySave()
    {
        string directory = GoldenData.RequireDirectory();
        byte[] golden = File.ReadAllBytes(Path.Combine(directory, "paa_1.in.npy"));
        NpyArray array = NpyFile.Read(Path.Combine(directory, "paa_1.in.npy"));

        using var buffer = new MemoryStream();
        NpyFile.Write(buffer, array);

        Assert.Equal(golden, buffer.ToArray());
    }

    [Fact]
    public void Read_EveryGoldenArray_Parses()
    {
        string directory = GoldenData.RequireDirectory();
        string[] files = Directory.GetFiles(directory, "*.npy");
        Assert.NotEmpty(files);
        foreach (string file in files)
        {
            NpyArray array = NpyFile.Read(file);
            int elementSize = array.DataType == NpyDataType.Float32 ? 4 : 8;
            long headerEnd = new FileInfo(file).Length - (array.ElementCount * elementSize);
            Assert.True(headerEnd % 64 == 0, $"{file}: data does not start on a 64-byte boundary.");
            Assert.Equal(array.ElementCount, array.DataType == NpyDataType.Float32 ? array.SingleData!.Length : array.DoubleData!.Length);
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void Read_Versions2And3_UseFourByteHeaderLength(byte major)
    {
        byte[] bytes = Build("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", major: major, data: Doubles(1.5, -2));

        NpyArray array = NpyFile.Read(new MemoryStream(bytes));

        Assert.Equal([1.5, -2], array.DoubleData!);
    }

    [Fact]
    public void Read_DoubleQuotesAndNoTrailingComma_Accepted()
    {
        byte[] bytes = Build("{\"shape\": (1, 2), \"fortran_order\": False, \"descr\": \"<f8\"}", data: Doubles(3, 4));

        Assert.Equal([1, 2], NpyFile.Read(new MemoryStream(bytes)).Shape);
    }

    public static TheoryData<string, byte[]> Malformed()
    {
        const string Good = "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }";
        byte[] data = Doubles(1, 2);
        byte[] badMagic = Build(Good, data: data);
        badMagic[1] = (byte)'X';
        byte[] longHeader = Build(Good, data: data);
        BinaryPrimitives.WriteUInt16LittleEndian(longHeader.AsSpan(8), 60000);

        return new TheoryData<string, byte[]>
        {
            { "magic", badMagic },
            { "version 4.0", Build(Good, major: 4, data: data) },
            { "ends inside the magic", [0x93, (byte)'N', (byte)'U'] },
            { "60000 bytes", longHeader },
            { "dict literal", Build("[1, 2]", data: data) },
            { "lacks the key 'shape'", Build("{'descr': '<f8', 'fortran_order': False}", data: data) },
            { "unexpected key 'order'", Build("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), 'order': 1}", data: data) },
            { "repeats the key 'descr'", Build("{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (2,)}", data: data) },
            { "'<i8'", Build("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", data: data) },
            { "'>f8'", Build("{'descr': '>f8', 'fortran_order': False, 'shape': (2,), }", data: data) },
            { "Fortran", Build("{'descr': '<f8', 'fortran_order': True, 'shape': (2,), }", data: data) },
            { "True or False", Build("{'descr': '<f8', 'fortran_order': 0, 'shape': (2,), }", data: data) },
            { "negative dimension", Build("{'descr': '<f8', 'fortran_order': False, 'shape': (-2,), }", data: data) },
            { "more elements than an array", Build("{'descr': '<f8', 'fortran_order': False, 'shape': (100000, 100000, 100000), }", data: data) },
            { "overflows a 32-bit", Build("{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999,), }", data: data) },
            { "'(n)' is not a tuple", Build("{'descr': '<f8', 'fortran_order': False, 'shape': (2), }", data: data) },
            { "after the dictionary", Build("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), } x", data: data) },
            { "needs 24", Build("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", data: data) },
        };
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Read_MalformedInput_ThrowsSayingWhy(string reason, byte[] bytes)
    {
        foreach (bool seekable in new[] { true, false })
        {
            Stream stream = seekable ? new MemoryStream(bytes) : new ForwardOnlyStream(bytes);
            var exception = Assert.Throws<NpyFormatException>(() => NpyFile.Read(stream));
            Assert.Contains(reason, exception.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Read_HugeShapeOnShortForwardOnlyStream_ThrowsWithoutAllocatingTheShape()
    {
        // 2e9 float64 values would need 16 GB; only 16 bytes follow.
        byte[] bytes = Build("{'descr': '<f8', 'fortran_order': False, 'shape': (2000000000,), }", data: Doubles(1, 2));
        long before = GC.GetAllocatedBytesForCurrentThread();

        var exception = Assert.Throws<NpyFormatException>(() => NpyFile.Read(new ForwardOnlyStream(bytes)));

        Assert.Contains("holds 16 bytes", exception.Message, StringComparison.Ordinal);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 10_000_000, "The reader allocated by the claimed shape.");
    }

    [Fact]
    public void NpyArray_Conversions_CopyAndConvert()
    {
        var array = new NpyArray([3], new[] { 0.1, 1e300, -2 });

        float[] single = array.ToSingleArray();
        double[] copy = array.ToDoubleArray();
        copy[0] = 9;

        Assert.Equal([0.1f, float.PositiveInfinity, -2f], single);
        Assert.Equal(0.1, array.DoubleData![0]);
        Assert.Equal(1, array.Rank);
        Assert.Throws<ArgumentException>(() => new NpyArray([2, 2], new float[3]));
    }

    private static IEnumerable<int> Values(int[] shape) => Enumerable.Range(0, shape.Aggregate(1, (a, b) => a * b));

    private static MemoryStream Reopen(MemoryStream written, bool seekable) =>
        seekable ? new MemoryStream(written.ToArray()) : new ForwardOnlyStream(written.ToArray());

    private static void AssertAlignedHeader(byte[] bytes)
    {
        int headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8));
        Assert.Equal(0, (10 + headerLength) % 64);
        Assert.Equal((byte)'\n', bytes[10 + headerLength - 1]);
        Assert.Equal([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0], bytes[..8]);
    }

    private static byte[] Doubles(params double[] values)
    {
        var bytes = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(i * 8), values[i]);
        }

        return bytes;
    }

    private static byte[] Build(string header, byte major = 1, byte[]? data = null)
    {
        byte[] text = Encoding.Latin1.GetBytes(header + "\n");
        int lengthBytes = major == 1 ? 2 : 4;
        var bytes = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', major, 0 };
        var length = new byte[lengthBytes];
        if (major == 1)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)text.Length);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)text.Length);
        }

        bytes.AddRange(length);
        bytes.AddRange(text);
        bytes.AddRange(data ?? []);
        return [.. bytes];
    }

    /// <summary>A memory stream that reports itself unseekable, like a network or pipe stream.</summary>
    private sealed class ForwardOnlyStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }
    }
}

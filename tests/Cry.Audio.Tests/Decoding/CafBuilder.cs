using System.Buffers.Binary;
using System.Text;

namespace Cry.Audio.Tests.Decoding;

/// <summary>Writes CAF bytes chunk by chunk with any field, so every accepted and refused case is a real file.</summary>
internal sealed class CafBuilder
{
    private readonly List<byte[]> _chunks = [];

    /// <summary>The file header's version (1 is the only one).</summary>
    public ushort Version { get; init; } = 1;

    /// <summary>A 'desc' chunk: the audio description (32 bytes unless <paramref name="bodyLength"/> says otherwise).</summary>
    public CafBuilder Desc(double sampleRate, string formatId, uint flags, uint bytesPerPacket, uint framesPerPacket, uint channels, uint bits, int bodyLength = 32)
    {
        byte[] body = new byte[Math.Max(bodyLength, 32)];
        BinaryPrimitives.WriteDoubleBigEndian(body, sampleRate);
        Encoding.ASCII.GetBytes(formatId).CopyTo(body, 8);
        BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(12), flags);
        BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(16), bytesPerPacket);
        BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(20), framesPerPacket);
        BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(24), channels);
        BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(28), bits);
        return Chunk("desc", body.AsSpan(0, bodyLength));
    }

    /// <summary>IMA4: 34 bytes and 64 frames a packet per channel.</summary>
    public CafBuilder Ima4Desc(double sampleRate = 16000, uint channels = 1) => Desc(sampleRate, "ima4", 0, 34 * channels, 64, channels, 0);

    /// <summary>Linear PCM; flags bit 0 is float, bit 1 little-endian.</summary>
    public CafBuilder PcmDesc(double sampleRate, uint bits, bool isFloat, bool littleEndian, uint channels = 1) =>
        Desc(sampleRate, "lpcm", (isFloat ? 1u : 0) | (littleEndian ? 2u : 0), bits / 8 * channels, 1, channels, bits);

    /// <summary>A chunk whose size field says <paramref name="size"/> (the body's length when null).</summary>
    public CafBuilder Chunk(string type, ReadOnlySpan<byte> body, long? size = null)
    {
        byte[] chunk = new byte[12 + body.Length];
        Encoding.ASCII.GetBytes(type).CopyTo(chunk, 0);
        BinaryPrimitives.WriteInt64BigEndian(chunk.AsSpan(4), size ?? body.Length);
        body.CopyTo(chunk.AsSpan(12));
        _chunks.Add(chunk);
        return this;
    }

    /// <summary>The 'data' chunk: an edit count of 0, then <paramref name="packets"/>; <paramref name="size"/> overrides its size.</summary>
    public CafBuilder Data(ReadOnlySpan<byte> packets, long? size = null) => Chunk("data", [0, 0, 0, 0, .. packets], size);

    /// <summary>A 'pakt' chunk with the given counts and no packet sizes.</summary>
    public CafBuilder Pakt(long packets, long validFrames, int priming, int remainder, long? size = null)
    {
        byte[] body = new byte[24];
        BinaryPrimitives.WriteInt64BigEndian(body, packets);
        BinaryPrimitives.WriteInt64BigEndian(body.AsSpan(8), validFrames);
        BinaryPrimitives.WriteInt32BigEndian(body.AsSpan(16), priming);
        BinaryPrimitives.WriteInt32BigEndian(body.AsSpan(20), remainder);
        return Chunk("pakt", body, size);
    }

    public byte[] Build()
    {
        byte[] header = [.. "caff"u8, (byte)(Version >> 8), (byte)Version, 0, 0];
        return [.. header, .. _chunks.SelectMany(c => c)];
    }

    /// <summary>IMA4 packets whose headers hold predictor 0 and <paramref name="stepIndex"/>, and seeded random codes.</summary>
    public static byte[] Ima4Packets(int packets, int stepIndex = 20, int seed = 1)
    {
        var random = new Random(seed);
        byte[] data = new byte[34 * packets];
        random.NextBytes(data);
        for (int p = 0; p < packets; p++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(34 * p), (ushort)(stepIndex & 0x7F));
        }

        return data;
    }

    /// <summary>Big-endian 32-bit floats.</summary>
    public static byte[] Float32BigEndian(params float[] values)
    {
        byte[] bytes = new byte[4 * values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleBigEndian(bytes.AsSpan(4 * i), values[i]);
        }

        return bytes;
    }

    /// <summary>Little-endian 64-bit floats.</summary>
    public static byte[] Float64LittleEndian(params double[] values)
    {
        byte[] bytes = new byte[8 * values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(8 * i), values[i]);
        }

        return bytes;
    }
}

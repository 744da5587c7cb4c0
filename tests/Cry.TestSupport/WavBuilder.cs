using System.Buffers.Binary;
using System.Text;

namespace Cry.TestSupport;

/// <summary>Writes WAV bytes with any header field, so every accepted and refused case is a real file.</summary>
public sealed class WavBuilder
{
    private readonly List<byte[]> _chunks = [];

    /// <summary>The first four bytes; "RIFF" unless a test wants another container.</summary>
    public string RiffId { get; init; } = "RIFF";

    /// <summary>The RIFF form type; "WAVE" unless a test wants another.</summary>
    public string FormType { get; init; } = "WAVE";

    /// <summary>The RIFF size field; the true size when null.</summary>
    public uint? RiffSize { get; init; }

    /// <summary>A plain 'fmt ' chunk; block align and byte rate default to the consistent values.</summary>
    public WavBuilder Fmt(ushort tag, int channels, int sampleRate, int bits, int? blockAlign = null, int fmtSize = 16)
    {
        int align = blockAlign ?? channels * bits / 8;
        var body = new byte[fmtSize];
        Span<byte> head = stackalloc byte[16];
        BinaryPrimitives.WriteUInt16LittleEndian(head, tag);
        BinaryPrimitives.WriteUInt16LittleEndian(head[2..], (ushort)channels);
        BinaryPrimitives.WriteUInt32LittleEndian(head[4..], (uint)sampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(head[8..], (uint)(sampleRate * align));
        BinaryPrimitives.WriteUInt16LittleEndian(head[12..], (ushort)align);
        BinaryPrimitives.WriteUInt16LittleEndian(head[14..], (ushort)bits);
        head[..Math.Min(16, fmtSize)].CopyTo(body);
        return Chunk("fmt ", body);
    }

    /// <summary>A 40-byte WAVE_FORMAT_EXTENSIBLE 'fmt ' chunk whose sub-format GUID is derived from <paramref name="subFormat"/>.</summary>
    public WavBuilder FmtExtensible(ushort subFormat, int channels, int sampleRate, int bits, int validBits, byte[]? guid = null)
    {
        int align = channels * bits / 8;
        var body = new byte[40];
        BinaryPrimitives.WriteUInt16LittleEndian(body, 0xFFFE);
        BinaryPrimitives.WriteUInt16LittleEndian(body.AsSpan(2), (ushort)channels);
        BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(4), (uint)sampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(8), (uint)(sampleRate * align));
        BinaryPrimitives.WriteUInt16LittleEndian(body.AsSpan(12), (ushort)align);
        BinaryPrimitives.WriteUInt16LittleEndian(body.AsSpan(14), (ushort)bits);
        BinaryPrimitives.WriteUInt16LittleEndian(body.AsSpan(16), 22);
        BinaryPrimitives.WriteUInt16LittleEndian(body.AsSpan(18), (ushort)validBits);
        BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(20), channels == 1 ? 0x4u : (1u << channels) - 1);
        // KSDATAFORMAT_SUBTYPE_xxx = {tag-0000-0010-8000-00AA00389B71}.
        byte[] subtype = guid ?? [0, 0, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71];
        if (guid is null)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(subtype, subFormat);
        }

        subtype.CopyTo(body, 24);
        return Chunk("fmt ", body);
    }

    /// <summary>A chunk with <paramref name="body"/>, its size field (the body length unless given) and a pad byte after an odd body.</summary>
    public WavBuilder Chunk(string id, ReadOnlySpan<byte> body, uint? size = null, bool pad = true)
    {
        var chunk = new byte[8 + body.Length + (pad && body.Length % 2 == 1 ? 1 : 0)];
        Encoding.ASCII.GetBytes(id).AsSpan(0, 4).CopyTo(chunk);
        BinaryPrimitives.WriteUInt32LittleEndian(chunk.AsSpan(4), size ?? (uint)body.Length);
        body.CopyTo(chunk.AsSpan(8));
        _chunks.Add(chunk);
        return this;
    }

    /// <summary>The 'data' chunk; <paramref name="size"/> overrides its size field, and no pad byte is added when it does.</summary>
    public WavBuilder Data(ReadOnlySpan<byte> samples, uint? size = null) => Chunk("data", samples, size, pad: size is null);

    /// <summary>Raw bytes appended as they are.</summary>
    public WavBuilder Raw(ReadOnlySpan<byte> bytes)
    {
        _chunks.Add(bytes.ToArray());
        return this;
    }

    /// <summary>The file's bytes.</summary>
    public byte[] Build()
    {
        int length = 12 + _chunks.Sum(c => c.Length);
        var wav = new byte[length];
        Encoding.ASCII.GetBytes(RiffId).AsSpan(0, 4).CopyTo(wav);
        BinaryPrimitives.WriteUInt32LittleEndian(wav.AsSpan(4), RiffSize ?? (uint)(length - 8));
        Encoding.ASCII.GetBytes(FormType).AsSpan(0, 4).CopyTo(wav.AsSpan(8));
        int offset = 12;
        foreach (byte[] chunk in _chunks)
        {
            chunk.CopyTo(wav, offset);
            offset += chunk.Length;
        }

        return wav;
    }

    /// <summary>A valid WAV of <paramref name="format"/> with <paramref name="frames"/> frames of seeded random samples.</summary>
    public static byte[] Valid(SampleKind format, int channels, int frames, int sampleRate = 16000, int seed = 1) =>
        new WavBuilder()
            .Fmt(format.Tag(), channels, sampleRate, format.Bits())
            .Data(SampleBytes.Random(format, channels * frames, seed, out _))
            .Build();
}

/// <summary>The sample formats a WAV file can hold and the decoder accepts.</summary>
public enum SampleKind
{
    UInt8,
    Int16,
    Int24,
    Int32,
    Float32,
    Float64,
}

/// <summary>Little-endian sample bytes and their expected values, computed from the format definitions.</summary>
public static class SampleBytes
{
    public static ushort Tag(this SampleKind kind) => kind is SampleKind.Float32 or SampleKind.Float64 ? (ushort)3 : (ushort)1;

    public static int Bits(this SampleKind kind) => kind switch
    {
        SampleKind.UInt8 => 8,
        SampleKind.Int16 => 16,
        SampleKind.Int24 => 24,
        SampleKind.Int32 or SampleKind.Float32 => 32,
        _ => 64,
    };

    /// <summary>Seeded random samples (including both extremes and zero) as bytes; <paramref name="values"/> gets each sample's value in [-1, 1].</summary>
    public static byte[] Random(SampleKind kind, int count, int seed, out double[] values)
    {
        var random = new Random(seed);
        int width = kind.Bits() / 8;
        var bytes = new byte[count * width];
        values = new double[count];
        for (int i = 0; i < count; i++)
        {
            Span<byte> s = bytes.AsSpan(i * width, width);
            int pick = i % 7;
            switch (kind)
            {
                case SampleKind.UInt8:
                {
                    byte v = pick switch { 0 => 0, 1 => 255, 2 => 128, _ => (byte)random.Next(256) };
                    s[0] = v;
                    values[i] = (v - 128) / 128.0;
                    break;
                }

                case SampleKind.Int16:
                {
                    short v = pick switch { 0 => short.MinValue, 1 => short.MaxValue, 2 => 0, _ => (short)random.Next(short.MinValue, short.MaxValue + 1) };
                    BinaryPrimitives.WriteInt16LittleEndian(s, v);
                    values[i] = v / 32768.0;
                    break;
                }

                case SampleKind.Int24:
                {
                    int v = pick switch { 0 => -8388608, 1 => 8388607, 2 => 0, _ => random.Next(-8388608, 8388608) };
                    s[0] = (byte)v;
                    s[1] = (byte)(v >> 8);
                    s[2] = (byte)(v >> 16);
                    values[i] = v / 8388608.0;
                    break;
                }

                case SampleKind.Int32:
                {
                    int v = pick switch { 0 => int.MinValue, 1 => int.MaxValue, 2 => 0, _ => random.Next(int.MinValue, int.MaxValue) };
                    BinaryPrimitives.WriteInt32LittleEndian(s, v);
                    values[i] = v / 2147483648.0;
                    break;
                }

                case SampleKind.Float32:
                {
                    float v = pick switch { 0 => -1f, 1 => 1f, 2 => 0f, _ => (float)((random.NextDouble() * 2) - 1) };
                    BinaryPrimitives.WriteSingleLittleEndian(s, v);
                    values[i] = v;
                    break;
                }

                default:
                {
                    double v = pick switch { 0 => -1.0, 1 => 1.0, 2 => 0.0, _ => (random.NextDouble() * 2) - 1 };
                    BinaryPrimitives.WriteDoubleLittleEndian(s, v);
                    values[i] = v;
                    break;
                }
            }
        }

        return bytes;
    }

    /// <summary>The mono mixdown of interleaved <paramref name="values"/>: the mean of each frame's channels.</summary>
    public static float[] MonoMean(double[] values, int channels)
    {
        var mono = new float[values.Length / channels];
        for (int f = 0; f < mono.Length; f++)
        {
            double sum = 0;
            for (int c = 0; c < channels; c++)
            {
                sum += values[(f * channels) + c];
            }

            mono[f] = (float)(sum / channels);
        }

        return mono;
    }

    public static byte[] Int16(params short[] values)
    {
        var bytes = new byte[values.Length * 2];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(2 * i), values[i]);
        }

        return bytes;
    }

    public static byte[] Float32(params float[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
        }

        return bytes;
    }

    public static byte[] Float64(params double[] values)
    {
        var bytes = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(8 * i), values[i]);
        }

        return bytes;
    }
}

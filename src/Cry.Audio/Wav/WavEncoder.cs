using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;

namespace Cry.Audio.Wav;

/// <summary>Writes mono samples as a RIFF/WAVE file that <see cref="WavDecoder"/> and common tools read.</summary>
/// <remarks>
/// <see cref="WavSampleFormat.Pcm16"/>: a 44-byte header (format tag 1) and round(clip(x, −1, 1) × 32768), capped at
/// 32767, so decoding (x/32768) returns every sample within 1/32768. <see cref="WavSampleFormat.Float32"/>: format tag 3
/// with an 18-byte 'fmt ' chunk and a 'fact' chunk as the WAVE specification asks of non-PCM data; samples are exact.
/// Samples must be finite.
/// </remarks>
public static class WavEncoder
{
    private const int PcmHeaderSize = 44;
    private const int FloatHeaderSize = 58;
    private const int ChunkSamples = 4096;

    /// <summary>Writes <paramref name="samples"/> as a mono WAV file to <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="destination"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The sample rate is not positive, the format is unknown, or the file would exceed 4 GiB.</exception>
    /// <exception cref="ArgumentException">A sample is NaN or infinite.</exception>
    public static void Write(Stream destination, ReadOnlySpan<float> samples, int sampleRate, WavSampleFormat format = WavSampleFormat.Pcm16)
    {
        ArgumentNullException.ThrowIfNull(destination);
        long size = Validate(samples, sampleRate, format);
        Span<byte> header = stackalloc byte[FloatHeaderSize];
        header = header[..(int)(size - DataBytes(samples.Length, format))];
        WriteHeader(header, samples.Length, sampleRate, format);
        destination.Write(header);

        int width = BytesPerSample(format);
        byte[] chunk = ArrayPool<byte>.Shared.Rent(ChunkSamples * width);
        try
        {
            for (int start = 0; start < samples.Length; start += ChunkSamples)
            {
                ReadOnlySpan<float> part = samples.Slice(start, Math.Min(ChunkSamples, samples.Length - start));
                Span<byte> bytes = chunk.AsSpan(0, part.Length * width);
                WriteSamples(part, bytes, format);
                destination.Write(bytes);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    /// <summary>Returns <paramref name="samples"/> as the bytes of a mono WAV file.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The sample rate is not positive, the format is unknown, or the file would be too large.</exception>
    /// <exception cref="ArgumentException">A sample is NaN or infinite.</exception>
    public static byte[] Encode(ReadOnlySpan<float> samples, int sampleRate, WavSampleFormat format = WavSampleFormat.Pcm16)
    {
        long size = Validate(samples, sampleRate, format);
        if (size > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(samples), samples.Length, "The WAV file would be larger than an array can hold.");
        }

        var wav = new byte[size];
        int headerSize = (int)(size - DataBytes(samples.Length, format));
        WriteHeader(wav.AsSpan(0, headerSize), samples.Length, sampleRate, format);
        WriteSamples(samples, wav.AsSpan(headerSize), format);
        return wav;
    }

    // Checks everything before a byte is written and returns the file size.
    private static long Validate(ReadOnlySpan<float> samples, int sampleRate, WavSampleFormat format)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRate);
        if (!Enum.IsDefined(format))
        {
            throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown sample format.");
        }

        long byteRate = (long)sampleRate * BytesPerSample(format);
        if (byteRate > uint.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, "The byte rate would not fit the WAV header.");
        }

        long size = (format == WavSampleFormat.Pcm16 ? PcmHeaderSize : FloatHeaderSize) + DataBytes(samples.Length, format);
        if (size - 8 > uint.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(samples), samples.Length, "A WAV file holds at most 4 GiB.");
        }

        for (int i = 0; i < samples.Length; i++)
        {
            if (!float.IsFinite(samples[i]))
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"Sample {i} is {(float.IsNaN(samples[i]) ? "NaN" : "infinite")}; samples must be finite."),
                    nameof(samples));
            }
        }

        return size;
    }

    private static int BytesPerSample(WavSampleFormat format) => format == WavSampleFormat.Pcm16 ? 2 : 4;

    private static long DataBytes(int sampleCount, WavSampleFormat format) => (long)sampleCount * BytesPerSample(format);

    private static void WriteHeader(Span<byte> header, int sampleCount, int sampleRate, WavSampleFormat format)
    {
        int width = BytesPerSample(format);
        uint dataBytes = (uint)DataBytes(sampleCount, format);
        bool pcm = format == WavSampleFormat.Pcm16;

        "RIFF"u8.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], (uint)(header.Length - 8) + dataBytes);
        "WAVE"u8.CopyTo(header[8..]);
        "fmt "u8.CopyTo(header[12..]);
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], pcm ? 16u : 18u);
        BinaryPrimitives.WriteUInt16LittleEndian(header[20..], pcm ? (ushort)1 : (ushort)3);
        BinaryPrimitives.WriteUInt16LittleEndian(header[22..], 1);
        BinaryPrimitives.WriteUInt32LittleEndian(header[24..], (uint)sampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(header[28..], (uint)((long)sampleRate * width));
        BinaryPrimitives.WriteUInt16LittleEndian(header[32..], (ushort)width);
        BinaryPrimitives.WriteUInt16LittleEndian(header[34..], (ushort)(8 * width));
        int offset = 36;
        if (!pcm)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(header[36..], 0);
            "fact"u8.CopyTo(header[38..]);
            BinaryPrimitives.WriteUInt32LittleEndian(header[42..], 4);
            BinaryPrimitives.WriteUInt32LittleEndian(header[46..], (uint)sampleCount);
            offset = 50;
        }

        "data"u8.CopyTo(header[offset..]);
        BinaryPrimitives.WriteUInt32LittleEndian(header[(offset + 4)..], dataBytes);
    }

    private static void WriteSamples(ReadOnlySpan<float> samples, Span<byte> destination, WavSampleFormat format)
    {
        if (format == WavSampleFormat.Float32)
        {
            for (int i = 0; i < samples.Length; i++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(destination[(4 * i)..], samples[i]);
            }

            return;
        }

        for (int i = 0; i < samples.Length; i++)
        {
            int value = (int)MathF.Round(Math.Clamp(samples[i], -1f, 1f) * 32768f);
            BinaryPrimitives.WriteInt16LittleEndian(destination[(2 * i)..], (short)Math.Min(value, short.MaxValue));
        }
    }
}

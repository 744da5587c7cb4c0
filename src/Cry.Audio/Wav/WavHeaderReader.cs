using System.Buffers.Binary;
using System.Globalization;

namespace Cry.Audio.Wav;

/// <summary>Reads the RIFF/WAVE chunks up to the start of the sample data and validates the format.</summary>
/// <remarks>
/// Written by hand rather than with NWaves: its WAV reader is not hardened against hostile input.
/// Size fields are never used to allocate: chunks are skipped, only the first 40 bytes of <c>fmt </c> are read.
/// </remarks>
internal static class WavHeaderReader
{
    private const int RiffHeaderSize = 12;
    private const int ChunkHeaderSize = 8;
    private const int MinFmtSize = 16;
    private const int ExtensibleFmtSize = 40;
    private const int SniffSize = 64;
    private const ushort TagPcm = 0x0001;
    private const ushort TagFloat = 0x0003;
    private const ushort TagExtensible = 0xFFFE;

    // Bytes 2..15 of every KSDATAFORMAT_SUBTYPE GUID derived from a format tag (00000000-0000-0010-8000-00AA00389B71).
    private static ReadOnlySpan<byte> SubFormatGuidTail =>
        [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71];

    /// <summary>Reads up to the first byte of the data chunk and returns the validated format.</summary>
    /// <exception cref="AudioFormatException">The bytes are not a supported, sane WAV file.</exception>
    public static WavFormat Read<TSource>(ref TSource source, WavDecoderOptions options)
        where TSource : IWavByteSource, allows ref struct
    {
        Span<byte> head = stackalloc byte[SniffSize];
        int count = source.Read(head[..RiffHeaderSize]);
        if (count < RiffHeaderSize || !head[..4].SequenceEqual("RIFF"u8) || !head[8..12].SequenceEqual("WAVE"u8))
        {
            if (count == RiffHeaderSize)
            {
                count += source.Read(head[RiffHeaderSize..]);
            }

            throw new AudioFormatException(WavSignature.DescribeNonWav(head[..count])) { IsUnsupportedFormat = WavSignature.IsOtherFormat(head[..count]) };
        }

        Span<byte> chunkHeader = stackalloc byte[ChunkHeaderSize];
        Span<byte> fmt = stackalloc byte[ExtensibleFmtSize];
        WavFormat? format = null;
        while (true)
        {
            if (source.Read(chunkHeader) < ChunkHeaderSize)
            {
                throw new AudioFormatException(format is null
                    ? "No 'fmt ' chunk was found before the end of the input; it is not a complete WAV file."
                    : "No 'data' chunk was found after the 'fmt ' chunk; the WAV file holds no samples.");
            }

            ReadOnlySpan<byte> id = chunkHeader[..4];
            uint size = BinaryPrimitives.ReadUInt32LittleEndian(chunkHeader[4..]);
            long padded = size + (long)(size & 1);
            if (id.SequenceEqual("fmt "u8))
            {
                if (format is not null)
                {
                    throw new AudioFormatException("The WAV file has a second 'fmt ' chunk; the sample format is ambiguous.");
                }

                if (size < MinFmtSize)
                {
                    throw new AudioFormatException(Invariant($"The 'fmt ' chunk is {size} bytes; it needs at least {MinFmtSize}."));
                }

                int wanted = (int)Math.Min(size, ExtensibleFmtSize);
                int got = source.Read(fmt[..wanted]);
                if (got < MinFmtSize)
                {
                    throw new AudioFormatException(Invariant($"The 'fmt ' chunk is truncated: {got} of {size} bytes are present."));
                }

                format = ParseFmt(fmt[..got], options);
                source.Skip(padded - got);
            }
            else if (id.SequenceEqual("data"u8))
            {
                if (format is null)
                {
                    throw new AudioFormatException("The 'data' chunk comes before the 'fmt ' chunk; 'fmt ' must come first.");
                }

                return format.Value with { DeclaredDataSize = size };
            }
            else
            {
                source.Skip(padded);
            }
        }
    }

    private static WavFormat ParseFmt(ReadOnlySpan<byte> fmt, WavDecoderOptions options)
    {
        ushort tag = BinaryPrimitives.ReadUInt16LittleEndian(fmt);
        int channels = BinaryPrimitives.ReadUInt16LittleEndian(fmt[2..]);
        uint sampleRate = BinaryPrimitives.ReadUInt32LittleEndian(fmt[4..]);
        int blockAlign = BinaryPrimitives.ReadUInt16LittleEndian(fmt[12..]);
        int bits = BinaryPrimitives.ReadUInt16LittleEndian(fmt[14..]);

        tag = SupportedCodec(fmt, tag);
        CheckChannelsAndRate(channels, sampleRate, options);
        WavEncoding encoding = SampleEncoding(tag, bits);
        int bytesPerSample = bits / 8;
        int expectedAlign = channels * bytesPerSample;
        if (blockAlign != expectedAlign)
        {
            throw new AudioFormatException(Invariant(
                $"Block align {blockAlign} is inconsistent with {channels} channels × {bytesPerSample} bytes per sample (expected {expectedAlign})."));
        }

        return new WavFormat(encoding, channels, (int)sampleRate, blockAlign, DeclaredDataSize: 0);
    }

    // The codec tag (the sub-format's for WAVE_FORMAT_EXTENSIBLE), refused unless it is PCM or IEEE float.
    private static ushort SupportedCodec(ReadOnlySpan<byte> fmt, ushort tag)
    {
        bool extensible = tag == TagExtensible;
        if (extensible)
        {
            if (fmt.Length < ExtensibleFmtSize)
            {
                throw new AudioFormatException(Invariant(
                    $"The WAVE_FORMAT_EXTENSIBLE 'fmt ' chunk is {fmt.Length} bytes; it needs {ExtensibleFmtSize}."));
            }

            ReadOnlySpan<byte> guid = fmt[24..40];
            if (!guid[2..].SequenceEqual(SubFormatGuidTail))
            {
                throw new AudioFormatException(Invariant(
                    $"Unsupported codec: WAVE_FORMAT_EXTENSIBLE sub-format {new Guid(guid)} is neither PCM nor IEEE float."))
                { IsUnsupportedFormat = true };
            }

            tag = BinaryPrimitives.ReadUInt16LittleEndian(guid);
        }

        if (tag is not (TagPcm or TagFloat))
        {
            string name = CodecName(tag);
            string where = extensible ? " inside WAVE_FORMAT_EXTENSIBLE" : string.Empty;
            throw new AudioFormatException(Invariant(
                $"Unsupported codec 0x{tag:X4}{name}{where}; only PCM and IEEE float WAV files are supported."))
            { IsUnsupportedFormat = tag != 0 }; // Tag 0 names no codec: the header is broken, not of another kind.
        }

        return tag;
    }

    private static void CheckChannelsAndRate(int channels, uint sampleRate, WavDecoderOptions options)
    {
        if (channels == 0)
        {
            throw new AudioFormatException("The 'fmt ' chunk declares zero channels.");
        }

        if (channels > options.MaxChannels)
        {
            throw new AudioFormatException(Invariant(
                $"The file has {channels} channels, more than the maximum of {options.MaxChannels}."));
        }

        if (sampleRate == 0)
        {
            throw new AudioFormatException("Absurd sample rate 0 Hz.");
        }

        if (sampleRate < options.MinSampleRate)
        {
            throw new AudioFormatException(Invariant(
                $"Absurd sample rate {sampleRate} Hz: below the minimum of {options.MinSampleRate} Hz."));
        }

        if (sampleRate > options.MaxSampleRate)
        {
            throw new AudioFormatException(Invariant(
                $"Absurd sample rate {sampleRate} Hz: above the maximum of {options.MaxSampleRate} Hz."));
        }
    }

    // The sample encoding of a PCM or IEEE float tag at a bit depth, refused for depths not read here.
    private static WavEncoding SampleEncoding(ushort tag, int bits) => (tag, bits) switch
    {
        (TagPcm, 8) => WavEncoding.UInt8,
        (TagPcm, 16) => WavEncoding.Int16,
        (TagPcm, 24) => WavEncoding.Int24,
        (TagPcm, 32) => WavEncoding.Int32,
        (TagFloat, 32) => WavEncoding.Float32,
        (TagFloat, 64) => WavEncoding.Float64,
        (TagPcm, _) => throw new AudioFormatException(Invariant(
            $"Unsupported bit depth: {bits}-bit PCM (8, 16, 24 and 32 are supported).")) { IsUnsupportedFormat = true },
        _ => throw new AudioFormatException(Invariant(
            $"Unsupported bit depth: {bits}-bit IEEE float (32 and 64 are supported).")) { IsUnsupportedFormat = true },
    };

    private static string CodecName(ushort tag) => tag switch
    {
        0x0000 => " (unknown)",
        0x0002 => " (Microsoft ADPCM)",
        0x0006 => " (A-law)",
        0x0007 => " (µ-law)",
        0x0011 => " (IMA ADPCM)",
        0x0031 => " (GSM 6.10)",
        0x0050 => " (MPEG)",
        0x0055 => " (MPEG Layer 3, MP3)",
        0x0161 => " (Windows Media Audio)",
        0x1610 => " (AAC)",
        0xF1AC => " (FLAC)",
        _ => string.Empty,
    };

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

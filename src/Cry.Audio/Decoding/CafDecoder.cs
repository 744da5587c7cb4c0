using System.Buffers.Binary;
using System.Globalization;
using Cry.Audio.Wav;

namespace Cry.Audio.Decoding;

/// <summary>Decodes Apple Core Audio Format files: IMA4 ADPCM, linear PCM (integer and float), A-law and µ-law.</summary>
/// <remarks>
/// <para>Written by hand because no package served here reads CAF, and the format is small and fully specified
/// (Apple's "Core Audio Format Specification 1.0"): a <c>caff</c> header, then chunks of a four-character type and a
/// big-endian 64-bit size; <c>desc</c> says the format, <c>data</c> (an edit count, then the packets; size −1 means
/// "to the end of the file") holds the audio, everything else is skipped. A size that runs past the bytes present
/// is read as "to the end" (a truncated file decodes what is there); a size below zero anywhere else is refused.</para>
/// <para>IMA4 (Apple's IMA ADPCM, as iPhones recorded it): packets of 34 bytes per channel — a 16-bit big-endian
/// header whose top 9 bits are the predictor and low 7 bits the step index, then 64 four-bit codes, low nibble first —
/// decoded like FFmpeg's <c>adpcm_ima_qt</c>, so both paths give the same samples (the predictor carries over from
/// the previous packet when the header repeats its step index and its truncated predictor is within 127).</para>
/// <para>Other codecs in CAF (AAC, ALAC, Opus, …) are left to FFmpeg: <see cref="ReadCodec"/> names them.</para>
/// </remarks>
internal static class CafDecoder
{
    private const string Format = "CAF";

    private static ReadOnlySpan<int> StepTable =>
    [
        7, 8, 9, 10, 11, 12, 13, 14, 16, 17, 19, 21, 23, 25, 28, 31, 34, 37, 41, 45, 50, 55, 60, 66, 73, 80, 88, 97, 107, 118,
        130, 143, 157, 173, 190, 209, 230, 253, 279, 307, 337, 371, 408, 449, 494, 544, 598, 658, 724, 796, 876, 963, 1060,
        1166, 1282, 1411, 1552, 1707, 1878, 2066, 2272, 2499, 2749, 3024, 3327, 3660, 4026, 4428, 4871, 5358, 5894, 6484,
        7132, 7845, 8630, 9493, 10442, 11487, 12635, 13899, 15289, 16818, 18500, 20350, 22385, 24623, 27086, 29794, 32767,
    ];

    private static ReadOnlySpan<sbyte> IndexTable => [-1, -1, -1, -1, 2, 4, 6, 8, -1, -1, -1, -1, 2, 4, 6, 8];

    /// <summary>The audio description and where the packets are.</summary>
    internal readonly record struct CafStream(
        double SampleRate, string FormatId, uint FormatFlags, uint BytesPerPacket, uint FramesPerPacket, uint Channels, uint BitsPerChannel, int DataOffset, int DataLength);

    /// <summary>The codec of a CAF file, in words ("IMA4 ADPCM", "AAC (aac )"), for messages and routing.</summary>
    /// <exception cref="AudioFormatException">The chunk structure is broken.</exception>
    public static string ReadCodec(ReadOnlySpan<byte> file)
    {
        var stream = ReadStructure(file);
        return Describe(stream.FormatId);
    }

    /// <summary>Whether the managed decoder reads this codec.</summary>
    public static bool IsManaged(string formatId) => formatId is "ima4" or "lpcm" or "alaw" or "ulaw";

    /// <summary>Reads the chunk structure.</summary>
    /// <exception cref="AudioFormatException">The header or chunks are broken, or there is no <c>desc</c> or <c>data</c> chunk.</exception>
    public static CafStream ReadStructure(ReadOnlySpan<byte> file)
    {
        if (file.Length < 8 || !file.StartsWith("caff"u8))
        {
            throw new AudioFormatException("Not a CAF file: it does not start with 'caff' and a file header.");
        }

        ushort version = BinaryPrimitives.ReadUInt16BigEndian(file[4..]);
        if (version != 1)
        {
            throw new AudioFormatException(string.Create(CultureInfo.InvariantCulture, $"The CAF file is version {version}; only version 1 exists.")) { IsUnsupportedFormat = true };
        }

        CafStream? desc = null;
        int dataOffset = -1;
        int dataLength = 0;
        int at = 8;
        while (at + 12 <= file.Length)
        {
            ReadOnlySpan<byte> type = file.Slice(at, 4);
            long size = BinaryPrimitives.ReadInt64BigEndian(file[(at + 4)..]);
            int body = at + 12;
            long available = file.Length - body;
            bool isData = type.SequenceEqual("data"u8);
            if (size < 0 && !(isData && size == -1))
            {
                throw new AudioFormatException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"The CAF chunk '{FourCc(type)}' at byte {at} has a negative size ({size})."));
            }

            long length = size < 0 || size > available ? available : size; // −1 or past the end: what is present.
            if (type.SequenceEqual("desc"u8))
            {
                if (length < 32)
                {
                    throw new AudioFormatException("The CAF 'desc' chunk is shorter than its 32 bytes.");
                }

                ReadOnlySpan<byte> d = file.Slice(body, 32);
                desc = new CafStream(
                    BinaryPrimitives.ReadDoubleBigEndian(d),
                    FourCc(d.Slice(8, 4)),
                    BinaryPrimitives.ReadUInt32BigEndian(d[12..]),
                    BinaryPrimitives.ReadUInt32BigEndian(d[16..]),
                    BinaryPrimitives.ReadUInt32BigEndian(d[20..]),
                    BinaryPrimitives.ReadUInt32BigEndian(d[24..]),
                    BinaryPrimitives.ReadUInt32BigEndian(d[28..]),
                    0,
                    0);
            }
            else if (isData)
            {
                if (length < 4)
                {
                    throw new AudioFormatException("The CAF 'data' chunk is too short to hold its edit count.");
                }

                dataOffset = body + 4;
                dataLength = (int)(length - 4);
                break; // Anything after the audio (a 'pakt' written last, say) is not needed for the codecs read here.
            }

            at = (int)Math.Min(file.Length, body + length);
        }

        if (desc is not { } found)
        {
            throw new AudioFormatException("The CAF file has no 'desc' chunk before its audio, so its format is unknown.");
        }

        if (dataOffset < 0)
        {
            throw new AudioFormatException("The CAF file has no 'data' chunk: it holds no audio (it may be truncated).");
        }

        return found with { DataOffset = dataOffset, DataLength = dataLength };
    }

    /// <summary>Decodes a CAF file of a managed codec.</summary>
    /// <exception cref="AudioFormatException">The file is broken, out of the limits, or of another codec.</exception>
    public static AudioSignal Decode(ReadOnlySpan<byte> file, WavDecoderOptions limits)
    {
        var s = ReadStructure(file);
        MonoSampleSink.CheckStream(Format, s.SampleRate, s.Channels, limits);
        int channels = (int)s.Channels;
        ReadOnlySpan<byte> data = file.Slice(s.DataOffset, s.DataLength);
        return s.FormatId switch
        {
            "ima4" => DecodeIma4(data, s, channels, limits),
            "lpcm" => DecodeLinear(data, s, channels, limits),
            "alaw" or "ulaw" => DecodeG711(data, s, channels, limits),
            _ => throw new AudioFormatException($"The CAF file holds {Describe(s.FormatId)}, which the managed decoder does not read.") { IsUnsupportedFormat = true },
        };
    }

    private static AudioSignal DecodeIma4(ReadOnlySpan<byte> data, in CafStream s, int channels, WavDecoderOptions limits)
    {
        const int PacketBytes = 34;
        const int PacketFrames = 64;
        if (s.BytesPerPacket != PacketBytes * s.Channels || s.FramesPerPacket != PacketFrames)
        {
            throw new AudioFormatException(string.Create(
                CultureInfo.InvariantCulture,
                $"The CAF IMA4 description says {s.BytesPerPacket} bytes and {s.FramesPerPacket} frames per packet; IMA4 has {PacketBytes} bytes per channel and 64 frames."));
        }

        int stride = PacketBytes * channels;
        int packets = data.Length / stride;
        var sink = new MonoSampleSink("CAF (IMA4 ADPCM)", (int)s.SampleRate, channels, limits, (long)packets * PacketFrames);
        Span<int> predictors = stackalloc int[channels];
        Span<int> steps = stackalloc int[channels];
        predictors.Clear();
        steps.Clear();
        Span<float> channel = stackalloc float[PacketFrames];
        for (int p = 0; p < packets; p++)
        {
            Span<float> target = sink.Reserve(PacketFrames);
            target.Clear();
            for (int c = 0; c < channels; c++)
            {
                ReadOnlySpan<byte> packet = data.Slice((p * channels + c) * PacketBytes, PacketBytes);
                int header = (short)BinaryPrimitives.ReadUInt16BigEndian(packet);
                int step = header & 0x7F;
                int predictor = header & ~0x7F;
                if (step > 88)
                {
                    throw new AudioFormatException(string.Create(
                        CultureInfo.InvariantCulture,
                        $"The CAF IMA4 packet {p} (channel {c}) has step index {step}, above the largest, 88: the file is corrupt."));
                }

                if (steps[c] != step || Math.Abs(predictor - predictors[c]) > 0x7F)
                {
                    predictors[c] = predictor;
                    steps[c] = step;
                }

                int pred = predictors[c];
                int index = steps[c];
                for (int i = 0; i < 32; i++)
                {
                    byte b = packet[2 + i];
                    channel[2 * i] = Expand(b & 0x0F, ref pred, ref index) / 32768f;
                    channel[(2 * i) + 1] = Expand(b >> 4, ref pred, ref index) / 32768f;
                }

                predictors[c] = pred;
                steps[c] = index;
                for (int i = 0; i < PacketFrames; i++)
                {
                    target[i] += channel[i];
                }
            }

            if (channels > 1)
            {
                float scale = 1f / channels;
                for (int i = 0; i < PacketFrames; i++)
                {
                    target[i] *= scale;
                }
            }

            sink.CommitExact(PacketFrames); // 16-bit values / 32768: finite and in range.
        }

        return sink.ToSignal();
    }

    private static int Expand(int nibble, ref int predictor, ref int index)
    {
        int step = StepTable[index];
        index = Math.Clamp(index + IndexTable[nibble], 0, 88);
        int diff = step >> 3;
        if ((nibble & 4) != 0)
        {
            diff += step;
        }

        if ((nibble & 2) != 0)
        {
            diff += step >> 1;
        }

        if ((nibble & 1) != 0)
        {
            diff += step >> 2;
        }

        predictor = Math.Clamp((nibble & 8) != 0 ? predictor - diff : predictor + diff, short.MinValue, short.MaxValue);
        return predictor;
    }

    private static AudioSignal DecodeLinear(ReadOnlySpan<byte> data, in CafStream s, int channels, WavDecoderOptions limits)
    {
        bool isFloat = (s.FormatFlags & 1) != 0;
        bool little = (s.FormatFlags & 2) != 0;
        int bits = (int)s.BitsPerChannel;
        bool valid = isFloat ? bits is 32 or 64 : bits is 8 or 16 or 24 or 32;
        int bytes = bits / 8;
        if (!valid || s.BytesPerPacket != bytes * s.Channels || s.FramesPerPacket != 1)
        {
            throw new AudioFormatException(string.Create(
                CultureInfo.InvariantCulture,
                $"The CAF linear PCM description ({bits}-bit {(isFloat ? "float" : "integer")}, {s.BytesPerPacket} bytes and {s.FramesPerPacket} frames per packet) is not one the decoder reads.")) { IsUnsupportedFormat = true };
        }

        int frameBytes = bytes * channels;
        int frames = data.Length / frameBytes;
        var sink = new MonoSampleSink("CAF (linear PCM)", (int)s.SampleRate, channels, limits, frames);
        const int Block = 4096;
        for (int start = 0; start < frames; start += Block)
        {
            int count = Math.Min(Block, frames - start);
            Span<float> target = sink.Reserve(count);
            for (int f = 0; f < count; f++)
            {
                ReadOnlySpan<byte> frame = data.Slice((start + f) * frameBytes, frameBytes);
                double sum = 0;
                for (int c = 0; c < channels; c++)
                {
                    sum += Sample(frame.Slice(c * bytes, bytes), isFloat, little);
                }

                target[f] = (float)(sum / channels);
            }

            sink.Commit(count);
        }

        return sink.ToSignal();
    }

    private static double Sample(ReadOnlySpan<byte> b, bool isFloat, bool little) => (isFloat, b.Length) switch
    {
        (true, 4) => little ? BinaryPrimitives.ReadSingleLittleEndian(b) : BinaryPrimitives.ReadSingleBigEndian(b),
        (true, _) => little ? BinaryPrimitives.ReadDoubleLittleEndian(b) : BinaryPrimitives.ReadDoubleBigEndian(b),
        (false, 1) => (sbyte)b[0] / 128.0, // CAF's 8-bit PCM is signed, unlike WAV's.
        (false, 2) => (little ? BinaryPrimitives.ReadInt16LittleEndian(b) : BinaryPrimitives.ReadInt16BigEndian(b)) / 32768.0,
        (false, 3) => (little ? (b[0] | (b[1] << 8) | ((sbyte)b[2] << 16)) : (b[2] | (b[1] << 8) | ((sbyte)b[0] << 16))) / 8388608.0,
        _ => (little ? BinaryPrimitives.ReadInt32LittleEndian(b) : BinaryPrimitives.ReadInt32BigEndian(b)) / 2147483648.0,
    };

    private static AudioSignal DecodeG711(ReadOnlySpan<byte> data, in CafStream s, int channels, WavDecoderOptions limits)
    {
        if (s.BytesPerPacket != s.Channels || s.FramesPerPacket != 1)
        {
            throw new AudioFormatException(string.Create(
                CultureInfo.InvariantCulture,
                $"The CAF {s.FormatId} description says {s.BytesPerPacket} bytes and {s.FramesPerPacket} frames per packet; G.711 has one byte per channel and frame."));
        }

        bool alaw = s.FormatId == "alaw";
        int frames = data.Length / channels;
        var sink = new MonoSampleSink($"CAF ({(alaw ? "A-law" : "µ-law")})", (int)s.SampleRate, channels, limits, frames);
        const int Block = 4096;
        for (int start = 0; start < frames; start += Block)
        {
            int count = Math.Min(Block, frames - start);
            Span<float> target = sink.Reserve(count);
            for (int f = 0; f < count; f++)
            {
                int sum = 0;
                for (int c = 0; c < channels; c++)
                {
                    byte code = data[((start + f) * channels) + c];
                    sum += alaw ? G711.ALawToLinear(code) : G711.MuLawToLinear(code);
                }

                target[f] = sum / (32768f * channels);
            }

            sink.CommitExact(count); // 16-bit values / 32768: finite and in range.
        }

        return sink.ToSignal();
    }

    private static string Describe(string formatId) => formatId switch
    {
        "ima4" => "IMA4 ADPCM",
        "lpcm" => "linear PCM",
        "alaw" => "A-law",
        "ulaw" => "µ-law",
        "aac " => "AAC",
        "alac" => "Apple Lossless (ALAC)",
        "opus" => "Opus",
        "samr" => "AMR-NB",
        ".mp3" => "MP3",
        _ => $"the codec '{formatId}'",
    };

    private static string FourCc(ReadOnlySpan<byte> id)
    {
        Span<char> chars = stackalloc char[4];
        for (int i = 0; i < 4; i++)
        {
            chars[i] = id[i] is >= 0x20 and < 0x7F ? (char)id[i] : '?';
        }

        return new string(chars);
    }
}

/// <summary>ITU-T G.711 A-law and µ-law expansion to 16-bit linear values (the reference tables' formulas).</summary>
internal static class G711
{
    /// <summary>An A-law code as a 16-bit linear value.</summary>
    public static int ALawToLinear(byte code)
    {
        int a = code ^ 0x55;
        int t = (a & 0x0F) << 4;
        int segment = (a & 0x70) >> 4;
        t = segment switch
        {
            0 => t + 8,
            1 => t + 0x108,
            _ => (t + 0x108) << (segment - 1),
        };
        return (a & 0x80) != 0 ? t : -t;
    }

    /// <summary>A µ-law code as a 16-bit linear value.</summary>
    public static int MuLawToLinear(byte code)
    {
        const int Bias = 0x84;
        int u = ~code & 0xFF;
        int t = ((u & 0x0F) << 3) + Bias;
        t <<= (u & 0x70) >> 4;
        return (u & 0x80) != 0 ? Bias - t : t - Bias;
    }
}

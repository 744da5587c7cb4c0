using NLayer;
using Cry.Audio.Wav;

namespace Cry.Audio.Decoding;

/// <summary>Decodes MPEG-1/2/2.5 audio layers I–III (MP3) with NLayer, an ID3v2 tag skipped.</summary>
/// <remarks>Library failures are <see cref="ManagedDecoderException"/>, so the file can still go to FFmpeg.</remarks>
internal static class Mp3Decoder
{
    /// <summary>Whether the bytes, after an ID3v2 tag if any, start with an MPEG audio frame header (not ADTS AAC).</summary>
    public static bool StartsWithMpegAudio(ReadOnlySpan<byte> file)
    {
        int at = Id3Length(file);
        if (at + 4 > file.Length)
        {
            return false;
        }

        ReadOnlySpan<byte> h = file[at..];
        return h[0] == 0xFF && (h[1] & 0xE0) == 0xE0 && ((h[1] >> 1) & 0x03) != 0 && ((h[1] >> 3) & 0x03) != 1
            && (h[2] >> 4) != 0x0F && ((h[2] >> 2) & 0x03) != 0x03;
    }

    /// <summary>Whether the first frame is MPEG-2.5 (8–12 kHz), which NLayer decodes wrongly (seen here: correlation 0.80 with FFmpeg).</summary>
    public static bool IsMpeg25(ReadOnlySpan<byte> file)
    {
        int at = Id3Length(file);
        return at + 2 <= file.Length && ((file[at + 1] >> 3) & 0x03) == 0;
    }

    /// <summary>Decodes an MP3 file.</summary>
    /// <exception cref="AudioFormatException">The file is out of the limits or holds no audio.</exception>
    /// <exception cref="ManagedDecoderException">The library failed on the file.</exception>
    public static AudioSignal Decode(ReadOnlySpan<byte> file, WavDecoderOptions limits)
    {
        int start = Id3Length(file);
        if (IsMpeg25(file))
        {
            throw new ManagedDecoderException("MPEG-2.5 audio (8–12 kHz) is not decoded correctly by the managed MP3 decoder");
        }

        var gapless = Gapless(file[start..]);
        byte[] copy = file[start..].ToArray();
        try
        {
            using var mpeg = new MpegFile(new MemoryStream(copy, writable: false));
            // With a LAME tag the delay and padding (12 bits each) and the decoder's delay are cut afterwards: they do not
            // count against the maximum.
            var sink = new MonoSampleSink("MP3", mpeg.SampleRate, mpeg.Channels, limits, trimFrames: gapless is null ? 0 : GaplessTrimFrames);
            float[] buffer = new float[1152 * 4 * mpeg.Channels];
            int read;
            while ((read = mpeg.ReadSamples(buffer, 0, buffer.Length)) > 0)
            {
                sink.AddInterleaved(buffer.AsSpan(0, read - (read % mpeg.Channels)));
            }

            if (gapless is { } g)
            {
                // As FFmpeg does: the encoder's delay plus the decoder's 529 samples off the start, the padding off the end.
                sink.SkipStart(g.Delay + DecoderDelay);
                sink.TrimTo(g.Total);
            }

            return sink.ToSignal();
        }
        catch (Exception ex) when (ex is not (AudioFormatException or OutOfMemoryException))
        {
            throw new ManagedDecoderException($"the MP3 decoder failed ({ex.GetType().Name})", ex);
        }
    }

    private const int DecoderDelay = 529;

    // The most the gapless trim can cut: the encoder's delay and padding (12 bits each), the decoder's delay, two frames.
    private const int GaplessTrimFrames = 4095 + 4095 + DecoderDelay + (2 * 1152);

    // The LAME tag (written by LAME and by FFmpeg's encoders, which FFmpeg's reader also accepts) in the first frame's Xing/Info header: the encoder's delay and padding, and the frame count, so the
    // decoded signal can be cut to exactly what was encoded.
    private static (int Delay, long Total)? Gapless(ReadOnlySpan<byte> mpeg)
    {
        if (mpeg.Length < 4 || mpeg[0] != 0xFF || (mpeg[1] & 0xE0) != 0xE0)
        {
            return null;
        }

        bool mpeg1 = ((mpeg[1] >> 3) & 0x03) == 3;
        bool mono = (mpeg[3] >> 6) == 3;
        bool crc = (mpeg[1] & 0x01) == 0;
        int layer = 4 - ((mpeg[1] >> 1) & 0x03);
        if (layer != 3)
        {
            return null;
        }

        int samplesPerFrame = mpeg1 ? 1152 : 576;
        int at = 4 + (crc ? 2 : 0) + (mpeg1 ? (mono ? 17 : 32) : (mono ? 9 : 17));
        if (at + 8 > mpeg.Length || !(mpeg.Slice(at, 4).SequenceEqual("Xing"u8) || mpeg.Slice(at, 4).SequenceEqual("Info"u8)))
        {
            return null;
        }

        int flags = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(mpeg[(at + 4)..]);
        at += 8;
        long frames = -1;
        if ((flags & 1) != 0 && at + 4 <= mpeg.Length)
        {
            frames = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(mpeg[at..]);
            at += 4;
        }

        at += ((flags & 2) != 0 ? 4 : 0) + ((flags & 4) != 0 ? 100 : 0) + ((flags & 8) != 0 ? 4 : 0);
        if (frames < 0 || at + 24 > mpeg.Length || !(mpeg.Slice(at, 4).SequenceEqual("LAME"u8) || mpeg.Slice(at, 4).SequenceEqual("Lavf"u8) || mpeg.Slice(at, 4).SequenceEqual("Lavc"u8)))
        {
            return null;
        }

        ReadOnlySpan<byte> d = mpeg.Slice(at + 21, 3);
        int delay = (d[0] << 4) | (d[1] >> 4);
        int padding = ((d[1] & 0x0F) << 8) | d[2];
        long total = (frames * samplesPerFrame) - delay - padding;
        return total > 0 ? (delay, total) : null;
    }

    // ID3v2: "ID3", version (2), flags (1), a 28-bit syncsafe size (4), plus a 10-byte footer when flag 0x10 is set.
    private static int Id3Length(ReadOnlySpan<byte> file)
    {
        if (file.Length < 10 || !file.StartsWith("ID3"u8))
        {
            return 0;
        }

        int size = (file[6] & 0x7F) << 21 | (file[7] & 0x7F) << 14 | (file[8] & 0x7F) << 7 | (file[9] & 0x7F);
        int total = 10 + size + ((file[5] & 0x10) != 0 ? 10 : 0);
        return Math.Min(total, file.Length);
    }
}

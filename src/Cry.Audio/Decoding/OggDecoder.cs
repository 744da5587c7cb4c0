using Cry.Audio.Wav;

namespace Cry.Audio.Decoding;

/// <summary>Decodes Ogg Vorbis (NVorbis) and Ogg Opus (the page walk of <see cref="OggPages"/> + Concentus).</summary>
/// <remarks>
/// The first logical stream is decoded. Its codec is named by the first packet of the first page (RFC 3533: a
/// 27-byte page header and a segment table): <c>OpusHead</c>, <c>\x01vorbis</c>, <c>\x7FFLAC</c> or
/// <c>Speex</c>. Opus ends where the last page's granule position says (minus the pre-skip), as RFC 7845 §4.5 asks.
/// Failures of the libraries are <see cref="ManagedDecoderException"/>, so the file can still go to FFmpeg.
/// </remarks>
internal static class OggDecoder
{
    /// <summary>The codec of the first stream, in words.</summary>
    public static string Codec(ReadOnlySpan<byte> file)
    {
        if (file.Length < 27 || !file.StartsWith("OggS"u8))
        {
            return "(damaged)";
        }

        int segments = file[26];
        int start = 27 + segments;
        if (start > file.Length)
        {
            return "(truncated)";
        }

        // The first packet's length from the segment table: a file cut inside its signature is truncated, not unknown.
        int packet = 0;
        for (int i = 0; i < segments; i++)
        {
            packet += file[27 + i];
            if (file[27 + i] < 255)
            {
                break;
            }
        }

        if (start + Math.Min(packet, 8) > file.Length)
        {
            return "(truncated)";
        }

        ReadOnlySpan<byte> first = file[start..];
        return first.StartsWith("OpusHead"u8) ? "Opus"
            : first.StartsWith("\u0001vorbis"u8) ? "Vorbis"
            : first.StartsWith("\u007FFLAC"u8) ? "FLAC"
            : first.StartsWith("Speex   "u8) ? "Speex"
            : "(an unknown codec)";
    }

    /// <summary>Decodes an Ogg Opus or Ogg Vorbis file.</summary>
    /// <exception cref="AudioFormatException">The file is out of the limits or holds no audio.</exception>
    /// <exception cref="ManagedDecoderException">The library failed on the file.</exception>
    public static AudioSignal Decode(ReadOnlySpan<byte> file, WavDecoderOptions limits)
    {
        string codec = Codec(file);
        byte[] copy = file.ToArray();
        try
        {
            return codec == "Opus" ? DecodeOpus(copy, limits) : DecodeVorbis(copy, limits);
        }
        catch (Exception ex) when (ex is not (AudioFormatException or ManagedDecoderException or OutOfMemoryException))
        {
            throw new ManagedDecoderException($"the Ogg {codec} decoder failed ({ex.GetType().Name})", ex);
        }
    }

    private static AudioSignal DecodeVorbis(byte[] file, WavDecoderOptions limits)
    {
        // NVorbis reads only the undamaged pages: past a bad one its page reader would resynchronise forever (OggPages).
        int prefix = OggPages.ValidPrefix(file);
        if (prefix == 0)
        {
            throw new AudioFormatException("The Ogg file's first page is damaged: its checksum does not match.");
        }

        using var reader = new NVorbis.VorbisReader(new MemoryStream(file, 0, prefix, writable: false), closeOnDispose: true);
        var sink = new MonoSampleSink("Ogg Vorbis", reader.SampleRate, reader.Channels, limits);
        float[] buffer = new float[4096 * reader.Channels];
        int read;
        while ((read = reader.ReadSamples(buffer, 0, buffer.Length)) > 0)
        {
            sink.AddInterleaved(buffer.AsSpan(0, read - (read % reader.Channels)));
        }

        return sink.ToSignal();
    }

    private static AudioSignal DecodeOpus(byte[] file, WavDecoderOptions limits)
    {
        // 64 KiB is far above any Opus packet (120 ms at 510 kbit/s is under 8 KiB), and bounds a damaged lacing run.
        var packets = new OggPacketReader(file, maxPacket: 64 * 1024, codec: "Opus");
        if (!packets.HasFirstPage)
        {
            throw new AudioFormatException("The Ogg file's first page is damaged: its checksum does not match.");
        }

        if (!packets.TryNext(out _))
        {
            throw new AudioFormatException("The Ogg Opus stream ends before its identification header.");
        }

        var opus = OpusStreamDecoder.Create(packets.Packet, "Ogg Opus", limits);
        if (!packets.TryNext(out _))
        {
            throw new AudioFormatException("The Ogg Opus stream ends before its comment header.");
        }

        long? lastGranule = null;
        while (packets.TryNext(out long? granule))
        {
            opus.Add(packets.Packet);
            if (granule is { } position)
            {
                lastGranule = position;
            }
        }

        return opus.Finish(lastGranule is { } end ? Math.Max(0, end - opus.PreSkip) : null);
    }
}

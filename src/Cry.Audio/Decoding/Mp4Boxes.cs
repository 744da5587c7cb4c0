using System.Buffers.Binary;
using System.Globalization;

namespace Cry.Audio.Decoding;

/// <summary>Walks the boxes of an ISO base media file (MP4, M4A, 3GP, MOV) to name its audio codec.</summary>
/// <remarks>
/// <para>Written by hand because only this small, fully specified part (ISO/IEC 14496-12 box headers, the
/// <c>hdlr</c> and <c>stsd</c> boxes, and the <c>esds</c> descriptor of 14496-1) is needed: the decoding itself is
/// FFmpeg's. The walk says what a refusal should name ("AMR-NB in a 3GP container") and refuses a file with no audio
/// track before a process is started.</para>
/// <para>Bounded for hostile input: every box must fit inside its parent (a size past the end is "truncated"), a
/// size below 8 is refused, nesting stops at 12 levels and the walk at 4,096 boxes, so neither a box loop nor a
/// box claiming 4 GB can make it run long or allocate.</para>
/// </remarks>
internal static class Mp4Boxes
{
    private const int MaxDepth = 12;
    private const int MaxBoxes = 4096;

    /// <summary>What the walk found.</summary>
    /// <param name="Brand">The container in words: "3GP", "M4A", "MP4", "QuickTime MOV".</param>
    /// <param name="Codec">The first audio track's codec in words ("AMR-NB", "AAC-LC", "HE-AAC"), or null when the file has no audio track.</param>
    /// <param name="HasMovie">Whether a <c>moov</c> box was found.</param>
    internal readonly record struct Mp4Info(string Brand, string? Codec, bool HasMovie)
    {
        /// <summary>"AMR-NB in a 3GP container", or the container alone.</summary>
        public string Describe() => Codec is null ? $"{Brand} file" : $"{Codec} in a{(Brand[0] is 'A' or 'M' ? "n" : string.Empty)} {Brand} container";
    }

    /// <summary>Reads the brand and the first audio track's codec.</summary>
    /// <exception cref="AudioFormatException">A box header is broken (a size below 8, or more boxes than the walk allows).</exception>
    public static Mp4Info Inspect(ReadOnlySpan<byte> file)
    {
        string brand = "MP4";
        if (file.Length >= 12 && file.Slice(4, 4).SequenceEqual("ftyp"u8))
        {
            brand = Brand(file.Slice(8, 4));
        }
        else if (file.Length >= 8 && (file.Slice(4, 4).SequenceEqual("moov"u8) || file.Slice(4, 4).SequenceEqual("wide"u8) || file.Slice(4, 4).SequenceEqual("mdat"u8)))
        {
            brand = "QuickTime MOV";
        }

        int boxes = 0;
        bool hasMovie = false;
        string? codec = null;
        Walk(file, 0, ref boxes, ref hasMovie, ref codec);
        return new Mp4Info(brand, codec, hasMovie);
    }

    /// <summary>
    /// The first audio track's samples as raw AMR storage (RFC 4867 §5: the magic line, then the frames back to back),
    /// or null when that track is not AMR or its sample tables are missing or broken.
    /// </summary>
    /// <remarks>
    /// FFmpeg before 6.1 (Debian 12 has 5.1) decodes only the first frame of an AMR sample that holds several, and
    /// Android's recorder writes 13 frames (260 ms) a sample: such a recording came out at a thirteenth of its length.
    /// In raw storage each frame is a packet of its own. The samples are read through the track's 'stsz', 'stsc' and
    /// 'stco'/'co64' tables; every loop is bounded by the table entries present and the copy by the file's length.
    /// </remarks>
    public static byte[]? ExtractAmr(ReadOnlySpan<byte> file)
    {
        int budget = MaxBoxes;
        if (!FirstSoundSampleTable(file, ref budget, out ReadOnlySpan<byte> stbl))
        {
            return null;
        }

        if (!Child(stbl, "stsd"u8, ref budget, out var stsd) || SampleEntry(stsd) is not ("AMR-NB" or "AMR-WB") || stsd.Length < 16
            || !Child(stbl, "stsz"u8, ref budget, out var stsz) || stsz.Length < 12
            || !Child(stbl, "stsc"u8, ref budget, out var stsc) || stsc.Length < 8)
        {
            return null;
        }

        bool wide = stsd.Slice(12, 4).SequenceEqual("sawb"u8);
        bool co64 = false;
        if (!Child(stbl, "stco"u8, ref budget, out var stco))
        {
            co64 = Child(stbl, "co64"u8, ref budget, out stco);
        }

        if (stco.Length < 8)
        {
            return null;
        }

        ReadOnlySpan<byte> magic = wide ? "#!AMR-WB\n"u8 : "#!AMR\n"u8;
        uint fixedSize = BinaryPrimitives.ReadUInt32BigEndian(stsz[4..]);
        long sampleCount = BinaryPrimitives.ReadUInt32BigEndian(stsz[8..]);
        ReadOnlySpan<byte> sizes = stsz[12..];
        if (fixedSize == 0)
        {
            sampleCount = Math.Min(sampleCount, sizes.Length / 4); // Never more samples than sizes present.
        }

        int stscCount = (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(stsc[4..]), (uint)((stsc.Length - 8) / 12));
        int width = co64 ? 8 : 4;
        long chunkCount = Math.Min(BinaryPrimitives.ReadUInt32BigEndian(stco[4..]), (stco.Length - 8) / width);
        if (stscCount == 0 || chunkCount == 0 || sampleCount == 0)
        {
            return null;
        }

        return CopySamples(file, magic, stsc, stscCount, stco, co64, chunkCount, sizes, fixedSize, sampleCount);
    }

    // The 'stbl' box of the first sound track ('moov'/'trak'/'mdia'/'minf'), empty when that track has none; false without 'moov'.
    private static bool FirstSoundSampleTable(ReadOnlySpan<byte> file, scoped ref int budget, out ReadOnlySpan<byte> stbl)
    {
        stbl = default;
        if (!Child(file, "moov"u8, ref budget, out ReadOnlySpan<byte> moov))
        {
            return false;
        }

        int at = 0;
        while (NextBox(moov, ref at, ref budget, out ReadOnlySpan<byte> type, out ReadOnlySpan<byte> trak))
        {
            if (type.SequenceEqual("trak"u8) && IsSoundTrack(trak))
            {
                if (Child(trak, "mdia"u8, ref budget, out var mdia) && Child(mdia, "minf"u8, ref budget, out var minf))
                {
                    Child(minf, "stbl"u8, ref budget, out stbl);
                }

                break; // The first sound track, as Inspect names it.
            }
        }

        return true;
    }

    // The magic line, then the samples back to back, chunk by chunk as 'stsc' and 'stco'/'co64' place them; null when none was read.
    private static byte[]? CopySamples(
        ReadOnlySpan<byte> file,
        ReadOnlySpan<byte> magic,
        ReadOnlySpan<byte> stsc,
        int stscCount,
        ReadOnlySpan<byte> stco,
        bool co64,
        long chunkCount,
        ReadOnlySpan<byte> sizes,
        uint fixedSize,
        long sampleCount)
    {
        int width = co64 ? 8 : 4;
        byte[] output = new byte[magic.Length + file.Length];
        magic.CopyTo(output);
        int written = magic.Length;
        long sample = 0;
        int entry = 0;
        for (long chunk = 1; chunk <= chunkCount && sample < sampleCount; chunk++)
        {
            while (entry + 1 < stscCount && BinaryPrimitives.ReadUInt32BigEndian(stsc[(8 + (12 * (entry + 1)))..]) <= chunk)
            {
                entry++;
            }

            long perChunk = BinaryPrimitives.ReadUInt32BigEndian(stsc[(8 + (12 * entry) + 4)..]);
            ReadOnlySpan<byte> offsetField = stco[(8 + (int)((chunk - 1) * width))..];
            ulong offset = co64 ? BinaryPrimitives.ReadUInt64BigEndian(offsetField) : BinaryPrimitives.ReadUInt32BigEndian(offsetField);
            for (long s = 0; s < perChunk && sample < sampleCount; s++, sample++)
            {
                uint size = fixedSize != 0 ? fixedSize : BinaryPrimitives.ReadUInt32BigEndian(sizes[(int)(4 * sample)..]);
                if (offset >= (ulong)file.Length || written + (long)size > output.Length)
                {
                    // Tables that point past the end (a truncated file) or claim more than the file holds: what was read stands.
                    return written > magic.Length ? output[..written] : null;
                }

                if (size > (ulong)file.Length - offset)
                {
                    // The file ends inside this sample: its whole frames are still audio.
                    size = (uint)((ulong)file.Length - offset);
                    sampleCount = sample + 1;
                }

                file.Slice((int)offset, (int)size).CopyTo(output.AsSpan(written));
                written += (int)size;
                offset += size;
            }
        }

        return written > magic.Length ? output[..written] : null;
    }

    // The body of the first child box of a type.
    private static bool Child(ReadOnlySpan<byte> span, ReadOnlySpan<byte> wanted, scoped ref int budget, out ReadOnlySpan<byte> body)
    {
        int at = 0;
        while (NextBox(span, ref at, ref budget, out ReadOnlySpan<byte> type, out body))
        {
            if (type.SequenceEqual(wanted))
            {
                return true;
            }
        }

        body = default;
        return false;
    }

    // The box at `at` (its body clipped to the span), advancing past it; false at the end, at a broken header, or when
    // the walk has seen MaxBoxes boxes.
    private static bool NextBox(ReadOnlySpan<byte> span, scoped ref int at, scoped ref int budget, out ReadOnlySpan<byte> type, out ReadOnlySpan<byte> body)
    {
        type = default;
        body = default;
        if (at + 8 > span.Length || --budget < 0)
        {
            return false;
        }

        long size = BinaryPrimitives.ReadUInt32BigEndian(span[at..]);
        int header = 8;
        if (size == 1)
        {
            if (at + 16 > span.Length)
            {
                return false;
            }

            size = (long)Math.Min(BinaryPrimitives.ReadUInt64BigEndian(span[(at + 8)..]), long.MaxValue);
            header = 16;
        }
        else if (size == 0)
        {
            size = span.Length - at;
        }

        if (size < header)
        {
            return false;
        }

        int end = size > span.Length - at ? span.Length : at + (int)size;
        type = span.Slice(at + 4, 4);
        body = span[(at + header)..end];
        at = end;
        return true;
    }

    private static void Walk(ReadOnlySpan<byte> span, int depth, ref int boxes, ref bool hasMovie, ref string? codec)
    {
        int at = 0;
        while (at + 8 <= span.Length && codec is null)
        {
            if (++boxes > MaxBoxes)
            {
                throw new AudioFormatException(string.Create(CultureInfo.InvariantCulture, $"The MP4 file has more than {MaxBoxes} boxes; it is not a recording."));
            }

            long size = BinaryPrimitives.ReadUInt32BigEndian(span[at..]);
            ReadOnlySpan<byte> type = span.Slice(at + 4, 4);
            int header = 8;
            if (size == 1)
            {
                if (at + 16 > span.Length)
                {
                    return; // Truncated inside a header.
                }

                size = (long)Math.Min(BinaryPrimitives.ReadUInt64BigEndian(span[(at + 8)..]), long.MaxValue);
                header = 16;
            }
            else if (size == 0)
            {
                size = span.Length - at; // "To the end of the enclosing box."
            }

            if (size < header)
            {
                throw new AudioFormatException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"The MP4 box '{FourCc(type)}' at byte {at} has size {size}, smaller than its own header: the file is corrupt."));
            }

            // A box past the end is truncated: read what is there (compared before adding, as a 64-bit size can overflow).
            int end = size > span.Length - at ? span.Length : at + (int)size;
            ReadOnlySpan<byte> body = span[(at + header)..end];
            if (type.SequenceEqual("moov"u8))
            {
                hasMovie = true;
            }

            if (depth < MaxDepth && (type.SequenceEqual("moov"u8) || type.SequenceEqual("mdia"u8) || type.SequenceEqual("minf"u8) || type.SequenceEqual("stbl"u8)))
            {
                Walk(body, depth + 1, ref boxes, ref hasMovie, ref codec);
            }
            else if (depth < MaxDepth && type.SequenceEqual("trak"u8) && IsSoundTrack(body))
            {
                Walk(body, depth + 1, ref boxes, ref hasMovie, ref codec);
            }
            else if (type.SequenceEqual("stsd"u8))
            {
                codec = SampleEntry(body);
            }

            if (end <= at)
            {
                return;
            }

            at = end;
        }
    }

    // trak → mdia → hdlr with handler type 'soun'.
    private static bool IsSoundTrack(ReadOnlySpan<byte> trak)
    {
        int mdia = Find(trak, "mdia"u8, out int mdiaLength);
        if (mdia < 0)
        {
            return false;
        }

        ReadOnlySpan<byte> media = trak.Slice(mdia, mdiaLength);
        int hdlr = Find(media, "hdlr"u8, out int hdlrLength);
        return hdlr >= 0 && hdlrLength >= 12 && media.Slice(hdlr + 8, 4).SequenceEqual("soun"u8);
    }

    // The body offset and length of the first child box of a type, or −1.
    private static int Find(ReadOnlySpan<byte> span, ReadOnlySpan<byte> wanted, out int length)
    {
        int at = 0;
        for (int n = 0; at + 8 <= span.Length && n < MaxBoxes; n++)
        {
            long size = BinaryPrimitives.ReadUInt32BigEndian(span[at..]);
            size = size == 0 ? span.Length - at : size;
            if (size < 8)
            {
                break;
            }

            int end = (int)Math.Min(span.Length, at + size);
            if (span.Slice(at + 4, 4).SequenceEqual(wanted))
            {
                length = end - at - 8;
                return at + 8;
            }

            at = end;
        }

        length = 0;
        return -1;
    }

    // stsd: version/flags (4), entry count (4), then sample entries: size (4), format (4), …
    private static string? SampleEntry(ReadOnlySpan<byte> stsd)
    {
        if (stsd.Length < 16)
        {
            return null;
        }

        ReadOnlySpan<byte> entry = stsd[8..];
        ReadOnlySpan<byte> format = entry.Slice(4, 4);
        return FourCc(format) switch
        {
            "samr" => "AMR-NB",
            "sawb" => "AMR-WB",
            "mp4a" => Mpeg4Audio(entry),
            "Opus" => "Opus",
            "fLaC" => "FLAC",
            "alac" => "Apple Lossless (ALAC)",
            "ulaw" => "µ-law",
            "alaw" => "A-law",
            "ima4" => "IMA4 ADPCM",
            "sowt" or "twos" or "lpcm" or "in24" or "in32" or "fl32" or "fl64" or "raw " => "linear PCM",
            ".mp3" => "MP3",
            "ac-3" => "AC-3",
            "ec-3" => "E-AC-3",
            string other => $"the codec '{other}'",
        };
    }

    // mp4a → esds → ES_Descriptor → DecoderConfigDescriptor (object type) → DecoderSpecificInfo (audio object type).
    private static string Mpeg4Audio(ReadOnlySpan<byte> entry)
    {
        int esds = entry.IndexOf("esds"u8);
        if (esds < 4)
        {
            return "AAC";
        }

        ReadOnlySpan<byte> d = entry[(esds + 8)..]; // After the type and the full box's version/flags.
        int at = 0;
        if (!Descriptor(d, ref at, 0x03, out _))
        {
            return "AAC";
        }

        at += 2; // ES_ID
        if (at >= d.Length)
        {
            return "AAC";
        }

        byte flags = d[at++];
        at += ((flags & 0x80) != 0 ? 2 : 0) + ((flags & 0x20) != 0 ? 2 : 0);
        if ((flags & 0x40) != 0 && at < d.Length)
        {
            at += 1 + d[at];
        }

        if (!Descriptor(d, ref at, 0x04, out _) || at + 13 > d.Length)
        {
            return "AAC";
        }

        byte objectType = d[at];
        if (objectType is 0x69 or 0x6B)
        {
            return "MP3";
        }

        at += 13;
        if (objectType != 0x40 || !Descriptor(d, ref at, 0x05, out int length) || length < 1 || at >= d.Length)
        {
            return "AAC";
        }

        int audioObjectType = d[at] >> 3;
        if (audioObjectType == 31 && at + 1 < d.Length)
        {
            audioObjectType = 32 + (((d[at] & 0x07) << 3) | (d[at + 1] >> 5));
        }

        return audioObjectType switch
        {
            1 => "AAC Main",
            2 => "AAC-LC",
            5 => "HE-AAC",
            29 => "HE-AAC v2",
            23 => "AAC-LD",
            39 => "AAC-ELD",
            _ => "AAC",
        };
    }

    private static bool Descriptor(ReadOnlySpan<byte> d, ref int at, byte tag, out int length)
    {
        length = 0;
        if (at >= d.Length || d[at] != tag)
        {
            return false;
        }

        at++;
        for (int i = 0; i < 4 && at < d.Length; i++)
        {
            byte b = d[at++];
            length = (length << 7) | (b & 0x7F);
            if ((b & 0x80) == 0)
            {
                return true;
            }
        }

        return false;
    }

    private static string Brand(ReadOnlySpan<byte> major) => FourCc(major).TrimEnd() switch
    {
        "3gp4" or "3gp5" or "3gp6" or "3gp7" or "3gs7" or "3ge6" or "3ge7" or "3gg6" => "3GP",
        "3g2a" or "3g2b" or "3g2c" => "3G2",
        "M4A" or "M4B" or "M4P" => "M4A",
        "qt" => "QuickTime MOV",
        _ => "MP4",
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

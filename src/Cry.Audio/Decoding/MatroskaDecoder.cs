using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Cry.Audio.Wav;

namespace Cry.Audio.Decoding;

/// <summary>Reads WebM/Matroska: names the first audio track's codec and decodes Opus tracks with Concentus.</summary>
/// <remarks>
/// <para>The EBML walk is written by hand: NEbml 1.1.1.10, the EBML package served here, refuses elements of unknown
/// size ("unknown-size elements are not allowed at root level"), and every file a browser's MediaRecorder writes
/// has them (a live Segment and live Clusters). The part needed is small and fully specified (RFC 8794 variable-size
/// integers; the Matroska elements EBML, Segment, Tracks/TrackEntry, Cluster, SimpleBlock, BlockGroup/Block and the
/// three lacings).</para>
/// <para>Bounded for hostile input: every element must fit in its parent (one that runs past the end is read as far
/// as it goes), unknown sizes are accepted only for Segment and Cluster (a Cluster of unknown size ends at the next
/// element of Segment level), and each step consumes at least one header, so the walk ends.</para>
/// </remarks>
internal static class MatroskaDecoder
{
    private const uint EbmlId = 0x1A45DFA3;
    private const uint DocTypeId = 0x4282;
    private const uint SegmentId = 0x18538067;
    private const uint TracksId = 0x1654AE6B;
    private const uint TrackEntryId = 0xAE;
    private const uint TrackNumberId = 0xD7;
    private const uint TrackTypeId = 0x83;
    private const uint CodecIdId = 0x86;
    private const uint CodecPrivateId = 0x63A2;
    private const uint AudioId = 0xE1;
    private const uint SamplingFrequencyId = 0xB5;
    private const uint ChannelsId = 0x9F;
    private const uint ClusterId = 0x1F43B675;
    private const uint SimpleBlockId = 0xA3;
    private const uint BlockGroupId = 0xA0;
    private const uint BlockId = 0xA1;
    private const uint DiscardPaddingId = 0x75A2;
    private const int MaxLaced = 256;

    // Elements that may follow a Cluster at Segment level: one of them ends a Cluster of unknown size.
    private static readonly uint[] s_segmentLevel = [ClusterId, 0x1C53BB6B, 0x1254C367, 0x1043A770, 0x1941A469, 0x114D9B74, 0x1549A966, TracksId];

    private readonly record struct Track(ulong Number, string CodecId, byte[] CodecPrivate, double SampleRate, int Channels);

    /// <summary>The file in words: "Opus in a WebM container".</summary>
    public static string Describe(ReadOnlySpan<byte> file)
    {
        var (docType, track, _) = ReadHeaders(file);
        string container = docType == "webm" ? "WebM" : "Matroska";
        if (track is not { } t)
        {
            return $"{container} file";
        }

        string codec = t.CodecId switch
        {
            "A_OPUS" => "Opus",
            "A_VORBIS" => "Vorbis",
            "A_AAC" or "A_AAC/MPEG4/LC" or "A_AAC/MPEG2/LC" => "AAC",
            "A_FLAC" => "FLAC",
            "A_MPEG/L3" => "MP3",
            "A_PCM/INT/LIT" or "A_PCM/FLOAT/IEEE" => "linear PCM",
            _ => $"the codec '{t.CodecId}'",
        };
        return $"{codec} in a {container} container";
    }

    /// <summary>Whether the Tracks element (before the first Cluster) has an audio track.</summary>
    /// <exception cref="AudioFormatException">The EBML structure is broken.</exception>
    public static bool HasAudioTrack(ReadOnlySpan<byte> file) => ReadHeaders(file).Track is not null;

    /// <summary>Whether the first audio track is Opus of a layout the managed decoder reads.</summary>
    public static bool IsManaged(ReadOnlySpan<byte> file)
    {
        try
        {
            return ReadHeaders(file).Track is { CodecId: "A_OPUS" };
        }
        catch (AudioFormatException)
        {
            return false;
        }
    }

    /// <summary>Decodes the first audio track, which must be Opus.</summary>
    /// <exception cref="AudioFormatException">The file is broken, out of the limits, has no audio track or holds no audio.</exception>
    /// <exception cref="ManagedDecoderException">The Opus decoder failed, or the layout is not one it reads.</exception>
    public static AudioSignal Decode(ReadOnlySpan<byte> file, WavDecoderOptions limits)
    {
        var (docType, found, segmentBody) = ReadHeaders(file);
        string format = docType == "webm" ? "WebM Opus" : "Matroska Opus";
        if (found is not { } track)
        {
            throw new AudioFormatException($"The {(docType == "webm" ? "WebM" : "Matroska")} file has no audio track.");
        }

        if (track.CodecId != "A_OPUS")
        {
            throw new ManagedDecoderException($"the managed decoder reads Opus, not {track.CodecId}");
        }

        var opus = OpusStreamDecoder.Create(track.CodecPrivate, format, limits);
        long discard = 0;
        Span<int> sizes = stackalloc int[MaxLaced];
        ReadOnlySpan<byte> segment = file.Slice(segmentBody.Start, segmentBody.Length);
        int at = 0;
        while (Element(segment, ref at, out uint id, out int body, out int length, out bool unknown))
        {
            if (id == ClusterId)
            {
                int clusterEnd = unknown ? EndOfUnknownCluster(segment, body) : body + length;
                int inner = body;
                ReadOnlySpan<byte> cluster = segment[..clusterEnd];
                while (Element(cluster, ref inner, out uint childId, out int childBody, out int childLength, out _))
                {
                    if (childId == SimpleBlockId)
                    {
                        AddBlock(cluster.Slice(childBody, childLength), track.Number, opus, sizes);
                    }
                    else if (childId == BlockGroupId)
                    {
                        ReadOnlySpan<byte> group = cluster.Slice(childBody, childLength);
                        int g = 0;
                        while (Element(group, ref g, out uint groupId, out int groupBody, out int groupLength, out _))
                        {
                            if (groupId == BlockId)
                            {
                                AddBlock(group.Slice(groupBody, groupLength), track.Number, opus, sizes);
                            }
                            else if (groupId == DiscardPaddingId)
                            {
                                discard = SignedInteger(group.Slice(groupBody, groupLength));
                            }
                        }
                    }
                }

                at = clusterEnd;
            }
        }

        // DiscardPadding is in nanoseconds; beyond a second it is not padding of the last frame (and would overflow).
        long padding = discard is > 0 and < 1_000_000_000 ? discard * OpusStreamDecoder.SampleRate / 1_000_000_000 : 0;
        return opus.Finish(null, padding);
    }

    private static (string DocType, Track? Track, (int Start, int Length) Segment) ReadHeaders(ReadOnlySpan<byte> file)
    {
        int at = 0;
        if (!Element(file, ref at, out uint id, out int body, out int length, out _) || id != EbmlId)
        {
            throw new AudioFormatException("The Matroska/WebM file does not start with a complete EBML header.");
        }

        string docType = "matroska";
        ReadOnlySpan<byte> header = file.Slice(body, length);
        int h = 0;
        while (Element(header, ref h, out uint headerId, out int headerBody, out int headerLength, out _))
        {
            if (headerId == DocTypeId)
            {
                docType = Ascii(header.Slice(headerBody, headerLength));
            }
        }

        if (docType is not ("webm" or "matroska"))
        {
            throw new AudioFormatException($"The EBML file's document type is '{docType}', not WebM or Matroska.") { IsUnsupportedFormat = true };
        }

        while (Element(file, ref at, out id, out body, out length, out _))
        {
            if (id != SegmentId)
            {
                continue;
            }

            ReadOnlySpan<byte> segment = file.Slice(body, length);
            int s = 0;
            while (Element(segment, ref s, out uint childId, out int childBody, out int childLength, out bool unknown))
            {
                if (childId == TracksId)
                {
                    return (docType, FirstAudioTrack(segment.Slice(childBody, childLength)), (body, length));
                }

                if (childId == ClusterId)
                {
                    break; // Tracks come before the first cluster.
                }

                if (unknown)
                {
                    break;
                }
            }

            return (docType, null, (body, length));
        }

        throw new AudioFormatException("The Matroska/WebM file has no Segment: it holds no audio (it may be truncated).");
    }

    private static Track? FirstAudioTrack(ReadOnlySpan<byte> tracks)
    {
        int at = 0;
        while (Element(tracks, ref at, out uint id, out int body, out int length, out _))
        {
            if (id != TrackEntryId)
            {
                continue;
            }

            ReadOnlySpan<byte> entry = tracks.Slice(body, length);
            ulong number = 0;
            ulong type = 0;
            string codec = string.Empty;
            byte[] codecPrivate = [];
            double rate = 8000;
            int channels = 1;
            int e = 0;
            while (Element(entry, ref e, out uint field, out int fieldBody, out int fieldLength, out _))
            {
                ReadOnlySpan<byte> value = entry.Slice(fieldBody, fieldLength);
                switch (field)
                {
                    case TrackNumberId:
                        number = UnsignedInteger(value);
                        break;
                    case TrackTypeId:
                        type = UnsignedInteger(value);
                        break;
                    case CodecIdId:
                        codec = Ascii(value);
                        break;
                    case CodecPrivateId:
                        codecPrivate = value.ToArray();
                        break;
                    case AudioId:
                        int a = 0;
                        while (Element(value, ref a, out uint audioId, out int audioBody, out int audioLength, out _))
                        {
                            ReadOnlySpan<byte> v = value.Slice(audioBody, audioLength);
                            if (audioId == SamplingFrequencyId)
                            {
                                rate = v.Length == 4 ? BinaryPrimitives.ReadSingleBigEndian(v) : v.Length == 8 ? BinaryPrimitives.ReadDoubleBigEndian(v) : rate;
                            }
                            else if (audioId == ChannelsId)
                            {
                                channels = (int)Math.Min(UnsignedInteger(v), int.MaxValue);
                            }
                        }

                        break;
                }
            }

            if (type == 2)
            {
                return new Track(number, codec, codecPrivate, rate, channels);
            }
        }

        return null;
    }

    // A (Simple)Block: track number (a variable-size integer), a 16-bit timecode, flags, then one frame or a lace.
    private static void AddBlock(ReadOnlySpan<byte> block, ulong track, OpusStreamDecoder opus, Span<int> sizes)
    {
        int at = 0;
        if (!VarInt(block, ref at, keepMarker: false, out ulong number, out _) || at + 3 > block.Length || number != track)
        {
            return;
        }

        at += 2;
        int lacing = (block[at++] >> 1) & 0x03;
        ReadOnlySpan<byte> data = block[at..];
        if (lacing == 0)
        {
            opus.Add(data);
            return;
        }

        if (data.IsEmpty)
        {
            return;
        }

        int frames = data[0] + 1;
        int p = 1;
        if (frames > sizes.Length)
        {
            throw new AudioFormatException(string.Create(CultureInfo.InvariantCulture, $"A Matroska block laces {frames} frames, more than {sizes.Length}."));
        }

        // The sizes of all frames but the last; 64-bit sum: hostile sizes must not wrap it back to a plausible last size.
        long known;
        bool sized = lacing switch
        {
            1 => XiphLaceSizes(data, ref p, frames, sizes, out known),
            3 => EbmlLaceSizes(data, ref p, frames, sizes, out known),
            _ => FixedLaceSizes(data, p, frames, sizes, out known),
        };
        if (!sized)
        {
            return;
        }

        long last = data.Length - p - known;
        if (last < 0)
        {
            return; // A truncated lace: what is there of earlier blocks stands.
        }

        sizes[frames - 1] = (int)last;
        for (int f = 0; f < frames; f++)
        {
            opus.Add(data.Slice(p, sizes[f]));
            p += sizes[f];
        }
    }

    // Xiph lacing: each size as a run of 255s and a final byte. False when the sizes run past the data.
    private static bool XiphLaceSizes(ReadOnlySpan<byte> data, ref int p, int frames, Span<int> sizes, out long known)
    {
        known = 0;
        for (int f = 0; f < frames - 1; f++)
        {
            long size = 0;
            byte b;
            do
            {
                if (p >= data.Length)
                {
                    return false;
                }

                b = data[p++];
                size += b;
            }
            while (b == 255);
            if (size > data.Length)
            {
                return false;
            }

            sizes[f] = (int)size;
            known += size;
        }

        return true;
    }

    // EBML lacing: the first size, then signed differences. False when a size is unreadable or out of range.
    private static bool EbmlLaceSizes(ReadOnlySpan<byte> data, ref int p, int frames, Span<int> sizes, out long known)
    {
        known = 0;
        if (!VarInt(data, ref p, keepMarker: false, out ulong first, out _))
        {
            return false;
        }

        if (first > (ulong)data.Length)
        {
            return false;
        }

        sizes[0] = (int)first;
        known = sizes[0];
        for (int f = 1; f < frames - 1; f++)
        {
            int start = p;
            if (!VarInt(data, ref p, keepMarker: false, out ulong raw, out _))
            {
                return false;
            }

            int bytes = p - start;
            long bias = (1L << ((7 * bytes) - 1)) - 1;
            long size = sizes[f - 1] + ((long)raw - bias);
            if (size < 0 || size > data.Length)
            {
                return false;
            }

            sizes[f] = (int)size;
            known += sizes[f];
        }

        return true;
    }

    // Fixed lacing: equal sizes.
    private static bool FixedLaceSizes(ReadOnlySpan<byte> data, int p, int frames, Span<int> sizes, out long known)
    {
        int each = (data.Length - p) / frames;
        for (int f = 0; f < frames - 1; f++)
        {
            sizes[f] = each;
        }

        known = each * (frames - 1);
        return true;
    }

    private static int EndOfUnknownCluster(ReadOnlySpan<byte> segment, int body)
    {
        int at = body;
        while (true)
        {
            int start = at;
            if (!Element(segment, ref at, out uint id, out _, out _, out _))
            {
                return segment.Length;
            }

            if (Array.IndexOf(s_segmentLevel, id) >= 0)
            {
                return start;
            }
        }
    }

    // One element header at `at`: its id, where its body starts and how long it is (clipped to the span). Advances
    // `at` past the element (past the header only for an element of unknown size, whose children follow).
    private static bool Element(ReadOnlySpan<byte> span, ref int at, out uint id, out int body, out int length, out bool unknown)
    {
        id = 0;
        body = 0;
        length = 0;
        unknown = false;
        int p = at;
        if (!VarInt(span, ref p, keepMarker: true, out ulong rawId, out int idBytes) || idBytes > 4)
        {
            return false;
        }

        if (!VarInt(span, ref p, keepMarker: false, out ulong size, out int sizeBytes))
        {
            return false;
        }

        id = (uint)rawId;
        body = p;
        unknown = size == (1UL << (7 * sizeBytes)) - 1;
        if (unknown)
        {
            if (id is not (SegmentId or ClusterId))
            {
                throw new AudioFormatException($"The Matroska element 0x{id:X} has an unknown size, which only a Segment or a Cluster may have.");
            }

            length = span.Length - p;
            at = id == ClusterId ? p : span.Length;
            return true;
        }

        length = (int)Math.Min(size, (ulong)(span.Length - p));
        at = p + length;
        return true;
    }

    private static bool VarInt(ReadOnlySpan<byte> span, ref int at, bool keepMarker, out ulong value, out int bytes)
    {
        value = 0;
        bytes = 0;
        if (at >= span.Length || span[at] == 0)
        {
            return false;
        }

        bytes = System.Numerics.BitOperations.LeadingZeroCount((uint)span[at]) - 23;
        if (at + bytes > span.Length)
        {
            return false;
        }

        value = keepMarker ? span[at] : (ulong)(span[at] & (0xFF >> bytes));
        for (int i = 1; i < bytes; i++)
        {
            value = (value << 8) | span[at + i];
        }

        at += bytes;
        return true;
    }

    private static ulong UnsignedInteger(ReadOnlySpan<byte> value)
    {
        ulong result = 0;
        foreach (byte b in value[..Math.Min(8, value.Length)])
        {
            result = (result << 8) | b;
        }

        return result;
    }

    private static long SignedInteger(ReadOnlySpan<byte> value)
    {
        if (value.IsEmpty)
        {
            return 0;
        }

        long result = (sbyte)value[0];
        foreach (byte b in value[1..Math.Min(8, value.Length)])
        {
            result = (result << 8) | b;
        }

        return result;
    }

    private static string Ascii(ReadOnlySpan<byte> value)
    {
        int end = value.IndexOf((byte)0);
        return Encoding.ASCII.GetString(end >= 0 ? value[..end] : value);
    }
}

namespace Cry.Audio.Tests.Decoding;

/// <summary>Writes EBML elements (RFC 8794) and Matroska/WebM files of any shape.</summary>
internal static class EbmlBuilder
{
    public const uint Ebml = 0x1A45DFA3, DocType = 0x4282, Segment = 0x18538067, Tracks = 0x1654AE6B, TrackEntry = 0xAE,
        TrackNumber = 0xD7, TrackType = 0x83, CodecId = 0x86, CodecPrivate = 0x63A2, Audio = 0xE1, SamplingFrequency = 0xB5,
        Channels = 0x9F, Cluster = 0x1F43B675, Timecode = 0xE7, SimpleBlock = 0xA3, BlockGroup = 0xA0, BlockInGroup = 0xA1;

    /// <summary>An element with its true size, written in 8 bytes.</summary>
    public static byte[] Element(uint id, params byte[][] body)
    {
        byte[] content = [.. body.SelectMany(b => b)];
        return [.. Id(id), .. Size((ulong)content.Length), .. content];
    }

    /// <summary>An element whose size field is "unknown" (all ones), followed by its children.</summary>
    public static byte[] Unknown(uint id, params byte[][] body) => [.. Id(id), 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, .. body.SelectMany(b => b)];

    /// <summary>An element whose size field says <paramref name="size"/>, whatever its body.</summary>
    public static byte[] Sized(uint id, ulong size, byte[] body) => [.. Id(id), .. Size(size), .. body];

    public static byte[] UInt(uint id, ulong value) => Element(id, [.. BitConverter.GetBytes(value).Reverse()]);

    public static byte[] Text(uint id, string value) => Element(id, System.Text.Encoding.ASCII.GetBytes(value));

    public static byte[] Header(string docType = "webm") => Element(Ebml, Text(DocType, docType));

    public static byte[] OpusTrack(byte[]? codecPrivate = null, ulong number = 1) => Element(
        TrackEntry,
        UInt(TrackNumber, number),
        UInt(TrackType, 2),
        Text(CodecId, "A_OPUS"),
        Element(CodecPrivate, codecPrivate ?? OggBuilder.OpusHead()),
        Element(Audio, Element(SamplingFrequency, [0x40, 0xE7, 0x70, 0, 0, 0, 0, 0]), UInt(Channels, 1)));

    /// <summary>A SimpleBlock of track 1 at time 0 with <paramref name="flags"/> (lacing in bits 1–2) and <paramref name="payload"/>.</summary>
    public static byte[] Block(byte flags, params byte[] payload) => Element(SimpleBlock, [0x81, 0, 0, flags], payload);

    /// <summary>A WebM Opus file as a browser's recorder writes it: live Segment and Cluster of unknown size.</summary>
    public static byte[] LiveOpus(int blocks, params byte[][] extraBlocks) => [
        .. Header(),
        .. Unknown(
            Segment,
            Element(Tracks, OpusTrack()),
            Unknown(Cluster, [.. UInt(Timecode, 0), .. Enumerable.Range(0, blocks).SelectMany(_ => Block(0x80, OggBuilder.SilencePacket())), .. extraBlocks.SelectMany(b => b)]))];

    private static byte[] Id(uint id) => id switch
    {
        <= 0xFF => [(byte)id],
        <= 0xFFFF => [(byte)(id >> 8), (byte)id],
        <= 0xFFFFFF => [(byte)(id >> 16), (byte)(id >> 8), (byte)id],
        _ => [(byte)(id >> 24), (byte)(id >> 16), (byte)(id >> 8), (byte)id],
    };

    private static byte[] Size(ulong size) => [0x01, .. BitConverter.GetBytes(size).Reverse().Skip(1)];
}

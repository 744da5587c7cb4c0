using System.Buffers.Binary;

namespace Cry.Audio.Tests.Decoding;

/// <summary>Writes Ogg pages (RFC 3533) with their CRC, so streams of any shape can be built.</summary>
internal sealed class OggBuilder
{
    private static readonly uint[] s_crc = CrcTable();
    private readonly List<byte[]> _pages = [];
    private uint _sequence;

    public int Serial { get; init; } = 0x0C0FFEE;

    /// <summary>Opus's identification header (RFC 7845 §5.1).</summary>
    public static byte[] OpusHead(int channels = 1, int preSkip = 312, int family = 0, short gain = 0)
    {
        byte[] head = [.. "OpusHead"u8, 1, (byte)channels, 0, 0, 0x80, 0xBB, 0, 0, 0, 0, (byte)family];
        BinaryPrimitives.WriteUInt16LittleEndian(head.AsSpan(10), (ushort)preSkip);
        BinaryPrimitives.WriteInt16LittleEndian(head.AsSpan(16), gain);
        return family == 0 ? head : [.. head, 1, 0, .. Enumerable.Range(0, channels).Select(i => (byte)i)];
    }

    /// <summary>Opus's comment header, with no comments.</summary>
    public static byte[] OpusTags() => [.. "OpusTags"u8, 4, 0, 0, 0, .. "test"u8, 0, 0, 0, 0];

    /// <summary>A 20 ms mono CELT packet of silence, as libopus writes in discontinuous transmission.</summary>
    public static byte[] SilencePacket() => [0xF8, 0xFF, 0xFE];

    /// <summary>A page holding whole <paramref name="packets"/> (each laced in 255s), with the given granule and flags.</summary>
    public OggBuilder Page(long granule, byte flags, params byte[][] packets)
    {
        var lacing = new List<byte>();
        foreach (byte[] packet in packets)
        {
            for (int left = packet.Length; ; left -= 255)
            {
                lacing.Add((byte)Math.Min(left, 255));
                if (left < 255)
                {
                    break;
                }
            }
        }

        return RawPage(granule, flags, [.. lacing], [.. packets.SelectMany(p => p)]);
    }

    /// <summary>A page with a segment table and body as given (for packets that span pages, or lying tables).</summary>
    public OggBuilder RawPage(long granule, byte flags, byte[] lacing, byte[] body)
    {
        byte[] page = new byte[27 + lacing.Length + body.Length];
        "OggS"u8.CopyTo(page);
        page[5] = flags;
        BinaryPrimitives.WriteInt64LittleEndian(page.AsSpan(6), granule);
        BinaryPrimitives.WriteInt32LittleEndian(page.AsSpan(14), Serial);
        BinaryPrimitives.WriteUInt32LittleEndian(page.AsSpan(18), _sequence++);
        page[26] = (byte)lacing.Length;
        lacing.CopyTo(page, 27);
        body.CopyTo(page, 27 + lacing.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(page.AsSpan(22), Crc(page));
        _pages.Add(page);
        return this;
    }

    public byte[] Build() => [.. _pages.SelectMany(p => p)];

    /// <summary>An Ogg Opus stream of <paramref name="pages"/> pages of <paramref name="packetsPerPage"/> silent 20 ms packets.</summary>
    public static byte[] OpusStream(int pages, int packetsPerPage, bool endOfStream = true, bool granules = true)
    {
        var ogg = new OggBuilder().Page(0, 0x02, OpusHead()).Page(0, 0, OpusTags());
        for (int p = 0; p < pages; p++)
        {
            bool last = p == pages - 1;
            long granule = granules ? (long)(p + 1) * packetsPerPage * 960 : -1; // Samples decoded by the page's end, pre-skip included.
            ogg.Page(granule, (byte)(last && endOfStream ? 0x04 : 0), [.. Enumerable.Repeat(SilencePacket(), packetsPerPage)]);
        }

        return ogg.Build();
    }

    /// <summary>The page's CRC-32 (RFC 3533 §6), its checksum field being zero.</summary>
    public static uint Crc(ReadOnlySpan<byte> page)
    {
        uint crc = 0;
        foreach (byte b in page)
        {
            crc = (crc << 8) ^ s_crc[(int)((crc >> 24) ^ b)];
        }

        return crc;
    }

    private static uint[] CrcTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint r = i << 24;
            for (int k = 0; k < 8; k++)
            {
                r = (r & 0x80000000) != 0 ? (r << 1) ^ 0x04C11DB7 : r << 1;
            }

            table[i] = r;
        }

        return table;
    }
}

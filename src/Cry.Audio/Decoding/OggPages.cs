using System.Buffers.Binary;
using System.Globalization;

namespace Cry.Audio.Decoding;

/// <summary>The Ogg page walk (RFC 3533): whole pages with matching checksums, and the packets of the first stream.</summary>
/// <remarks>
/// Written here because NVorbis 0.10.5's page reader (the only Ogg reader this workplace serves) loops forever
/// resynchronising after a page whose checksum does not match (found by the decoder fuzz: one overwritten byte in an
/// Ogg Opus file hung a request thread), and miscounts packets that span pages. The format is small and fully
/// specified: a 27-byte header, a segment table, the body, a CRC-32 over the page. A file is read up to its first page
/// that is cut, damaged or not contiguous — what comes before is decoded, as for any truncated file — so the library
/// never sees a bad page and never resynchronises.
/// </remarks>
internal static class OggPages
{
    private const int HeaderLength = 27;

    // RFC 3533 §6: polynomial 0x04C11DB7, most significant bit first, initial value 0, no final XOR. Not the reflected
    // IEEE CRC-32 of System.IO.Hashing.Crc32 (initial and final ~0), so it is a table here.
    private static readonly uint[] s_crcTable = BuildCrcTable();

    /// <summary>The length of the longest prefix of <paramref name="file"/> made of whole, undamaged pages (0 when the first is not).</summary>
    public static int ValidPrefix(ReadOnlySpan<byte> file)
    {
        int at = 0;
        while (TryPage(file[at..], out int length))
        {
            at += length;
        }

        return at;
    }

    /// <summary>Whether <paramref name="data"/> starts with a whole page whose checksum matches, and its length.</summary>
    public static bool TryPage(ReadOnlySpan<byte> data, out int length)
    {
        length = 0;
        if (data.Length < HeaderLength || !data.StartsWith("OggS"u8) || data[4] != 0)
        {
            return false;
        }

        int segments = data[26];
        if (data.Length < HeaderLength + segments)
        {
            return false;
        }

        int body = 0;
        foreach (byte lacing in data.Slice(HeaderLength, segments))
        {
            body += lacing;
        }

        int total = HeaderLength + segments + body;
        if (data.Length < total || Checksum(data[..total]) != BinaryPrimitives.ReadUInt32LittleEndian(data[22..]))
        {
            return false;
        }

        length = total;
        return true;
    }

    /// <summary>The page's CRC-32, computed with its checksum field taken as zero.</summary>
    public static uint Checksum(ReadOnlySpan<byte> page)
    {
        uint crc = 0;
        for (int i = 0; i < page.Length; i++)
        {
            byte value = i is >= 22 and < 26 ? (byte)0 : page[i];
            crc = (crc << 8) ^ s_crcTable[(byte)(crc >> 24) ^ value];
        }

        return crc;
    }

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint r = i << 24;
            for (int bit = 0; bit < 8; bit++)
            {
                r = (r & 0x8000_0000u) != 0 ? (r << 1) ^ 0x04C1_1DB7u : r << 1;
            }

            table[i] = r;
        }

        return table;
    }
}

/// <summary>
/// The packets of the first logical stream of an Ogg file's undamaged prefix, in order, each with the granule position
/// of the page it ends on when it is the last packet to end there (RFC 3533 §4), else none.
/// </summary>
internal sealed class OggPacketReader
{
    private readonly byte[] _file;
    private readonly int _end;
    private readonly byte[] _packet;
    private readonly string _codec;
    private int _next; // The next page's offset.
    private int _serial;
    private bool _started;
    private bool _ended;
    private int _segmentTable;
    private int _segmentCount;
    private int _segment;
    private int _body;
    private int _lastEnding;
    private long _granule;
    private int _length;

    /// <summary>Reads <paramref name="file"/>'s packets; a packet longer than <paramref name="maxPacket"/> bytes is refused (as no <paramref name="codec"/> packet).</summary>
    public OggPacketReader(byte[] file, int maxPacket, string codec)
    {
        _file = file;
        _codec = codec;
        _end = OggPages.ValidPrefix(file);
        _packet = new byte[maxPacket];
    }

    /// <summary>Whether the file has at least its first page whole and undamaged.</summary>
    public bool HasFirstPage => _end > 0;

    /// <summary>The last packet read, valid until the next call.</summary>
    public ReadOnlySpan<byte> Packet => _packet.AsSpan(0, _length);

    /// <summary>Reads the next whole packet; false at the end of the stream or of the undamaged prefix.</summary>
    /// <exception cref="AudioFormatException">A packet is longer than the limit.</exception>
    public bool TryNext(out long? granule)
    {
        _length = 0;
        granule = null;
        while (true)
        {
            if (_segment == _segmentCount && !NextPage())
            {
                _length = 0; // A packet the prefix cuts is not whole: it is dropped.
                return false;
            }

            int lacing = _file[_segmentTable + _segment];
            if (_length + lacing > _packet.Length)
            {
                throw new AudioFormatException(string.Create(CultureInfo.InvariantCulture, $"An Ogg packet of more than {_packet.Length:N0} bytes is larger than any {_codec} packet."));
            }

            _file.AsSpan(_body, lacing).CopyTo(_packet.AsSpan(_length));
            _length += lacing;
            _body += lacing;
            int index = _segment++;
            if (lacing < 255)
            {
                granule = index == _lastEnding && _granule >= 0 ? _granule : null;
                return true;
            }
        }
    }

    // Moves to the next page of the stream; false when there is none.
    private bool NextPage()
    {
        while (!_ended && _next < _end)
        {
            int at = _next;
            OggPages.TryPage(_file.AsSpan(at, _end - at), out int length);
            _next = at + length;
            int serial = BinaryPrimitives.ReadInt32LittleEndian(_file.AsSpan(at + 14));
            if (!_started)
            {
                _serial = serial;
                _started = true;
            }
            else if (serial != _serial)
            {
                continue; // Another logical stream multiplexed with the first.
            }

            byte flags = _file[at + 5];
            if ((flags & 0x01) == 0)
            {
                _length = 0; // Not a continuation: a packet left open on the previous page was never finished.
            }

            _ended = (flags & 0x04) != 0;
            _granule = BinaryPrimitives.ReadInt64LittleEndian(_file.AsSpan(at + 6));
            _segmentCount = _file[at + 26];
            _segmentTable = at + 27;
            _body = _segmentTable + _segmentCount;
            _segment = 0;
            _lastEnding = -1;
            for (int i = 0; i < _segmentCount; i++)
            {
                if (_file[_segmentTable + i] < 255)
                {
                    _lastEnding = i;
                }
            }

            if (_segmentCount > 0)
            {
                return true;
            }
        }

        return false;
    }
}

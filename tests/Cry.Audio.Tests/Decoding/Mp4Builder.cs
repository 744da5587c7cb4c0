using System.Buffers.Binary;
using System.Text;

namespace Cry.Audio.Tests.Decoding;

/// <summary>ISO base media boxes written by hand, so every structure (and every lie in a size) is a real file.</summary>
internal static class Mp4Builder
{
    /// <summary>A box: a 32-bit size (the true one unless given), the type, then the body.</summary>
    public static byte[] Box(string type, params byte[][] body) => Sized(null, type, Concat(body));

    /// <summary>A box whose 32-bit size field says <paramref name="size"/>, whatever the body's length.</summary>
    public static byte[] Sized(uint? size, string type, byte[] body)
    {
        byte[] box = new byte[8 + body.Length];
        BinaryPrimitives.WriteUInt32BigEndian(box, size ?? (uint)box.Length);
        Encoding.ASCII.GetBytes(type).CopyTo(box, 4);
        body.CopyTo(box, 8);
        return box;
    }

    /// <summary>A box with size 1 and a 64-bit size field saying <paramref name="largeSize"/>.</summary>
    public static byte[] Large(string type, ulong largeSize, byte[] body)
    {
        byte[] box = new byte[16 + body.Length];
        BinaryPrimitives.WriteUInt32BigEndian(box, 1);
        Encoding.ASCII.GetBytes(type).CopyTo(box, 4);
        BinaryPrimitives.WriteUInt64BigEndian(box.AsSpan(8), largeSize);
        body.CopyTo(box, 16);
        return box;
    }

    /// <summary>A full box: version 0, flags 0, then the body.</summary>
    public static byte[] Full(string type, params byte[][] body) => Box(type, [0, 0, 0, 0], Concat(body));

    public static byte[] U32(params uint[] values)
    {
        byte[] bytes = new byte[4 * values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(4 * i), values[i]);
        }

        return bytes;
    }

    public static byte[] U16(params ushort[] values)
    {
        byte[] bytes = new byte[2 * values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(2 * i), values[i]);
        }

        return bytes;
    }

    public static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    public static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];

    public static byte[] Ftyp(string brand) => Box("ftyp", Ascii(brand), U32(0), Ascii(brand), Ascii("isom"));

    /// <summary>A handler box of <paramref name="handler"/> ("soun", "vide").</summary>
    public static byte[] Hdlr(string handler) => Full("hdlr", U32(0), Ascii(handler), new byte[12], [0]);

    /// <summary>
    /// A 3GP file with one AMR track: <paramref name="samples"/> as its samples (each may hold several frames), in chunks
    /// of <paramref name="samplesPerChunk"/>, the media data after the movie box as Android's recorder writes it.
    /// </summary>
    public static byte[] AmrFile(IReadOnlyList<byte[]> samples, int samplesPerChunk, bool wideband = false, int framesPerSample = 1)
    {
        byte[] ftyp = Ftyp("3gp4");
        byte[] Moov(uint mdatBody)
        {
            var offsets = new List<uint>();
            uint at = mdatBody;
            for (int i = 0; i < samples.Count; i += samplesPerChunk)
            {
                offsets.Add(at);
                at += (uint)samples.Skip(i).Take(samplesPerChunk).Sum(s => s.Length);
            }

            int rate = wideband ? 16000 : 8000;
            uint frameSamples = (uint)(rate / 50);
            byte[] entry = Box(
                wideband ? "sawb" : "samr",
                new byte[6], U16(1), new byte[8], U16(1, 16, 0, 0), U32((uint)rate << 16),
                Box("damr", Ascii("FFMP"), [0], U16(0x81FF), [0], [(byte)framesPerSample]));
            byte[] stbl = Box(
                "stbl",
                Full("stsd", U32(1), entry),
                Full("stts", U32(1, (uint)samples.Count, frameSamples * (uint)framesPerSample)),
                Full("stsc", U32(1, 1, (uint)samplesPerChunk, 1)),
                Full("stsz", U32(0, (uint)samples.Count), U32([.. samples.Select(s => (uint)s.Length)])),
                Full("stco", U32((uint)offsets.Count), U32([.. offsets])));
            uint duration = (uint)(samples.Count * framesPerSample) * frameSamples;
            byte[] mdia = Box(
                "mdia",
                Full("mdhd", U32(0, 0, (uint)rate, duration), U16(0x55C4, 0)),
                Hdlr("soun"),
                Box("minf", Full("smhd", U32(0)), Box("dinf", Full("dref", U32(1), Box("url ", U32(1)))), stbl));
            return Box(
                "moov",
                Full("mvhd", U32(0, 0, 1000, duration / (uint)(rate / 1000)), U32(0x00010000), U16(0x0100), new byte[10], U32(0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000), new byte[24], U32(2)),
                Box("trak", Full("tkhd", U32(0, 0, 1, 0, duration / (uint)(rate / 1000)), new byte[8], U16(0, 0, 0x0100, 0), U32(0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000), U32(0, 0)), mdia));
        }

        uint moovLength = (uint)Moov(0).Length;
        byte[] moov = Moov((uint)ftyp.Length + moovLength + 8);
        return Concat(ftyp, moov, Box("mdat", Concat([.. samples])));
    }
}

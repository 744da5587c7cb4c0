using System.Globalization;
using System.Text;
using System.Text.Unicode;

namespace Cry.Audio.Wav;

/// <summary>Says what bytes that are not a RIFF/WAVE file look like, so a refusal can name the real format.</summary>
internal static class WavSignature
{
    private const int MinHeaderSize = 12;
    private const int PreviewChars = 24;

    /// <summary>A message for <paramref name="head"/>, the first bytes (up to 64) of input that is not RIFF/WAVE.</summary>
    public static string DescribeNonWav(ReadOnlySpan<byte> head)
    {
        if (head.IsEmpty)
        {
            return "The input is empty (0 bytes); expected a WAV (RIFF/WAVE) file.";
        }

        string? known = KnownFormat(head);
        if (known is not null)
        {
            return known;
        }

        if (head.Length < MinHeaderSize && "RIFF"u8.StartsWith(head[..Math.Min(head.Length, 4)]))
        {
            return TooShort(head.Length);
        }

        if (LooksLikeText(head))
        {
            return $"The input looks like plain text, not audio (it starts with \"{Preview(head)}\"); expected a WAV file.";
        }

        if (head.Length < MinHeaderSize)
        {
            return TooShort(head.Length);
        }

        return string.Create(
            CultureInfo.InvariantCulture,
            $"Not a WAV file: expected 'RIFF' at offset 0 but found bytes {Convert.ToHexString(head[..4])}.");
    }

    /// <summary>A message for input that is no audio format the product recognises (text, random bytes, too short).</summary>
    public static string DescribeUnknown(ReadOnlySpan<byte> head)
    {
        const string Accepted = "expected a recording (WAV, CAF, 3GP/MP4/M4A, AMR, WebM, Ogg, MP3 or FLAC)";
        if (head.IsEmpty)
        {
            return $"The input is empty (0 bytes); {Accepted}.";
        }

        if (LooksLikeText(head))
        {
            return $"The input looks like plain text, not audio (it starts with \"{Preview(head)}\"); {Accepted}.";
        }

        if (head.Length < MinHeaderSize)
        {
            return string.Create(CultureInfo.InvariantCulture, $"The input is only {head.Length} bytes, too few for any audio file; {Accepted}.");
        }

        return string.Create(
            CultureInfo.InvariantCulture,
            $"The input is not a recognised audio format (it starts with the bytes {Convert.ToHexString(head[..Math.Min(8, head.Length)])}); {Accepted}.");
    }

    /// <summary>Whether the bytes start a complete header of another known format (not a broken or truncated WAV).</summary>
    public static bool IsOtherFormat(ReadOnlySpan<byte> head) =>
        KnownFormat(head) is not null && !(head.StartsWith("RIFF"u8) && head.Length < MinHeaderSize);

    private static string? KnownFormat(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith("RIFF"u8))
        {
            if (head.Length < MinHeaderSize)
            {
                return TooShort(head.Length);
            }

            ReadOnlySpan<byte> form = head[8..12];
            string hint = form.SequenceEqual("AVI "u8) ? " (an AVI video)"
                : form.SequenceEqual("WEBP"u8) ? " (a WebP image)"
                : form.SequenceEqual("RMID"u8) ? " (a MIDI file)"
                : string.Empty;
            return $"The input is a RIFF file of form type '{FourCc(form)}'{hint}, not WAVE audio.";
        }

        if (head.StartsWith("RIFX"u8))
        {
            return "The input is a big-endian RIFX WAV file, which is not supported; convert it to little-endian RIFF/WAVE.";
        }

        if (head.StartsWith("RF64"u8) || head.StartsWith("BW64"u8))
        {
            return $"The input is a 64-bit {FourCc(head[..4])} WAV file, which is not supported; convert it to RIFF/WAVE.";
        }

        if (head.StartsWith("OggS"u8))
        {
            return "The input is an Ogg file (Vorbis or Opus), not WAV.";
        }

        if (head.StartsWith("fLaC"u8))
        {
            return "The input is a FLAC file, not WAV.";
        }

        if (head.StartsWith("ID3"u8))
        {
            return "The input is an MP3 file (it starts with an ID3 tag), not WAV.";
        }

        if (head.Length >= 2 && head[0] == 0xFF && (head[1] & 0xE0) == 0xE0)
        {
            return "The input is MPEG audio (MP3 or AAC; it starts with an MPEG frame sync), not WAV.";
        }

        if (head.Length >= 8 && head[4..8].SequenceEqual("ftyp"u8))
        {
            return "The input is an MP4/M4A file (it has an 'ftyp' box), not WAV.";
        }

        if (head.StartsWith("FORM"u8))
        {
            return "The input is an IFF file such as AIFF, not WAV.";
        }

        ReadOnlySpan<byte> matroska = [0x1A, 0x45, 0xDF, 0xA3];
        if (head.StartsWith(matroska))
        {
            return "The input is a Matroska/WebM file, not WAV.";
        }

        return null;
    }

    private static bool LooksLikeText(ReadOnlySpan<byte> head)
    {
        foreach (byte b in head)
        {
            if ((b < 0x20 && b is not ((byte)'\t' or (byte)'\n' or (byte)'\r')) || b == 0x7F)
            {
                return false;
            }
        }

        // The window may cut a multi-byte character: accept if valid once up to 3 trailing bytes are dropped.
        for (int drop = 0; drop <= 3 && drop < head.Length; drop++)
        {
            if (Utf8.IsValid(head[..^drop]))
            {
                return true;
            }
        }

        return false;
    }

    private static string Preview(ReadOnlySpan<byte> head)
    {
        string text = Encoding.UTF8.GetString(head);
        var preview = new StringBuilder(PreviewChars);
        foreach (char c in text)
        {
            if (preview.Length == PreviewChars)
            {
                break;
            }

            preview.Append(char.IsControl(c) ? ' ' : c);
        }

        return preview.ToString();
    }

    private static string FourCc(ReadOnlySpan<byte> id)
    {
        Span<char> chars = stackalloc char[4];
        for (int i = 0; i < 4; i++)
        {
            chars[i] = id[i] is >= 0x20 and < 0x7F ? (char)id[i] : '?';
        }

        return new string(chars);
    }

    private static string TooShort(int length) => string.Create(
        CultureInfo.InvariantCulture,
        $"Too few bytes for a WAV header: the input is {length} bytes, a RIFF/WAVE header needs at least 12 and a playable file at least 44.");
}

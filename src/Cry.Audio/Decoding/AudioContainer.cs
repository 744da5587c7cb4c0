namespace Cry.Audio.Decoding;

/// <summary>The container formats that <see cref="AudioDecoder"/> recognises by content.</summary>
public enum AudioContainer
{
    /// <summary>Nothing recognised.</summary>
    Unknown,

    /// <summary>RIFF/WAVE (and its RIFX/RF64/BW64 relatives).</summary>
    Wav,

    /// <summary>Apple Core Audio Format (<c>caff</c>).</summary>
    Caf,

    /// <summary>ISO base media: MP4, M4A, 3GP, 3G2, MOV.</summary>
    Mp4,

    /// <summary>Raw AMR-NB or AMR-WB storage (<c>#!AMR</c>, RFC 4867 §5).</summary>
    Amr,

    /// <summary>Matroska or WebM.</summary>
    Matroska,

    /// <summary>Ogg (Opus, Vorbis, FLAC, Speex).</summary>
    Ogg,

    /// <summary>MPEG audio frames (MP3, MP2), with or without an ID3v2 tag.</summary>
    Mpeg,

    /// <summary>ADTS AAC frames.</summary>
    Adts,

    /// <summary>Native FLAC (<c>fLaC</c>).</summary>
    Flac,

    /// <summary>AIFF or AIFF-C.</summary>
    Aiff,
}

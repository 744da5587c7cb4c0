using System.Buffers.Binary;
using System.Globalization;
using Cry.Audio.Wav;

namespace Cry.Audio.Decoding;

/// <summary>
/// Decodes a recording by its content — never by its name or media type — to the mono float signal the product
/// works on, at the recording's own sample rate.
/// </summary>
/// <remarks>
/// <para>Formats: RIFF/WAVE (<see cref="WavDecoder"/>); CAF with IMA4 ADPCM, linear PCM, A-law or µ-law (managed);
/// MP3 (NLayer), Ogg Vorbis (NVorbis), Ogg Opus and WebM/Matroska Opus (Concentus, over hand-written Ogg page and
/// EBML walks); and through <see cref="FfmpegDecoder"/> in a child process everything no managed decoder reads: AMR-NB,
/// AMR-WB and AAC in 3GP/MP4/M4A/MOV, raw AMR, ADTS AAC, FLAC (native and in Ogg), Vorbis in WebM, AIFF, compressed
/// WAV codecs, other CAF codecs. A managed decoder that fails on a file it should read hands the file to FFmpeg.</para>
/// <para>Every path keeps the WAV decoder's promises: memory bounded by the bytes present and the maximum duration (no
/// header's claim sizes a buffer), a recording longer than the maximum is refused, NaN and infinity are refused,
/// channels are averaged to mono, and every problem is an <see cref="AudioFormatException"/> whose message says what
/// is wrong (<see cref="AudioFormatException.IsUnsupportedFormat"/> for a format or codec this host cannot read,
/// <see cref="AudioFormatException.MissingDecoder"/> when it needs FFmpeg and has none). Thread-safe.</para>
/// </remarks>
public sealed class AudioDecoder : IDisposable
{
    private const int SniffBytes = 64;
    private const int WavHeaderKeepBytes = 64 * 1024;
    private readonly AudioDecoderOptions _options;
    private readonly WavDecoder _wav;

    /// <summary>Creates a decoder.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public AudioDecoder(AudioDecoderOptions? options = null)
    {
        _options = options ?? AudioDecoderOptions.Default;
        _options.Validate();
        _wav = new WavDecoder(_options.Limits);
        Ffmpeg = new FfmpegDecoder(_options);
    }

    /// <summary>A decoder with the default options, shared by the whole process (so its FFmpeg slots are too).</summary>
    public static AudioDecoder Default { get; } = new();

    /// <summary>The options.</summary>
    public AudioDecoderOptions Options => _options;

    /// <summary>The out-of-process decoder this decoder uses.</summary>
    public FfmpegDecoder Ffmpeg { get; }

    /// <summary>File extensions of recordings that folders are scanned for (lower case, with the dot).</summary>
    public static IReadOnlyList<string> FileExtensions { get; } =
    [
        ".wav", ".wave", ".caf", ".3gp", ".3g2", ".mp4", ".m4a", ".mov", ".amr", ".awb", ".webm", ".mkv", ".mka",
        ".ogg", ".oga", ".opus", ".mp3", ".flac", ".aac", ".aif", ".aiff",
    ];

    /// <summary>Media types of recordings an HTTP endpoint accepts (the content decides the format, not the type).</summary>
    public static IReadOnlyList<string> MediaTypes { get; } =
    [
        "audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave", "audio/x-caf", "audio/3gpp", "audio/3gpp2", "video/3gpp",
        "audio/mp4", "audio/x-m4a", "audio/m4a", "video/mp4", "video/quicktime", "audio/aac", "audio/aacp", "audio/amr",
        "audio/amr-wb", "audio/webm", "video/webm", "audio/x-matroska", "video/x-matroska", "audio/ogg", "audio/opus", "application/ogg",
        "audio/mpeg", "audio/mp3", "audio/flac", "audio/x-flac", "audio/aiff", "audio/x-aiff", "application/octet-stream",
    ];

    /// <summary>Whether a file name has one of <see cref="FileExtensions"/>.</summary>
    public static bool HasAudioExtension(string path) =>
        FileExtensions.Contains(Path.GetExtension(path).ToLowerInvariant(), StringComparer.Ordinal);

    /// <summary>The container that the first bytes of a file announce.</summary>
    public static AudioContainer Detect(ReadOnlySpan<byte> head)
    {
        if (head.Length >= 4 && (head.StartsWith("RIFF"u8) || head.StartsWith("RIFX"u8) || head.StartsWith("RF64"u8) || head.StartsWith("BW64"u8)))
        {
            return head.Length < 12 || head[8..12].SequenceEqual("WAVE"u8) ? AudioContainer.Wav : AudioContainer.Unknown;
        }

        if (head.StartsWith("caff"u8))
        {
            return AudioContainer.Caf;
        }

        if (head.Length >= 8 && (head[4..8].SequenceEqual("ftyp"u8) || head[4..8].SequenceEqual("moov"u8) || head[4..8].SequenceEqual("wide"u8)
            || (head[4..8].SequenceEqual("mdat"u8) && BinaryPrimitives.ReadUInt32BigEndian(head) >= 8)))
        {
            return AudioContainer.Mp4;
        }

        if (head.StartsWith("#!AMR"u8))
        {
            return AudioContainer.Amr;
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0x1A, 0x45, 0xDF, 0xA3]))
        {
            return AudioContainer.Matroska;
        }

        if (head.StartsWith("OggS"u8))
        {
            return AudioContainer.Ogg;
        }

        if (head.StartsWith("fLaC"u8))
        {
            return AudioContainer.Flac;
        }

        if (head.Length >= 12 && head.StartsWith("FORM"u8) && (head[8..12].SequenceEqual("AIFF"u8) || head[8..12].SequenceEqual("AIFC"u8)))
        {
            return AudioContainer.Aiff;
        }

        if (head.StartsWith("ID3"u8))
        {
            return AudioContainer.Mpeg; // Could hold ADTS AAC; the MPEG decoder then hands it on (see DecodeMpeg).
        }

        if (head.Length >= 2 && head[0] == 0xFF && (head[1] & 0xE0) == 0xE0)
        {
            int layer = (head[1] >> 1) & 0x03;
            if (layer == 0 && (head[1] & 0xF0) == 0xF0)
            {
                return AudioContainer.Adts;
            }

            // Version 01 is reserved, layer 00 reserved for MPEG audio: not a frame header.
            return layer != 0 && ((head[1] >> 3) & 0x03) != 1 ? AudioContainer.Mpeg : AudioContainer.Unknown;
        }

        return AudioContainer.Unknown;
    }

    /// <summary>The format of a file in words, as refusals name it ("AMR-NB in a 3GP container", "Ogg Opus").</summary>
    public static string Describe(ReadOnlySpan<byte> file)
    {
        try
        {
            return Detect(file) switch
            {
                AudioContainer.Wav => "WAV",
                AudioContainer.Caf => $"{CafDecoder.ReadCodec(file)} in a CAF container",
                AudioContainer.Mp4 => Mp4Boxes.Inspect(file).Describe(),
                AudioContainer.Amr => file.StartsWith("#!AMR-WB"u8) ? "AMR-WB (raw .amr)" : "AMR-NB (raw .amr)",
                AudioContainer.Matroska => MatroskaDecoder.Describe(file),
                AudioContainer.Ogg => "Ogg " + OggDecoder.Codec(file),
                AudioContainer.Mpeg => "MPEG audio (MP3)",
                AudioContainer.Adts => "AAC (ADTS)",
                AudioContainer.Flac => "FLAC",
                AudioContainer.Aiff => "AIFF",
                _ => "an unrecognised format",
            };
        }
        catch (AudioFormatException)
        {
            return "a damaged file";
        }
    }

    /// <summary>Decodes a recording held in memory.</summary>
    /// <exception cref="AudioFormatException">The bytes are not a usable recording; the message says why.</exception>
    /// <exception cref="AudioDecoderBusyException">The file needs FFmpeg and every FFmpeg slot stayed busy.</exception>
    public AudioSignal Decode(ReadOnlySpan<byte> file)
    {
        var container = Detect(file);
        return container switch
        {
            AudioContainer.Wav => DecodeWav(file),
            AudioContainer.Caf => DecodeCaf(file),
            AudioContainer.Mp4 => DecodeMp4(file),
            AudioContainer.Amr => Ffmpeg.Decode(file, file.StartsWith("#!AMR-WB"u8) ? "AMR-WB (raw .amr)" : "AMR-NB (raw .amr)"),
            AudioContainer.Matroska => DecodeMatroska(file),
            AudioContainer.Ogg => DecodeOgg(file),
            AudioContainer.Mpeg => DecodeMpeg(file),
            AudioContainer.Adts => Ffmpeg.Decode(file, "AAC (ADTS)"),
            AudioContainer.Flac => Ffmpeg.Decode(file, "FLAC"),
            AudioContainer.Aiff => Ffmpeg.Decode(file, "AIFF"),
            _ => throw new AudioFormatException(WavSignature.DescribeUnknown(file[..Math.Min(file.Length, SniffBytes)])),
        };
    }

    /// <summary>Decodes a recording read from a stream: a PCM or float WAV is read in pieces, any other format up to <see cref="AudioDecoderOptions.MaxInputBytes"/>.</summary>
    /// <remarks>
    /// A WAV of another codec (A-law, ADPCM, …) goes the way of its bytes, to FFmpeg: from a stream that cannot seek,
    /// that needs its header to be in the first 64 KiB (else the WAV decoder's refusal stands).
    /// </remarks>
    /// <exception cref="AudioFormatException">The stream is not a usable recording, or is larger than the limit.</exception>
    /// <exception cref="AudioDecoderBusyException">The file needs FFmpeg and every FFmpeg slot stayed busy.</exception>
    public AudioSignal Decode(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Span<byte> head = stackalloc byte[12];
        if (stream.CanSeek)
        {
            long start = stream.Position;
            int got = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            stream.Position = start;
            if (IsRiffWave(head[..got]))
            {
                try
                {
                    return _wav.Decode(stream); // Streamed: memory bounded by the duration, not by the file.
                }
                catch (AudioFormatException ex) when (ex.IsUnsupportedFormat)
                {
                    stream.Position = start; // Another codec: the whole file goes the bytes' way.
                }
            }

            if (stream.Length - start > _options.MaxInputBytes)
            {
                throw TooLarge(stream.Length - start);
            }
        }
        else
        {
            var rewindable = new RewindableStream(stream, WavHeaderKeepBytes);
            int got = rewindable.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            rewindable.Rewind();
            if (IsRiffWave(head[..got]))
            {
                try
                {
                    return _wav.Decode(rewindable); // Streamed, as from a seekable stream.
                }
                catch (AudioFormatException ex) when (ex.IsUnsupportedFormat && rewindable.Rewind())
                {
                    // Another codec, and everything read so far was kept: the whole file goes the bytes' way.
                }
            }

            stream = rewindable;
        }

        using var memory = new MemoryStream();
        byte[] buffer = new byte[81920];
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            if (memory.Length + read > _options.MaxInputBytes)
            {
                throw TooLarge(memory.Length + read);
            }

            memory.Write(buffer, 0, read);
        }

        return Decode(memory.GetBuffer().AsSpan(0, (int)memory.Length));
    }

    /// <summary>Decodes a recording file.</summary>
    /// <exception cref="AudioFormatException">The file is not a usable recording.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public AudioSignal DecodeFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Decode(stream);
    }

    /// <inheritdoc/>
    public void Dispose() => Ffmpeg.Dispose();

    private static bool IsRiffWave(ReadOnlySpan<byte> head) => Detect(head) == AudioContainer.Wav && head.StartsWith("RIFF"u8);

    private AudioFormatException TooLarge(long bytes) => new(string.Create(
        CultureInfo.InvariantCulture,
        $"The input is {bytes:N0} bytes or more, larger than the limit of {_options.MaxInputBytes:N0} bytes for a compressed recording."));

    private AudioSignal DecodeWav(ReadOnlySpan<byte> file)
    {
        try
        {
            return _wav.Decode(file);
        }
        catch (AudioFormatException ex) when (ex.IsUnsupportedFormat)
        {
            // A compressed WAV codec, RIFX or RF64: FFmpeg reads most of them, and without it the refusal says so.
            string reason = ex.Message.Split(';')[0].TrimEnd('.'); // "Unsupported codec 0x0006 (A-law)", without the advice.
            return Ffmpeg.Decode(file, "WAV (" + reason + ")");
        }
    }

    private AudioSignal DecodeCaf(ReadOnlySpan<byte> file)
    {
        var stream = CafDecoder.ReadStructure(file);
        if (CafDecoder.IsManaged(stream.FormatId) && _options.Preference == DecoderPreference.Managed)
        {
            return CafDecoder.Decode(file, _options.Limits);
        }

        return Ffmpeg.Decode(file, $"{CafDecoder.ReadCodec(file)} in a CAF container");
    }

    private AudioSignal DecodeMp4(ReadOnlySpan<byte> file)
    {
        var info = Mp4Boxes.Inspect(file);
        if (!info.HasMovie)
        {
            throw new AudioFormatException($"The {info.Brand} file has no 'moov' box, which describes its tracks: it is truncated or was never finished.");
        }

        if (info.Codec is null)
        {
            throw new AudioFormatException($"The {info.Brand} file has no audio track.");
        }

        if (info.Codec is "AMR-NB" or "AMR-WB" && Mp4Boxes.ExtractAmr(file) is { } amr)
        {
            // FFmpeg before 6.1 decodes only the first AMR frame of a sample that holds several (Android writes 13).
            return Ffmpeg.Decode(amr, info.Describe());
        }

        return Ffmpeg.Decode(file, info.Describe());
    }

    private AudioSignal DecodeMatroska(ReadOnlySpan<byte> file)
    {
        string description = MatroskaDecoder.Describe(file);
        if (!MatroskaDecoder.HasAudioTrack(file))
        {
            // Refused here, as for MP4: no process is started for it, and it is not a file that needs FFmpeg.
            throw new AudioFormatException($"The {description} has no audio track.");
        }

        if (_options.Preference == DecoderPreference.Managed && MatroskaDecoder.IsManaged(file))
        {
            return Managed(file, description, static (bytes, limits) => MatroskaDecoder.Decode(bytes, limits));
        }

        return Ffmpeg.Decode(file, description);
    }

    private AudioSignal DecodeOgg(ReadOnlySpan<byte> file)
    {
        string codec = OggDecoder.Codec(file);
        if (codec is "(damaged)" or "(truncated)")
        {
            throw new AudioFormatException("The Ogg file's first page is incomplete: it is truncated or damaged.");
        }

        if (_options.Preference == DecoderPreference.Managed && codec is "Opus" or "Vorbis")
        {
            return Managed(file, "Ogg " + codec, static (bytes, limits) => OggDecoder.Decode(bytes, limits));
        }

        if (codec.StartsWith('(') && !Ffmpeg.IsAvailable)
        {
            throw new AudioFormatException($"The Ogg file's first page names no known codec {codec}: it is damaged or not audio.");
        }

        return Ffmpeg.Decode(file, "Ogg " + codec);
    }

    private AudioSignal DecodeMpeg(ReadOnlySpan<byte> file)
    {
        // MPEG-2.5 (8–12 kHz) goes to FFmpeg: NLayer decodes it wrongly, and without FFmpeg the refusal says so.
        bool frames = Mp3Decoder.StartsWithMpegAudio(file);
        if (_options.Preference == DecoderPreference.Managed && frames && !Mp3Decoder.IsMpeg25(file))
        {
            return Managed(file, "MP3", static (bytes, limits) => Mp3Decoder.Decode(bytes, limits));
        }

        if (!frames && !Ffmpeg.IsAvailable)
        {
            // Not a file that needs FFmpeg: a damaged one, refused as such rather than as "install FFmpeg".
            throw new AudioFormatException("The file starts like MP3 (an ID3 tag or a frame sync) but no MPEG audio frame header follows: it is damaged or not audio.");
        }

        return Ffmpeg.Decode(file, "MPEG audio (MP3)");
    }

    private delegate AudioSignal ManagedDecode(ReadOnlySpan<byte> file, WavDecoderOptions limits);

    // A managed decoder's own failure (not a limit or a plain refusal of ours) hands the file to FFmpeg when it is here.
    private AudioSignal Managed(ReadOnlySpan<byte> file, string format, ManagedDecode decode)
    {
        try
        {
            return decode(file, _options.Limits);
        }
        catch (ManagedDecoderException ex)
        {
            if (Ffmpeg.IsAvailable)
            {
                return Ffmpeg.Decode(file, format);
            }

            throw new AudioFormatException($"The {format} file could not be decoded: {ex.Message}", ex);
        }
    }
}

/// <summary>A managed decoding library failed on a file: the file may still be readable by FFmpeg.</summary>
internal sealed class ManagedDecoderException : Exception
{
    public ManagedDecoderException(string message)
        : base(message)
    {
    }

    public ManagedDecoderException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ManagedDecoderException()
    {
    }
}

/// <summary>A forward-only stream that keeps the first bytes it delivers, so a reader can start over from the beginning.</summary>
internal sealed class RewindableStream(Stream inner, int keep) : Stream
{
    private byte[] _kept = new byte[Math.Min(keep, 4096)];
    private int _count;
    private int _position;
    private bool _overflowed;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>Starts again from the first byte; false when more was read than is kept.</summary>
    public bool Rewind()
    {
        if (_overflowed)
        {
            return false;
        }

        _position = 0;
        return true;
    }

    public override int Read(Span<byte> buffer)
    {
        if (_position < _count)
        {
            int replayed = Math.Min(buffer.Length, _count - _position);
            _kept.AsSpan(_position, replayed).CopyTo(buffer);
            _position += replayed;
            return replayed;
        }

        int read = inner.Read(buffer);
        if (!_overflowed && read > 0)
        {
            if (_count + read > keep)
            {
                _overflowed = true;
            }
            else
            {
                if (_count + read > _kept.Length)
                {
                    Array.Resize(ref _kept, Math.Min(keep, Math.Max(_count + read, 2 * _kept.Length)));
                }

                buffer[..read].CopyTo(_kept.AsSpan(_count));
                _count += read;
                _position = _count;
            }
        }

        return read;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

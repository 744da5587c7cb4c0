using System.Buffers;
using System.Globalization;

namespace Cry.Audio.Wav;

/// <summary>Decodes RIFF/WAVE audio to a mono <see cref="AudioSignal"/>, refusing anything unusable with a clear message.</summary>
/// <remarks>
/// <para>Accepted: PCM 8-bit (unsigned), 16, 24 and 32-bit (signed); IEEE float 32 and 64; WAVE_FORMAT_EXTENSIBLE with
/// the PCM or IEEE-float sub-format. Channels are averaged to mono; integer scaling is x/2^(bits−1), uint8 (x − 128)/128,
/// so 16-bit equals <c>int16 / 32768f</c> exactly. Float samples beyond full scale are clipped to [-1, 1].</para>
/// <para>Chunks other than <c>fmt </c> and <c>data</c> are skipped, honouring the RIFF pad byte after an odd size.
/// A data chunk whose size field is larger than the bytes present, or 0 / 0xFFFFFFFF (streaming writers), yields the
/// whole frames that are present; a trailing partial frame is dropped.</para>
/// <para>Memory is bounded by the bytes present and <see cref="WavDecoderOptions.MaxDurationSeconds"/>, never by a size
/// field; streams are read in pieces of at most 64 KiB. A file longer than the maximum duration is refused, not
/// truncated. Every problem with the bytes is an <see cref="AudioFormatException"/>; errors of the stream itself
/// (such as <see cref="IOException"/>) pass through. Instances are immutable and thread-safe.</para>
/// </remarks>
public sealed class WavDecoder
{
    private const int StreamChunkBytes = 64 * 1024;
    private const int InitialStreamFrames = 16 * 1024;

    private readonly WavDecoderOptions _options;

    /// <summary>Creates a decoder with <paramref name="options"/>, or <see cref="WavDecoderOptions.Default"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A limit is out of range.</exception>
    public WavDecoder(WavDecoderOptions? options = null)
    {
        _options = options ?? WavDecoderOptions.Default;
        _options.Validate();
    }

    /// <summary>A decoder with the default limits.</summary>
    public static WavDecoder Default { get; } = new();

    /// <summary>The limits this decoder enforces.</summary>
    public WavDecoderOptions Options => _options;

    /// <summary>Decodes a WAV file read from the current position of <paramref name="stream"/> to its end or the data chunk's end.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="AudioFormatException">The bytes are not a supported, sane WAV file.</exception>
    public AudioSignal Decode(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        byte[] scratch = ArrayPool<byte>.Shared.Rent(StreamChunkBytes);
        try
        {
            var source = new StreamByteSource(stream, scratch);
            WavFormat format = WavHeaderReader.Read(ref source, _options);
            int blockAlign = format.BlockAlign;
            int maxFrames = _options.MaxFrames(format.SampleRate);
            long remaining = format.DataLimit;

            // A seekable stream says how many bytes are present, so the signal can be sized once; otherwise grow by doubling.
            long framesHint = remaining / blockAlign;
            if (stream.CanSeek)
            {
                framesHint = Math.Min(framesHint, Math.Max(0, stream.Length - stream.Position) / blockAlign);
                if (framesHint > maxFrames)
                {
                    throw TooLong(format, framesHint, exact: true);
                }
            }
            else
            {
                framesHint = Math.Min(framesHint, InitialStreamFrames);
            }

            var samples = new float[(int)Math.Min(framesHint, maxFrames)];
            int count = 0;
            long bytesRead = 0;
            int chunkBytes = StreamChunkBytes / blockAlign * blockAlign;
            while (remaining > 0)
            {
                // Only the last read can end inside a frame: chunkBytes is a whole number of frames.
                int wanted = (int)Math.Min(chunkBytes, remaining);
                int got = source.Read(scratch.AsSpan(0, wanted));
                bytesRead += got;
                remaining -= got;
                int frames = got / blockAlign;
                if ((long)count + frames > maxFrames)
                {
                    throw TooLong(format, (long)count + frames, exact: false);
                }

                if (count + frames > samples.Length)
                {
                    Array.Resize(ref samples, (int)Math.Min(Math.Max(count + frames, 2L * samples.Length), maxFrames));
                }

                WavSampleConverter.Convert(scratch.AsSpan(0, frames * blockAlign), samples.AsSpan(count, frames), format, count);
                count += frames;
                if (got < wanted)
                {
                    break;
                }
            }

            if (count == 0)
            {
                throw NoFrames(format, bytesRead);
            }

            if (count != samples.Length)
            {
                Array.Resize(ref samples, count);
            }

            return new AudioSignal(samples, format.SampleRate);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    /// <summary>Decodes a WAV file held in memory.</summary>
    /// <exception cref="AudioFormatException">The bytes are not a supported, sane WAV file.</exception>
    public AudioSignal Decode(ReadOnlySpan<byte> wav)
    {
        ReadOnlySpan<byte> data = Prepare(wav, out WavFormat format, out int frames);
        var samples = new float[frames];
        WavSampleConverter.Convert(data, samples, format, 0);
        return new AudioSignal(samples, format.SampleRate);
    }

    /// <summary>Decodes a WAV file held in memory into <paramref name="buffer"/>, replacing it with a new array only when it is too small.</summary>
    /// <param name="wav">The WAV file.</param>
    /// <param name="buffer">Receives the mono samples in its first elements; grown (a new array) when too small.</param>
    /// <param name="sampleRate">The sample rate of the decoded signal.</param>
    /// <returns>The number of samples written to <paramref name="buffer"/>.</returns>
    /// <exception cref="AudioFormatException">The bytes are not a supported, sane WAV file.</exception>
    public int Decode(ReadOnlySpan<byte> wav, ref float[] buffer, out int sampleRate)
    {
        ReadOnlySpan<byte> data = Prepare(wav, out WavFormat format, out int frames);
        if (buffer is null || buffer.Length < frames)
        {
            buffer = new float[frames];
        }

        WavSampleConverter.Convert(data, buffer.AsSpan(0, frames), format, 0);
        sampleRate = format.SampleRate;
        return frames;
    }

    // Reads the header and returns exactly the bytes of the whole frames to decode.
    private ReadOnlySpan<byte> Prepare(ReadOnlySpan<byte> wav, out WavFormat format, out int frames)
    {
        var source = new SpanByteSource(wav);
        format = WavHeaderReader.Read(ref source, _options);
        ReadOnlySpan<byte> data = source.Remaining;
        if (data.Length > format.DataLimit)
        {
            data = data[..(int)format.DataLimit];
        }

        frames = data.Length / format.BlockAlign;
        if (frames == 0)
        {
            throw NoFrames(format, data.Length);
        }

        if (frames > _options.MaxFrames(format.SampleRate))
        {
            throw TooLong(format, frames, exact: true);
        }

        return data[..(frames * format.BlockAlign)];
    }

    // A non-seekable stream is refused at the first frame past the limit, before its true length is known.
    private AudioFormatException TooLong(in WavFormat format, long frames, bool exact) => new(string.Create(
        CultureInfo.InvariantCulture,
        $"The audio is {(double)frames / format.SampleRate:0.###} s{(exact ? string.Empty : " or more")} long, longer than the maximum of {_options.MaxDurationSeconds} s."));

    private static AudioFormatException NoFrames(in WavFormat format, long bytes) => new(string.Create(
        CultureInfo.InvariantCulture,
        $"The 'data' chunk holds no complete sample frame ({bytes} bytes present, one frame is {format.BlockAlign} bytes); the signal would be empty."));
}

using System.Globalization;
using Cry.Audio.Wav;

namespace Cry.Audio.Decoding;

/// <summary>
/// Collects decoded samples as a mono signal under the decoder's limits: channels averaged, values clipped to
/// [-1, 1], NaN and infinity refused, and never more than the maximum duration (a longer recording is refused).
/// </summary>
/// <remarks>
/// Grows by doubling from a small start, so memory follows what is decoded, not what a header claims. A decoder that
/// cuts priming or padding off afterwards names how many frames it may cut: those may pass the maximum while decoding,
/// and the maximum is checked again on what is left (so a recording within it is not refused for its priming).
/// </remarks>
internal sealed class MonoSampleSink
{
    private const int InitialFrames = 16 * 1024;
    private readonly string _format;
    private readonly int _maxFrames;
    private readonly int _capacityFrames;
    private readonly double _maxSeconds;
    private float[] _samples;
    private int _count;

    /// <summary>Creates a sink for a stream of <paramref name="channels"/> at <paramref name="sampleRate"/>, after checking both.</summary>
    /// <param name="format">The format in words, for messages.</param>
    /// <param name="sampleRate">The stream's rate.</param>
    /// <param name="channels">The stream's channels.</param>
    /// <param name="limits">The limits.</param>
    /// <param name="framesHint">Frames the bytes present can hold, to size the first buffer (never a header's claim).</param>
    /// <param name="trimFrames">The most frames <see cref="SkipStart"/> and <see cref="TrimTo"/> will cut (priming, padding).</param>
    /// <exception cref="AudioFormatException">The rate or channel count is out of the limits.</exception>
    public MonoSampleSink(string format, int sampleRate, int channels, WavDecoderOptions limits, long framesHint = 0, int trimFrames = 0)
    {
        _format = format;
        CheckStream(format, sampleRate, channels, limits);
        SampleRate = sampleRate;
        Channels = channels;
        _maxSeconds = limits.MaxDurationSeconds;
        _maxFrames = limits.MaxFrames(sampleRate);
        _capacityFrames = (int)Math.Min((long)_maxFrames + Math.Max(0, trimFrames), Array.MaxLength);
        _samples = new float[(int)Math.Clamp(framesHint, InitialFrames, Math.Max(InitialFrames, _capacityFrames))];
    }

    /// <summary>The stream's rate.</summary>
    public int SampleRate { get; }

    /// <summary>The stream's channels.</summary>
    public int Channels { get; }

    /// <summary>Mono frames collected.</summary>
    public int Count => _count;

    /// <summary>Refuses a rate or channel count out of the limits.</summary>
    /// <exception cref="AudioFormatException">The rate or channel count is out of the limits.</exception>
    public static void CheckStream(string format, double sampleRate, long channels, WavDecoderOptions limits)
    {
        if (channels < 1 || channels > limits.MaxChannels)
        {
            throw new AudioFormatException(string.Create(
                CultureInfo.InvariantCulture,
                $"The {format} stream has {channels} channels; between 1 and {limits.MaxChannels} are accepted."));
        }

        if (!double.IsFinite(sampleRate) || sampleRate < limits.MinSampleRate || sampleRate > limits.MaxSampleRate || sampleRate != Math.Floor(sampleRate))
        {
            throw new AudioFormatException(string.Create(
                CultureInfo.InvariantCulture,
                $"The {format} stream's sample rate {sampleRate} Hz is out of range; whole rates from {limits.MinSampleRate} to {limits.MaxSampleRate} Hz are accepted."));
        }
    }

    /// <summary>Reserves room for <paramref name="frames"/> more frames and returns where they go.</summary>
    /// <exception cref="AudioFormatException">The recording would pass the maximum duration (and the frames to be trimmed).</exception>
    public Span<float> Reserve(int frames)
    {
        if ((long)_count + frames > _capacityFrames)
        {
            throw TooLong();
        }

        if (_count + frames > _samples.Length)
        {
            Array.Resize(ref _samples, (int)Math.Min(Math.Max((long)_count + frames, 2L * _samples.Length), _capacityFrames));
        }

        return _samples.AsSpan(_count, frames);
    }

    /// <summary>Marks <paramref name="frames"/> reserved frames as written, checking and clipping them.</summary>
    /// <exception cref="AudioFormatException">A sample is NaN or infinite.</exception>
    public void Commit(int frames)
    {
        Span<float> written = _samples.AsSpan(_count, frames);
        for (int i = 0; i < written.Length; i++)
        {
            float x = written[i];
            if (!float.IsFinite(x))
            {
                throw new AudioFormatException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"The {_format} stream decodes to a non-finite sample ({x}) at {(double)(_count + i) / SampleRate:0.###} s."));
            }

            written[i] = Math.Clamp(x, -1f, 1f);
        }

        _count += frames;
    }

    /// <summary>Marks reserved frames as written without checking them: for decoders whose output is finite and in range by construction (16-bit values / 32768).</summary>
    public void CommitExact(int frames) => _count += frames;

    /// <summary>Adds interleaved samples of <see cref="Channels"/> channels, averaged to mono.</summary>
    /// <exception cref="AudioFormatException">The recording would pass the maximum duration, or a sample is not finite.</exception>
    public void AddInterleaved(ReadOnlySpan<float> interleaved)
    {
        int frames = interleaved.Length / Channels;
        Span<float> target = Reserve(frames);
        if (Channels == 1)
        {
            interleaved[..frames].CopyTo(target);
        }
        else
        {
            float scale = 1f / Channels;
            for (int f = 0; f < frames; f++)
            {
                float sum = 0;
                ReadOnlySpan<float> frame = interleaved.Slice(f * Channels, Channels);
                for (int c = 0; c < frame.Length; c++)
                {
                    sum += frame[c];
                }

                target[f] = sum * scale;
            }
        }

        Commit(frames);
    }

    /// <summary>Drops frames from the end (decoder padding).</summary>
    public void TrimTo(long frames)
    {
        if (frames >= 0 && frames < _count)
        {
            _count = (int)frames;
        }
    }

    /// <summary>Drops frames from the start (decoder priming).</summary>
    public void SkipStart(int frames)
    {
        frames = Math.Clamp(frames, 0, _count);
        if (frames > 0)
        {
            _samples.AsSpan(frames, _count - frames).CopyTo(_samples);
            _count -= frames;
        }
    }

    /// <summary>The signal collected.</summary>
    /// <exception cref="AudioFormatException">Nothing was decoded, or what is left after trimming passes the maximum duration.</exception>
    public AudioSignal ToSignal()
    {
        if (_count == 0)
        {
            throw new AudioFormatException($"The {_format} file holds no decodable audio; the signal would be empty.");
        }

        if (_count > _maxFrames)
        {
            throw TooLong();
        }

        if (_count != _samples.Length)
        {
            Array.Resize(ref _samples, _count);
        }

        return new AudioSignal(_samples, SampleRate);
    }

    private AudioFormatException TooLong() => new(string.Create(
        CultureInfo.InvariantCulture,
        $"The {_format} recording is longer than the maximum of {_maxSeconds} s."));
}

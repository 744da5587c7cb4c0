using System.Buffers.Binary;
using System.Globalization;
using Concentus;
using Cry.Audio.Wav;

namespace Cry.Audio.Decoding;

/// <summary>Decodes a sequence of Opus packets (from Ogg or Matroska) with Concentus into a mono signal at 48 kHz.</summary>
/// <remarks>
/// The identification header (<c>OpusHead</c>, RFC 7845 §5.1) gives the channels, the pre-skip (samples at 48 kHz to
/// drop from the start) and an output gain in Q7.8 dB, applied as FFmpeg applies them. Only channel mapping family 0
/// (mono or stereo) is read here; other layouts go to FFmpeg. Concentus's pure managed decoder is used even where a
/// native libopus exists, so every host decodes the same samples.
/// </remarks>
internal sealed class OpusStreamDecoder
{
    /// <summary>The rate Opus always decodes at.</summary>
    public const int SampleRate = 48_000;

    private const int MaxFrameSamples = 5760; // 120 ms at 48 kHz, the longest Opus packet.
    private readonly IOpusDecoder _decoder;
    private readonly MonoSampleSink _sink;
    private readonly float[] _pcm;
    private readonly float _gain;
    private int _packets;

    static OpusStreamDecoder() => OpusCodecFactory.AttemptToUseNativeLibrary = false;

    private OpusStreamDecoder(int channels, int preSkip, float gain, MonoSampleSink sink)
    {
        Channels = channels;
        PreSkip = preSkip;
        _gain = gain;
        _sink = sink;
        _pcm = new float[MaxFrameSamples * channels];
        _decoder = OpusCodecFactory.CreateDecoder(SampleRate, channels, null);
    }

    /// <summary>Channels of the stream.</summary>
    public int Channels { get; }

    /// <summary>Samples to drop from the start.</summary>
    public int PreSkip { get; }

    /// <summary>Reads an <c>OpusHead</c> packet and creates the decoder.</summary>
    /// <exception cref="AudioFormatException">The header is broken or out of the limits.</exception>
    /// <exception cref="ManagedDecoderException">A channel mapping this decoder does not read.</exception>
    public static OpusStreamDecoder Create(ReadOnlySpan<byte> head, string format, WavDecoderOptions limits)
    {
        if (head.Length < 19 || !head.StartsWith("OpusHead"u8))
        {
            throw new AudioFormatException($"The {format} stream's Opus identification header is missing or shorter than 19 bytes.");
        }

        if (head[8] >> 4 != 0)
        {
            throw new AudioFormatException(string.Create(CultureInfo.InvariantCulture, $"The {format} stream's Opus header has version {head[8]}, which is not one this decoder reads.")) { IsUnsupportedFormat = true };
        }

        int channels = head[9];
        int preSkip = BinaryPrimitives.ReadUInt16LittleEndian(head[10..]);
        short gain = BinaryPrimitives.ReadInt16LittleEndian(head[16..]);
        int family = head[18];
        if (family != 0 || channels is < 1 or > 2)
        {
            throw new ManagedDecoderException(string.Create(CultureInfo.InvariantCulture, $"Opus with channel mapping family {family} and {channels} channels is not read by the managed decoder."));
        }

        // Pre-skip and the end's padding (at most one packet) are cut after decoding: they do not count against the maximum.
        var sink = new MonoSampleSink(format, SampleRate, channels, limits, trimFrames: preSkip + MaxFrameSamples);
        return new OpusStreamDecoder(channels, preSkip, MathF.Pow(10f, gain / (20f * 256f)), sink);
    }

    /// <summary>Decodes one audio packet.</summary>
    /// <exception cref="AudioFormatException">The recording passes the maximum duration.</exception>
    /// <exception cref="ManagedDecoderException">Concentus refused the packet.</exception>
    public void Add(ReadOnlySpan<byte> packet)
    {
        if (packet.IsEmpty)
        {
            return; // A zero-length packet is a lost one (RFC 7845 §4): nothing to add.
        }

        int samples;
        try
        {
            samples = _decoder.Decode(packet, _pcm, MaxFrameSamples, false);
        }
        catch (Exception ex) when (ex is OpusException or ArgumentException or IndexOutOfRangeException or InvalidOperationException)
        {
            throw new ManagedDecoderException(string.Create(CultureInfo.InvariantCulture, $"Opus packet {_packets} is corrupt ({ex.Message})."), ex);
        }

        _packets++;
        Span<float> block = _pcm.AsSpan(0, samples * Channels);
        if (_gain != 1f)
        {
            for (int i = 0; i < block.Length; i++)
            {
                block[i] *= _gain;
            }
        }

        _sink.AddInterleaved(block);
    }

    /// <summary>
    /// The signal: pre-skip dropped, and cut to <paramref name="totalSamples"/> (after the pre-skip) when known, or
    /// <paramref name="paddingSamples"/> dropped from the end (Matroska's DiscardPadding).
    /// </summary>
    /// <exception cref="AudioFormatException">Nothing was decoded, or what is left passes the maximum duration.</exception>
    public AudioSignal Finish(long? totalSamples, long paddingSamples = 0)
    {
        if (totalSamples is { } total)
        {
            _sink.TrimTo(total + PreSkip);
        }

        if (paddingSamples > 0 && paddingSamples < _sink.Count - PreSkip)
        {
            _sink.TrimTo(_sink.Count - paddingSamples);
        }

        _sink.SkipStart(PreSkip);
        return _sink.ToSignal();
    }
}

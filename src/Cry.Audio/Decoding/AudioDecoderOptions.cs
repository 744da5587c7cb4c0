using Cry.Audio.Wav;

namespace Cry.Audio.Decoding;

/// <summary>Which decoder reads a format that both the managed decoders and FFmpeg can read.</summary>
public enum DecoderPreference
{
    /// <summary>The managed decoder where there is one, else FFmpeg (the default).</summary>
    Managed,

    /// <summary>FFmpeg for everything but RIFF/WAVE (to compare the two paths, or where FFmpeg is trusted more).</summary>
    Ffmpeg,
}

/// <summary>Limits and settings of <see cref="AudioDecoder"/>.</summary>
/// <remarks>
/// <see cref="Limits"/> holds for every format: at most <see cref="WavDecoderOptions.MaxDurationSeconds"/> ×
/// the sample rate mono samples are held, a longer recording is refused rather than truncated, and the rate and
/// channel count must be sane. <see cref="MaxInputBytes"/> bounds what a stream may bring into memory.
/// </remarks>
public sealed record AudioDecoderOptions
{
    /// <summary>Channels, sample rates and the maximum duration (default <see cref="WavDecoderOptions.Default"/>).</summary>
    public WavDecoderOptions Limits { get; init; } = WavDecoderOptions.Default;

    /// <summary>The most bytes read from a stream of a compressed format (default 64 MiB).</summary>
    public long MaxInputBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>The out-of-process decoder for what no managed decoder reads.</summary>
    public FfmpegOptions Ffmpeg { get; init; } = FfmpegOptions.Default;

    /// <summary>Which path reads a format both can read (default <see cref="DecoderPreference.Managed"/>).</summary>
    public DecoderPreference Preference { get; init; } = DecoderPreference.Managed;

    /// <summary>The default options.</summary>
    public static AudioDecoderOptions Default { get; } = new();

    /// <summary>Throws when a setting is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    /// <exception cref="ArgumentNullException">A nested options object is null.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Limits);
        ArgumentNullException.ThrowIfNull(Ffmpeg);
        Limits.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxInputBytes, 1024);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxInputBytes, (long)Array.MaxLength);
        Ffmpeg.Validate();
    }
}

/// <summary>How FFmpeg is found and run as an out-of-process decoder.</summary>
public sealed record FfmpegOptions
{
    /// <summary>The environment variable that names the FFmpeg executable when <see cref="ExecutablePath"/> is not set.</summary>
    public const string PathVariable = "CRY_FFMPEG";

    /// <summary>
    /// The FFmpeg executable; when null, <see cref="PathVariable"/> from the environment, else <c>ffmpeg</c> on
    /// <c>PATH</c>. An empty string turns FFmpeg off.
    /// </summary>
    public string? ExecutablePath { get; init; }

    /// <summary>Wall-clock limit of one decoding process (default 30 s); past it the process is killed.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The most FFmpeg processes at once in this process (default: the processor count).</summary>
    public int MaxConcurrentProcesses { get; init; } = Environment.ProcessorCount;

    /// <summary>How long a decode waits for a free process slot before it is refused as busy (default 10 s).</summary>
    public TimeSpan QueueTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Where the temporary input files go (default: the system's temporary folder).</summary>
    public string? TemporaryFolder { get; init; }

    /// <summary>The default options.</summary>
    public static FfmpegOptions Default { get; } = new();

    /// <summary>Throws when a setting is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(Timeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxConcurrentProcesses);
        ArgumentOutOfRangeException.ThrowIfLessThan(QueueTimeout, TimeSpan.Zero);
    }
}

/// <summary>Thrown when every slot for out-of-process decoding stays busy for the queue timeout: try again later.</summary>
public sealed class AudioDecoderBusyException : Exception
{
    /// <summary>Creates the exception with a message.</summary>
    public AudioDecoderBusyException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public AudioDecoderBusyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public AudioDecoderBusyException()
        : base("Every audio decoder is busy; try again shortly.")
    {
    }
}

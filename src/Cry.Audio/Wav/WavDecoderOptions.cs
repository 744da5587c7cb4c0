namespace Cry.Audio.Wav;

/// <summary>Limits that a WAV file must respect to be decoded by <see cref="WavDecoder"/>.</summary>
/// <remarks>
/// The limits bound memory and time for hostile input: at most <see cref="MaxDurationSeconds"/> ×
/// <see cref="MaxSampleRate"/> mono samples are ever held, and never more than the sample frames actually present.
/// A file longer than <see cref="MaxDurationSeconds"/> is refused rather than silently truncated, so a caller never
/// classifies half a recording without knowing it. Options are validated when a <see cref="WavDecoder"/> is built.
/// </remarks>
public sealed record WavDecoderOptions
{
    /// <summary>Most channels accepted (default 32); more is refused. Between 1 and 65535.</summary>
    public int MaxChannels { get; init; } = 32;

    /// <summary>Lowest sample rate in Hz accepted (default 1000); below it the rate is refused as absurd.</summary>
    public int MinSampleRate { get; init; } = 1000;

    /// <summary>Highest sample rate in Hz accepted (default 384000); above it the rate is refused as absurd.</summary>
    public int MaxSampleRate { get; init; } = 384_000;

    /// <summary>Longest duration in seconds accepted (default 600); a longer file is refused with a clear message.</summary>
    public double MaxDurationSeconds { get; init; } = 600;

    /// <summary>The default limits.</summary>
    public static WavDecoderOptions Default { get; } = new();

    /// <summary>Throws when a limit is out of range or the limits together allow an array larger than .NET can hold.</summary>
    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxChannels);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxChannels, ushort.MaxValue);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MinSampleRate);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxSampleRate, MinSampleRate);
        if (!double.IsFinite(MaxDurationSeconds) || MaxDurationSeconds <= 0)
        {
            throw new ArgumentOutOfRangeException(
                nameof(MaxDurationSeconds), MaxDurationSeconds, "The maximum duration must be positive and finite.");
        }

        if (MaxDurationSeconds * MaxSampleRate > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(
                nameof(MaxDurationSeconds),
                MaxDurationSeconds,
                $"MaxDurationSeconds × MaxSampleRate must not exceed {Array.MaxLength} samples.");
        }
    }

    /// <summary>The most mono samples a file at <paramref name="sampleRate"/> may hold.</summary>
    internal int MaxFrames(int sampleRate) => (int)Math.Floor(MaxDurationSeconds * sampleRate);
}
